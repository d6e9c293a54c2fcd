/**
 * Faults on the host's side of the built `mcptrust proxy`: the host closes stdin while
 * requests are in flight. (A host closing stdin between requests is PROTOCOL 42 in
 * proxy-protocol.test.ts; a host driven by the real SDK Client is in
 * proxy-real-servers.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { FIXTURE, NODE, isAlive } from './helpers.js';
import { childrenOf, lockWithCli, removeTempDirs, sleep, startProxy, stopAllProxies, tempDir } from './proxy-harness.js';

let lock = '';

beforeAll(async () => {
  lock = await lockWithCli(tempDir('mcptrust-faults-host-'), 'fixture.json', [NODE, FIXTURE]);
}, 30_000);
afterEach(stopAllProxies);
afterAll(removeTempDirs);

describe('the host closes stdin mid-request', () => {
  it('stops the server and exits 0; each call in flight gets one error (the server left without answering)', async () => {
    const run = startProxy(['--lock', lock], [NODE, FIXTURE]);
    await run.initialize();
    const servers = childrenOf(run.pid);
    expect(servers).toHaveLength(1);
    const hang = run.request(51, 'tools/call', { name: 'hang', arguments: {} });
    const slow = run.request(52, 'tools/call', { name: 'slow', arguments: { ms: 300 } });
    // The calls are with the server once a later request is answered.
    await run.request(53, 'ping');
    run.child.stdin.end();
    const [h, s] = await Promise.all([hang, slow]);
    expect((h.message['error'] as { code: number }).code).toBe(-32061);
    expect((s.message['error'] as { code: number }).code).toBe(-32061);
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    await sleep(100);
    for (const pid of servers) expect(isAlive(pid)).toBe(false);
    for (const id of [51, 52, 53]) expect(run.received.filter((r) => r.message['id'] === id)).toHaveLength(1);
    expect(run.junk).toEqual([]);
  });

  it('shuts down cleanly when the host closes its end of stdout (EPIPE): server stopped, exit 0, no stream error', async () => {
    const run = startProxy(['--lock', lock], [NODE, FIXTURE]);
    await run.initialize();
    const servers = childrenOf(run.pid);
    expect(servers).toHaveLength(1);
    // The host stops reading (it crashed, or closed the pipe): the proxy's next writes fail.
    run.child.stdout.destroy();
    for (let i = 0; i < 5; i++) run.send({ jsonrpc: '2.0', id: 70 + i, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(100_000) } } });
    const exit = await run.exited;
    expect(run.stderr()).not.toMatch(/Unhandled 'error' event|EPIPE/);
    expect(exit).toEqual({ code: 0, signal: null });
    await sleep(100);
    for (const pid of servers) expect(isAlive(pid)).toBe(false);
  });

  // When the host stops reading stdout, the proxy stops reading host input too, so it
  // never grows with what the host writes.
  it('stops reading host input while the host does not read its output (backpressure)', async () => {
    const run = startProxy(['--lock', lock], [NODE, FIXTURE]);
    await run.initialize();
    run.child.stdout.pause();
    const message = 'x'.repeat(1000);
    for (let i = 0; i < 20_000; i++) run.send({ jsonrpc: '2.0', id: 1000 + i, method: 'tools/call', params: { name: 'echo', arguments: { message } } });
    // 20 MB written: with backpressure the proxy has stopped reading long before.
    await sleep(1500);
    expect(run.child.stdin.writableNeedDrain).toBe(true);
  });

  it('forwards nothing written after a line cut short by the end of stdin', async () => {
    const run = startProxy(['--lock', lock], [NODE, FIXTURE]);
    await run.initialize();
    const pending = run.request(61, 'tools/call', { name: 'hang', arguments: {} });
    await run.request(62, 'ping');
    // Half a request, then EOF: the fragment is not a message.
    run.send('{"jsonrpc":"2.0","id":63,"method":"tools/call","params":{"name":"ec');
    run.child.stdin.end();
    expect(((await pending).message['error'] as { code: number }).code).toBe(-32061);
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    expect(run.received.some((r) => r.message['id'] === 63 && 'result' in r.message)).toBe(false);
  });
});
