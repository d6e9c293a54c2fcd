/**
 * PROTOCOL (HTTP) twins of the correlation, notification and server→client request items:
 * a scripted Streamable HTTP server on 127.0.0.1 sends what each test needs on the SSE
 * stream of a request (spoofed responses, progress, cancellations, server requests),
 * raw NDJSON lines play the host.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { DENIAL_CODES } from '../../src/protocol.js';
import { runCleanups, scriptedSession, watchedAuditSink, type Cleanups, type SseReply } from './protocol-helpers.js';

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

type Msg = Record<string, any>;

/** A server that holds every tools/call stream open; the test plays it through `calls`. */
function holding(): { calls: Array<{ request: Msg; reply: SseReply }>; next: () => Promise<{ request: Msg; reply: SseReply }>; handle: (request: Msg, reply: SseReply) => boolean } {
  const calls: Array<{ request: Msg; reply: SseReply }> = [];
  const waiters: Array<() => void> = [];
  let taken = 0;
  return {
    calls,
    handle: (request, reply) => {
      if (request['method'] !== 'tools/call') return false;
      calls.push({ request, reply });
      waiters.splice(0).forEach((w) => w());
      return true;
    },
    next: () =>
      new Promise((resolve) => {
        const look = (): void => {
          if (calls.length > taken) resolve(calls[taken++]!);
          else waiters.push(look);
        };
        look();
      }),
  };
}

const echoCall = (id: string | number, extra: Msg = {}): Msg => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' }, ...extra } });

describe('PROTOCOL 11 (HTTP): spoofed responses from the server', () => {
  it('delivers only the answer to the pending proxy id: unknown, host-id and duplicate responses never reach the host', async () => {
    const server = holding();
    const { host } = await scriptedSession(cleanups, { handle: server.handle });
    await host.initialize();
    host.send(echoCall(5));
    const { request, reply } = await server.next();
    reply.send({ jsonrpc: '2.0', id: 'never-asked', result: { spoof: 1 } });
    reply.send({ jsonrpc: '2.0', id: 5, result: { spoof: 2 } });
    reply.send({ jsonrpc: '2.0', id: request['id'], result: { real: true } });
    reply.send({ jsonrpc: '2.0', id: request['id'], result: { duplicate: true } });
    reply.end();
    expect(await host.next((m) => m['id'] === 5)).toEqual({ jsonrpc: '2.0', id: 5, result: { real: true } });
    expect(await host.request('after', 'ping')).toMatchObject({ result: {} });
    expect(host.lines.filter((l) => l['result']?.['spoof'] !== undefined || l['result']?.['duplicate'] !== undefined)).toEqual([]);
  });

  // Known gap (remote/src/http/streamable-http.ts deliver()): a response whose id is not
  // pending upstream is discarded by the HTTP client before the engine sees it, so the
  // drop is neither audited nor reported as a warning. Flip to `it` once it is.
  it.failing('audits the drop of a response to an id nobody asked', async () => {
    const sink = watchedAuditSink();
    const server = holding();
    const { run, host } = await scriptedSession(cleanups, { handle: server.handle }, { audit: sink });
    await host.initialize();
    host.send(echoCall(5));
    const { reply } = await server.next();
    reply.send({ jsonrpc: '2.0', id: 'never-asked', result: { spoof: 1 } });
    reply.result({ real: true });
    await host.next((m) => m['id'] === 5);
    expect(sink.events.some((e) => e['action'] === 'dropped') || run.warnings.some((w) => w.includes('never-asked') || w.includes('unknown'))).toBe(true);
  });

  it('drops a response carrying both result and error; the entry then times out (fail closed)', async () => {
    const sink = watchedAuditSink();
    const server = holding();
    const { host } = await scriptedSession(cleanups, { handle: server.handle }, { audit: sink, requestTimeoutMs: 300 });
    await host.initialize();
    host.send(echoCall(6));
    const { request, reply } = await server.next();
    reply.send({ jsonrpc: '2.0', id: request['id'], result: { both: true }, error: { code: 1, message: 'x' } });
    reply.end();
    expect(await host.next((m) => m['id'] === 6)).toMatchObject({ error: { code: DENIAL_CODES.REQUEST_TIMEOUT } });
    expect(sink.events.some((e) => e['action'] === 'dropped')).toBe(true);
  });
});

describe('PROTOCOL 29 (HTTP): host cancellation', () => {
  it('POSTs the cancellation under the proxy id, frees the slot and drops the late response', async () => {
    const sink = watchedAuditSink();
    const server = holding();
    const { server: upstream, run, host } = await scriptedSession(cleanups, { handle: server.handle }, { audit: sink });
    await host.initialize();
    host.send(echoCall(8));
    const { request, reply } = await server.next();
    host.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 999 } });
    host.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 8, reason: 'user' } });
    const cancel = await upstream.waitFor((m) => m['method'] === 'notifications/cancelled');
    expect(cancel['params']).toEqual({ requestId: request['id'], reason: 'user' });
    expect(run.bridge.engine.stats().pending).toBe(0);
    reply.result({ content: [{ type: 'text', text: 'late' }] });
    await sink.waitFor((e) => e['action'] === 'dropped' && String(e['reason']).includes('late'));
    expect(await host.request('after', 'ping')).toMatchObject({ result: {} });
    expect(host.lines.filter((l) => l['id'] === 8)).toEqual([]);
    expect(upstream.received.filter((m) => m['method'] === 'notifications/cancelled')).toHaveLength(1);
  });
});

describe('PROTOCOL 30 (HTTP): server notifications/cancelled', () => {
  /** Plays a server request `serverId`, then cancellations of an unknown id and of it. */
  async function cancelRound(serverId: string | number, unknownId: string | number): Promise<void> {
    const sink = watchedAuditSink();
    const server = holding();
    const { host } = await scriptedSession(cleanups, { handle: server.handle }, { audit: sink });
    await host.initialize('2025-06-18', { roots: {} });
    host.send(echoCall(1));
    const { reply } = await server.next();
    reply.send({ jsonrpc: '2.0', id: serverId, method: 'roots/list' });
    const roots = await host.next((m) => m['method'] === 'roots/list');
    expect(roots['id']).not.toBe(serverId);
    reply.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: unknownId } });
    reply.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: serverId } });
    reply.result({ content: [] });
    await host.next((m) => m['id'] === 1);
    expect(host.lines.filter((l) => l['method'] === 'notifications/cancelled').map((l) => l['params']['requestId'])).toEqual([roots['id']]);
    expect(sink.events.filter((e) => e['action'] === 'dropped' && e['method'] === 'notifications/cancelled')).toHaveLength(1);
  }

  it('passes only for a live server→client request, translated to the host-facing id', async () => {
    await cancelRound(3, 4);
  });

  // Known bug (engine/relay.ts): a server request's key is built from the JSON text of a
  // string id (s"srv-3") while the cancellation is looked up by requestKey() (ssrv-3), so a
  // cancellation of a string-id server request is dropped. Flip to `it` once fixed.
  it('passes for a live server→client request with a string id too', async () => {
    await cancelRound('srv-3', 'srv-4');
  });
});

describe('PROTOCOL 31 (HTTP): progress tokens', () => {
  it('POSTs a proxy token, maps it back on progress and drops unknown tokens', async () => {
    const server = holding();
    const { host } = await scriptedSession(cleanups, { handle: server.handle });
    await host.initialize();
    host.send(echoCall(1, { _meta: { progressToken: 1 } }));
    const { request, reply } = await server.next();
    const token = request['params']['_meta']['progressToken'];
    expect(token).not.toBe(1);
    reply.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 9 } });
    reply.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: 1, total: 2 } });
    reply.result({ content: [] });
    await host.next((m) => m['id'] === 1);
    expect(host.lines.filter((l) => l['method'] === 'notifications/progress')).toEqual([
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1, total: 2 } },
    ]);
  });
});

describe('PROTOCOL 32 (HTTP): notifications passed unchanged', () => {
  it('passes list_changed and log messages on a request stream, and drops a log message over the size cap', async () => {
    const server = holding();
    const { host } = await scriptedSession(cleanups, { handle: server.handle }, { maxLogMessageBytes: 200 });
    await host.initialize();
    host.send(echoCall(1));
    const { reply } = await server.next();
    reply.send({ jsonrpc: '2.0', method: 'notifications/prompts/list_changed' });
    reply.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'small' } });
    reply.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(300) } });
    reply.result({ content: [] });
    await host.next((m) => m['id'] === 1);
    expect(host.lines.filter((l) => l['method'] !== undefined)).toEqual([
      { jsonrpc: '2.0', method: 'notifications/prompts/list_changed' },
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'small' } },
    ]);
  });
});

describe('PROTOCOL 33 (HTTP): notifications for known IDs only', () => {
  it('passes elicitation/complete only for an elicitation the session relayed, and drops tasks/status for unknown tasks', async () => {
    const server = holding();
    const { host } = await scriptedSession(cleanups, { handle: server.handle });
    await host.initialize('2025-11-25', { elicitation: { url: {} } });
    host.send(echoCall(1));
    const { reply } = await server.next();
    const status = { taskId: 'never-seen', status: 'working', createdAt: '2025-01-01T00:00:00Z', lastUpdatedAt: '2025-01-01T00:00:00Z', ttl: 1000 };
    reply.send({ jsonrpc: '2.0', method: 'notifications/elicitation/complete', params: { elicitationId: 'e1' } });
    reply.send({ jsonrpc: '2.0', method: 'notifications/tasks/status', params: status });
    reply.send({ jsonrpc: '2.0', id: 'srv-e', method: 'elicitation/create', params: { mode: 'url', elicitationId: 'e1', url: 'https://example.invalid/x', message: 'm' } });
    reply.send({ jsonrpc: '2.0', method: 'notifications/elicitation/complete', params: { elicitationId: 'e1' } });
    reply.result({ content: [] });
    await host.next((m) => m['id'] === 1);
    expect(host.lines.filter((l) => l['method'] !== undefined).map((l) => l['method'])).toEqual(['elicitation/create', 'notifications/elicitation/complete']);
  });
});

describe('PROTOCOL 34 (HTTP): server→client requests', () => {
  it.each([
    ['sampling/createMessage', { messages: [], maxTokens: 5 }],
    ['roots/list', {}],
    ['elicitation/create', { mode: 'form', message: 'm', requestedSchema: { type: 'object', properties: {} } }],
    ['tasks/get', { taskId: 't' }],
  ])('answers %s with -32601 at once (POSTed under the server id) when the host cannot take it', async (method, params) => {
    const server = holding();
    const { server: upstream, host } = await scriptedSession(cleanups, { handle: server.handle });
    await host.initialize('2025-11-25', {});
    host.send(echoCall(1));
    const { reply } = await server.next();
    reply.send({ jsonrpc: '2.0', id: 'srv-q', method, params });
    const answer = await upstream.waitFor((m) => m['id'] === 'srv-q' && m['method'] === undefined);
    expect(answer).toMatchObject({ error: { code: -32601 } });
    reply.result({ content: [] });
    await host.next((m) => m['id'] === 1);
    expect(host.lines.some((l) => l['method'] === method)).toBe(false);
  });

  it('relays roots/list to a host that declared roots under a proxy id and POSTs its answer under the server id', async () => {
    const server = holding();
    const { server: upstream, host } = await scriptedSession(cleanups, { handle: server.handle });
    await host.initialize('2025-06-18', { roots: {} });
    host.send(echoCall(1));
    const { reply } = await server.next();
    reply.send({ jsonrpc: '2.0', id: 'srv-r', method: 'roots/list' });
    const ask = await host.next((m) => m['method'] === 'roots/list');
    expect(ask['id']).not.toBe('srv-r');
    host.send({ jsonrpc: '2.0', id: ask['id'], result: { roots: [{ uri: 'file:///project' }] } });
    expect(await upstream.waitFor((m) => m['id'] === 'srv-r' && m['method'] === undefined)).toEqual({ jsonrpc: '2.0', id: 'srv-r', result: { roots: [{ uri: 'file:///project' }] } });
    reply.result({ content: [] });
    await host.next((m) => m['id'] === 1);
  });
});

describe('PROTOCOL 35 (HTTP): sampling knobs', () => {
  it('relays sampling/createMessage with includeContext "none" and without server-supplied tools', async () => {
    const server = holding();
    const { server: upstream, host } = await scriptedSession(cleanups, { handle: server.handle });
    await host.initialize('2025-11-25', { sampling: {} });
    host.send(echoCall(1));
    const { reply } = await server.next();
    const params = { messages: [], maxTokens: 5, includeContext: 'allServers', tools: [{ name: 't', inputSchema: { type: 'object' } }], toolChoice: { mode: 'auto' } };
    reply.send({ jsonrpc: '2.0', id: 'srv-77', method: 'sampling/createMessage', params });
    const relayed = await host.next((m) => m['method'] === 'sampling/createMessage');
    expect(relayed['id']).not.toBe('srv-77');
    expect(relayed['params']['includeContext']).toBe('none');
    expect(relayed['params']).not.toHaveProperty('tools');
    expect(relayed['params']).not.toHaveProperty('toolChoice');
    host.send({ jsonrpc: '2.0', id: relayed['id'], result: { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' } });
    expect(await upstream.waitFor((m) => m['id'] === 'srv-77' && m['method'] === undefined)).toHaveProperty('result');
    reply.result({ content: [] });
    await host.next((m) => m['id'] === 1);
  });
});
