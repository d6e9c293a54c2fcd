/**
 * Attack fixtures through the built `mcptrust proxy`: the project's fixture server
 * misbehaves on purpose (drift mid-session, spoofed responses, junk, floods, hangs,
 * crashes) and a raw NDJSON host checks what gets through.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { FIXTURE, NODE } from './helpers.js';
import { lockWithCli, removeTempDirs, sleep, startProxy, stopAllProxies, tempDir } from './proxy-harness.js';
import type { ProxyRun } from './proxy-harness.js';

let lock = '';

beforeAll(async () => {
  lock = await lockWithCli(tempDir(), 'fixture.json', [NODE, FIXTURE]);
}, 30_000);
afterEach(stopAllProxies);
afterAll(removeTempDirs);

const BRIEF_LINE = 'mcptrust: action=blocked method=tools/call tool=exec_shell reason="not in allowlist"';

const errorCode = (m: Record<string, unknown>): number | undefined => (m['error'] as { code?: number } | undefined)?.code;

function proxied(serverFlags: string[], flags: string[] = []): ProxyRun {
  return startProxy(['--lock', lock, ...flags], [NODE, FIXTURE, ...serverFlags]);
}

/** Calls echo once (the fixture drifts after it) and waits for the list_changed it sends. */
async function triggerDrift(run: ProxyRun, notification = 'notifications/tools/list_changed'): Promise<void> {
  await run.request('first-call', 'tools/call', { name: 'echo', arguments: { message: 'hi' } });
  await run.waitFor((m) => m['method'] === notification);
}

async function toolNames(run: ProxyRun, id: string): Promise<string[]> {
  const list = await run.request(id, 'tools/list', {});
  return ((list.message['result'] as { tools: Array<{ name: string }> }).tools).map((t) => t.name);
}

describe('PROTOCOL 17 and 22: shadow tool added mid-session', () => {
  it('filters exec_shell from the list and blocks calling it with the brief log line', async () => {
    const run = proxied(['--drift-after', '1', '--drift', 'add-tool']);
    await run.initialize();
    await triggerDrift(run);
    expect(await toolNames(run, 'list')).not.toContain('exec_shell');
    const call = await run.request('shadow', 'tools/call', { name: 'exec_shell', arguments: { command: 'id' } });
    expect(errorCode(call.message)).toBe(-32050);
    await run.waitForStderr(BRIEF_LINE);
    expect(run.stderr().split('\n')).toContain(BRIEF_LINE);
    expect(run.stderr()).toMatch(/action=filtered method=tools\/list count=1 reason="not in allowlist" items=exec_shell/);
  });
});

describe.each([
  ['schema widened mid-session', 'widen-schema'],
  ['description changed to an injection', 'inject-description'],
  ['annotations changed to look safer', 'change-annotations'],
])('PROTOCOL 21: %s', (_title, kind) => {
  it('filters the changed tool and blocks its calls (DEFINITION_DRIFTED)', async () => {
    const run = proxied(['--drift-after', '1', '--drift', kind, '--drift-tool', 'read_file']);
    await run.initialize();
    const before = await run.request('before', 'tools/call', { name: 'read_file', arguments: { path: 'a' } });
    expect(before.message['result']).toBeDefined();
    await run.waitFor((m) => m['method'] === 'notifications/tools/list_changed');
    const names = await toolNames(run, 'list');
    expect(names).not.toContain('read_file');
    expect(names).toContain('echo');
    const after = await run.request('after', 'tools/call', { name: 'read_file', arguments: { path: 'a' } });
    expect(errorCode(after.message)).toBe(-32053);
    await run.waitForStderr(/action=blocked method=tools\/call tool=read_file reason="definition drifted"/);
  });
});

describe('PROTOCOL 20: look-alike name (no Unicode normalization)', () => {
  it('refuses the session at preflight when the server serves a confusable of a pinned name (exit 1)', async () => {
    const run = proxied(['--confusable']);
    const answer = await run.request('init', 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'h', version: '1' } });
    expect(errorCode(answer.message)).toBe(-32062);
    expect(JSON.stringify(answer.message)).toContain('tool \\"re\u0430d_file\\" added (critical)');
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toMatch(/refused: the server drifted from .*fixture\.json/);
    expect(run.stderr()).toContain('tool `re\u0430d_file` added [critical] — non-ASCII: U+0430');
  });

  it('hides and blocks a confusable tool added mid-session', async () => {
    const run = proxied(['--drift-after', '1', '--drift', 'confusable-tool']);
    await run.initialize();
    await triggerDrift(run);
    expect(await toolNames(run, 'list')).not.toContain('re\u0430d_file');
    const call = await run.request('conf', 'tools/call', { name: 're\u0430d_file', arguments: { path: 'a' } });
    expect(errorCode(call.message)).toBe(-32050);
  });
});

describe('PROTOCOL 11: spoofed responses from the server', () => {
  it('delivers exactly one answer per request when the server answers twice', async () => {
    const run = proxied(['--duplicate-responses']);
    await run.initialize();
    await run.request(7, 'tools/call', { name: 'echo', arguments: { message: 'once' } });
    await run.request(8, 'ping');
    await sleep(100);
    expect(run.received.filter((r) => r.message['id'] === 7)).toHaveLength(1);
    expect(run.received.filter((r) => r.message['id'] === 'init-1')).toHaveLength(1);
    expect(run.stderr()).toMatch(/action=dropped/);
  });

  it('drops unsolicited responses', async () => {
    const run = proxied(['--unsolicited']);
    await run.initialize();
    const answer = await run.request(1000001, 'tools/call', { name: 'echo', arguments: { message: 'mine' } });
    expect(answer.raw).toContain('mine');
    await run.request(9, 'ping');
    expect(run.received.some((r) => r.raw.includes('unsolicited'))).toBe(false);
  });

  it.each(['plus-one', 'string'])('drops wrong-id (%s) answers; the request times out instead', async (how) => {
    const run = proxied([`--wrong-id=${how}`], ['--no-preflight', '--request-timeout', '500ms']);
    await run.initialize();
    const answer = await run.request(41, 'tools/call', { name: 'echo', arguments: { message: 'x' } }, 5000);
    expect(errorCode(answer.message)).toBe(-32060);
    expect(run.received.filter((r) => r.message['id'] === 41)).toHaveLength(1);
  });

  it('drops answers carrying both result and error', async () => {
    const run = proxied(['--both-result-and-error'], ['--no-preflight', '--request-timeout', '500ms']);
    await run.initialize();
    const answer = await run.request(42, 'tools/call', { name: 'echo', arguments: { message: 'x' } }, 5000);
    expect(errorCode(answer.message)).toBe(-32060);
  });
});

describe('PROTOCOL 4: stdout junk from the server', () => {
  it('drops non-JSON lines and keeps the session', async () => {
    const run = proxied(['--stdout-junk']);
    await run.initialize();
    const answer = await run.request(1, 'tools/call', { name: 'echo', arguments: { message: 'through junk' } });
    expect(answer.raw).toContain('through junk');
    expect(run.junk).toEqual([]);
    expect(run.received.some((r) => r.raw.includes('Listening'))).toBe(false);
  });
});

describe('PROTOCOL 12 and 41: never-answering server', () => {
  it('refuses request 1025 while 1024 are pending, then recovers after the timeout', async () => {
    const run = proxied(['--never-answer', 'tools/call'], ['--request-timeout', '1500ms']);
    await run.initialize();
    let batch = '';
    for (let i = 0; i < 1024; i++) batch += JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } }) + '\n';
    run.send(batch);
    const overflow = await run.request(5000, 'tools/call', { name: 'echo', arguments: { message: 'x' } });
    expect(errorCode(overflow.message)).toBe(-32058);
    await run.waitFor(() => run.received.filter((r) => errorCode(r.message) === -32060).length === 1024, 15_000, '1024 timeouts');
    const next = await run.request(5001, 'ping');
    expect(next.message['result']).toEqual({});
  }, 30_000);
});

describe('PROTOCOL 43: crash mid-call', () => {
  it('answers the pending call with -32061 and exits 2 naming the exit code', async () => {
    const run = proxied(['--crash-after', '1']);
    await run.initialize();
    await run.request(1, 'tools/call', { name: 'echo', arguments: { message: 'ok' } });
    const answer = await run.request(2, 'tools/call', { name: 'echo', arguments: { message: 'boom' } });
    expect(errorCode(answer.message)).toBe(-32061);
    expect((await run.exited).code).toBe(2);
  });
});

describe('PROTOCOL 40: 10 MiB + 1 lines from the server', () => {
  it('drops the oversized line without buffering it and keeps the session', async () => {
    const run = proxied(['--oversized-line', String(10 * 1024 * 1024 + 1)]);
    await run.initialize();
    const answer = await run.request(1, 'tools/call', { name: 'echo', arguments: { message: 'after the flood' } });
    expect(answer.raw).toContain('after the flood');
    expect(run.received.every((r) => r.raw.length < 1024 * 1024)).toBe(true);
    expect(run.stderr()).toMatch(/action=dropped .*line of 10485761 bytes exceeds the size cap/);
  }, 20_000);
});
