/**
 * The adapters the fuzzers drive the engine through, each reporting every text in and
 * out to the {@link Oracle}:
 * - `direct`: `createProxyEngine` fed one line at a time (text output);
 * - `stream`: the NDJSON framing of the stdio bridge (`LineSplitter` on both sides, the
 *   same options, chunks split at arbitrary bytes, byte output), a 64 KiB line cap;
 * - `guard`: `guardTransport` around an in-memory inner `Transport`, driven as an SDK
 *   client drives it (message objects, answers delivered asynchronously).
 */
import { isUtf8 } from 'node:buffer';
import { jest } from '@jest/globals';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createMemoryAuditSink, type MemoryAuditSink } from '@mcptrust/audit';
import { createProxyEngine } from '../../src/engine.js';
import type { ProxyEngine, ProxyEngineOptions } from '../../src/engine.types.js';
import { MIN_BYTE_FORWARD_CHARS } from '../../src/engine/id-text.js';
import { ProxyError } from '../../src/errors.js';
import { guardTransport, type GuardedTransport } from '../../src/guard-transport.js';
import { LineSplitter } from '../../src/line-splitter.js';
import { testLockfile } from '../helpers/engine-harness.js';
import type { Oracle } from './oracle.js';

/** Which adapter. */
export type DriverKind = 'direct' | 'stream' | 'guard';

/** Line cap of the `stream` driver (small, so oversized lines are cheap to make). */
export const STREAM_LINE_CAP = 64 * 1024;

/** One engine behind one adapter. */
export interface Driver {
  readonly kind: DriverKind;
  readonly sink: MemoryAuditSink;
  /** The engine, for its state. */
  readonly engine: ProxyEngine;
  /** True once the adapter refuses input (the guarded transport closed). */
  closed(): boolean;
  /** One line (without LF) from the host. */
  host(line: Buffer): void;
  /** One line (without LF) from the server. */
  server(line: Buffer): void;
  /** The server side is gone. */
  serverClosed(): void;
  /** The upstream lost the session (a remote server's 404); adapters without sessions ignore it. */
  sessionLost(): void;
  /** Ends the session. */
  close(): void;
  /** Lets asynchronous deliveries (the guard's) happen. */
  flush(): Promise<void>;
}

/** Engine options of every fuzz run: short timeouts (fake timers), small caps. */
export function fuzzOptions(oracle: Oracle, extra: Partial<ProxyEngineOptions> = {}): ProxyEngineOptions {
  return {
    lockfile: testLockfile(),
    preflight: false,
    requestTimeoutMs: 1000,
    startupTimeoutMs: 500,
    maxPending: 8,
    maxServerRequests: 4,
    maxTasks: 4,
    maxLogMessageBytes: 1024,
    auditAllowed: true,
    randomId: oracle.randomId(),
    ...extra,
  };
}

/** Advances the fake clock (the engine's sweeper runs on it). */
export function tick(ms: number): void {
  jest.advanceTimersByTime(ms);
}

const decode = (b: Buffer): [string, boolean] => [b.toString('utf8'), isUtf8(b)];

/** The `direct` driver: one text per call, as an adapter without framing does. */
export function directDriver(oracle: Oracle, extra?: Partial<ProxyEngineOptions>): Driver {
  const sink = createMemoryAuditSink();
  const engine = createProxyEngine(
    { toHost: (t) => oracle.toHost(t), toServer: (t) => oracle.toServer(t), onFatal: () => undefined },
    fuzzOptions(oracle, { audit: sink, ...extra }),
  );
  const call = (where: string, f: () => void): void => {
    try {
      f();
    } catch (err) {
      oracle.escaped(where, err);
    }
  };
  return {
    kind: 'direct',
    sink,
    engine,
    closed: () => false,
    host(line) {
      const [text, valid] = decode(line);
      oracle.hostText(text, valid);
      call('receiveFromHost', () => engine.receiveFromHost(text, valid));
    },
    server(line) {
      const [text, valid] = decode(line);
      oracle.serverText(text, valid);
      call('receiveFromServer', () => engine.receiveFromServer(text, valid));
    },
    serverClosed: () => call('serverClosed', () => engine.serverClosed('the server exited')),
    sessionLost: () => call('serverSessionLost', () => engine.serverSessionLost('404')),
    close: () => call('close', () => engine.close()),
    // Preflight grades drift with a lazily loaded model: its promise settles here.
    flush: async () => {
      if (engine.state === 'preflight') for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    },
  };
}

/** The `stream` driver: bytes through the bridge's framing, cut into the given chunk sizes. */
export function streamDriver(oracle: Oracle, chunkSizes: readonly number[], extra?: Partial<ProxyEngineOptions>): Driver {
  const sink = createMemoryAuditSink();
  const bytesOut = (side: 'host' | 'server') => (parts: readonly Uint8Array[]) => {
    const b = Buffer.concat(parts);
    if (!isUtf8(b)) oracle.escaped(`the ${side} stream`, new Error('bytes written are not valid UTF-8'));
    if (side === 'host') oracle.toHost(b.toString());
    else oracle.toServer(b.toString());
  };
  const engine = createProxyEngine(
    { toHost: (t) => oracle.toHost(t), toServer: (t) => oracle.toServer(t), toHostBytes: bytesOut('host'), toServerBytes: bytesOut('server'), onFatal: () => undefined },
    fuzzOptions(oracle, { audit: sink, ...extra }),
  );
  const guarded = (where: string, f: () => void): void => {
    try {
      f();
    } catch (err) {
      oracle.escaped(where, err);
    }
  };
  const opts = { copyChunks: false, bytesFrom: MIN_BYTE_FORWARD_CHARS, maxLineBytes: STREAM_LINE_CAP };
  const hostSplitter = new LineSplitter(
    {
      onLine: (line, valid) => {
        oracle.hostText(line, valid);
        guarded('receiveFromHost', () => engine.receiveFromHost(line, valid));
      },
      onOversized: (n) => guarded('hostLineTooLong', () => engine.hostLineTooLong(n)),
    },
    opts,
  );
  const serverSplitter = new LineSplitter(
    {
      onLine: (line, valid, bytes) => {
        oracle.serverText(line, valid);
        guarded('receiveFromServer', () => engine.receiveFromServer(line, valid, bytes));
      },
      onOversized: (n) => guarded('serverLineTooLong', () => engine.serverLineTooLong(n)),
      takeBytes: (parts, n) => {
        let taken = false;
        guarded('receiveServerLineBytes', () => (taken = engine.receiveServerLineBytes(parts, n)));
        if (taken) oracle.serverText(Buffer.concat(parts).toString());
        return taken;
      },
    },
    opts,
  );
  let cut = 0;
  const push = (splitter: LineSplitter, line: Buffer): void => {
    const all = Buffer.concat([line, Buffer.from('\n')]);
    for (let at = 0; at < all.length; ) {
      const size = chunkSizes.length === 0 ? all.length : chunkSizes[cut++ % chunkSizes.length]!;
      // A fresh buffer per chunk, as a stream hands them out.
      splitter.push(Buffer.from(all.subarray(at, at + size)));
      at += size;
    }
  };
  return {
    kind: 'stream',
    sink,
    engine,
    closed: () => false,
    host: (line) => push(hostSplitter, line),
    server: (line) => push(serverSplitter, line),
    serverClosed: () => guarded('serverClosed', () => engine.serverClosed('the server exited')),
    sessionLost: () => guarded('serverSessionLost', () => engine.serverSessionLost('404')),
    close: () => guarded('close', () => engine.close()),
    flush: async () => {
      if (engine.state === 'preflight') for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    },
  };
}

/** An in-memory inner transport: what the guard sends is checked, what the test pushes is delivered. */
class FakeInner implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  constructor(private readonly oracle: Oracle) {}
  async start(): Promise<void> {}
  async send(message: JSONRPCMessage): Promise<void> {
    this.oracle.toServer(JSON.stringify(message));
  }
  async close(): Promise<void> {
    this.onclose?.();
  }
}

/** The `guard` driver: `guardTransport` around {@link FakeInner}. Call `start` first. */
export async function guardDriver(oracle: Oracle, extra?: Partial<ProxyEngineOptions>): Promise<Driver> {
  const sink = createMemoryAuditSink();
  const inner = new FakeInner(oracle);
  const outer: GuardedTransport = guardTransport(inner, fuzzOptions(oracle, { audit: sink, ...extra }));
  let closed = false;
  outer.onmessage = (m) => oracle.toHost(JSON.stringify(m));
  outer.onclose = () => (closed = true);
  outer.onerror = (err) => oracle.escaped('the guarded transport (onerror)', err);
  await outer.start();
  const parse = (line: Buffer): unknown => {
    const [text, valid] = decode(line);
    if (!valid) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return undefined; // an SDK client or inner transport never delivers a non-JSON message
    }
  };
  const asMessage = (v: unknown): v is JSONRPCMessage => typeof v === 'object' && v !== null;
  return {
    kind: 'guard',
    sink,
    engine: outer.engine,
    closed: () => closed,
    host(line) {
      const msg = parse(line);
      if (!asMessage(msg) || closed) return;
      let text: string | undefined;
      try {
        text = JSON.stringify(msg);
      } catch {
        // Too deep to serialize: the guard must refuse it with its own error.
        outer.send(msg).then(
          () => oracle.escaped('send', new Error('an unserializable message was accepted')),
          (err: unknown) => {
            if (!(err instanceof ProxyError && err.code === 'INVALID_MESSAGE')) oracle.escaped('send', err);
          },
        );
        return;
      }
      oracle.hostText(text);
      outer.send(msg).catch((err: unknown) => {
        // The guard serializes on a deeper stack than this driver: it may refuse a message
        // the driver could still serialize. Then the engine never saw it.
        if (err instanceof ProxyError && err.code === 'INVALID_MESSAGE') oracle.hostText(text!, true, -1);
        else oracle.escaped('send', err);
      });
    },
    server(line) {
      const msg = parse(line);
      if (!asMessage(msg) || closed) return;
      try {
        // What the guard will hand the engine (an unserializable message is dropped there).
        oracle.serverText(JSON.stringify(msg));
      } catch {
        /* nothing to record */
      }
      try {
        inner.onmessage?.(msg);
      } catch (err) {
        oracle.escaped('the inner onmessage', err);
      }
    },
    serverClosed() {
      try {
        inner.onclose?.();
      } catch (err) {
        oracle.escaped('the inner onclose', err);
      }
    },
    sessionLost: () => undefined,
    close() {
      outer.close().catch((err: unknown) => oracle.escaped('close', err));
    },
    async flush() {
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    },
  };
}
