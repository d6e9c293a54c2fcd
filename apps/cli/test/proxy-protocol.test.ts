/**
 * PROTOCOL.md items observed from outside: a raw NDJSON host drives the built
 * `mcptrust proxy` in front of the project's fixture server, which logs every line it
 * receives (`--log-requests`) so a test can see exactly what reached the server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { FIXTURE, NODE } from './helpers.js';
import { lockWithCli, loggedRequests, removeTempDirs, sleep, startProxy, stopAllProxies, tempDir } from './proxy-harness.js';
import type { ProxyRun } from './proxy-harness.js';

let dir = '';
let lock = '';

beforeAll(async () => {
  dir = tempDir();
  lock = await lockWithCli(dir, 'fixture.json', [NODE, FIXTURE]);
}, 30_000);
afterEach(stopAllProxies);
afterAll(removeTempDirs);

let logCount = 0;
/** The proxy in front of the fixture server, with the server's request log. */
function proxied(serverFlags: string[] = [], flags: string[] = []): { run: ProxyRun; log: string } {
  const log = join(dir, `requests-${++logCount}.ndjson`);
  const run = startProxy(['--lock', lock, ...flags], [NODE, FIXTURE, '--log-requests', log, ...serverFlags]);
  return { run, log };
}

const errorOf = (m: Record<string, unknown>): { code: number; message: string; data?: { code?: string } } =>
  m['error'] as { code: number; message: string; data?: { code?: string } };

describe('PROTOCOL 1: LF framing, one CR stripped', () => {
  it('delivers a CRLF-terminated host line to the server as one line without the CR', async () => {
    const { run, log } = proxied();
    await run.initialize();
    run.send('{"jsonrpc":"2.0","id":"crlf","method":"ping"}\r\n');
    await run.waitFor((m) => m['id'] === 'crlf' && 'result' in m);
    const pings = loggedRequests(log).filter((l) => l['method'] === 'ping');
    expect(pings).toHaveLength(1);
    expect(JSON.stringify(pings)).not.toContain('\\r');
    expect(run.junk).toEqual([]);
  });
});

describe('PROTOCOL 2: parse once, forward what was checked', () => {
  it('decides and forwards with the same value of a duplicated key', async () => {
    const { run, log } = proxied();
    await run.initialize();
    // JSON.parse keeps the last value: the check sees exec_shell, and so would the server.
    run.send('{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":"echo","name":"exec_shell","arguments":{"message":"x"}}}\n');
    const denied = await run.waitFor((m) => m['id'] === 21);
    expect(errorOf(denied.message).code).toBe(-32050);
    // The other order: the allowed value wins, and only that value reaches the server.
    run.send('{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":"exec_shell","name":"echo","arguments":{"message":"dup"}}}\n');
    const allowed = await run.waitFor((m) => m['id'] === 22);
    expect(allowed.message['result']).toBeDefined();
    const raw = loggedRequests(log).filter((l) => l['method'] === 'tools/call').map((l) => JSON.stringify(l));
    expect(raw).toHaveLength(1);
    expect(raw[0]).not.toContain('exec_shell');
  });
});

describe('PROTOCOL 3: trailing data after the JSON value', () => {
  it('answers -32700 and forwards nothing', async () => {
    const { run, log } = proxied();
    await run.initialize();
    run.send('{"jsonrpc":"2.0","id":3,"method":"ping"} x\n');
    const parse = await run.waitFor((m) => errorOf(m)?.code === -32700);
    expect(parse.message['id']).toBeUndefined();
    await run.request(4, 'ping');
    expect(loggedRequests(log).filter((l) => l['method'] === 'ping')).toHaveLength(1);
  });
});

describe('PROTOCOL 4: junk lines never end the session', () => {
  it('answers a non-JSON host line with -32700 (no id) and keeps relaying', async () => {
    const { run } = proxied();
    await run.initialize();
    run.send('this is not json\n');
    run.send('\n');
    await run.waitFor((m) => errorOf(m)?.code === -32700 && !('id' in m));
    const answer = await run.request(5, 'tools/call', { name: 'echo', arguments: { message: 'still here' } });
    expect(answer.raw).toContain('still here');
  });
});

describe('PROTOCOL 5: batches outside 2025-03-26', () => {
  it('answers one -32600 for an array and for [] and forwards nothing', async () => {
    const { run, log } = proxied();
    await run.initialize();
    run.send('[{"jsonrpc":"2.0","id":51,"method":"ping"},{"jsonrpc":"2.0","id":52,"method":"ping"}]\n');
    run.send('[]\n');
    await run.waitFor((m) => errorOf(m)?.code === -32600 && /empty batch/.test(errorOf(m).message));
    expect(run.received.filter((r) => errorOf(r.message)?.code === -32600)).toHaveLength(2);
    expect(loggedRequests(log).filter((l) => l['method'] === 'ping')).toHaveLength(0);
  });
});

describe('PROTOCOL 5: batches under 2025-03-26', () => {
  it('splits the batch, checks each element, and never forwards an array', async () => {
    const { run, log } = proxied();
    await run.initialize({}, '2025-03-26');
    run.send(
      '[{"jsonrpc":"2.0","id":61,"method":"ping"},{"jsonrpc":"2.0","id":62,"method":"tools/call","params":{"name":"exec_shell","arguments":{}}},' +
        '{"jsonrpc":"2.0","id":63,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"h","version":"1"}}}]\n',
    );
    expect((await run.waitFor((m) => m['id'] === 61)).message['result']).toEqual({});
    expect(errorOf((await run.waitFor((m) => m['id'] === 62)).message).code).toBe(-32050);
    expect(errorOf((await run.waitFor((m) => m['id'] === 63)).message).code).toBe(-32600);
    const lines = loggedRequests(log);
    expect(lines.filter((l) => l['method'] === 'ping')).toHaveLength(1);
    expect(lines.some((l) => Array.isArray(l) || l['method'] === 'tools/call')).toBe(false);
  });
});

describe('PROTOCOL 6: envelope', () => {
  it('refuses jsonrpc other than "2.0" with -32600 and the host id', async () => {
    const { run } = proxied();
    await run.initialize();
    run.send({ jsonrpc: '1.0', id: 61, method: 'ping' });
    const bad = await run.waitFor((m) => m['id'] === 61);
    expect(errorOf(bad.message).code).toBe(-32600);
  });
});

describe('PROTOCOL 7 and 13: host IDs never reach the server', () => {
  it('refuses "id":null with -32600 and forwards it nowhere', async () => {
    const { run, log } = proxied();
    await run.initialize();
    run.send('{"jsonrpc":"2.0","id":null,"method":"ping"}\n');
    await run.waitFor((m) => errorOf(m)?.code === -32600);
    expect(loggedRequests(log).filter((l) => l['method'] === 'ping')).toHaveLength(0);
  });

  it('replaces every host id with a random proxy id', async () => {
    const { run, log } = proxied();
    await run.initialize();
    await run.request('host-id-71', 'tools/call', { name: 'echo', arguments: { message: 'a' } });
    await run.request(72, 'ping');
    const text = loggedRequests(log).map((l) => JSON.stringify(l)).join('\n');
    expect(text).not.toContain('host-id-71');
    expect(text).not.toContain('init-1');
    const ids = loggedRequests(log).filter((l) => 'id' in l).map((l) => l['id']);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    // 128 random bits as base64url (PROTOCOL 13).
    for (const id of ids) expect(String(id)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('PROTOCOL 8: host IDs echoed exactly as written', () => {
  it('returns 9007199254740993 unchanged', async () => {
    const { run } = proxied();
    await run.initialize();
    run.send('{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}\n');
    const answer = await run.waitFor((_m, raw) => raw.includes('9007199254740993'));
    expect(answer.raw).toMatch(/"id":9007199254740993[,}]/);
  });
});

describe('PROTOCOL 9: an id already in flight', () => {
  it('refuses the second concurrent id 5 with -32600 and answers the first', async () => {
    const { run } = proxied();
    await run.initialize();
    run.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow', arguments: { ms: 400 } } });
    run.send({ jsonrpc: '2.0', id: 5, method: 'ping' });
    const first = await run.waitFor((m) => m['id'] === 5 && 'error' in m);
    expect(errorOf(first.message).code).toBe(-32600);
    const slow = await run.waitFor((m) => m['id'] === 5 && 'result' in m);
    expect(slow.message['result']).toBeDefined();
  });
});

describe('PROTOCOL 10: a host response to no server request', () => {
  it('is dropped and audited, and the session goes on', async () => {
    const { run, log } = proxied();
    await run.initialize();
    run.send({ jsonrpc: '2.0', id: 'never-asked', result: {} });
    await run.waitForStderr(/action=dropped reason="response to an unknown server request"/);
    await run.request(101, 'ping');
    expect(loggedRequests(log).some((l) => l['id'] === 'never-asked')).toBe(false);
  });
});

describe('PROTOCOL 12: request timeout', () => {
  it('answers the host, cancels on the server, and drops nothing else', async () => {
    const { run, log } = proxied([], ['--request-timeout', '400ms']);
    await run.initialize();
    const answer = await run.request(121, 'tools/call', { name: 'hang', arguments: {} }, 5000);
    expect(errorOf(answer.message).code).toBe(-32060);
    await sleep(100);
    const sent = loggedRequests(log);
    const call = sent.find((l) => l['method'] === 'tools/call');
    const cancel = sent.find((l) => l['method'] === 'notifications/cancelled');
    expect(cancel).toBeDefined();
    expect((cancel!['params'] as { requestId: unknown }).requestId).toBe(call!['id']);
  });
});

describe('PROTOCOL 14: initialize is intercepted', () => {
  it('refuses a second initialize with -32600', async () => {
    const { run } = proxied();
    await run.initialize();
    const again = await run.request(141, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'h', version: '1' } });
    expect(errorOf(again.message).code).toBe(-32600);
  });

  it('refuses a protocol version it does not implement with -32602 naming the supported ones', async () => {
    const { run } = proxied();
    const answer = await run.request(142, 'initialize', { protocolVersion: '1999-01-01', capabilities: {}, clientInfo: { name: 'h', version: '1' } });
    expect(errorOf(answer.message).code).toBe(-32602);
    expect(JSON.stringify(answer.message)).toContain('2025-06-18');
  });

  it('ends the session when the server answers an unsupported version (exit 2)', async () => {
    const { run } = proxied(['--protocol-version', '2023-01-01']);
    const answer = await run.request(143, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'h', version: '1' } });
    expect(errorOf(answer.message).message).toMatch(/unsupported protocol version/);
    const exit = await run.exited;
    expect(exit.code).toBe(2);
  });
});

describe('PROTOCOL 15: capabilities the proxy does not carry are stripped', () => {
  it('does not pass an unknown client capability to the server', async () => {
    const { run, log } = proxied();
    await run.initialize({ experimental: { 'x-secret': {} }, sampling: {} });
    const init = loggedRequests(log).find((l) => l['method'] === 'initialize');
    expect(JSON.stringify(init)).not.toContain('x-secret');
    expect(JSON.stringify(init)).toContain('sampling');
  });
});

describe('PROTOCOL 16: ping both ways', () => {
  it('forwards host pings and answers server pings locally', async () => {
    const { run, log } = proxied(['--server-request-on-init', 'ping']);
    await run.initialize();
    const pong = await run.request('p1', 'ping');
    expect(pong.message['result']).toEqual({});
    expect(loggedRequests(log).some((l) => l['method'] === 'ping')).toBe(true);
    // The fixture logs the answer to its ping on stderr, which passes through.
    await run.waitForStderr('fixture-server: client answered ping request 0: {"result":{}}');
    expect(run.received.some((r) => r.message['method'] === 'ping')).toBe(false);
    expect(loggedRequests(log).filter((l) => l['method'] === 'notifications/initialized')).toHaveLength(1);
  });
});

describe('PROTOCOL 17: every page of a list is filtered', () => {
  it('filters tools/list page by page and keeps nextCursor', async () => {
    const small = await lockWithCli(dir, 'fixture-small.json', [NODE, FIXTURE, '--tools', 'echo,slow,hang']);
    const run = startProxy(['--lock', small, '--no-preflight'], [NODE, FIXTURE, '--page-size', '2']);
    await run.initialize();
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await run.request(`page-${pages}`, 'tools/list', cursor === undefined ? {} : { cursor });
      const result = page.message['result'] as { tools: Array<{ name: string }>; nextCursor?: string };
      names.push(...result.tools.map((t) => t.name));
      cursor = result.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 20);
    expect(pages).toBe(5);
    expect(names.sort()).toEqual(['echo', 'hang', 'slow']);
  });
});

describe('PROTOCOL 22, 23, 27, 28: denials on every surface', () => {
  it.each([
    ['tools/call', { name: 'exec_shell', arguments: {} }, -32050],
    ['prompts/get', { name: 'debug_dump' }, -32051],
    ['resources/read', { uri: 'fixture://secrets/env' }, -32052],
    ['resources/subscribe', { uri: 'fixture://secrets/env' }, -32052],
    ['completion/complete', { ref: { type: 'ref/prompt', name: 'debug_dump' }, argument: { name: 'x', value: '' } }, -32056],
    ['experimental/steal', {}, -32055],
  ])('%s of something not pinned → MCPTRUST_DENIED %#', async (method, params, code) => {
    const { run, log } = proxied();
    await run.initialize();
    const answer = await run.request('deny', method, params);
    expect(errorOf(answer.message).code).toBe(code);
    expect(errorOf(answer.message).code).not.toBe(-32002);
    expect(errorOf(answer.message).message).toMatch(/^MCPTRUST_DENIED: /);
    expect(loggedRequests(log).some((l) => l['method'] === method)).toBe(false);
    await run.waitForStderr(new RegExp(`action=blocked method=${method.replace('/', '\\/')}`));
  });

  it('validates tools/call arguments against the pinned inputSchema', async () => {
    const { run } = proxied();
    await run.initialize();
    const answer = await run.request('args', 'tools/call', { name: 'read_file', arguments: { path: 42 } });
    expect(errorOf(answer.message).code).toBe(-32054);
  });
});

describe('PROTOCOL 24: strict template matching for resource URIs', () => {
  it.each(['file:///project/../../etc/passwd', 'file:///project/%2e%2e/etc/passwd', 'file:///project/a/b', 'file:///project/%2F'])(
    'denies %s',
    async (uri) => {
      const { run, log } = proxied();
      await run.initialize();
      const answer = await run.request('uri', 'resources/read', { uri });
      expect(errorOf(answer.message).code).toBe(-32052);
      expect(loggedRequests(log).some((l) => l['method'] === 'resources/read')).toBe(false);
    },
  );

  it('allows a one-segment match and the pinned static resource', async () => {
    const { run } = proxied();
    await run.initialize();
    const one = await run.request('ok1', 'resources/read', { uri: 'file:///project/README.md' });
    expect(one.message['result']).toBeDefined();
    const pinned = await run.request('ok2', 'resources/read', { uri: 'fixture://docs/readme' });
    expect(pinned.message['result']).toBeDefined();
  });
});

describe('PROTOCOL 29: host cancellation', () => {
  it('translates requestId to the proxy id and drops the late answer', async () => {
    const { run, log } = proxied();
    await run.initialize();
    run.send({ jsonrpc: '2.0', id: 291, method: 'tools/call', params: { name: 'slow', arguments: { ms: 300 } } });
    await sleep(100);
    run.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 291, reason: 'user' } });
    await run.request(292, 'ping');
    await sleep(400);
    const sent = loggedRequests(log);
    const call = sent.find((l) => l['method'] === 'tools/call');
    const cancel = sent.find((l) => l['method'] === 'notifications/cancelled');
    expect((cancel!['params'] as { requestId: unknown }).requestId).toBe(call!['id']);
    expect(run.received.some((r) => r.message['id'] === 291)).toBe(false);
  });
});

describe('PROTOCOL 31: progress tokens', () => {
  it('rewrites the token towards the server and maps progress back to the host token', async () => {
    const { run, log } = proxied(['--progress']);
    await run.initialize();
    const done = run.request(311, 'tools/call', { name: 'slow', arguments: { ms: 300 }, _meta: { progressToken: 'host-token' } });
    const progress = await run.waitFor((m) => m['method'] === 'notifications/progress');
    expect((progress.message['params'] as { progressToken: unknown }).progressToken).toBe('host-token');
    await done;
    const call = loggedRequests(log).find((l) => l['method'] === 'tools/call');
    expect(JSON.stringify(call)).not.toContain('host-token');
  });
});

describe('PROTOCOL 34: server→client requests without the host capability', () => {
  it('answers sampling/createMessage with -32601 at once', async () => {
    const { run } = proxied(['--server-request-on-init', 'sampling']);
    await run.initialize({});
    await run.waitForStderr(/client answered sampling request 0: .*-32601/);
    expect(run.received.some((r) => r.message['method'] === 'sampling/createMessage')).toBe(false);
  });

  it('relays it with a translated id when the host declared sampling, unless --deny-sampling', async () => {
    const { run } = proxied(['--server-request-on-init', 'sampling']);
    await run.initialize({ sampling: {} });
    const ask = await run.waitFor((m) => m['method'] === 'sampling/createMessage');
    expect(ask.message['id']).not.toBe(0);
    const denied = proxied(['--server-request-on-init', 'sampling'], ['--deny-sampling']).run;
    await denied.initialize({ sampling: {} });
    await denied.waitForStderr(/client answered sampling request 0: .*-32601/);
    expect(denied.received.some((r) => r.message['method'] === 'sampling/createMessage')).toBe(false);
  });
});

describe('PROTOCOL 40: 10 MiB line cap from the host', () => {
  it('answers -32700 for a 10 MiB + 1 line and goes on with the next one', async () => {
    const { run } = proxied();
    await run.initialize();
    const big = '{"jsonrpc":"2.0","id":401,"method":"ping","params":{"pad":"' + 'x'.repeat(10 * 1024 * 1024) + '"}}';
    run.send(big.slice(0, 10 * 1024 * 1024 + 1) + 'y'.repeat(big.length - 10 * 1024 * 1024 - 1) + '\n');
    await run.waitFor((m) => errorOf(m)?.code === -32700, 15_000);
    const next = await run.request(402, 'ping');
    expect(next.message['result']).toEqual({});
  });
});

describe('PROTOCOL 42 and 44: host EOF and server stderr', () => {
  it('closes the server when the host closes stdin, exit 0, server stderr on stderr only', async () => {
    const { run } = proxied(['--server-request-on-init', 'roots']);
    await run.initialize({});
    await run.request(421, 'ping');
    run.child.stdin.end();
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    expect(run.junk).toEqual([]);
    expect(run.stderr()).toMatch(/fixture-server: client answered roots request 0/);
  });
});

describe('PROTOCOL 43: the server exits mid-call', () => {
  it('answers the pending call with -32061 and exits non-zero', async () => {
    const { run } = proxied();
    await run.initialize();
    const answer = await run.request(431, 'tools/call', { name: 'crash', arguments: {} });
    expect(errorOf(answer.message).code).toBe(-32061);
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(run.stderr()).toMatch(/mcptrust: error: the server exited with code 3/);
  });
});

// ---------------------------------------------------------------------------------------
// Lists served verbatim (--surface) and server output written as is (--emit-on-init).

/** A fixture surface file (served verbatim) and the lockfile of its clean form. */
async function surfaceSession(clean: Record<string, unknown>, served: Record<string, unknown>, name: string) {
  const { writeFileSync } = await import('node:fs');
  const cleanFile = join(dir, `${name}-clean.json`);
  const servedFile = join(dir, `${name}-served.json`);
  writeFileSync(cleanFile, JSON.stringify(clean));
  writeFileSync(servedFile, JSON.stringify(served));
  const pinned = await lockWithCli(dir, `${name}-lock.json`, [NODE, FIXTURE, '--surface', cleanFile]);
  // --no-preflight: the session starts, and the lists themselves are under test.
  const run = startProxy(['--lock', pinned, '--no-preflight'], [NODE, FIXTURE, '--surface', servedFile]);
  await run.initialize();
  return run;
}

const ECHO = { name: 'echo', description: 'Echo the message.', inputSchema: { type: 'object', properties: { message: { type: 'string' } } } };
const LIST_DIR = { name: 'list_dir', description: 'List a directory.', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } };

describe('PROTOCOL 18: malformed lists fail closed', () => {
  it('drops non-object items and items without a string name', async () => {
    const run = await surfaceSession({ tools: [ECHO, LIST_DIR] }, { tools: [ECHO, 42, { description: 'no name', inputSchema: { type: 'object' } }, { name: 7, inputSchema: { type: 'object' } }, LIST_DIR] }, 'malformed');
    const list = await run.request('l', 'tools/list', {});
    expect((list.message['result'] as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).toEqual(['echo', 'list_dir']);
    await run.waitForStderr(/action=filtered method=tools\/list count=3 reason="malformed item"/);
  });
});

describe('PROTOCOL 19: resources/list is always filtered', () => {
  it('keeps the pinned static resource and template matches, drops the rest', async () => {
    const readme = { uri: 'fixture://docs/readme', name: 'readme', mimeType: 'text/markdown' };
    const template = { uriTemplate: 'file:///project/{path}', name: 'project-file' };
    const run = await surfaceSession(
      { resources: [readme], resourceTemplates: [template] },
      { resources: [readme, { uri: 'fixture://secrets/env', name: 'env' }, { uri: 'file:///project/notes.txt', name: 'notes' }, { uri: 'file:///etc/passwd', name: 'passwd' }], resourceTemplates: [template] },
      'resources',
    );
    const list = await run.request('r', 'resources/list', {});
    expect((list.message['result'] as { resources: Array<{ uri: string }> }).resources.map((r) => r.uri)).toEqual(['fixture://docs/readme', 'file:///project/notes.txt']);
  });
});

describe('PROTOCOL 20: names compare byte-for-byte; a name listed twice is dropped', () => {
  it('drops both copies of echo and blocks its calls, keeps list_dir', async () => {
    const run = await surfaceSession({ tools: [ECHO, LIST_DIR] }, { tools: [ECHO, LIST_DIR, ECHO] }, 'twice');
    const list = await run.request('l', 'tools/list', {});
    expect((list.message['result'] as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).toEqual(['list_dir']);
    const call = await run.request('c', 'tools/call', { name: 'echo', arguments: { message: 'x' } });
    expect(errorOf(call.message).code).toBe(-32053);
  });
});

/** The proxy in front of a fixture that writes `lines` to stdout right after initialized. */
async function emitting(lines: unknown[], capabilities: Record<string, unknown> = {}, protocolVersion = '2025-06-18') {
  const { writeFileSync } = await import('node:fs');
  const file = join(dir, `emit-${++logCount}.json`);
  // A last notification that always passes marks the end of what the server wrote.
  writeFileSync(file, JSON.stringify([...lines, { jsonrpc: '2.0', method: 'notifications/prompts/list_changed' }]));
  const { run, log } = proxied(['--emit-on-init', file]);
  await run.initialize(capabilities, protocolVersion);
  await run.waitFor((m) => m['method'] === 'notifications/prompts/list_changed');
  const methods = run.received.map((r) => r.message['method']).filter((m) => m !== undefined);
  return { run, log, methods, messages: run.received.map((r) => r.message) };
}

describe('PROTOCOL 26: notifications/resources/updated for URIs that are not allowed', () => {
  it('is dropped and audited; an allowed URI passes', async () => {
    const { run, messages } = await emitting([
      { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'fixture://secrets/env' } },
      { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'fixture://docs/readme' } },
    ]);
    const updated = messages.filter((m) => m['method'] === 'notifications/resources/updated').map((m) => (m['params'] as { uri: string }).uri);
    expect(updated).toEqual(['fixture://docs/readme']);
    await run.waitForStderr(/action=dropped .*notifications\/resources\/updated/);
  });
});

describe('PROTOCOL 30: server notifications/cancelled', () => {
  it('is dropped when no server→client request is live', async () => {
    const { run, methods } = await emitting([{ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 999, reason: 'x' } }]);
    expect(methods).not.toContain('notifications/cancelled');
    await run.waitForStderr(/action=dropped .*notifications\/cancelled/);
  });
});

describe('PROTOCOL 32: notifications passed unchanged', () => {
  it('passes list_changed and log messages, and drops a log message over the size cap', async () => {
    const { messages } = await emitting([
      { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', logger: 'fixture', data: 'small' } },
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', logger: 'fixture', data: 'x'.repeat(300 * 1024) } },
    ]);
    expect(messages.filter((m) => m['method'] === 'notifications/tools/list_changed')).toHaveLength(1);
    const logs = messages.filter((m) => m['method'] === 'notifications/message');
    expect(logs.map((m) => (m['params'] as { data: string }).data)).toEqual(['small']);
  });
});

describe('PROTOCOL 33: notifications for known IDs only', () => {
  it('drops elicitation/complete and tasks/status for IDs the session never saw', async () => {
    const { run, methods } = await emitting(
      [
        { jsonrpc: '2.0', method: 'notifications/elicitation/complete', params: { elicitationId: 'never-seen' } },
        { jsonrpc: '2.0', method: 'notifications/tasks/status', params: { taskId: 'never-seen', status: 'working', createdAt: '2025-01-01T00:00:00Z', lastUpdatedAt: '2025-01-01T00:00:00Z', ttl: 1000 } },
      ],
      { elicitation: {} },
      '2025-11-25',
    );
    expect(methods).not.toContain('notifications/elicitation/complete');
    expect(methods).not.toContain('notifications/tasks/status');
    await run.waitForStderr(/action=dropped .*notifications\/tasks\/status/);
  });
});

describe('PROTOCOL 35: sampling knobs', () => {
  it('relays sampling/createMessage with includeContext "none" and without server-supplied tools', async () => {
    const { messages } = await emitting(
      [{ jsonrpc: '2.0', id: 77, method: 'sampling/createMessage', params: { messages: [], maxTokens: 5, includeContext: 'allServers', tools: [{ name: 't', inputSchema: { type: 'object' } }], toolChoice: { mode: 'auto' } } }],
      { sampling: {} },
      '2025-11-25',
    );
    const relayed = messages.find((m) => m['method'] === 'sampling/createMessage');
    expect(relayed).toBeDefined();
    expect(relayed!['id']).not.toBe(77);
    const params = relayed!['params'] as Record<string, unknown>;
    expect(params['includeContext']).toBe('none');
    expect(params).not.toHaveProperty('tools');
    expect(params).not.toHaveProperty('toolChoice');
  });
});

// ---------------------------------------------------------------------------------------
// Tasks (2025-11-25): the fixture with --tasks runs task-augmented calls.

describe('PROTOCOL 36, 37, 38: tasks', () => {
  let tasksLock = '';
  beforeAll(async () => {
    tasksLock = await lockWithCli(dir, 'fixture-tasks.json', [NODE, FIXTURE, '--tasks']);
  }, 30_000);

  it('records the task of an allowed call, serves its tasks/get|result, filters tasks/list and refuses unknown task ids', async () => {
    const log = join(dir, `requests-${++logCount}.ndjson`);
    const run = startProxy(['--lock', tasksLock], [NODE, FIXTURE, '--tasks', '--log-requests', log]);
    await run.initialize({}, '2025-11-25');
    const created = await run.request('t1', 'tools/call', { name: 'echo', arguments: { message: 'hi' }, task: { ttl: 60000 } });
    const taskId = (created.message['result'] as { task: { taskId: string } }).task.taskId;
    expect(taskId).toBe('fixture-task-1');
    // PROTOCOL 33: the status notification of a task this session created passes.
    await run.waitFor((m) => m['method'] === 'notifications/tasks/status');
    const got = await run.request('g', 'tasks/get', { taskId });
    expect(got.message['result']).toMatchObject({ taskId });
    const result = await run.request('r', 'tasks/result', { taskId });
    expect(result.message['result']).toMatchObject({ content: [{ type: 'text', text: 'hi' }] });
    // PROTOCOL 37: an id the session never saw is refused locally and never reaches the server.
    const foreign = await run.request('f', 'tasks/get', { taskId: 'task-of-another-client' });
    expect(errorOf(foreign.message).code).toBe(-32602);
    expect(loggedRequests(log).some((l) => (l['params'] as { taskId?: string } | undefined)?.taskId === 'task-of-another-client')).toBe(false);
    // PROTOCOL 38: tasks/list shows only the tasks of this session.
    const list = await run.request('l', 'tasks/list', {});
    expect((list.message['result'] as { tasks: Array<{ taskId: string }> }).tasks.map((t) => t.taskId)).toEqual([taskId]);
  });
});

describe('PROTOCOL 39: tasks on earlier protocol versions', () => {
  it('refuses tasks/* and task-augmented calls under 2025-06-18, forwarding nothing', async () => {
    const { run, log } = proxied();
    await run.initialize({}, '2025-06-18');
    const call = await run.request('t', 'tools/call', { name: 'echo', arguments: { message: 'hi' }, task: { ttl: 1000 } });
    expect(errorOf(call.message).message).toMatch(/^MCPTRUST_DENIED: task-augmented calls are not available/);
    const get = await run.request('g', 'tasks/get', { taskId: 'x' });
    expect(errorOf(get.message).message).toMatch(/^MCPTRUST_DENIED: tasks are not available under protocol 2025-06-18/);
    expect(loggedRequests(log).some((l) => l['method'] === 'tasks/get' || (l['method'] === 'tools/call' && 'task' in ((l['params'] as object) ?? {})))).toBe(false);
  });
});
