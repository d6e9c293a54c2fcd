/**
 * The HTTP bridge's mapping of upstream events onto the engine, with a scripted
 * in-test `UpstreamConnection` (the real transport is exercised in the other HTTP
 * tests): an upstream that ends, a connection that refuses a message, an upstream that
 * cannot be opened.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { RemoteError } from '@mcptrust/remote';
import type { UpstreamConnection, UpstreamHandlers } from '@mcptrust/remote';
import { createHttpBridge, upstreamFailureResponse, type HttpBridge } from '../../src/http-bridge.js';
import { DENIAL_CODES } from '../../src/protocol.js';
import { testLockfile } from '../helpers/engine-harness.js';

/** A scripted upstream: records what is sent, lets the test play the server. */
class FakeUpstream implements UpstreamConnection {
  readonly sent: Array<Record<string, any>> = [];
  handlers!: UpstreamHandlers;
  closeCalls = 0;
  refuse = false;
  protocolVersion: string | undefined;
  transport = 'streamable-http' as const;
  sessionLabel = 'abcd…(36)';
  send(text: string): void {
    if (this.refuse) throw new RemoteError('INVALID_OPTIONS', 'send() was given a request whose id is already in flight');
    this.sent.push(JSON.parse(text) as Record<string, any>);
  }
  async close(): Promise<void> {
    this.closeCalls++;
    queueMicrotask(() => this.handlers.closed(undefined));
  }
  last(): Record<string, any> {
    return this.sent[this.sent.length - 1]!;
  }
}

interface Run {
  bridge: HttpBridge;
  upstream: FakeUpstream;
  hostIn: PassThrough;
  lines: Array<Record<string, any>>;
  next(): Promise<Record<string, any>>;
}

function start(preflight = false, shutdownGraceMs = 2000): Run {
  const upstream = new FakeUpstream();
  const hostIn = new PassThrough();
  const hostOut = new PassThrough();
  const lines: Array<Record<string, any>> = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  hostOut.on('data', (c: Buffer) => {
    buf += c.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, any>);
      buf = buf.slice(nl + 1);
      waiters.shift()?.();
    }
  });
  let read = 0;
  const bridge = createHttpBridge({
    lockfile: testLockfile(),
    preflight,
    shutdownGraceMs,
    upstream: { endpoint: { url: 'http://127.0.0.1:1/mcp' } },
    hostInput: hostIn,
    hostOutput: hostOut,
    openUpstream: (_options, handlers) => {
      upstream.handlers = handlers;
      return upstream;
    },
  });
  return {
    bridge,
    upstream,
    hostIn,
    lines,
    next: () =>
      new Promise((resolve) => {
        const take = (): void => resolve(lines[read++]!);
        if (lines.length > read) take();
        else waiters.push(take);
      }),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function ready(run: Run): Promise<void> {
  run.hostIn.write(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }) + '\n');
  await tick();
  const init = run.upstream.last();
  run.upstream.handlers.message(JSON.stringify({ jsonrpc: '2.0', id: init['id'], result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' } } }));
  expect((await run.next())['id']).toBe(0);
}

describe('HTTP bridge mapping', () => {
  it('answers a request the upstream failed under the host id, with SERVER_UNAVAILABLE naming the failure', async () => {
    const run = start();
    await ready(run);
    run.hostIn.write('{"jsonrpc":"2.0","id":"h1","method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}\n');
    await tick();
    const call = run.upstream.last();
    expect(call['id']).not.toBe('h1');
    run.upstream.handlers.requestFailed(call['id'], new RemoteError('CONTENT_TYPE', 'the upstream answered text/html'));
    expect(await run.next()).toEqual(JSON.parse(upstreamFailureResponse('h1', { code: 'CONTENT_TYPE', message: 'the upstream answered text/html' })));
    expect(run.lines[1]!['error']).toMatchObject({ code: DENIAL_CODES.SERVER_UNAVAILABLE, data: { code: 'SERVER_UNAVAILABLE', upstream: 'CONTENT_TYPE' } });
    await run.bridge.close();
  });

  it('answers what is pending and ends when the upstream fails, reporting it as a crash', async () => {
    const run = start();
    await ready(run);
    run.hostIn.write('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}\n');
    await tick();
    const failure = new RemoteError('NETWORK_ERROR', 'connection refused');
    run.upstream.handlers.closed(failure);
    expect(await run.next()).toMatchObject({ id: 7, error: { code: DENIAL_CODES.SERVER_UNAVAILABLE } });
    expect(await run.bridge.closed).toEqual({ reason: 'upstream-closed', crashed: true, error: failure });
    expect(run.bridge.engine.state).toBe('closed');
  });

  it('answers a request the connection refused to send, never leaving it pending', async () => {
    const run = start();
    await ready(run);
    run.upstream.refuse = true;
    run.hostIn.write('{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}\n');
    expect(await run.next()).toMatchObject({ id: 8, error: { code: DENIAL_CODES.SERVER_UNAVAILABLE } });
    expect(run.bridge.engine.stats().pending).toBe(0);
    run.upstream.refuse = false;
    await run.bridge.close();
    expect(run.upstream.closeCalls).toBe(1);
  });

  it('close() answers pending requests, closes the connection once and resolves', async () => {
    const run = start();
    await ready(run);
    run.hostIn.write('{"jsonrpc":"2.0","id":9,"method":"ping"}\n');
    await tick();
    const exit = run.bridge.close();
    expect(run.bridge.close()).toBe(exit);
    expect(await exit).toEqual({ reason: 'closed', crashed: false });
    expect(run.lines.find((l) => l['id'] === 9)).toMatchObject({ error: { code: DENIAL_CODES.SERVER_UNAVAILABLE } });
    expect(run.upstream.closeCalls).toBe(1);
  });

  it('answers the host initialize when the host ends during preflight, without reporting a failure', async () => {
    const run = start(true, 20);
    run.hostIn.write(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }) + '\n');
    await tick();
    run.upstream.handlers.message(JSON.stringify({ jsonrpc: '2.0', id: run.upstream.last()['id'], result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' } } }));
    expect(run.upstream.last()).toMatchObject({ method: 'tools/list' });
    run.hostIn.end();
    expect(await run.bridge.closed).toEqual({ reason: 'host-closed', crashed: false });
    expect(run.lines).toEqual([expect.objectContaining({ id: 0, error: expect.objectContaining({ code: DENIAL_CODES.SESSION_REFUSED }) })]);
    expect(run.upstream.closeCalls).toBe(1);
  });

  it('throws what openUpstream throws (an insecure URL) and starts nothing', () => {
    expect(() =>
      createHttpBridge({
        lockfile: testLockfile(),
        upstream: { endpoint: { url: 'http://example.com/mcp' } },
        hostInput: new PassThrough(),
        hostOutput: new PassThrough(),
      }),
    ).toThrow(expect.objectContaining({ code: 'INSECURE_URL' }) as unknown as Error);
  });
});
