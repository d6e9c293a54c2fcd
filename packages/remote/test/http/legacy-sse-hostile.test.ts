// The legacy SSE transport against servers that misbehave on purpose: a cross-origin
// endpoint (nothing may be dialled there), a wrong content type, oversized and malformed
// events.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openLegacySse } from '../../src/http/legacy-sse.js';
import type { UpstreamConnection, UpstreamOptions } from '../../src/upstream.types.js';
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

const closedWith = (code: string) => (e: Recorded) => e.kind === 'closed' && e.error?.code === code;
const failedWith = (id: number, code: string) => (e: Recorded) => e.kind === 'requestFailed' && e.id === id && e.error.code === code;
const summary = (): string[] =>
  recorder.events.map((e) => (e.kind === 'requestFailed' ? `requestFailed ${e.id} ${e.error.code}` : e.kind === 'closed' ? `closed ${e.error?.code}` : e.kind));

describe('openLegacySse', () => {
  describe('when the endpoint event names another origin', () => {
    const endpoints: Array<[string, (port: number) => string]> = [
      ['another loopback address where nothing listens', () => 'http://127.0.0.2:1/x'],
      ['the same host on another port', () => 'http://127.0.0.1:1/messages'],
      ['a scheme-relative URL', () => '//127.0.0.2:1/x'],
      ['https on the same host and port', (port) => `https://127.0.0.1:${port}/messages`],
      ['the same origin with credentials in the URL', (port) => `http://user:secret@127.0.0.1:${port}/messages`],
    ];

    it.each(endpoints)('refuses %s with CROSS_ORIGIN and dials nothing there', async (_name, endpointOf) => {
      const conn = await connect((req, res, srv) => {
        if (req.method !== 'GET') return void res.writeHead(202).end();
        openStream(res);
        writeEvent(res, 'endpoint', endpointOf(Number(srv.url.port)));
      });
      conn.send(initialize(1));
      const closed = await recorder.waitFor(closedWith('CROSS_ORIGIN'), 'closed(CROSS_ORIGIN)');
      expect(summary()).toEqual(['requestFailed 1 CROSS_ORIGIN', 'closed CROSS_ORIGIN']);
      expect(closed.kind === 'closed' && closed.error?.message).not.toContain('secret');
      expect(agent.origins).toEqual([server!.url.origin]);
      expect(server!.requests.map((r) => r.method)).toEqual(['GET']);
      conn.send(initialize(2));
      await Promise.resolve();
      expect(agent.origins).toHaveLength(1);
    });
  });

  it.each([
    ['an absolute URL of the same origin', (port: number) => `http://127.0.0.1:${port}/messages?sessionId=s`],
    ['the same origin spelt in capitals, with a fragment', (port: number) => `HTTP://127.0.0.1:${port}/messages?sessionId=s#frag`],
    ['a path relative to the SSE URL', () => 'messages?sessionId=s'],
  ])('accepts %s as the endpoint', async (_name, endpointOf) => {
    const conn = await connect((req, res, srv) => {
      if (req.method === 'GET') {
        openStream(res);
        writeEvent(res, 'endpoint', endpointOf(Number(srv.url.port)));
        return;
      }
      legacyHandler()(req, res, srv);
    });
    conn.send(initialize(1));
    await recorder.response(1);
    expect(server!.requests.map((r) => `${r.method} ${r.path}${r.search}`)).toEqual(['GET /sse', 'POST /messages?sessionId=s']);
  });

  it('fails the initialize with CONTENT_TYPE when the GET does not answer text/event-stream, and stays usable', async () => {
    const conn = await connect((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    conn.send(initialize(1));
    await recorder.waitFor(failedWith(1, 'CONTENT_TYPE'), 'requestFailed(CONTENT_TYPE)');
    conn.send(initialize(2));
    await recorder.waitFor(failedWith(2, 'CONTENT_TYPE'), 'second requestFailed(CONTENT_TYPE)');
    expect(summary()).toEqual(['requestFailed 1 CONTENT_TYPE', 'requestFailed 2 CONTENT_TYPE']);
    expect(server!.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it('fails the initialize with HTTP_STATUS and the status when the GET answers 404', async () => {
    const conn = await connect((req, res) => void res.writeHead(404).end('no'));
    conn.send(initialize(1));
    const failed = await recorder.waitFor(failedWith(1, 'HTTP_STATUS'), 'requestFailed(HTTP_STATUS)');
    expect(failed.kind === 'requestFailed' && failed.error.status).toBe(404);
  });

  describe('when an event is over maxMessageBytes', () => {
    const oversized: Array<[string, (res: import('node:http').ServerResponse) => void]> = [
      ['an ASCII event', (res) => writeEvent(res, 'message', JSON.stringify({ jsonrpc: '2.0', method: 'x', params: { pad: 'a'.repeat(2000) } }))],
      ['an event under the cap in characters but over it in UTF-8 bytes', (res) => writeEvent(res, 'message', JSON.stringify({ jsonrpc: '2.0', method: 'x', params: { pad: 'é'.repeat(600) } }))],
      ['an event whose line never ends', (res) => {
        res.write('event: message\ndata: ');
        for (let i = 0; i < 10; i++) res.write('x'.repeat(1000));
      }],
      ['an event split over many data lines', (res) => writeEvent(res, 'message', Array.from({ length: 200 }, () => 'abcdefghij').join('\n'))],
    ];

    it.each(oversized)('closes with TOO_LARGE on %s and fails the request in flight', async (_name, write) => {
      const conn = await connect(legacyHandler((message, stream) => {
        write(stream);
        return undefined;
      }), { maxMessageBytes: 1024 });
      conn.send(initialize(1));
      await recorder.waitFor(closedWith('TOO_LARGE'), 'closed(TOO_LARGE)');
      expect(summary()).toEqual(['requestFailed 1 TOO_LARGE', 'closed TOO_LARGE']);
    });

    it('delivers an event of exactly maxMessageBytes bytes', async () => {
      const conn = await connect(legacyHandler((message) => {
        const base = resultFor(message, { ...{ protocolVersion: '2024-11-05', capabilities: {}, serverInfo: { name: 'n', version: '1' } }, pad: '' });
        return base.replace('"pad":""', `"pad":"${'p'.repeat(1024 - Buffer.byteLength(base))}"`);
      }), { maxMessageBytes: 1024 });
      conn.send(initialize(1));
      const response = await recorder.response(1);
      expect(Buffer.byteLength(JSON.stringify(response))).toBe(1024);
      expect(conn.protocolVersion).toBe('2024-11-05');
    });
  });

  describe('when a message event is not one JSON object', () => {
    it.each([
      ['not JSON', 'this is not json'],
      ['a JSON array (a batch)', '[{"jsonrpc":"2.0","id":1,"result":{}}]'],
      ['a JSON string', '"hello"'],
    ])('closes with PROTOCOL_ERROR on %s and fails the request in flight', async (_name, data) => {
      const conn = await connect(legacyHandler(() => data));
      conn.send(initialize(1));
      await recorder.waitFor(closedWith('PROTOCOL_ERROR'), 'closed(PROTOCOL_ERROR)');
      expect(summary()).toEqual(['requestFailed 1 PROTOCOL_ERROR', 'closed PROTOCOL_ERROR']);
    });
  });

  it('delivers events without an event field and ignores unknown event types and comments', async () => {
    const conn = await connect(legacyHandler((message, stream) => {
      stream.write(': keep-alive\n\n');
      writeEvent(stream, 'ping', 'not for the transport');
      stream.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } })}\n\n`);
      return resultFor(message, { protocolVersion: '2024-11-05', capabilities: {}, serverInfo: { name: 'n', version: '1' } });
    }));
    conn.send(initialize(1));
    await recorder.response(1);
    expect(recorder.events.map((e) => (e.kind === 'message' ? e.value['method'] ?? 'response' : e.kind))).toEqual(['notifications/message', 'response']);
  });

  it('ignores a second endpoint event with a warning and keeps POSTing to the first', async () => {
    const conn = await connect(legacyHandler((message, stream) => {
      writeEvent(stream, 'endpoint', '/elsewhere');
      return resultFor(message, {});
    }));
    conn.send(initialize(1));
    await recorder.response(1);
    conn.send(request(2, 'tools/list'));
    await recorder.response(2);
    // One more endpoint event before each answer.
    expect(recorder.events.filter((e) => e.kind === 'warning')).toHaveLength(2);
    expect(server!.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/messages', '/messages']);
  });
});
