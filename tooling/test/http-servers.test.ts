import { afterEach, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { startLegacySseServer, startMcpHttpServer, startServerEverything } from '../test-support/http-servers.mjs';

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

/** Resolves once `predicate` holds, polling on the event loop (fails after 5 s). */
async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
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
    await until(() => fixture.requests.some((r) => r.method === 'GET' && r.status === 200), 'the GET stream');
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      changed += 1;
    });
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('exec_shell');
    fixture.addTool('exec_shell');
    await until(() => changed === 1, 'list_changed');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('exec_shell');
    expect(textOf(await client.callTool({ name: 'exec_shell', arguments: { command: 'id' } }))).toBe('refused: id');
    await fixture.sendToolListChanged();
    await until(() => changed === 2, 'the second list_changed');
    // A session started later has the tool too.
    const later = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect((await later.listTools()).tools.map((t) => t.name)).toContain('exec_shell');
  });

  it('stops a slow call when the client cancels it', async () => {
    const fixture = track(await startMcpHttpServer());
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    const controller = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: { ms: 60_000 } }, undefined, { signal: controller.signal });
    await until(() => fixture.requests.some((r) => r.rpcMethods.includes('tools/call')), 'the call');
    controller.abort('test');
    await expect(call).rejects.toThrow();
    await until(() => fixture.requests.some((r) => r.rpcMethods.includes('notifications/cancelled')), 'the cancellation');
    expect(textOf(await client.callTool({ name: 'slow', arguments: { ms: 1 } }))).toBe('slept 1');
  });

  it('serves stateless: no session id, a fresh server per request, GET answered 405', async () => {
    const fixture = track(await startMcpHttpServer({ stateless: true }));
    const client = await connect(new StreamableHTTPClientTransport(new URL(fixture.url)));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'x' } }))).toBe('x');
    expect(fixture.sessionIds()).toEqual([]);
    expect(fixture.requests.every((r) => !r.hasSessionId)).toBe(true);
    await until(() => fixture.requests.some((r) => r.method === 'GET'), 'the GET');
    expect(fixture.requests.find((r) => r.method === 'GET')?.status).toBe(405);
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
    await until(() => fixture.requests.some((r) => r.method === 'GET' && r.status === 200), 'the GET stream');
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
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      changed += 1;
    });
    fixture.addTool('exec_shell');
    await until(() => changed === 1, 'list_changed');
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
    await until(() => fixture.requests.some((r) => r.method === 'GET'), 'the GET stream');
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
