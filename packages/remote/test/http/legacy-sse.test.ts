// The legacy HTTP+SSE transport against the MCP SDK's own (deprecated) SSEServerTransport:
// GET /sse + POST /messages?sessionId=, on loopback.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Agent } from 'undici';
import { openLegacySse } from '../../src/http/legacy-sse.js';
import type { UpstreamConnection } from '../../src/upstream.types.js';
import { initialize, recordHandlers, request, type Recorder } from './legacy-sse-recorder.js';

interface SdkFixture {
  readonly url: URL;
  readonly seen: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  readonly transports: Map<string, SSEServerTransport>;
  /** Resolves when the server sees the GET stream of this session close. */
  streamClosed(sessionId: string): Promise<void>;
  close(): Promise<void>;
}

function makeMcpServer(transport: SSEServerTransport): Server {
  const server = new Server({ name: 'legacy-fixture', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      { name: 'echo', description: 'Echoes text', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
      { name: 'notify', description: 'Announces a list change first', inputSchema: { type: 'object' } },
      { name: 'drop', description: 'Ends the SSE stream', inputSchema: { type: 'object' } },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const name = req.params.name;
    if (name === 'echo') return { content: [{ type: 'text', text: String(req.params.arguments?.['text']) }] };
    if (name === 'notify') {
      await server.sendToolListChanged();
      return { content: [{ type: 'text', text: 'notified' }] };
    }
    if (name === 'drop') {
      await transport.close();
      return { content: [] };
    }
    throw new Error(`unknown tool ${name}`);
  });
  return server;
}

async function startSdkServer(): Promise<SdkFixture> {
  const transports = new Map<string, SSEServerTransport>();
  const seen: SdkFixture['seen'] = [];
  const closedStreams = new Map<string, Promise<void>>();
  const http: HttpServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({ method: req.method ?? '', path: url.pathname, headers: req.headers });
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      transports.set(transport.sessionId, transport);
      closedStreams.set(
        transport.sessionId,
        new Promise((resolve) => {
          res.on('close', () => {
            transports.delete(transport.sessionId);
            resolve();
          });
        }),
      );
      void makeMcpServer(transport).connect(transport);
      return;
    }
    const transport = transports.get(url.searchParams.get('sessionId') ?? '');
    if (req.method === 'POST' && url.pathname === '/messages' && transport !== undefined) {
      void transport.handlePostMessage(req, res).catch(() => undefined);
      return;
    }
    res.writeHead(404).end();
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/sse`),
    seen,
    transports,
    streamClosed: (sessionId) => closedStreams.get(sessionId) ?? Promise.reject(new Error(`no stream ${sessionId}`)),
    async close() {
      for (const transport of transports.values()) await transport.close();
      http.closeAllConnections();
      http.close();
      await once(http, 'close');
    },
  };
}

describe('openLegacySse against the SDK SSEServerTransport', () => {
  let fixture: SdkFixture;
  let agent: Agent;
  let recorder: Recorder;
  let connection: UpstreamConnection | undefined;

  beforeEach(async () => {
    fixture = await startSdkServer();
    agent = new Agent();
    recorder = recordHandlers();
  });

  afterEach(async () => {
    await connection?.close();
    connection = undefined;
    await fixture.close();
    await agent.destroy();
  });

  function open(): UpstreamConnection {
    connection = openLegacySse(
      {
        endpoint: { url: fixture.url.href, transport: 'sse', headers: { 'X-Static': 'static-value' } },
        credentials: { authorization: () => Promise.resolve('Bearer dynamic-token') },
      },
      recorder.handlers,
      { dispatcher: agent, url: fixture.url },
    );
    return connection;
  }

  async function initialized(conn: UpstreamConnection): Promise<Record<string, unknown>> {
    conn.send(initialize(1));
    const result = await recorder.response(1);
    conn.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    return result;
  }

  it('initializes, lists and calls tools, and reports the protocol version and a shortened session label', async () => {
    const conn = open();
    expect(conn.transport).toBe('sse');
    expect(conn.protocolVersion).toBeUndefined();
    const init = await initialized(conn);
    expect((init['result'] as { protocolVersion: string }).protocolVersion).toBe('2024-11-05');
    expect(conn.protocolVersion).toBe('2024-11-05');
    const [sessionId] = [...fixture.transports.keys()];
    expect(conn.sessionLabel).toBe(`${sessionId!.slice(0, 4)}…(${sessionId!.length} chars)`);
    expect(conn.sessionLabel).not.toContain(sessionId!);

    conn.send(request(2, 'tools/list'));
    const list = await recorder.response(2);
    expect((list['result'] as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).toEqual(['echo', 'notify', 'drop']);

    conn.send(request(3, 'tools/call', { name: 'echo', arguments: { text: 'hello over sse' } }));
    const call = await recorder.response(3);
    expect(call['result']).toEqual({ content: [{ type: 'text', text: 'hello over sse' }] });
    expect(recorder.events.filter((e) => e.kind !== 'message')).toEqual([]);
  });

  it('delivers a notification the server sends on the GET stream before the response', async () => {
    const conn = open();
    await initialized(conn);
    conn.send(request(2, 'tools/call', { name: 'notify', arguments: {} }));
    await recorder.response(2);
    const methods = recorder.events.flatMap((e) => (e.kind === 'message' ? [e.value['method'] ?? `response ${String(e.value['id'])}`] : []));
    expect(methods).toEqual(['response 1', 'notifications/tools/list_changed', 'response 2']);
  });

  it('sends the static headers and the credential on the GET and on every POST', async () => {
    const conn = open();
    await initialized(conn);
    conn.send(request(2, 'tools/list'));
    await recorder.response(2);
    const posts = fixture.seen.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(3);
    for (const seen of fixture.seen) {
      expect(seen.headers['x-static']).toBe('static-value');
      expect(seen.headers['authorization']).toBe('Bearer dynamic-token');
      expect(seen.headers['user-agent']).toBe('mcptrust');
    }
    expect(fixture.seen[0]!.headers['accept']).toBe('text/event-stream');
    expect(posts.every((s) => s.headers['content-type'] === 'application/json')).toBe(true);
  });

  it('fails the request in flight and reports the session lost when the server ends the stream, then re-initializes on a new stream', async () => {
    const conn = open();
    await initialized(conn);
    const firstLabel = conn.sessionLabel;
    conn.send(request(2, 'tools/call', { name: 'drop', arguments: {} }));
    const lost = await recorder.waitFor((e) => e.kind === 'sessionLost', 'sessionLost');
    expect(lost.kind === 'sessionLost' && lost.error.code).toBe('SESSION_LOST');
    const kinds = recorder.events.filter((e) => e.kind !== 'message');
    expect(kinds.map((e) => (e.kind === 'requestFailed' ? `requestFailed ${e.id} ${e.error.code}` : e.kind))).toEqual([
      'requestFailed 2 SESSION_LOST',
      'sessionLost',
    ]);
    expect(conn.protocolVersion).toBeUndefined();
    expect(conn.sessionLabel).toBeUndefined();

    conn.send(initialize(10));
    await recorder.response(10);
    expect(fixture.seen.filter((s) => s.method === 'GET')).toHaveLength(2);
    expect(conn.sessionLabel).toBeDefined();
    expect(conn.sessionLabel).not.toBe(firstLabel);
    conn.send(request(11, 'tools/list'));
    await recorder.response(11);
  });

  it('aborts the stream and reports closed(undefined) on close', async () => {
    const conn = open();
    await initialized(conn);
    const [sessionId] = [...fixture.transports.keys()];
    await conn.close();
    expect(recorder.events.at(-1)).toEqual({ kind: 'closed', error: undefined });
    await fixture.streamClosed(sessionId!);
    expect(fixture.transports.size).toBe(0);
    conn.send(request(5, 'tools/list'));
    await Promise.resolve();
    expect(recorder.events.at(-1)).toEqual({ kind: 'closed', error: undefined });
  });
});
