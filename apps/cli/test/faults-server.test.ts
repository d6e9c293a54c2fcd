/**
 * Faults on the server's side of the built `mcptrust proxy`, seen from a raw NDJSON host:
 * the server killed by SIGKILL with calls in flight, a server that closes its stdout and
 * keeps running, a server that floods stderr, and a server that ignores stdin EOF and
 * SIGTERM at shutdown.
 *
 * Covered elsewhere (not repeated here): a server that exits mid-call
 * (proxy-protocol.test.ts, PROTOCOL 43), a server that stalls — request timeout error,
 * cancellation sent (proxy-protocol.test.ts, PROTOCOL 12; stdio-bridge.test.ts), signals
 * to the proxy (proxy-cli.test.ts, PROTOCOL 45), the bridge escalating to SIGKILL with a
 * short grace (proxy-core stdio-bridge.test.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE, NODE, isAlive } from './helpers.js';
import { childrenOf, lockWithCli, removeTempDirs, sleep, startProxy, stopAllProxies, tempDir } from './proxy-harness.js';
import type { ProxyRun, Received } from './proxy-harness.js';

/**
 * A server that misbehaves on demand (tools/call): `hang` never answers, `close_stdout`
 * closes file descriptor 1 and keeps running, `flood` writes `mb` MiB to stderr (with
 * backpressure) before answering, `echo` answers at once.
 */
const FAULT_SERVER = String.raw`
import { closeSync } from 'node:fs';
const tools = ['echo', 'hang', 'close_stdout', 'flood'].map((name) => ({ name, description: name, inputSchema: { type: 'object' } }));
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
const text = (id, t) => send({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: t }] } });
function call(msg) {
  const name = msg.params.name;
  if (name === 'echo') return text(msg.id, String(msg.params.arguments?.message ?? ''));
  if (name === 'close_stdout') {
    closeSync(1);
    return process.stderr.write('fault-server: stdout closed, still running\n');
  }
  if (name === 'flood') {
    let left = Number(msg.params.arguments?.mb ?? 1);
    const chunk = 'e'.repeat(1 << 20);
    const more = () => {
      while (left > 0) {
        left--;
        if (!process.stderr.write(chunk)) return process.stderr.once('drain', more);
      }
      text(msg.id, 'flooded');
    };
    return more();
  }
  // hang: never answered
}
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf('\n')) !== -1) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (line.trim() === '') continue;
    const msg = JSON.parse(line);
    if (msg.id === undefined) continue;
    if (msg.method === 'initialize') send({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'fault', version: '1' } } });
    else if (msg.method === 'tools/list') send({ jsonrpc: '2.0', id: msg.id, result: { tools } });
    else if (msg.method === 'tools/call') call(msg);
    else send({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } });
  }
});
process.stdin.on('end', () => process.exit(0));
// Writes after stdout is closed fail; this server goes on regardless.
process.stdout.on('error', () => {});
setInterval(() => {}, 1 << 30);
`;

let dir = '';
let server = '';
let faultLock = '';
let fixtureLock = '';

beforeAll(async () => {
  dir = tempDir('mcptrust-faults-');
  server = join(dir, 'fault-server.mjs');
  writeFileSync(server, FAULT_SERVER);
  faultLock = await lockWithCli(dir, 'fault-lock.json', [NODE, server]);
  fixtureLock = await lockWithCli(dir, 'fixture-lock.json', [NODE, FIXTURE]);
}, 30_000);
afterEach(stopAllProxies);
afterAll(removeTempDirs);

const errorOf = (r: Received): { code: number; message: string } => r.message['error'] as { code: number; message: string };

/** The one server process under a proxy (waits for it to be spawned). */
async function serverOf(run: ProxyRun): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const pids = childrenOf(run.pid);
    if (pids.length === 1 && pids[0]! > 0) return pids[0]!;
    await sleep(20);
  }
  throw new Error('the proxy has no server process');
}

describe('the server is killed (SIGKILL) with calls in flight', () => {
  it('answers every pending request with an error, and exits 2 naming the signal', async () => {
    const run = startProxy(['--lock', fixtureLock], [NODE, FIXTURE]);
    await run.initialize();
    const pid = await serverOf(run);
    const ids = [11, 12, 13, 'fourteen'];
    const answers = ids.map((id) => run.request(id, 'tools/call', { name: 'hang', arguments: {} }));
    // Every call has reached the server once a later request is answered.
    await run.request(15, 'ping');
    process.kill(pid, 'SIGKILL');
    const got = await Promise.all(answers);
    for (const a of got) expect(errorOf(a).code).toBe(-32061);
    expect(got.map((a) => a.message['id'])).toEqual(ids);
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(run.stderr()).toMatch(/mcptrust: error: the server was killed by SIGKILL/);
    // Each request was answered once, and nothing but JSON-RPC reached stdout.
    expect(run.received.filter((r) => ids.includes(r.message['id'] as number | string))).toHaveLength(ids.length);
    expect(run.junk).toEqual([]);
  });
});

describe('the server closes its stdout and keeps running', () => {
  // The end of the server's stdout ends the session: pending calls are answered at once,
  // not after --request-timeout, and the server is stopped.
  it('treats the server as gone: pending calls get an error before the request timeout, and the proxy exits', async () => {
    const run = startProxy(['--lock', faultLock, '--request-timeout', '60s'], [NODE, server]);
    await run.initialize();
    const pending = run.request(21, 'tools/call', { name: 'hang', arguments: {} }, 3000);
    const closing = run.request(22, 'tools/call', { name: 'close_stdout', arguments: {} }, 3000);
    await run.waitForStderr('stdout closed, still running');
    const [a, b] = await Promise.all([pending, closing]);
    expect(errorOf(a).code).toBe(-32061);
    expect(errorOf(b).code).toBe(-32061);
    const exit = await run.exited;
    expect(exit.code).not.toBe(0);
  }, 10_000);

  it('stops the server it gave up on: no orphan, exit 2 naming the reason', async () => {
    const run = startProxy(['--lock', faultLock, '--request-timeout', '60s'], [NODE, server]);
    await run.initialize();
    const pid = await serverOf(run);
    const closing = run.request(24, 'tools/call', { name: 'close_stdout', arguments: {} }, 3000);
    expect(errorOf(await closing).code).toBe(-32061);
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(run.stderr()).toMatch(/closed its stdout/);
    await sleep(100);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('the server floods stderr', () => {
  it('passes every byte to stderr, never to stdout, and keeps answering other calls meanwhile', async () => {
    const run = startProxy(['--lock', faultLock], [NODE, server]);
    await run.initialize();
    const MB = 32;
    const flood = run.request(31, 'tools/call', { name: 'flood', arguments: { mb: MB } }, 20_000);
    const echoes = Array.from({ length: 20 }, (_, i) => run.request(100 + i, 'tools/call', { name: 'echo', arguments: { message: `m${i}` } }, 20_000));
    for (const [i, e] of (await Promise.all(echoes)).entries()) expect(e.message['result']).toEqual({ content: [{ type: 'text', text: `m${i}` }] });
    expect((await flood).message['result']).toEqual({ content: [{ type: 'text', text: 'flooded' }] });
    run.child.stdin.end();
    expect((await run.exited).code).toBe(0);
    // All of it went through stderr (flushed by the time the proxy exits), none to stdout.
    expect(run.stderr().length).toBeGreaterThanOrEqual(MB << 20);
    expect(run.junk).toEqual([]);
    expect(run.received.some((r) => r.raw.includes('eeee'))).toBe(false);
  }, 30_000);
});

describe('the server ignores stdin EOF and SIGTERM', () => {
  it('is killed (SIGKILL) once the host closes stdin: the pending call gets an error, no orphan, exit 0', async () => {
    const run = startProxy(['--lock', fixtureLock], [NODE, FIXTURE, '--ignore-stdin-close']);
    await run.initialize();
    const pid = await serverOf(run);
    const pending = run.request(41, 'tools/call', { name: 'hang', arguments: {} });
    await run.request(42, 'ping');
    run.child.stdin.end();
    // stdin closed → grace → SIGTERM (ignored) → grace → SIGKILL.
    await run.waitForStderr('ignoring SIGTERM', 10_000);
    expect(errorOf(await pending).code).toBe(-32061);
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    expect(isAlive(pid)).toBe(false);
  }, 20_000);

  it('is killed when the proxy gets SIGTERM, and the proxy exits 143', async () => {
    const run = startProxy(['--lock', fixtureLock], [NODE, FIXTURE, '--ignore-stdin-close']);
    await run.initialize();
    const pid = await serverOf(run);
    process.kill(run.pid, 'SIGTERM');
    await run.waitForStderr('ignoring SIGTERM', 10_000);
    const exit = await run.exited;
    expect(exit.code).toBe(143);
    expect(isAlive(pid)).toBe(false);
  }, 20_000);
});
