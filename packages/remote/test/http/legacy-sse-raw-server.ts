// A raw node:http legacy SSE server on loopback for the tests that need a server to
// misbehave on purpose: every request is recorded (with its body), and the test decides
// what the GET stream and each POST answer.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter, once } from 'node:events';

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The parsed JSON body of a POST, or undefined. */
  readonly message: Record<string, unknown> | undefined;
}

export interface RawServer {
  /** `http://127.0.0.1:PORT/sse` */
  readonly url: URL;
  readonly requests: RawRequest[];
  /** The GET streams opened so far (most recent last). */
  readonly streams: ServerResponse[];
  /** Resolves once `count` requests of this method were recorded. */
  requestsSeen(method: string, count: number): Promise<void>;
  close(): Promise<void>;
}

export type RawHandler = (request: RawRequest, res: ServerResponse, server: RawServer) => void;

/** The session ID the default endpoint carries. */
export const SESSION_ID = 'abcdefghijklmnopqrstuvwxyz012345';

export async function startRawServer(handler: RawHandler): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const streams: ServerResponse[] = [];
  const seen = new EventEmitter();
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      let message: Record<string, unknown> | undefined;
      try {
        message = body === '' ? undefined : (JSON.parse(body) as Record<string, unknown>);
      } catch {
        message = undefined;
      }
      const request: RawRequest = { method: req.method ?? '', path: url.pathname, search: url.search, headers: req.headers, body, message };
      requests.push(request);
      if (request.method === 'GET') streams.push(res);
      handler(request, res, server);
      seen.emit('request');
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  const server: RawServer = {
    url: new URL(`http://127.0.0.1:${port}/sse`),
    requests,
    streams,
    async requestsSeen(method, count) {
      while (requests.filter((r) => r.method === method).length < count) await once(seen, 'request');
    },
    async close() {
      http.closeAllConnections();
      http.close();
      await once(http, 'close');
    },
  };
  return server;
}

/** Starts an SSE answer. */
export function openStream(res: ServerResponse, contentType = 'text/event-stream'): void {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  res.flushHeaders();
}

/** Writes one event. */
export function writeEvent(res: ServerResponse, event: string, data: string): void {
  res.write(`event: ${event}\n${data.split('\n').map((line) => `data: ${line}`).join('\n')}\n\n`);
}

/** The JSON-RPC result for a request. */
export function resultFor(message: Record<string, unknown>, result: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id: message['id'], result });
}

/** An initialize result for protocol 2024-11-05. */
export const INITIALIZE_RESULT = {
  protocolVersion: '2024-11-05',
  capabilities: {},
  serverInfo: { name: 'raw-legacy', version: '1.0.0' },
};

/**
 * A well-behaved legacy server: the GET stream names `/messages?sessionId=…`; each POST
 * gets 202, and a request is answered on the newest stream by `answer` (default: the
 * initialize result, or `{}`); `answer` returning undefined sends nothing.
 */
export function legacyHandler(
  answer: (message: Record<string, unknown>, stream: ServerResponse) => string | undefined = defaultAnswer,
): RawHandler {
  return (request, res, server) => {
    if (request.method === 'GET') {
      openStream(res);
      writeEvent(res, 'endpoint', `/messages?sessionId=${SESSION_ID}`);
      return;
    }
    res.writeHead(202).end('Accepted');
    const message = request.message;
    const stream = server.streams.at(-1);
    if (message === undefined || stream === undefined || !('id' in message) || !('method' in message)) return;
    const text = answer(message, stream);
    if (text !== undefined) writeEvent(stream, 'message', text);
  };
}

function defaultAnswer(message: Record<string, unknown>): string {
  return resultFor(message, message['method'] === 'initialize' ? INITIALIZE_RESULT : {});
}
