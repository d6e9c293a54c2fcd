// The Streamable HTTP client against the shared SDK fixture servers on loopback: JSON and
// SSE answers, the session and protocol-version headers, the GET stream, resumption,
// session loss, 401 retry and DELETE on close.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startMcpHttpServer, type McpHttpServer, type McpHttpServerOptions } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { openUpstream } from '../../src/open-upstream.js';
import type { CredentialSource, UpstreamConnection, UpstreamOptions } from '../../src/upstream.types.js';
import { initialize, notification, record, request, type Recorder } from './streamable-recorder.js';

let server: McpHttpServer | undefined;
let connection: UpstreamConnection | undefined;
let recorder: Recorder;

beforeEach(() => {
  recorder = record();
});

afterEach(async () => {
  await connection?.close();
  connection = undefined;
  await server?.close();
  server = undefined;
});

async function start(serverOptions: McpHttpServerOptions = {}, options: Partial<UpstreamOptions> = {}): Promise<UpstreamConnection> {
  server = await startMcpHttpServer(serverOptions);
  const endpoint = { transport: 'streamable-http' as const, ...options.endpoint, url: server.url };
  connection = openUpstream({ reconnectDelayMs: 50, ...options, endpoint }, recorder.handlers);
  return connection;
}

async function handshake(conn: UpstreamConnection, version = '2025-11-25'): Promise<Record<string, unknown>> {
  conn.send(initialize(0, version));
  const result = await recorder.response(0);
  conn.send(notification('notifications/initialized'));
  return result;
}

describe('Streamable HTTP against the SDK server', () => {
  for (const jsonResponse of [false, true]) {
    describe(jsonResponse ? 'when the server answers application/json' : 'when the server answers text/event-stream', () => {
      it('initializes, lists and calls tools', async () => {
        const conn = await start({ jsonResponse });
        const init = await handshake(conn);
        expect((init['result'] as { protocolVersion: string }).protocolVersion).toBe('2025-11-25');
        expect(conn.protocolVersion).toBe('2025-11-25');
        expect(conn.transport).toBe('streamable-http');
        conn.send(request(1, 'tools/list'));
        const list = await recorder.response(1);
        const names = (list['result'] as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
        expect(names).toContain('echo');
        conn.send(request('call-2', 'tools/call', { name: 'echo', arguments: { text: 'hi' } }));
        const call = await recorder.response('call-2');
        expect(JSON.stringify(call['result'])).toContain('hi');
        expect(recorder.events.filter((e) => e.kind === 'requestFailed')).toEqual([]);
      });
    });
  }

  it('sends the session id and MCP-Protocol-Version after initialize, neither on initialize', async () => {
    const conn = await start({ jsonResponse: true });
    await handshake(conn, '2025-06-18');
    conn.send(request(1, 'tools/list'));
    await recorder.response(1);
    const init = await server!.waitForRequest((r) => r.rpcMethods.includes('initialize'));
    expect(init.hasSessionId).toBe(false);
    expect(init.protocolVersion).toBeUndefined();
    expect(init.accept).toBe('application/json, text/event-stream');
    expect(init.contentType).toBe('application/json');
    const list = await server!.waitForRequest((r) => r.rpcMethods.includes('tools/list'));
    expect(list.sessionId).toBe(server!.sessionIds()[0]);
    expect(list.protocolVersion).toBe('2025-06-18');
    const initialized = await server!.waitForRequest((r) => r.rpcMethods.includes('notifications/initialized'));
    expect(initialized.protocolVersion).toBe('2025-06-18');
    const get = await server!.waitForRequest((r) => r.method === 'GET');
    expect(get.protocolVersion).toBe('2025-06-18');
    expect(get.sessionId).toBe(list.sessionId);
    expect(conn.sessionLabel).toBe(`${server!.sessionIds()[0]!.slice(0, 4)}…(${server!.sessionIds()[0]!.length} chars)`);
  });

  it('sends no MCP-Protocol-Version under 2025-03-26', async () => {
    const conn = await start({ jsonResponse: true });
    await handshake(conn, '2025-03-26');
    conn.send(request(1, 'tools/list'));
    await recorder.response(1);
    const list = await server!.waitForRequest((r) => r.rpcMethods.includes('tools/list'));
    expect(list.hasSessionId).toBe(true);
    expect(list.protocolVersion).toBeUndefined();
  });

  it('opens the GET stream after initialized was accepted and delivers list_changed from it', async () => {
    const conn = await start();
    await handshake(conn);
    const get = await server!.waitForRequest((r) => r.method === 'GET' && r.status === 200);
    expect(get.accept).toBe('text/event-stream');
    const initialized = server!.requests.findIndex((r) => r.rpcMethods.includes('notifications/initialized'));
    expect(server!.requests.indexOf(get)).toBeGreaterThan(initialized);
    await server!.sendToolListChanged();
    await recorder.waitFor((e) => e.kind === 'message' && e.value['method'] === 'notifications/tools/list_changed', 'list_changed');
  });

  it('resumes a stream the server closed mid-call with Last-Event-ID; the response arrives once', async () => {
    const conn = await start({ eventStore: true, retryInterval: 20 });
    await handshake(conn);
    conn.send(request(7, 'tools/call', { name: 'drop_stream', arguments: {} }));
    const response = await recorder.response(7);
    expect(JSON.stringify(response['result'])).toContain('after drop');
    const resume = await server!.waitForRequest((r) => r.method === 'GET' && r.lastEventId !== undefined);
    expect(resume.hasSessionId).toBe(true);
    expect(recorder.settlements(7)).toHaveLength(1);
    await recorder.waitFor((e) => e.kind === 'warning' && e.message.includes('resuming'), 'resumption warning');
  });

  it('answers a server request that arrives on a call\'s stream before its response', async () => {
    const conn = await start();
    await handshake(conn);
    conn.send(request(5, 'tools/call', { name: 'sample', arguments: { prompt: 'hello?' } }));
    const asked = await recorder.waitFor((e) => e.kind === 'message' && e.value['method'] === 'sampling/createMessage', 'sampling request');
    const serverId = (asked as unknown as { value: { id: string | number } }).value.id;
    expect(recorder.settlements(5)).toEqual([]);
    conn.send(JSON.stringify({ jsonrpc: '2.0', id: serverId, result: { role: 'assistant', model: 'm', content: { type: 'text', text: 'model says hi' } } }));
    const response = await recorder.response(5);
    expect(JSON.stringify(response['result'])).toContain('model says hi');
    const answer = await server!.waitForRequest((r) => r.rpc.some((m) => m.id === serverId && m.method === undefined) && r.status !== undefined);
    expect(answer.status).toBe(202);
  });

  it('treats a 405 on GET as no GET stream: one warning, no retries', async () => {
    const conn = await start({ stateless: true, jsonResponse: true });
    await handshake(conn);
    await recorder.waitFor((e) => e.kind === 'warning' && e.message.includes('405'), 'warning about 405');
    conn.send(request(1, 'tools/list'));
    await recorder.response(1);
    expect(server!.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
    expect(recorder.events.filter((e) => e.kind === 'closed' || e.kind === 'sessionLost')).toEqual([]);
  });

  it('reopens the GET stream with Last-Event-ID when the server closes it', async () => {
    const conn = await start({ eventStore: true, retryInterval: 20 });
    await handshake(conn);
    await server!.waitForRequest((r) => r.method === 'GET' && r.status === 200);
    await server!.sendToolListChanged();
    await recorder.waitFor((e) => e.kind === 'message' && e.value['method'] === 'notifications/tools/list_changed', 'first list_changed');
    server!.transport().closeStandaloneSSEStream();
    const reopened = await server!.waitForRequest((r) => r.method === 'GET' && r.lastEventId !== undefined && r.status === 200);
    expect(reopened.hasSessionId).toBe(true);
    server!.addTool('late_tool');
    await recorder.waitFor(
      (e) => e.kind === 'message' && e.value['method'] === 'notifications/tools/list_changed' && recorder.events.filter((x) => x.kind === 'message' && x.value['method'] === 'notifications/tools/list_changed').length >= 2,
      'second list_changed',
    );
  });

  it('reports a lost session (404): in-flight requests fail first, then sessionLost; a new initialize works', async () => {
    const conn = await start({ jsonResponse: true });
    await handshake(conn);
    server!.expireSessions();
    conn.send(request(1, 'tools/list'));
    const error = await recorder.failure(1);
    expect(error.code).toBe('SESSION_LOST');
    const lost = await recorder.waitFor((e) => e.kind === 'sessionLost', 'sessionLost');
    expect(recorder.events.indexOf(lost)).toBeGreaterThan(recorder.events.findIndex((e) => e.kind === 'requestFailed'));
    expect(conn.sessionLabel).toBeUndefined();
    expect(conn.protocolVersion).toBeUndefined();
    conn.send(initialize(10));
    await recorder.response(10);
    const reinit = await server!.waitForRequest((r) => r.rpc.some((m) => m.id === 10));
    expect(reinit.hasSessionId).toBe(false);
    conn.send(notification('notifications/initialized'));
    conn.send(request(11, 'tools/list'));
    await recorder.response(11);
  });

  it('retries once with fresh credentials after a 401', async () => {
    let token = 'stale';
    const challenges: Array<[string | undefined, number]> = [];
    const credentials: CredentialSource = {
      authorization: async () => `Bearer ${token}`,
      unauthorized: async (challenge, status) => {
        challenges.push([challenge, status]);
        token = 'good-token';
        return true;
      },
    };
    const conn = await start({ requireAuth: 'good-token', jsonResponse: true }, { credentials });
    await handshake(conn);
    conn.send(request(1, 'tools/list'));
    await recorder.response(1);
    expect(challenges).toHaveLength(1);
    expect(challenges[0]![1]).toBe(401);
    expect(challenges[0]![0]).toContain('resource_metadata');
    const list = await server!.waitForRequest((r) => r.rpcMethods.includes('tools/list'));
    expect(list.authorization).toBe('Bearer good-token');
  });

  it('fails with UNAUTHORIZED when the credential source has nothing new', async () => {
    const credentials: CredentialSource = { authorization: async () => 'Bearer wrong', unauthorized: async () => false };
    const conn = await start({ requireAuth: 'good-token' }, { credentials });
    conn.send(initialize(0));
    const error = await recorder.failure(0);
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.status).toBe(401);
  });

  it('sends static headers on every request', async () => {
    const conn = await start(
      { requireAuth: 'static-token' },
      { endpoint: { url: 'set below', transport: 'streamable-http', headers: { Authorization: 'Bearer static-token', 'X-Tenant': 'a' } } },
    );
    await handshake(conn);
    conn.send(request(1, 'tools/list'));
    await recorder.response(1);
    await server!.waitForRequest((r) => r.method === 'GET' && r.status === 200);
    const mcp = server!.requests.filter((r) => r.url === '/mcp');
    expect(mcp.length).toBeGreaterThanOrEqual(4);
    for (const r of mcp) expect(r.authorization).toBe('Bearer static-token');
  });

  it('sends DELETE with the session id on close, then closed(undefined); send after close is ignored', async () => {
    const conn = await start({ jsonResponse: true });
    await handshake(conn);
    const sessionId = server!.sessionIds()[0];
    await conn.close();
    const del = await server!.waitForRequest((r) => r.method === 'DELETE');
    expect(del.sessionId).toBe(sessionId);
    expect(del.protocolVersion).toBe('2025-11-25');
    await recorder.waitFor((e) => e.kind === 'closed' && e.error === undefined, 'closed');
    conn.send(request(99, 'tools/list'));
    await Promise.resolve();
    expect(recorder.settlements(99)).toEqual([]);
  });
});
