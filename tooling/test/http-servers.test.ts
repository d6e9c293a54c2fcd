import { afterEach, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { startLegacySseServer, startMcpHttpServer, startMisbehavingServer, startServerEverything } from '../test-support/http-servers.mjs';

/** Everything a test opened, closed in afterEach (clients first, then servers). */
const clients: Client[] = [];
const servers: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await Promise.allSettled(servers.splice(0).map((s) => s.close()));
});

/** Tracks `server` for closing after the test. */
function track<T extends { close(): Promise<void> }>(server: T): T {
  servers.push(server);
  return server;
}

/** A connected SDK client (sampling and elicitation declared and answered). */
async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'fixture-test', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: { form: {} } } });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', model: 'test', content: { type: 'text', text: 'sampled answer' } }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { answer: '42' } }));
  clients.push(client);
  await client.connect(transport);
  return client;
}

/** The first text of a tool result. */
function textOf(result: unknown): string {
  const content = (result as { content: Array<{ type: string; text?: string }> }).content;
  return content[0]?.text ?? '';
}

/** Counts the client's tools/list_changed notifications; `next()` resolves on the next one. */
function listChanges(client: Client): { count(): number; next(): Promise<void> } {
  let count = 0;
  let waiting: Array<() => void> = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    count += 1;
    for (const resolve of waiting.splice(0)) resolve();
  });
  return {
    count: () => count,
    next: () => new Promise<void>((resolve) => waiting.push(resolve)),
  };
}

describe('startMcpHttpServer', () => {
  it('serves the default tools to an SDK client over Streamable HTTP on 127.0.0.1', async () => {
    const fixture = track(await startMcpHttpServer());
    expect(fixture.url).toBe(`http://127.0.0.1:${fixture.port}/mcp`);
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'drop_stream', 'echo', 'elicit', 'sample', 'slow']);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
    expect(textOf(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
    expect(fixture.sessionIds()).toHaveLength(1);
  });

  it('waitForRequest resolves with a matching request, or rejects after its timeout', async () => {
    const fixture = track(await startMcpHttpServer());
    const init = fixture.waitForRequest((r) => r.rpcMethods.includes('initialize') && r.status !== undefined);
    await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect(await init).toMatchObject({ method: 'POST', status: 200 });
    await expect(fixture.waitForRequest((r) => r.method === 'PUT', 20)).rejects.toThrow(/no matching request within 20 ms/);
  });

  it('records method, headers and JSON-RPC methods of each request', async () => {
    const fixture = track(await startMcpHttpServer());
    const transport = new StreamableHTTPClientTransport(new URL(fixture.url));
    const client = await connect(transport);
    await client.listTools();
    const posts = fixture.requests.filter((r) => r.method === 'POST');
    expect(posts[0]).toMatchObject({ url: '/mcp', hasSessionId: false, rpcMethods: ['initialize'], status: 200, contentType: 'application/json' });
    expect(posts[0]?.accept).toContain('text/event-stream');
    const list = posts.find((r) => r.rpcMethods.includes('tools/list'));
    expect(list).toMatchObject({ hasSessionId: true, sessionId: fixture.sessionIds()[0], protocolVersion: '2025-11-25' });
    expect(posts.some((r) => r.rpcMethods.includes('notifications/initialized') && r.status === 202)).toBe(true);
    const [sessionId] = fixture.sessionIds();
    await transport.terminateSession();
    expect(fixture.requests.at(-1)).toMatchObject({ method: 'DELETE', sessionId, status: 200 });
    expect(fixture.sessionIds()).toEqual([]);
  });

  it('answers a sampling and an elicitation request of the client mid-call', async () => {
    const fixture = track(await startMcpHttpServer());
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect(textOf(await client.callTool({ name: 'sample', arguments: { prompt: 'p' } }))).toBe('sampled answer');
    expect(JSON.parse(textOf(await client.callTool({ name: 'elicit', arguments: {} })))).toEqual({ action: 'accept', content: { answer: '42' } });
    // The client's answers are POSTs of responses (no method).
    expect(fixture.requests.filter((r) => r.method === 'POST' && r.rpc.length === 1 && r.rpcMethods.length === 0)).toHaveLength(2);
  });

  it('answers 404 to a request of an expired session', async () => {
    const fixture = track(await startMcpHttpServer());
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    const [sessionId] = fixture.sessionIds();
    fixture.expireSessions();
    await expect(client.listTools()).rejects.toThrow(/Session not found/);
    expect(fixture.sessionIds()).toEqual([]);
    expect(fixture.requests.at(-1)).toMatchObject({ sessionId, status: 404 });
  });

  it('keeps sessions apart and reaches each session server', async () => {
    const fixture = track(await startMcpHttpServer());
    await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    const ids = fixture.sessionIds();
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(fixture.server(ids[0])).not.toBe(fixture.server(ids[1]));
    expect(fixture.server()).toBe(fixture.server(ids[1]));
    expect(() => fixture.server('nope')).toThrow(/no session nope/);
  });

  it('adds exec_shell on demand and announces it with list_changed on the GET stream', async () => {
    const fixture = track(await startMcpHttpServer());
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    await fixture.waitForRequest((r) => r.method === 'GET' && r.status === 200);
    const changes = listChanges(client);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('exec_shell');
    const first = changes.next();
    fixture.addTool('exec_shell');
    await first;
    expect(changes.count()).toBe(1);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('exec_shell');
    expect(textOf(await client.callTool({ name: 'exec_shell', arguments: { command: 'id' } }))).toBe('refused: id');
    const second = changes.next();
    await fixture.sendToolListChanged();
    await second;
    expect(changes.count()).toBe(2);
    // A session started later has the tool too.
    const later = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect((await later.listTools()).tools.map((t) => t.name)).toContain('exec_shell');
  });

  it('stops a slow call when the client cancels it', async () => {
    const fixture = track(await startMcpHttpServer());
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    const controller = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: { ms: 60_000 } }, undefined, { signal: controller.signal });
    await fixture.waitForRequest((r) => r.rpcMethods.includes('tools/call'));
    controller.abort('test');
    await expect(call).rejects.toThrow();
    await fixture.waitForRequest((r) => r.rpcMethods.includes('notifications/cancelled'));
    expect(textOf(await client.callTool({ name: 'slow', arguments: { ms: 1 } }))).toBe('slept 1');
  });

  it('serves stateless: no session id, a fresh server per request, GET answered 405', async () => {
    const fixture = track(await startMcpHttpServer({ stateless: true }));
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'x' } }))).toBe('x');
    expect(fixture.sessionIds()).toEqual([]);
    expect(fixture.requests.every((r) => !r.hasSessionId)).toBe(true);
    const get = await fixture.waitForRequest((r) => r.method === 'GET' && r.status !== undefined);
    expect(get.status).toBe(405);
  });

  it('answers application/json with jsonResponse', async () => {
    const fixture = track(await startMcpHttpServer({ jsonResponse: true }));
    const res = await fetch(fixture.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('mcp-session-id')).toBe(fixture.sessionIds()[0]);
    expect(await res.json()).toMatchObject({ id: 1, result: { protocolVersion: '2025-06-18' } });
  });

  it('resumes a dropped stream from the event store (drop_stream)', async () => {
    const fixture = track(await startMcpHttpServer({ eventStore: true, retryInterval: 10 }));
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect(textOf(await client.callTool({ name: 'drop_stream', arguments: { ms: 20 } }))).toBe('after drop');
    const resumed = fixture.requests.filter((r) => r.method === 'GET' && r.lastEventId !== undefined);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0]?.status).toBe(200);
  });

  it('lets a test close the GET stream, which the client resumes with Last-Event-ID (event store)', async () => {
    const fixture = track(await startMcpHttpServer({ eventStore: true, retryInterval: 10 }));
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    await fixture.waitForRequest((r) => r.method === 'GET' && r.status === 200);
    const changes = listChanges(client);
    const first = changes.next();
    await fixture.sendToolListChanged(); // an event with an id on the GET stream
    await first;
    const resumed = fixture.waitForRequest((r) => r.method === 'GET' && r.lastEventId !== undefined && r.status !== undefined);
    fixture.transport().closeStandaloneSSEStream();
    expect(await resumed).toMatchObject({ status: 200, lastEventId: expect.stringMatching(/_\d+$/) });
    const second = changes.next();
    fixture.addTool('exec_shell');
    await second;
  });

  it('answers drop_stream without dropping when there is no event store', async () => {
    const fixture = track(await startMcpHttpServer());
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect(textOf(await client.callTool({ name: 'drop_stream', arguments: {} }))).toBe('no stream to drop');
  });

  it('requires the bearer token with requireAuth and points at its resource metadata', async () => {
    const fixture = track(await startMcpHttpServer({ requireAuth: 'sekret' }));
    const denied = await fetch(fixture.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(denied.status).toBe(401);
    const metadataUrl = `http://127.0.0.1:${fixture.port}/.well-known/oauth-protected-resource/mcp`;
    expect(denied.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    const wrong = await fetch(fixture.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{}' });
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await (await fetch(metadataUrl)).json()).toMatchObject({ resource: fixture.url });
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url), { requestInit: { headers: { authorization: 'Bearer sekret' } } }));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'ok' } }))).toBe('ok');
    expect(fixture.requests.at(-1)?.authorization).toBe('Bearer sekret');
  });

  it('answers 400 to a non-initialize POST without a session and 404 to an unknown path', async () => {
    const fixture = track(await startMcpHttpServer());
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const noSession = await fetch(fixture.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(noSession.status).toBe(400);
    const elsewhere = await fetch(`http://127.0.0.1:${fixture.port}/other`, { method: 'POST', headers, body: '{}' });
    expect(elsewhere.status).toBe(404);
    const garbage = await fetch(fixture.url, { method: 'POST', headers, body: '{not json' });
    expect(garbage.status).toBe(400);
  });

  it('closes promptly with an open GET stream', async () => {
    const fixture = await startMcpHttpServer();
    await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    await fixture.waitForRequest((r) => r.method === 'GET' && r.status === 200);
    const started = Date.now();
    await fixture.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(fetch(fixture.url)).rejects.toThrow();
  });
});

describe('startLegacySseServer', () => {
  it('serves the tools to an SDK client over HTTP+SSE on 127.0.0.1', async () => {
    const fixture = track(await startLegacySseServer());
    expect(fixture.url).toBe(`http://127.0.0.1:${fixture.port}/sse`);
    const client = await connect(new SSEClientTransport(new URL(fixture.url)));
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['add', 'drop_stream', 'echo', 'elicit', 'sample', 'slow']);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'legacy' } }))).toBe('legacy');
    expect(textOf(await client.callTool({ name: 'sample', arguments: {} }))).toBe('sampled answer');
    const [sessionId] = fixture.sessionIds();
    expect(fixture.requests[0]).toMatchObject({ method: 'GET', url: '/sse', status: 200 });
    const call = fixture.requests.find((r) => r.rpcMethods.includes('tools/call'));
    expect(call).toMatchObject({ method: 'POST', url: `/messages?sessionId=${sessionId}`, status: 202 });
  });

  it('ends every GET stream with dropStreams, and a POST to a dropped session gets 404', async () => {
    const fixture = track(await startLegacySseServer());
    const stream = await fetch(fixture.url, { headers: { accept: 'text/event-stream' } });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const endpoint = /^event: endpoint\ndata: (\/messages\?sessionId=[0-9a-f-]+)\n\n$/.exec(first)?.[1];
    expect(endpoint).toBe(`/messages?sessionId=${fixture.sessionIds()[0]}`);
    fixture.dropStreams();
    expect(fixture.sessionIds()).toEqual([]);
    expect((await reader.read()).done).toBe(true);
    const res = await fetch(`http://127.0.0.1:${fixture.port}${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
    });
    expect(res.status).toBe(404);
  });

  it('adds a tool with list_changed, and requires the bearer token with requireAuth', async () => {
    const fixture = track(await startLegacySseServer({ requireAuth: 'tok' }));
    const denied = await fetch(fixture.url);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('resource_metadata="http://127.0.0.1:');
    const client = await connect(
      new SSEClientTransport(new URL(fixture.url), { requestInit: { headers: { authorization: 'Bearer tok' } }, eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers).entries()), authorization: 'Bearer tok' } }) } }),
    );
    const changes = listChanges(client);
    const changed = changes.next();
    fixture.addTool('exec_shell');
    await changed;
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('exec_shell');
  });

  it('closes promptly with open streams', async () => {
    const fixture = await startLegacySseServer();
    await connect(new SSEClientTransport(new URL(fixture.url)));
    const started = Date.now();
    await fixture.close();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('startServerEverything', () => {
  it('serves server-everything over Streamable HTTP on 127.0.0.1', async () => {
    const fixture = track(await startServerEverything({ transport: 'streamableHttp' }));
    expect(fixture.url).toBe(`http://127.0.0.1:${fixture.port}/mcp`);
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect(client.getServerVersion()?.name).toBe('mcp-servers/everything');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe('Echo: hi');
    // Conditional tools are registered once the client is initialized.
    await fixture.waitForRequest((r) => r.method === 'GET');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('trigger-sampling-request');
    expect(fixture.sessionIds()).toHaveLength(1);
  });

  it('answers 400 to an unknown session under Streamable HTTP, as server-everything does', async () => {
    const fixture = track(await startServerEverything({ transport: 'streamableHttp' }));
    const res = await fetch(fixture.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': 'gone' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(400);
  });

  it('serves server-everything over HTTP+SSE on 127.0.0.1', async () => {
    const fixture = track(await startServerEverything({ transport: 'sse' }));
    expect(fixture.url).toBe(`http://127.0.0.1:${fixture.port}/sse`);
    const client = await connect(new SSEClientTransport(new URL(fixture.url)));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'old' } }))).toBe('Echo: old');
    expect(fixture.requests.some((r) => r.url.startsWith('/message?sessionId=') && r.status === 202)).toBe(true);
  });

  it('refuses an unknown transport', async () => {
    await expect(startServerEverything({ transport: 'stdio' as 'sse' })).rejects.toThrow(/transport must be/);
  });
});

/** A raw HTTP exchange (node:http: never follows a redirect). */
function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const req = httpRequest(url, { method: init.method ?? 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...init.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

/** Initializes a misbehaving server raw and returns its session id. */
async function rawInit(url: string): Promise<string | undefined> {
  const res = await raw(url, { body: INIT });
  expect(res.status).toBe(200);
  expect(JSON.parse(res.text)).toMatchObject({ id: 1, result: { protocolVersion: '2025-06-18' } });
  return res.headers['mcp-session-id'] as string | undefined;
}

describe('startMisbehavingServer', () => {
  it('is a correct server until it misbehaves: an SDK client initializes, then gets the 500', async () => {
    const fixture = track(await startMisbehavingServer('status-500'));
    expect(fixture.url).toBe(`http://127.0.0.1:${fixture.port}/mcp`);
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect(client.getServerVersion()?.name).toBe('mcptrust-misbehaving');
    await expect(client.listTools()).rejects.toThrow(/Internal error/);
    expect(fixture.requests.find((r) => r.rpcMethods.includes('tools/list'))).toMatchObject({ status: 500, sessionId: 'misbehaving-1' });
  });

  it('answers correctly the first misbehaveAfter requests', async () => {
    const fixture = track(await startMisbehavingServer('status-500', { misbehaveAfter: 1 }));
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    await expect(client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toThrow(/Internal error/);
  });

  it('wrong-content-type: text/html to a request, 202 to a notification', async () => {
    const fixture = track(await startMisbehavingServer('wrong-content-type'));
    const session = await rawInit(fixture.url);
    expect(session).toBe('misbehaving-1');
    const note = await raw(fixture.url, { body: { jsonrpc: '2.0', method: 'notifications/initialized' }, headers: { 'mcp-session-id': session! } });
    expect(note.status).toBe(202);
    const res = await raw(fixture.url, { body: LIST, headers: { 'mcp-session-id': session! } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });

  it('oversized-event: one SSE event of the given size carrying the response', async () => {
    const fixture = track(await startMisbehavingServer('oversized-event', { bytes: 200_000 }));
    await rawInit(fixture.url);
    const res = await raw(fixture.url, { body: LIST });
    expect(res.headers['content-type']).toBe('text/event-stream');
    const data = /^data: (.*)\n\n$/s.exec(res.text)?.[1] ?? '';
    expect(Buffer.byteLength(data)).toBe(200_000);
    expect(JSON.parse(data)).toMatchObject({ id: 2, result: { content: [{ type: 'text' }] } });
  });

  it('oversized-event asJson: one JSON body of the given size; the default is 5 MiB', async () => {
    const fixture = track(await startMisbehavingServer('oversized-event', { asJson: true }));
    await rawInit(fixture.url);
    const res = await raw(fixture.url, { body: LIST });
    expect(res.headers['content-type']).toBe('application/json');
    expect(Buffer.byteLength(res.text)).toBe(5 * 1024 * 1024);
  });

  it('redirect-private: 307 to the metadata address after initialize (never followed here)', async () => {
    const fixture = track(await startMisbehavingServer('redirect-private'));
    await rawInit(fixture.url);
    const res = await raw(fixture.url, { body: LIST });
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe('http://169.254.169.254/latest/meta-data/');
    const get = await raw(fixture.url, { method: 'GET', headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(307);
  });

  it('cross-origin-endpoint: the legacy endpoint event names another origin', async () => {
    const fixture = track(await startMisbehavingServer('cross-origin-endpoint'));
    expect(fixture.url).toBe(`http://127.0.0.1:${fixture.port}/sse`);
    const stream = await fetch(fixture.url, { headers: { accept: 'text/event-stream' } });
    const reader = stream.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe(`event: endpoint\ndata: http://localhost:${fixture.port}/messages?sessionId=cross-origin\n\n`);
    await reader.cancel();
    // The SDK client refuses the endpoint (and so never POSTs to it).
    const client = new Client({ name: 't', version: '1' });
    clients.push(client);
    await expect(client.connect(new SSEClientTransport(new URL(fixture.url)))).rejects.toThrow(/origin/i);
    expect(fixture.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('hostile-resource-metadata: 401 naming a metadata address, from the first request', async () => {
    const fixture = track(await startMisbehavingServer('hostile-resource-metadata'));
    const res = await raw(fixture.url, { body: INIT });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer resource_metadata="http://169.254.169.254/x"');
  });

  it('invalid-session-id: a space by default, control bytes written raw', async () => {
    const spaced = track(await startMisbehavingServer('invalid-session-id'));
    expect(await rawInit(spaced.url)).toBe('bad session-id');
    expect((await raw(spaced.url, { body: LIST, headers: { 'mcp-session-id': 'anything' } })).status).toBe(200);
    const control = track(await startMisbehavingServer('invalid-session-id', { sessionId: 'bad\u0001id' }));
    const bytes = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(control.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      const body = JSON.stringify(INIT);
      socket.on('connect', () => socket.write(`POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.on('error', reject);
    });
    expect(bytes).toContain('mcp-session-id: bad\u0001id\r\n');
    expect(bytes).toContain('"protocolVersion":"2025-06-18"');
  });

  it('batch: a JSON array answers a request (or one SSE event holding it)', async () => {
    const fixture = track(await startMisbehavingServer('batch'));
    await rawInit(fixture.url);
    const res = await raw(fixture.url, { body: LIST, headers: { 'mcp-protocol-version': '2025-06-18' } });
    expect(JSON.parse(res.text)).toEqual([{ jsonrpc: '2.0', id: 2, result: { tools: [expect.objectContaining({ name: 'echo' })] } }]);
    const sse = track(await startMisbehavingServer('batch', { sse: true }));
    await rawInit(sse.url);
    const event = await raw(sse.url, { body: LIST });
    expect(event.headers['content-type']).toBe('text/event-stream');
    expect(JSON.parse(/data: (.*)\n/.exec(event.text)?.[1] ?? '')).toHaveLength(1);
  });

  it('stream-ends-early: an SSE stream that ends before the response, without event ids', async () => {
    const fixture = track(await startMisbehavingServer('stream-ends-early'));
    await rawInit(fixture.url);
    const res = await raw(fixture.url, { body: LIST });
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.text).toContain('notifications/message');
    expect(res.text).not.toMatch(/^id:/m);
    expect(res.text).not.toContain('"result"');
  });

  it('session-404: 404 to everything after initialize; a new initialize gets a new session', async () => {
    const fixture = track(await startMisbehavingServer('session-404'));
    expect(await rawInit(fixture.url)).toBe('misbehaving-1');
    expect((await raw(fixture.url, { body: { jsonrpc: '2.0', method: 'notifications/initialized' } })).status).toBe(404);
    expect((await raw(fixture.url, { body: LIST })).status).toBe(404);
    expect(await rawInit(fixture.url)).toBe('misbehaving-2');
  });

  it('hang: a request is never answered until close() ends its connection', async () => {
    const fixture = await startMisbehavingServer('hang');
    await rawInit(fixture.url);
    const pending = raw(fixture.url, { body: LIST });
    await fixture.waitForRequest((r) => r.rpcMethods.includes('tools/list'));
    expect(fixture.requests.at(-1)?.status).toBeUndefined();
    await fixture.close();
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('hang afterHeaders: 200 text/event-stream headers, then silence', async () => {
    const fixture = await startMisbehavingServer('hang', { afterHeaders: true });
    await rawInit(fixture.url);
    const headers = await new Promise<{ status?: number; type?: string }>((resolve, reject) => {
      const req = httpRequest(fixture.url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => resolve({ status: res.statusCode, type: res.headers['content-type'] }));
      req.on('error', reject);
      req.end(JSON.stringify(LIST));
    });
    expect(headers).toEqual({ status: 200, type: 'text/event-stream' });
    await fixture.close();
  });

  it('refuses an unknown behaviour', async () => {
    await expect(startMisbehavingServer('nope' as 'hang')).rejects.toThrow(/unknown behaviour nope/);
  });
});
