// The Streamable HTTP client against raw node:http handlers on loopback, for paths the
// shared fixtures do not take: a JSON answer that stalls after its headers, a 403
// insufficient_scope with step-up credentials, the fallback rule of 2025-11-25, a GET
// stream that fails before it works, and a DELETE the server does not allow.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openUpstream } from '../../src/open-upstream.js';
import type { CredentialSource, UpstreamConnection, UpstreamOptions } from '../../src/upstream.types.js';
import { initialize, notification, record, request, type Recorder } from './streamable-recorder.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown> | undefined) => void;

let server: Server | undefined;
let connection: UpstreamConnection | undefined;
let recorder: Recorder;
const seen: Array<{ method: string; authorization?: string; lastEventId?: string; rpcMethod?: unknown; session?: string }> = [];

beforeEach(() => {
  recorder = record();
  seen.length = 0;
});

afterEach(async () => {
  await connection?.close();
  connection = undefined;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

async function serve(handler: Handler, options: Partial<UpstreamOptions> = {}): Promise<UpstreamConnection> {
  server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const body = raw === '' ? undefined : (JSON.parse(raw) as Record<string, unknown>);
      seen.push({
        method: req.method ?? '',
        ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
        ...(typeof req.headers['last-event-id'] === 'string' ? { lastEventId: req.headers['last-event-id'] } : {}),
        rpcMethod: body?.['method'],
        ...(typeof req.headers['mcp-session-id'] === 'string' ? { session: req.headers['mcp-session-id'] } : {}),
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  connection = openUpstream({ reconnectDelayMs: 5, ...options, endpoint: { transport: 'streamable-http', ...options.endpoint, url } }, recorder.handlers);
  return connection;
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
}

function initResult(body: Record<string, unknown> | undefined): unknown {
  const params = body?.['params'] as { protocolVersion?: string } | undefined;
  return { jsonrpc: '2.0', id: body?.['id'], result: { protocolVersion: params?.protocolVersion ?? '2025-11-25', capabilities: {}, serverInfo: { name: 'raw', version: '0' } } };
}

/** Initialize (session `raw-session`), 202 for notifications, else `rest`. */
function wellBehavedInit(rest: Handler): Handler {
  return (req, res, body) => {
    if (req.method === 'POST' && body?.['method'] === 'initialize') return json(res, 200, initResult(body), { 'mcp-session-id': 'raw-session' });
    if (req.method === 'POST' && body !== undefined && body['id'] === undefined) return void res.writeHead(202).end();
    rest(req, res, body);
  };
}

describe('Streamable HTTP, raw server paths', () => {
  it('fails a request whose JSON answer stalls after its headers (NETWORK_ERROR), without waiting for close', async () => {
    const conn = await serve(
      wellBehavedInit((req, res) => {
        if (req.method === 'GET') return void res.writeHead(405).end();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"jsonrpc":"2.0",');
      }),
      { headersTimeoutMs: 200 },
    );
    conn.send(initialize(0));
    await recorder.response(0);
    conn.send(request(1, 'tools/list'));
    const error = await recorder.failure(1);
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.message).toContain('JSON answer');
  });

  it('asks the credential source after a 403 insufficient_scope and retries once with the new token', async () => {
    let token = 'narrow';
    const calls: Array<[string | undefined, number]> = [];
    const credentials: CredentialSource = {
      authorization: async () => `Bearer ${token}`,
      unauthorized: async (challenge, status) => {
        calls.push([challenge, status]);
        token = 'wide';
        return true;
      },
    };
    const conn = await serve(
      wellBehavedInit((req, res, body) => {
        if (req.method === 'GET') return void res.writeHead(405).end();
        if (req.headers.authorization !== 'Bearer wide') {
          return void res.writeHead(403, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="tools:call"' }).end();
        }
        json(res, 200, { jsonrpc: '2.0', id: body?.['id'], result: { content: [] } });
      }),
      { credentials },
    );
    conn.send(initialize(0));
    await recorder.response(0);
    conn.send(request(1, 'tools/call', { name: 'x' }));
    await recorder.response(1);
    expect(calls).toEqual([['Bearer error="insufficient_scope", scope="tools:call"', 403]]);
    expect(seen.filter((r) => r.rpcMethod === 'tools/call').map((r) => r.authorization)).toEqual(['Bearer narrow', 'Bearer wide']);
  });

  it('auto, 2025-11-25 requested: a 415 on initialize is an error, not a reason to fall back', async () => {
    const conn = await serve((_req, res) => json(res, 415, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Unsupported Media Type' } }), {
      endpoint: { url: '', transport: 'auto' },
    });
    conn.send(initialize(0, '2025-11-25'));
    const error = await recorder.failure(0);
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.status).toBe(415);
    expect(seen.map((r) => r.method)).toEqual(['POST']);
  });

  it('reopens a GET stream that failed, with backoff, and delivers what it then carries', async () => {
    let gets = 0;
    const conn = await serve(
      wellBehavedInit((req, res) => {
        if (req.method !== 'GET') return void res.writeHead(400).end();
        gets += 1;
        if (gets < 3) return json(res, 500, { jsonrpc: '2.0', id: null, error: { code: -32603, message: 'not yet' } });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`id: g1\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })}\n\n`);
      }),
    );
    conn.send(initialize(0));
    await recorder.response(0);
    conn.send(notification('notifications/initialized'));
    await recorder.waitFor((e) => e.kind === 'message' && e.value['method'] === 'notifications/tools/list_changed', 'list_changed');
    expect(gets).toBe(3);
    expect(recorder.events.filter((e) => e.kind === 'warning' && e.message.includes('HTTP 500'))).toHaveLength(2);
  });

  it('stops reading an SSE answer once it carried the response, releasing the connection the server holds open', async () => {
    let released: () => void = () => undefined;
    const closedByClient = new Promise<void>((resolve) => (released = resolve));
    const conn = await serve(
      wellBehavedInit((req, res, body) => {
        if (req.method !== 'POST') return void res.writeHead(405).end();
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id: body?.['id'], result: {} })}\n\n`);
        res.on('close', () => released()); // never ended by the server
      }),
    );
    conn.send(initialize(0));
    await recorder.response(0);
    conn.send(request(1, 'tools/list'));
    await recorder.response(1);
    await closedByClient;
    expect(recorder.settlements(1)).toHaveLength(1);
  });

  it('closes cleanly when the server refuses DELETE (405)', async () => {
    const conn = await serve(
      wellBehavedInit((req, res) => {
        if (req.method === 'DELETE') return void res.writeHead(405).end();
        res.writeHead(405).end();
      }),
    );
    conn.send(initialize(0));
    await recorder.response(0);
    await conn.close();
    const closed = await recorder.waitFor((e) => e.kind === 'closed', 'closed');
    expect(closed.kind === 'closed' && closed.error).toBeUndefined();
    expect(seen.at(-1)?.method).toBe('DELETE');
  });

  it('forgets the session when a new initialize is sent: the old session\'s requests fail, the new one has no session id', async () => {
    let answerCalls = false;
    let hung: () => void = () => undefined;
    const received = new Promise<void>((resolve) => (hung = resolve));
    const conn = await serve(
      wellBehavedInit((req, res, body) => {
        if (req.method === 'GET' || req.method === 'DELETE') return void res.writeHead(405).end();
        if (answerCalls) return json(res, 200, { jsonrpc: '2.0', id: body?.['id'], result: {} });
        hung(); // the request stays in flight
      }),
    );
    conn.send(initialize(0));
    await recorder.response(0);
    conn.send(request(1, 'tools/list'));
    await received;
    conn.send(initialize(2));
    expect((await recorder.failure(1)).code).toBe('SESSION_LOST');
    await recorder.response(2);
    expect(seen.filter((r) => r.rpcMethod === 'initialize').map((r) => r.session)).toEqual([undefined, undefined]);
    expect(seen.find((r) => r.rpcMethod === 'tools/list')?.session).toBe('raw-session');
    answerCalls = true;
    conn.send(request(3, 'tools/list'));
    await recorder.response(3);
  });
});
