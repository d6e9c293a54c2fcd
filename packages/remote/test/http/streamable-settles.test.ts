// Property: whatever a server does to each request (answers in JSON or SSE, twice, late on
// a resumed stream, never, with a wrong status or type, by dropping the connection or the
// session), every request sent gets exactly one `message` (its response) or one
// `requestFailed`. A raw node:http server on loopback picks the behaviour each request asks
// for in its params.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { openUpstream } from '../../src/open-upstream.js';
import { initialize, notification, record, request } from './streamable-recorder.js';

const SUCCEEDS = ['json', 'sse', 'sse-twice', 'sse-resumed'] as const;
const FAILS = ['sse-resume-405', '500', 'html', 'accepted', 'no-response', 'not-json', 'destroy', 'sse-ends', 'sse-never-resumes', 'forbidden-scope', 'forbidden'] as const;
const BEHAVIOURS = [...SUCCEEDS, ...FAILS, 'session-404'] as const;
type Behaviour = (typeof BEHAVIOURS)[number];

let server: Server;
let url: string;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const result = (id: unknown): string => JSON.stringify({ jsonrpc: '2.0', id, result: { ok: true } });
const event = (data: string, id?: string): string => `${id === undefined ? '' : `id: ${id}\n`}data: ${data}\n\n`;
const note = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } });

function sse(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(body);
}

function answer(res: ServerResponse, id: unknown, behaviour: Behaviour): void {
  switch (behaviour) {
    case 'json':
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(result(id));
      return;
    case 'sse':
      sse(res, event(note) + event(result(id), `a-${String(id)}`));
      return;
    case 'sse-twice':
      sse(res, event(result(id)) + event(result(id)));
      return;
    case 'sse-resumed':
      sse(res, `retry: 1\n` + event(note, `resume-${String(id)}`));
      return;
    case 'sse-resume-405':
      sse(res, `retry: 1\n` + event(note, `no-get-${String(id)}`));
      return;
    case 'sse-never-resumes':
      sse(res, `retry: 1\n` + event(note, `never-${String(id)}`));
      return;
    case 'sse-ends':
      sse(res, event(note));
      return;
    case '500':
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32603, message: 'boom' } }));
      return;
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>');
      return;
    case 'accepted':
      res.writeHead(202).end();
      return;
    case 'no-response':
      res.writeHead(200, { 'content-type': 'application/json' }).end(note);
      return;
    case 'not-json':
      res.writeHead(200, { 'content-type': 'application/json' }).end('{nope');
      return;
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'forbidden-scope':
      res.writeHead(403, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="x"' }).end();
      return;
    case 'forbidden':
      res.writeHead(403).end();
      return;
    case 'session-404':
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }));
      return;
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'DELETE') {
    res.writeHead(200).end();
    return;
  }
  if (req.method === 'GET') {
    const last = req.headers['last-event-id'];
    if (typeof last === 'string' && last.startsWith('resume-')) {
      const raw = last.slice('resume-'.length);
      sse(res, event(result(/^\d+$/.test(raw) ? Number(raw) : raw), `after-${raw}`));
    } else if (typeof last === 'string' && last.startsWith('no-get-')) {
      res.writeHead(405).end();
    } else if (typeof last === 'string') {
      sse(res, ': nothing here\n\n');
    } else {
      res.writeHead(405).end();
    }
    return;
  }
  const message = JSON.parse(await readBody(req)) as { id?: unknown; method?: string; params?: { behaviour?: Behaviour; protocolVersion?: string } };
  if (message.method === 'initialize') {
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': `s-${Math.random().toString(36).slice(2)}` });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: message.params?.protocolVersion, capabilities: {}, serverInfo: { name: 'p', version: '0' } } }));
    return;
  }
  if (message.id === undefined || message.method === undefined) {
    res.writeHead(202).end();
    return;
  }
  if (req.headers['mcp-session-id'] === undefined) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'no session' } }));
    return;
  }
  answer(res, message.id, message.params?.behaviour ?? 'json');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('every request settles exactly once', () => {
  it('whatever the server does to each request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...BEHAVIOURS), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('2025-03-26', '2025-06-18', '2025-11-25'),
        fc.boolean(),
        async (behaviours, version, stringIds) => {
          const recorder = record();
          const conn = openUpstream(
            { endpoint: { url, transport: 'streamable-http' }, maxReconnects: 2, reconnectDelayMs: 1 },
            recorder.handlers,
          );
          try {
            conn.send(initialize('init', version));
            await recorder.response('init');
            conn.send(notification('notifications/initialized'));
            const ids = behaviours.map((_, i) => (stringIds ? `r${i}` : i + 1));
            behaviours.forEach((behaviour, i) => conn.send(request(ids[i]!, 'tools/call', { behaviour })));
            for (const id of ids) await recorder.waitFor((e) => recorder.settlements(id).length > 0 && e === e, `settlement of ${id}`);
            await conn.close();
            await recorder.waitFor((e) => e.kind === 'closed', 'closed');
            const lost = behaviours.includes('session-404');
            behaviours.forEach((behaviour, i) => {
              const settled = recorder.settlements(ids[i]!);
              expect(settled).toHaveLength(1);
              if (lost) return;
              expect(settled[0]!.kind).toBe((SUCCEEDS as readonly string[]).includes(behaviour) ? 'message' : 'requestFailed');
            });
            expect(recorder.events.filter((e) => e.kind === 'sessionLost')).toHaveLength(lost ? 1 : 0);
          } finally {
            await conn.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
});
