/**
 * PROTOCOL (HTTP) twins of the host-side items (framing, envelope, IDs, initialize,
 * unknown methods, denials): raw NDJSON lines from the host, a scripted Streamable HTTP
 * server on 127.0.0.1 that records what the bridge POSTs.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createMemoryAuditSink } from '@mcptrust/audit';
import { DENIAL_CODES } from '../../src/protocol.js';
import { barrier, forwarded, runCleanups, scriptedSession, type Cleanups, type SseReply } from './protocol-helpers.js';

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

const call = (id: unknown, name: string, args: unknown = { text: 'x' }): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

describe('PROTOCOL 1 (HTTP): LF framing, one CR stripped', () => {
  it('forwards a CRLF-terminated host line as one message without CR', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize();
    const answer = host.next((m) => m['id'] === 7);
    host.send('{"jsonrpc":"2.0","id":7,"method":"ping"}\r');
    expect(await answer).toMatchObject({ id: 7, result: {} });
    const pings = forwarded(server, 'ping');
    expect(pings).toHaveLength(1);
    expect(server.bodies.some((b) => b.includes('\r'))).toBe(false);
  });
});

describe('PROTOCOL 2 (HTTP): parse once, forward what was checked', () => {
  it('decides on and POSTs the same value when a key is duplicated', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize();
    host.send('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","name":"exec_shell","arguments":{"text":"a"}}}');
    expect(await host.next((m) => m['id'] === 1)).toMatchObject({ error: { code: DENIAL_CODES.TOOL_NOT_ALLOWED } });
    host.send('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"exec_shell","name":"echo","arguments":{"text":"a"}}}');
    expect(await host.next((m) => m['id'] === 2)).toMatchObject({ result: { content: [{ text: 'called echo' }] } });
    const calls = forwarded(server, 'tools/call');
    expect(calls.map((c) => c['params']['name'])).toEqual(['echo']);
    expect(server.bodies.some((b) => b.includes('exec_shell'))).toBe(false);
  });
});

describe('PROTOCOL 3 (HTTP): trailing data after the JSON value', () => {
  it('answers -32700 and POSTs nothing', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize();
    host.send('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a"}}} x');
    expect(await host.next()).toMatchObject({ error: { code: -32700 } });
    await barrier(host);
    expect(forwarded(server, 'tools/call')).toEqual([]);
  });
});

describe('PROTOCOL 4 (HTTP): junk host lines never end the session', () => {
  it('answers a non-JSON or blank line with -32700 without id and keeps relaying', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize();
    host.send('Listening on stdio...');
    const junk = await host.next();
    expect(junk).not.toHaveProperty('id');
    expect(junk['error']['code']).toBe(-32700);
    host.send('   ');
    expect(await host.next()).toMatchObject({ error: { code: -32700 } });
    expect(await host.request(4, 'tools/call', { name: 'echo', arguments: { text: 'a' } })).toMatchObject({ result: { content: [{ text: 'called echo' }] } });
    expect(forwarded(server, 'tools/call')).toHaveLength(1);
  });
});

describe('PROTOCOL 5 (HTTP): host batches', () => {
  it('rejects a batch with one -32600 outside 2025-03-26 and POSTs nothing', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize('2025-06-18');
    host.send(`[{"jsonrpc":"2.0","id":"b1","method":"ping"},${call('b2', 'echo')}]`);
    const answer = await host.next();
    expect(answer).toMatchObject({ error: { code: -32600 } });
    await barrier(host);
    expect(host.lines.filter((l) => l['id'] === 'b1' || l['id'] === 'b2')).toEqual([]);
    expect(forwarded(server).map((m) => m['method'])).toEqual(['ping']);
    expect(server.bodies.some((b) => b.trimStart().startsWith('['))).toBe(false);
  });

  it('splits a batch under 2025-03-26, enforces per element and never POSTs the array', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize('2025-03-26');
    host.send(`[{"jsonrpc":"2.0","id":"b1","method":"ping"},${call('b2', 'exec_shell')},${call('b3', 'echo')}]`);
    const answers = await Promise.all(['b1', 'b2', 'b3'].map((id) => host.next((m) => m['id'] === id)));
    expect(answers[0]).toMatchObject({ result: {} });
    expect(answers[1]).toMatchObject({ error: { code: DENIAL_CODES.TOOL_NOT_ALLOWED } });
    expect(answers[2]).toMatchObject({ result: { content: [{ text: 'called echo' }] } });
    expect(server.bodies.some((b) => b.trimStart().startsWith('['))).toBe(false);
    expect(forwarded(server, 'tools/call').map((c) => c['params']['name'])).toEqual(['echo']);
  });

  it('rejects initialize in a batch and [] with -32600', async () => {
    const { server, host } = await scriptedSession(cleanups);
    host.send('[]');
    expect(await host.next()).toMatchObject({ error: { code: -32600 } });
    host.send('[{"jsonrpc":"2.0","id":"i","method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"h","version":"1"}}}]');
    expect(await host.next()).toMatchObject({ error: { code: -32600 } });
    expect(server.received).toEqual([]);
  });
});

describe('PROTOCOL 6 (HTTP): envelope', () => {
  it('answers -32600 for a wrong or missing jsonrpc and for an id without method, result or error; POSTs none of them', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize();
    for (const [id, line] of [
      [61, '{"jsonrpc":"1.0","id":61,"method":"ping"}'],
      [62, '{"jsonrpc":"2.0","id":62,"params":{}}'],
      [63, '{"id":63,"method":"ping"}'],
    ] as const) {
      host.send(line);
      expect(await host.next((m) => m['id'] === id || m['id'] === null || m['id'] === undefined)).toMatchObject({ error: { code: -32600 } });
    }
    await barrier(host);
    expect(forwarded(server, 'ping')).toHaveLength(1);
  });
});

describe('PROTOCOL 7 (HTTP): host IDs', () => {
  it('rejects null, fractional, boolean, object, array and over-long ids with -32600 and POSTs none', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize();
    for (const id of ['null', '1.5', 'true', '{}', '[]', JSON.stringify('x'.repeat(257))]) {
      host.send(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"text":"a"}}}`);
      expect(await host.next()).toMatchObject({ error: { code: -32600 } });
    }
    await barrier(host);
    expect(forwarded(server, 'tools/call')).toEqual([]);
  });
});

describe('PROTOCOL 8 (HTTP): host IDs echoed exactly as written', () => {
  it('echoes 9007199254740993 and an escaped string id unchanged, never sending them upstream', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize();
    host.send('{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}');
    await host.next();
    expect(host.raw[host.raw.length - 1]).toContain('"id":9007199254740993');
    host.send('{"jsonrpc":"2.0","id":"a\\"b\\u2028","method":"ping"}');
    expect((await host.next())['id']).toBe('a"b\u2028');
    expect(server.bodies.some((b) => b.includes('9007199254740993') || b.includes('a\\"b'))).toBe(false);
  });
});

describe('PROTOCOL 9 (HTTP): an id already in flight', () => {
  it('rejects a second concurrent id:5 with -32600 and POSTs it once', async () => {
    let held: SseReply | undefined;
    const { server, host } = await scriptedSession(cleanups, {
      handle: (request, reply) => {
        if (request['method'] !== 'tools/call') return false;
        held = reply;
        return true;
      },
    });
    await host.initialize();
    host.send(call(5, 'echo'));
    await server.waitFor((m) => m['method'] === 'tools/call');
    host.send(call(5, 'echo'));
    expect(await host.next((m) => m['id'] === 5)).toMatchObject({ error: { code: -32600 } });
    held!.result({ content: [] });
    expect(await host.next((m) => m['id'] === 5)).toMatchObject({ result: { content: [] } });
    expect(forwarded(server, 'tools/call')).toHaveLength(1);
  });
});

describe('PROTOCOL 10 (HTTP): a host response to no server request', () => {
  it('is dropped, never POSTed, and no pending entry is registered', async () => {
    const sink = createMemoryAuditSink();
    const { server, run, host } = await scriptedSession(cleanups, {}, { audit: sink });
    await host.initialize();
    host.send('{"jsonrpc":"2.0","id":"not-asked","result":{}}');
    await barrier(host, 'b10');
    expect(forwarded(server, 'ping')).toHaveLength(1);
    expect(server.received.filter((m) => m['method'] === undefined)).toEqual([]);
    expect(run.bridge.engine.stats().pending).toBe(0);
    expect(run.bridge.engine.stats().serverRequests).toBe(0);
    expect(sink.events.some((e) => e.action === 'dropped')).toBe(true);
  });
});

describe('PROTOCOL 13 (HTTP): proxy IDs from a CSPRNG', () => {
  it('sends 128-bit random ids upstream and denies the request when ID generation fails', async () => {
    let broken = false;
    const randomId = (): string => {
      if (broken) throw new Error('no entropy');
      return randomBytes(16).toString('base64url');
    };
    const { server, host } = await scriptedSession(cleanups, {}, { randomId });
    await host.initialize();
    await barrier(host, 'b13');
    expect(forwarded(server, 'ping')[0]!['id']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    broken = true;
    expect(await host.request(13, 'tools/call', { name: 'echo', arguments: { text: 'a' } })).toMatchObject({ error: { code: DENIAL_CODES.INTERNAL_FAILURE } });
    expect(forwarded(server, 'tools/call')).toEqual([]);
  });
});

describe('PROTOCOL 14 (HTTP): initialize is intercepted', () => {
  it('rejects a second initialize without POSTing it', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize();
    const again = await host.request(14, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'h', version: '1' } });
    expect(again).toMatchObject({ error: { code: -32600 } });
    expect(server.received.filter((m) => m['method'] === 'initialize')).toHaveLength(1);
  });

  it('refuses a version the proxy does not implement, naming the supported ones, without dialling', async () => {
    const { server, host } = await scriptedSession(cleanups);
    const answer = await host.request(1, 'initialize', { protocolVersion: '2023-01-01', capabilities: {}, clientInfo: { name: 'h', version: '1' } });
    expect(answer['error']['data']['supported']).toContain('2025-11-25');
    expect(server.received).toEqual([]);
  });

  it('errors to the host and ends the session when the server answers a version the proxy does not implement', async () => {
    const { run, host } = await scriptedSession(cleanups, { version: '2099-01-01' });
    const answer = await host.request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'h', version: '1' } });
    expect(answer).toHaveProperty('error');
    expect(answer).not.toHaveProperty('result');
    expect(await run.bridge.closed).toMatchObject({ reason: 'fatal', crashed: true });
  });
});

describe('PROTOCOL 27 (HTTP): unknown methods are denied', () => {
  it('denies a method outside the version table without POSTing it', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize('2025-06-18');
    expect(await host.request(27, 'admin/exec', { cmd: 'id' })).toMatchObject({ error: { code: DENIAL_CODES.METHOD_NOT_ALLOWED } });
    await barrier(host);
    expect(server.received.some((m) => m['method'] === 'admin/exec')).toBe(false);
  });
});

describe('PROTOCOL 28 (HTTP): denials', () => {
  it('answer with the host id and MCPTRUST_DENIED, and every denial is audited', async () => {
    const sink = createMemoryAuditSink();
    const { server, host } = await scriptedSession(cleanups, {}, { audit: sink });
    await host.initialize();
    const answers = [
      await host.request('a', 'tools/call', { name: 'exec_shell', arguments: {} }),
      await host.request('b', 'prompts/get', { name: 'secret' }),
      await host.request('c', 'resources/read', { uri: 'file:///etc/passwd' }),
    ];
    expect(answers.map((m) => m['id'])).toEqual(['a', 'b', 'c']);
    for (const m of answers) expect(m['error']['message']).toMatch(/^MCPTRUST_DENIED: /);
    expect(sink.events.filter((e) => e.action === 'blocked')).toHaveLength(3);
    expect(forwarded(server).filter((m) => m['method'] !== 'ping')).toEqual([]);
  });
});
