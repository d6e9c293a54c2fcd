/**
 * PROTOCOL (HTTP) twins of the limit and fail-closed items, and of the server-side framing
 * items as they map onto HTTP bodies and SSE events: junk, batches and oversized messages
 * from the server, never-answered requests, bounded tables, a server gone mid-call.
 * Scripted and misbehaving servers on 127.0.0.1; raw NDJSON lines play the host.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { startMisbehavingServer } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { DENIAL_CODES } from '../../src/protocol.js';
import { misbehavingLockfile, startHttpBridge } from './helpers.js';
import { RawHost, forwarded, runCleanups, scriptedSession, watchedAuditSink, type Cleanups, type SseReply } from './protocol-helpers.js';

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

type Msg = Record<string, any>;

const echoCall = (id: string | number, text = 'x'): Msg => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text } } });

/** A bridge (no preflight) to a misbehaving server, with a raw host. */
async function misbehaving(...args: Parameters<typeof startMisbehavingServer>): Promise<{ host: RawHost; run: ReturnType<typeof startHttpBridge> }> {
  const server = await startMisbehavingServer(...args);
  cleanups.push(() => server.close());
  const run = startHttpBridge(server.url, { lockfile: misbehavingLockfile(), preflight: false, upstream: { maxMessageBytes: 64 * 1024 } });
  cleanups.push(() => run.bridge.close());
  return { host: new RawHost(run), run };
}

describe('PROTOCOL 4 (HTTP): junk from the server never ends the session', () => {
  it('answers the request whose SSE event was not JSON with an error, and relays the next one', async () => {
    const { host } = await scriptedSession(cleanups, {
      handle: (request, reply) => {
        if (request['method'] !== 'tools/call' || request['params']['arguments']['text'] !== 'junk') return false;
        reply.send('Listening on port 3000...');
        reply.result({ content: [] });
        return true;
      },
    });
    await host.initialize();
    const failed = await host.request(1, 'tools/call', { name: 'echo', arguments: { text: 'junk' } });
    expect(failed).toMatchObject({ error: { code: DENIAL_CODES.SERVER_UNAVAILABLE } });
    expect(failed['error']['message']).toContain('PROTOCOL_ERROR');
    expect(await host.request(2, 'tools/call', { name: 'echo', arguments: { text: 'fine' } })).toMatchObject({ result: { content: [{ text: 'called echo' }] } });
  });
});

describe('PROTOCOL 5 (HTTP): batches from the server', () => {
  it('refuses a batch outside 2025-03-26 (the request gets an error, nothing of the array reaches the host)', async () => {
    const { host } = await misbehaving('batch');
    await host.initialize('2025-06-18');
    const answer = await host.request(1, 'tools/call', { name: 'echo', arguments: { text: 'x' } });
    expect(answer).toMatchObject({ error: { code: DENIAL_CODES.SERVER_UNAVAILABLE } });
    expect(host.lines.filter((l) => l['result'] !== undefined && l['id'] === 1)).toEqual([]);
  });

  it('splits a batch under 2025-03-26 and checks each element (a progress token it never issued is dropped)', async () => {
    const { host } = await scriptedSession(cleanups, {
      handle: (request, reply) => {
        if (request['method'] !== 'tools/call') return false;
        reply.send(
          JSON.stringify([
            { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'forged', progress: 1 } },
            { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
            { jsonrpc: '2.0', id: request['id'], result: { content: [{ type: 'text', text: 'batched' }] } },
          ]),
        );
        reply.end();
        return true;
      },
    });
    await host.initialize('2025-03-26');
    expect(await host.request(1, 'tools/call', { name: 'echo', arguments: { text: 'x' } })).toMatchObject({ result: { content: [{ text: 'batched' }] } });
    expect(host.lines.filter((l) => l['method'] !== undefined).map((l) => l['method'])).toEqual(['notifications/tools/list_changed']);
  });
});

describe('PROTOCOL 12 (HTTP): every pending entry has a timeout', () => {
  it('answers 1024 never-answered requests after the timeout, cancels each upstream, drops a late answer and accepts request 1025', async () => {
    const held: Array<{ request: Msg; reply: SseReply }> = [];
    const sink = watchedAuditSink();
    const { server, run, host } = await scriptedSession(
      cleanups,
      {
        handle: (request, reply) => {
          if (request['method'] !== 'tools/call' || request['params']['arguments']['text'] !== 'hold') return false;
          held.push({ request, reply });
          return true;
        },
      },
      { requestTimeoutMs: 1500, audit: sink },
    );
    await host.initialize();
    const timeouts = Array.from({ length: 1024 }, (_, i) => {
      host.send(echoCall(i, 'hold'));
      return host.next((m) => m['id'] === i);
    });
    host.send(echoCall(5000));
    expect(await host.next((m) => m['id'] === 5000)).toMatchObject({ error: { code: DENIAL_CODES.LIMIT_EXCEEDED } });
    const answers = await Promise.all(timeouts);
    expect(answers.every((a) => a['error']?.['code'] === DENIAL_CODES.REQUEST_TIMEOUT)).toBe(true);
    expect(run.bridge.engine.stats().pending).toBe(0);
    const cancels = (): Msg[] => server.received.filter((m) => m['method'] === 'notifications/cancelled');
    await server.waitFor(() => cancels().length === 1024);
    expect(new Set(cancels().map((c) => c['params']['requestId']))).toEqual(new Set(held.map((h) => h.request['id'])));
    held[0]!.reply.result({ content: [{ type: 'text', text: 'late' }] });
    await sink.waitFor((e) => e['action'] === 'dropped' && String(e['reason']).includes('late'));
    expect(await host.request(1025, 'tools/call', { name: 'echo', arguments: { text: 'x' } })).toMatchObject({ result: { content: [{ text: 'called echo' }] } });
    expect(host.lines.filter((l) => l['id'] === 0)).toHaveLength(1);
    expect(forwarded(server, 'tools/call')).toHaveLength(1025);
  }, 60_000);
});

describe('PROTOCOL 40 (HTTP): size caps in both directions', () => {
  it('answers a 10 MiB + 1 host line with -32700 and goes on with the next one', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize();
    const line = '{"jsonrpc":"2.0","id":401,"method":"ping","params":{"pad":"' + 'x'.repeat(10 * 1024 * 1024) + '"}}';
    host.send(line);
    expect(await host.next()).toMatchObject({ error: { code: -32700 } });
    expect(await host.request(402, 'ping')).toMatchObject({ result: {} });
    expect(forwarded(server, 'ping')).toHaveLength(1);
  });

  it.each([
    ['an SSE event', false],
    ['a JSON body', true],
  ])('answers a request whose answer is %s over the message cap with an error naming TOO_LARGE', async (_kind, asJson) => {
    const { host } = await misbehaving('oversized-event', { bytes: 128 * 1024, asJson });
    await host.initialize();
    const answer = await host.request(1, 'tools/call', { name: 'echo', arguments: { text: 'x' } });
    expect(answer).toMatchObject({ error: { code: DENIAL_CODES.SERVER_UNAVAILABLE } });
    expect(answer['error']['message']).toContain('TOO_LARGE');
    expect(JSON.stringify(answer).length).toBeLessThan(2048);
  });
});

describe('PROTOCOL 41 (HTTP): bounded tables', () => {
  it('refuses overflow of the pending table without POSTing it, and frees the slot on the answer', async () => {
    const held: SseReply[] = [];
    const { server, host } = await scriptedSession(
      cleanups,
      {
        handle: (request, reply) => {
          if (request['method'] !== 'tools/call') return false;
          held.push(reply);
          return true;
        },
      },
      { maxPending: 2 },
    );
    await host.initialize();
    host.send(echoCall(1));
    host.send(echoCall(2));
    expect(await host.request(3, 'tools/call', { name: 'echo', arguments: { text: 'x' } })).toMatchObject({ error: { code: DENIAL_CODES.LIMIT_EXCEEDED } });
    await server.waitFor((m) => m['method'] === 'tools/call' && forwarded(server, 'tools/call').length === 2);
    held[0]!.result({ content: [] });
    await host.next((m) => m['id'] === 1);
    host.send(echoCall(4));
    await server.waitFor((m) => m['method'] === 'tools/call' && forwarded(server, 'tools/call').length === 3);
    expect(forwarded(server, 'tools/call')).toHaveLength(3);
  });

  it('caps server→client requests: the one over the cap is answered LIMIT_EXCEEDED upstream', async () => {
    const { server, host } = await scriptedSession(
      cleanups,
      {
        handle: (request, reply) => {
          if (request['method'] !== 'tools/call') return false;
          reply.send({ jsonrpc: '2.0', id: 'srv-1', method: 'roots/list' });
          reply.send({ jsonrpc: '2.0', id: 'srv-2', method: 'roots/list' });
          return true;
        },
      },
      { maxServerRequests: 1 },
    );
    await host.initialize('2025-06-18', { roots: {} });
    host.send(echoCall(1));
    expect(await server.waitFor((m) => m['id'] === 'srv-2' && m['method'] === undefined)).toMatchObject({ error: { code: DENIAL_CODES.LIMIT_EXCEEDED } });
    expect(host.lines.filter((l) => l['method'] === 'roots/list')).toHaveLength(1);
  });
});

describe('PROTOCOL 43 (HTTP): the server gone mid-call', () => {
  it('answers the call in flight with an error when the server goes away, and answers later requests too (never silence)', async () => {
    const { server, run, host } = await scriptedSession(cleanups, {
      handle: (request) => request['method'] === 'tools/call',
    });
    await host.initialize();
    host.send(echoCall(1));
    await server.waitFor((m) => m['method'] === 'tools/call');
    await server.close();
    expect(await host.next((m) => m['id'] === 1)).toMatchObject({ error: { code: DENIAL_CODES.SERVER_UNAVAILABLE } });
    expect(await host.request(2, 'ping')).toMatchObject({ error: { code: DENIAL_CODES.SERVER_UNAVAILABLE } });
    expect(run.bridge.engine.stats().pending).toBe(0);
  });
});

describe('PROTOCOL 45 (HTTP): close() runs the shutdown sequence (what the embedder calls on SIGTERM/SIGINT/SIGHUP)', () => {
  it('answers the call in flight, ends the upstream session with DELETE and resolves closed', async () => {
    const { server, run, host } = await scriptedSession(cleanups, {
      handle: (request) => request['method'] === 'tools/call',
    });
    await host.initialize();
    host.send(echoCall(1));
    await server.waitFor((m) => m['method'] === 'tools/call');
    const ended = new Promise<void>((resolve) => run.hostOut.on('end', () => resolve()));
    expect(await run.bridge.close()).toEqual({ reason: 'closed', crashed: false });
    await ended;
    expect(host.lines.find((l) => l['id'] === 1)).toMatchObject({ error: { code: DENIAL_CODES.SERVER_UNAVAILABLE } });
    expect(server.deletes).toBe(1);
    expect(run.bridge.engine.state).toBe('closed');
  });
});
