// The Streamable HTTP client against servers that break the transport on purpose (the
// shared misbehaving fixture, loopback only): every request still settles exactly once,
// with the code that says why.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  startLegacySseServer,
  startMcpHttpServer,
  startMisbehavingServer,
  type Misbehaviour,
  type MisbehavingServerOptions,
} from '@mcptrust/tooling/test-support/http-servers.mjs';
import { RemoteError } from '../../src/errors.js';
import { openUpstream } from '../../src/open-upstream.js';
import type { UpstreamConnection, UpstreamOptions } from '../../src/upstream.types.js';
import { initialize, notification, record, request, type Recorder } from './streamable-recorder.js';

let closeServer: (() => Promise<void>) | undefined;
let connection: UpstreamConnection | undefined;
let recorder: Recorder;

beforeEach(() => {
  recorder = record();
});

afterEach(async () => {
  await connection?.close();
  connection = undefined;
  await closeServer?.();
  closeServer = undefined;
});

async function misbehaving(
  behaviour: Misbehaviour,
  serverOptions: MisbehavingServerOptions = {},
  options: Partial<UpstreamOptions> = {},
): Promise<{ conn: UpstreamConnection; url: string }> {
  const server = await startMisbehavingServer(behaviour, serverOptions);
  closeServer = () => server.close();
  connection = openUpstream(
    { reconnectDelayMs: 10, ...options, endpoint: { transport: 'streamable-http', ...options.endpoint, url: server.url } },
    recorder.handlers,
  );
  return { conn: connection, url: server.url };
}

async function handshake(conn: UpstreamConnection, version = '2025-11-25'): Promise<void> {
  conn.send(initialize(0, version));
  await recorder.response(0);
  conn.send(notification('notifications/initialized'));
}

describe('Streamable HTTP against a misbehaving server', () => {
  it('fails a request answered with another content type with CONTENT_TYPE', async () => {
    const { conn } = await misbehaving('wrong-content-type');
    await handshake(conn);
    conn.send(request(1, 'tools/list'));
    const error = await recorder.failure(1);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.code).toBe('CONTENT_TYPE');
    expect(error.message).toContain('text/html');
  });

  it.each([
    ['an SSE event', {}],
    ['a JSON body', { asJson: true }],
  ])('fails a request whose answer is over maxMessageBytes (%s) with TOO_LARGE', async (_what, extra) => {
    const { conn } = await misbehaving('oversized-event', { bytes: 200_000, ...extra }, { maxMessageBytes: 65_536 });
    await handshake(conn);
    conn.send(request(1, 'tools/list'));
    expect((await recorder.failure(1)).code).toBe('TOO_LARGE');
  });

  it('fails a request answered 500 with HTTP_STATUS, the status and the JSON-RPC error message', async () => {
    const { conn } = await misbehaving('status-500');
    await handshake(conn);
    conn.send(request(1, 'tools/list'));
    const error = await recorder.failure(1);
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.status).toBe(500);
    expect(error.message).toBe('the upstream answered HTTP 500: Internal error');
  });

  it('does not follow a redirect (HTTP_STATUS 307)', async () => {
    const { conn } = await misbehaving('redirect-private', { fromStart: true });
    conn.send(initialize(0));
    const error = await recorder.failure(0);
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.status).toBe(307);
  });

  it('refuses a session id with bytes outside 0x21–0x7E: the session fails with PROTOCOL_ERROR, the id is never shown', async () => {
    const { conn } = await misbehaving('invalid-session-id', { sessionId: 'bad session-id' });
    conn.send(initialize(0));
    const error = await recorder.failure(0);
    expect(error.code).toBe('PROTOCOL_ERROR');
    expect(error.message).not.toContain('bad session');
    const closed = await recorder.waitFor((e) => e.kind === 'closed', 'closed');
    expect(closed.kind === 'closed' && closed.error?.code).toBe('PROTOCOL_ERROR');
    expect(conn.sessionLabel).toBeUndefined();
  });

  it.each([
    ['JSON', {}],
    ['SSE', { sse: true }],
  ])('refuses a batch (%s) under 2025-06-18 with PROTOCOL_ERROR', async (_what, extra) => {
    const { conn } = await misbehaving('batch', extra);
    await handshake(conn, '2025-06-18');
    conn.send(request(1, 'tools/list'));
    expect((await recorder.failure(1)).code).toBe('PROTOCOL_ERROR');
  });

  it.each([
    ['JSON', {}],
    ['SSE', { sse: true }],
  ])('splits a batch (%s) under 2025-03-26 into its messages', async (_what, extra) => {
    const { conn } = await misbehaving('batch', extra);
    await handshake(conn, '2025-03-26');
    conn.send(request(1, 'tools/list'));
    const response = await recorder.response(1);
    expect(response['result']).toBeDefined();
  });

  it('delivers what came before and fails with STREAM_ENDED when a stream with no event id ends before the response', async () => {
    const { conn } = await misbehaving('stream-ends-early');
    await handshake(conn);
    conn.send(request(1, 'tools/list'));
    expect((await recorder.failure(1)).code).toBe('STREAM_ENDED');
    const note = recorder.events.findIndex((e) => e.kind === 'message' && e.value['method'] === 'notifications/message');
    expect(note).toBeGreaterThanOrEqual(0);
    expect(note).toBeLessThan(recorder.events.findIndex((e) => e.kind === 'requestFailed'));
  });

  it('fails every request in flight, then reports sessionLost on a 404 to the session; re-initialize gets a new session', async () => {
    const { conn } = await misbehaving('session-404');
    conn.send(initialize(0));
    await recorder.response(0);
    conn.send(request(1, 'tools/list'));
    conn.send(request(2, 'ping'));
    expect((await recorder.failure(1)).code).toBe('SESSION_LOST');
    expect((await recorder.failure(2)).code).toBe('SESSION_LOST');
    await recorder.waitFor((e) => e.kind === 'sessionLost', 'sessionLost');
    expect(recorder.events.filter((e) => e.kind === 'sessionLost')).toHaveLength(1);
    const lostAt = recorder.events.findIndex((e) => e.kind === 'sessionLost');
    expect(recorder.events.findIndex((e) => e.kind === 'requestFailed')).toBeLessThan(lostAt);
    conn.send(initialize(3));
    await recorder.response(3);
    expect(conn.sessionLabel).toMatch(/^misb…\(\d+ chars\)$/);
  });

  it('fails a request whose headers do not come within headersTimeoutMs with NETWORK_ERROR', async () => {
    const { conn } = await misbehaving('hang', {}, { headersTimeoutMs: 200 });
    await handshake(conn);
    conn.send(request(1, 'tools/list'));
    const error = await recorder.failure(1);
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.message).toContain('200 ms');
  });

  it('keeps an SSE answer open without a body timeout, and fails it with CLOSED on close', async () => {
    const { conn } = await misbehaving('hang', { afterHeaders: true }, { headersTimeoutMs: 200 });
    await handshake(conn);
    conn.send(request(1, 'tools/list'));
    await new Promise((resolve) => setTimeout(resolve, 400)); // longer than the headers deadline: must not fail
    expect(recorder.settlements(1)).toEqual([]);
    await conn.close();
    expect((await recorder.failure(1)).code).toBe('CLOSED');
  });

  it('fails initialize with UNAUTHORIZED on a 401 without credentials, and never falls back', async () => {
    const { conn } = await misbehaving('hostile-resource-metadata', {}, { endpoint: { url: '', transport: 'auto' } });
    conn.send(initialize(0));
    const error = await recorder.failure(0);
    expect(error.code).toBe('UNAUTHORIZED');
    expect(conn.transport).toBe('streamable-http');
  });
});

describe('openUpstream', () => {
  it('refuses a batch given to send with INVALID_OPTIONS, and text that is not JSON', async () => {
    const { conn } = await misbehaving('status-500');
    expect(() => conn.send('[]')).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as unknown as Error);
    expect(() => conn.send('nope')).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as unknown as Error);
  });

  it('refuses a static header the transport controls', () => {
    expect(() =>
      openUpstream({ endpoint: { url: 'http://127.0.0.1:9/mcp', headers: { 'Mcp-Session-Id': 'x' } } }, recorder.handlers),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as unknown as Error);
  });

  it('closes with BLOCKED_ADDRESS when the configured host resolves to a link-local address (nothing dialled)', async () => {
    connection = openUpstream(
      { endpoint: { url: 'https://metadata.test/mcp' }, resolve: async () => [{ address: '169.254.169.254', family: 4 }] },
      recorder.handlers,
    );
    connection.send(initialize(0));
    expect((await recorder.failure(0)).code).toBe('BLOCKED_ADDRESS');
    const closed = await recorder.waitFor((e) => e.kind === 'closed', 'closed');
    expect(closed.kind === 'closed' && closed.error?.code).toBe('BLOCKED_ADDRESS');
  });

  it('auto: falls back to the legacy transport when initialize is refused with a 4xx, and works there', async () => {
    const server = await startLegacySseServer();
    closeServer = () => server.close();
    connection = openUpstream({ endpoint: { url: server.url } }, recorder.handlers);
    connection.send(initialize(0, '2025-03-26'));
    await recorder.response(0);
    expect(connection.transport).toBe('sse');
    connection.send(notification('notifications/initialized'));
    connection.send(request(1, 'tools/list'));
    await recorder.response(1);
    await recorder.waitFor((e) => e.kind === 'warning' && e.message.includes('legacy'), 'fallback warning');
  });

  it('sse: uses the legacy transport directly', async () => {
    const server = await startLegacySseServer();
    closeServer = () => server.close();
    connection = openUpstream({ endpoint: { url: server.url, transport: 'sse' } }, recorder.handlers);
    connection.send(initialize(0, '2024-11-05'));
    await recorder.response(0);
    expect(connection.transport).toBe('sse');
  });

  it('auto: stays on Streamable HTTP when the server speaks it', async () => {
    const server = await startMcpHttpServer();
    closeServer = () => server.close();
    connection = openUpstream({ endpoint: { url: server.url } }, recorder.handlers);
    connection.send(initialize(0));
    await recorder.response(0);
    expect(connection.transport).toBe('streamable-http');
  });
});
