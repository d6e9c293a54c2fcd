// The legacy SSE transport's failure paths: a GET stream that drops with requests in
// flight, POSTs answered with an error status, 401s, messages sent before the endpoint
// arrived, deadlines, close, and what send() and the options refuse.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { RemoteError } from '../../src/errors.js';
import { openLegacySse } from '../../src/http/legacy-sse.js';
import type { CredentialSource, UpstreamConnection, UpstreamOptions } from '../../src/upstream.types.js';
import { initialize, recordHandlers, RecordingAgent, request, type Recorded, type Recorder } from './legacy-sse-recorder.js';
import { legacyHandler, openStream, resultFor, startRawServer, writeEvent, type RawHandler, type RawServer } from './legacy-sse-raw-server.js';

let server: RawServer | undefined;
let agent: RecordingAgent;
let recorder: Recorder;
let connection: UpstreamConnection | undefined;

beforeEach(() => {
  agent = new RecordingAgent();
  recorder = recordHandlers();
});

afterEach(async () => {
  await connection?.close();
  connection = undefined;
  await server?.close();
  server = undefined;
  await agent.destroy();
});

async function connect(handler: RawHandler, options: Partial<UpstreamOptions> = {}): Promise<UpstreamConnection> {
  server = await startRawServer(handler);
  connection = openLegacySse({ endpoint: { url: server.url.href }, ...options }, recorder.handlers, { dispatcher: agent, url: server.url });
  return connection;
}

const failedWith = (id: number, code: string) => (e: Recorded) => e.kind === 'requestFailed' && e.id === id && e.error.code === code;
const summary = (): string[] =>
  recorder.events.flatMap((e) =>
    e.kind === 'message' ? [] : [e.kind === 'requestFailed' ? `requestFailed ${e.id} ${e.error.code}` : e.kind === 'closed' ? `closed ${e.error?.code}` : e.kind],
  );
const posted = (): string[] => server!.requests.flatMap((r) => (r.method === 'POST' ? [String(r.message?.['method'] ?? 'response')] : []));

describe('openLegacySse', () => {
  describe('when the GET stream drops after the endpoint arrived', () => {
    it.each([
      ['ends cleanly', (stream: ServerResponse) => stream.end()],
      ['is reset', (stream: ServerResponse) => stream.socket?.destroy()],
    ])('fails each request in flight with SESSION_LOST, then reports sessionLost, when it %s', async (_name, drop) => {
      const conn = await connect(legacyHandler((message, stream) => {
        if (message['method'] === 'initialize') return resultFor(message, { protocolVersion: '2024-11-05', capabilities: {} });
        if (message['id'] === 3) drop(stream);
        return undefined;
      }));
      conn.send(initialize(1));
      await recorder.response(1);
      expect(conn.protocolVersion).toBe('2024-11-05');
      expect(conn.sessionLabel).toBe('abcd…(32 chars)');
      conn.send(request(2, 'tools/call', { name: 'slow' }));
      conn.send(request(3, 'tools/call', { name: 'drop' }));
      const lost = await recorder.waitFor((e) => e.kind === 'sessionLost', 'sessionLost');
      expect(summary()).toEqual(['requestFailed 2 SESSION_LOST', 'requestFailed 3 SESSION_LOST', 'sessionLost']);
      expect(lost.kind === 'sessionLost' && lost.error.message).not.toContain('abcdefghijklmnop');
      expect(conn.protocolVersion).toBeUndefined();
      expect(conn.sessionLabel).toBeUndefined();
    });

    it('refuses anything but initialize until a new initialize opens a new GET stream', async () => {
      const conn = await connect(legacyHandler((message, stream) => {
        if (message['method'] === 'tools/call') {
          stream.end();
          return undefined;
        }
        return resultFor(message, message['method'] === 'initialize' ? { protocolVersion: '2024-11-05' } : {});
      }));
      conn.send(initialize(1));
      await recorder.response(1);
      conn.send(request(2, 'tools/call'));
      await recorder.waitFor((e) => e.kind === 'sessionLost', 'sessionLost');
      conn.send(request(3, 'tools/list'));
      conn.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      await recorder.waitFor(failedWith(3, 'SESSION_LOST'), 'requestFailed(3)');
      await recorder.waitFor((e) => e.kind === 'warning', 'warning');
      conn.send(initialize(4));
      await recorder.response(4);
      conn.send(request(5, 'tools/list'));
      await recorder.response(5);
      expect(server!.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
      expect(posted()).toEqual(['initialize', 'tools/call', 'initialize', 'tools/list']);
    });
  });

  describe('when a POST is answered with an error status', () => {
    it('fails a request with HTTP_STATUS, warns about a notification, and keeps the session', async () => {
      const conn = await connect((req, res, srv) => {
        if (req.method === 'GET' || req.message?.['method'] === 'initialize' || req.message?.['id'] === 4) {
          legacyHandler()(req, res, srv);
          return;
        }
        res.writeHead(500).end('boom');
      });
      conn.send(initialize(1));
      await recorder.response(1);
      conn.send(request(2, 'tools/list'));
      conn.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      conn.send(JSON.stringify({ jsonrpc: '2.0', id: 'server-1', result: {} }));
      conn.send(request(4, 'tools/list'));
      await recorder.response(4);
      const failed = await recorder.waitFor(failedWith(2, 'HTTP_STATUS'), 'requestFailed(2)');
      expect(failed.kind === 'requestFailed' && failed.error.status).toBe(500);
      expect(summary()).toEqual(['requestFailed 2 HTTP_STATUS', 'warning', 'warning']);
      const warnings = recorder.events.flatMap((e) => (e.kind === 'warning' ? [e.message] : []));
      expect(warnings[0]).toMatch(/notification notifications\/initialized .*HTTP 500/);
      expect(warnings[1]).toMatch(/response .*HTTP 500/);
      expect(warnings.join()).not.toContain('sessionId');
    });
  });

  it('POSTs the messages sent before the endpoint arrived once it does, in order', async () => {
    let streamOf: ServerResponse | undefined;
    const conn = await connect((req, res, srv) => {
      if (req.method === 'GET') {
        openStream(res);
        streamOf = res;
        return;
      }
      legacyHandler()(req, res, srv);
    });
    conn.send(initialize(1));
    conn.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    conn.send(request(2, 'tools/list'));
    await server!.requestsSeen('GET', 1);
    expect(server!.requests).toHaveLength(1);
    writeEvent(streamOf!, 'endpoint', '/messages?sessionId=short');
    await recorder.response(2);
    expect(posted()).toEqual(['initialize', 'notifications/initialized', 'tools/list']);
    expect(conn.sessionLabel).toBe('…(5 chars)');
  });

  it('fails the messages sent so far with STREAM_ENDED when the stream ends before its endpoint event', async () => {
    const conn = await connect((req, res) => {
      openStream(res);
      res.end(': nothing here\n\n');
    });
    conn.send(initialize(1));
    conn.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    await recorder.waitFor(failedWith(1, 'STREAM_ENDED'), 'requestFailed(STREAM_ENDED)');
    expect(summary()).toEqual(['warning', 'requestFailed 1 STREAM_ENDED']);
  });

  it('fails the initialize with NETWORK_ERROR when no endpoint event arrives within headersTimeoutMs', async () => {
    const conn = await connect((req, res) => openStream(res), { headersTimeoutMs: 150 });
    conn.send(initialize(1));
    const failed = await recorder.waitFor(failedWith(1, 'NETWORK_ERROR'), 'requestFailed(NETWORK_ERROR)');
    expect(failed.kind === 'requestFailed' && failed.error.message).toMatch(/no endpoint event within 150 ms/);
  });

  it('fails the initialize with NETWORK_ERROR when nothing listens', async () => {
    server = await startRawServer(() => undefined);
    const url = new URL(server.url);
    await server.close();
    server = undefined;
    connection = openLegacySse({ endpoint: { url: url.href } }, recorder.handlers, { dispatcher: agent, url });
    connection.send(initialize(1));
    const failed = await recorder.waitFor(failedWith(1, 'NETWORK_ERROR'), 'requestFailed(NETWORK_ERROR)');
    expect(failed.kind === 'requestFailed' && failed.error.message).toMatch(/ECONNREFUSED/);
  });

  describe('when the upstream answers 401', () => {
    function credentials(renew: boolean): CredentialSource & { unauthorized: jest.Mock<(c: string | undefined, s: number) => Promise<boolean>> } {
      let token = 1;
      return {
        authorization: () => Promise.resolve(`Bearer t${token}`),
        unauthorized: jest.fn((_challenge: string | undefined, _status: number) => {
          token++;
          return Promise.resolve(renew);
        }),
      };
    }
    const challenge = 'Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource"';
    const rejectFirstToken = (method: string): RawHandler => (req, res, srv) => {
      if (req.method === method && req.headers.authorization === 'Bearer t1') {
        res.writeHead(401, { 'www-authenticate': challenge }).end();
        return;
      }
      legacyHandler()(req, res, srv);
    };

    it('asks for new credentials and retries the GET once', async () => {
      const creds = credentials(true);
      const conn = await connect(rejectFirstToken('GET'), { credentials: creds });
      conn.send(initialize(1));
      await recorder.response(1);
      expect(creds.unauthorized.mock.calls).toEqual([[challenge, 401]]);
      expect(server!.requests.map((r) => `${r.method} ${r.headers.authorization}`)).toEqual(['GET Bearer t1', 'GET Bearer t2', 'POST Bearer t2']);
    });

    it('asks for new credentials and retries a POST once', async () => {
      const creds = credentials(true);
      const conn = await connect(rejectFirstToken('POST'), { credentials: creds });
      conn.send(initialize(1));
      await recorder.response(1);
      expect(server!.requests.map((r) => `${r.method} ${r.headers.authorization}`)).toEqual(['GET Bearer t1', 'POST Bearer t1', 'POST Bearer t2']);
    });

    it('fails with UNAUTHORIZED when the credential source has nothing new', async () => {
      const creds = credentials(false);
      const conn = await connect((req, res) => void res.writeHead(401, { 'www-authenticate': challenge }).end(), { credentials: creds });
      conn.send(initialize(1));
      const failed = await recorder.waitFor(failedWith(1, 'UNAUTHORIZED'), 'requestFailed(UNAUTHORIZED)');
      expect(failed.kind === 'requestFailed' && failed.error.status).toBe(401);
      expect(creds.unauthorized).toHaveBeenCalledTimes(1);
      expect(server!.requests).toHaveLength(1);
    });

    it('fails with UNAUTHORIZED after one retry when the new credentials are refused too', async () => {
      const creds = credentials(true);
      const conn = await connect((req, res) => void res.writeHead(401).end(), { credentials: creds });
      conn.send(initialize(1));
      await recorder.waitFor(failedWith(1, 'UNAUTHORIZED'), 'requestFailed(UNAUTHORIZED)');
      expect(creds.unauthorized.mock.calls).toEqual([[undefined, 401]]);
      expect(server!.requests).toHaveLength(2);
    });
  });

  it('fails the requests in flight with CLOSED, reports closed(undefined) once, and ignores later sends', async () => {
    const conn = await connect(legacyHandler((message) => (message['method'] === 'initialize' ? resultFor(message, {}) : undefined)));
    conn.send(initialize(1));
    await recorder.response(1);
    conn.send(request(2, 'tools/call'));
    await server!.requestsSeen('POST', 2);
    await conn.close();
    await conn.close();
    conn.send(request(3, 'tools/list'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(summary()).toEqual(['requestFailed 2 CLOSED', 'closed undefined']);
    expect(agent.destroyed).toBe(true);
  });

  it('destroys the dispatcher it was given when a fatal error closes it', async () => {
    const conn = await connect(legacyHandler(() => 'not json'));
    conn.send(initialize(1));
    await recorder.waitFor((e) => e.kind === 'closed', 'closed');
    expect(agent.destroyed).toBe(true);
  });

  it('refuses a first message that is not initialize without dialling anything', async () => {
    const conn = await connect(legacyHandler());
    conn.send(request(1, 'tools/list'));
    let reported = false;
    void recorder.waitFor(() => true, 'anything').then(() => (reported = true));
    expect(reported).toBe(false);
    await recorder.waitFor(failedWith(1, 'SESSION_LOST'), 'requestFailed(SESSION_LOST)');
    expect(agent.origins).toEqual([]);
  });

  it('refuses to send what is not the JSON text of one object', async () => {
    const conn = await connect(legacyHandler());
    for (const text of ['[{"jsonrpc":"2.0","id":1,"method":"initialize"}]', 'not json', 'null', '42']) {
      expect(() => conn.send(text)).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }) as unknown as Error);
    }
    expect(agent.origins).toEqual([]);
  });

  it.each([
    ['a static header the transport sets', { endpoint: { url: 'http://127.0.0.1:1/sse', headers: { 'Content-Type': 'text/plain' } } }],
    ['a static header value with CR LF', { endpoint: { url: 'http://127.0.0.1:1/sse', headers: { 'X-Token': 'secret\r\nX-Injected: 1' } } }],
    ['a static header name with a space', { endpoint: { url: 'http://127.0.0.1:1/sse', headers: { 'X Token': 'secret' } } }],
    ['the same static header twice', { endpoint: { url: 'http://127.0.0.1:1/sse', headers: { 'X-Token': 'secret', 'x-token': 'secret' } } }],
    ['maxMessageBytes 0', { endpoint: { url: 'http://127.0.0.1:1/sse' }, maxMessageBytes: 0 }],
    ['a fractional headersTimeoutMs', { endpoint: { url: 'http://127.0.0.1:1/sse' }, headersTimeoutMs: 1.5 }],
  ])('throws INVALID_OPTIONS for %s', (_name, options: UpstreamOptions) => {
    const open = () => openLegacySse(options, recorder.handlers, { dispatcher: agent, url: new URL(options.endpoint.url) });
    expect(open).toThrow(RemoteError);
    expect(open).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as unknown as Error);
    expect(open).not.toThrow(/secret/);
  });
});
