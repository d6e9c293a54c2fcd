/**
 * The HTTP bridge: a host on NDJSON streams (the same host side as the stdio bridge),
 * the enforcement engine in the middle, and a remote MCP server as the upstream
 * (`openUpstream` of `@mcptrust/remote`: Streamable HTTP or the legacy HTTP+SSE
 * transport). The upstream connection moves JSON-RPC texts; every decision stays the
 * engine's, so the guarantees of the stdio proxy hold unchanged.
 */
import type { Readable, Writable } from 'node:stream';
import { openUpstream as openRemoteUpstream } from '@mcptrust/remote';
import type { RemoteError, UpstreamConnection, UpstreamHandlers, UpstreamOptions } from '@mcptrust/remote';
import { DENIAL_CODES } from './protocol.js';
import type { ProxyEngine, ProxyEngineOptions } from './engine.types.js';
import { HostSide } from './host-side.js';
import { DEFAULT_SHUTDOWN_GRACE_MS } from './stdio-bridge.js';
import { connectEngine, type EngineTransportAdapter } from './transport-adapter.js';

/** Opens the upstream connection (`openUpstream` of `@mcptrust/remote`, or a test double). */
export type OpenUpstream = (options: UpstreamOptions, handlers: UpstreamHandlers) => UpstreamConnection;

/** Options of {@link createHttpBridge}: the engine's options plus the upstream and the host's streams. */
export interface HttpBridgeOptions extends ProxyEngineOptions {
  /** The remote server and its limits (`openUpstream` options). */
  upstream: UpstreamOptions;
  /** Where host messages come from (the CLI passes `process.stdin`). */
  hostInput: Readable;
  /** Where messages for the host go (the CLI passes `process.stdout`); nothing else is written there. */
  hostOutput: Writable;
  /** Host line cap in bytes. Default 10 MiB. */
  maxLineBytes?: number;
  /** End `hostOutput` once the session is over and everything was flushed. Default true. */
  endHostOutput?: boolean;
  /**
   * After the host input ends, how long requests in flight may still be answered (as a
   * stdio server answers what it read before its stdin closed) before the session is
   * ended, in ms. Default 2000 (`DEFAULT_SHUTDOWN_GRACE_MS`).
   */
  shutdownGraceMs?: number;
  /** Called when the session cannot continue (preflight refused, the new session after a loss refused); the session ends. */
  onFatal?: (error: Error) => void;
  /** Something worth a line on stderr (an upstream request failed, a session re-established, a resumed stream); never a secret. */
  onWarning?: (message: string) => void;
  /** Opens the upstream (tests inject one). Default `openUpstream` of `@mcptrust/remote`. */
  openUpstream?: OpenUpstream;
}

/** Why an HTTP bridge ended. */
export type HttpBridgeEnd =
  /** The host closed its input. */
  | 'host-closed'
  /** The upstream connection ended on its own (with `error` when it failed). */
  | 'upstream-closed'
  /** The session could not continue (`error`: the fatal ProxyError). */
  | 'fatal'
  /** {@link HttpBridge.close} was called. */
  | 'closed';

/** How an HTTP bridge ended. */
export interface HttpBridgeExit {
  /** Why it ended. */
  reason: HttpBridgeEnd;
  /** True when it ended because of a failure: the upstream failed, or the session was refused. */
  crashed: boolean;
  /** The fatal error, or the upstream's RemoteError when it failed. */
  error?: Error;
}

/** What a running bridge tells about its upstream. */
export interface HttpBridgeUpstream {
  /** The transport in use, once known. */
  readonly transport: UpstreamConnection['transport'];
  /** The protocol version the server answered, once known. */
  readonly protocolVersion: string | undefined;
  /** The session ID shortened for logs, when there is one. */
  readonly sessionLabel: string | undefined;
}

/** A running HTTP bridge. */
export interface HttpBridge {
  /** The engine (for stats and state). */
  readonly engine: ProxyEngine;
  /** The upstream connection's state, for logs. */
  readonly upstream: HttpBridgeUpstream;
  /** Resolves once the session is over and the host output was flushed (and ended). */
  readonly closed: Promise<HttpBridgeExit>;
  /**
   * Ends the session: pending requests are answered with an error, the upstream session
   * is ended (DELETE with its session ID). The CLI calls it on SIGTERM/SIGINT/SIGHUP.
   * Resolves like `closed`.
   */
  close(): Promise<HttpBridgeExit>;
}

/**
 * The JSON-RPC error the host gets (under its own ID, through the engine) for a request
 * the upstream will not answer: the same class as a request pending when a stdio server
 * exits (`SERVER_UNAVAILABLE`), naming the upstream's failure.
 */
export function upstreamFailureResponse(id: string | number, error: Pick<RemoteError, 'code' | 'message'>): string {
  const message = `MCPTRUST_ERROR: upstream ${error.code}: ${error.message}`;
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code: DENIAL_CODES.SERVER_UNAVAILABLE, message, data: { code: 'SERVER_UNAVAILABLE', upstream: error.code } } });
}

/** The request id of an outgoing JSON-RPC text, when it is a request. */
function requestIdOf(text: string): string | number | undefined {
  try {
    const msg = JSON.parse(text) as { id?: unknown; method?: unknown };
    return typeof msg.method === 'string' && (typeof msg.id === 'string' || typeof msg.id === 'number') ? msg.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Relays a host's NDJSON stdio to a remote MCP server through the enforcement engine.
 * Nothing is dialled until the host's `initialize`. Installs no signal handlers: the
 * embedder forwards signals to {@link HttpBridge.close}.
 *
 * Mapping: engine output for the server → `connection.send`; each upstream message →
 * the engine as one server line; a request the upstream cannot answer → a
 * `SERVER_UNAVAILABLE` error response under its proxy ID, so ID translation and audit
 * treat it like any answer (a preflight list failing so refuses the session); a lost
 * session → `engine.serverSessionLost` (re-initialize and re-run preflight before
 * anything else passes); the upstream closing → every pending request answered, end.
 *
 * @throws ProxyError `INVALID_OPTIONS` / `INVALID_LOCKFILE` from the engine
 * @throws RemoteError `INSECURE_URL` / `INVALID_OPTIONS` from `openUpstream`
 */
export function createHttpBridge(options: HttpBridgeOptions): HttpBridge {
  const host = new HostSide(options);
  let engine!: ProxyEngine;
  let connection: UpstreamConnection | undefined;
  let flushScheduled = false;
  let ending: HttpBridgeEnd | undefined;
  let fatalError: Error | undefined;
  let finished = false;
  // Set once the host input ended while requests were in flight: ends the session at the latest then.
  let draining: ReturnType<typeof setTimeout> | undefined;
  let resolveClosed!: (exit: HttpBridgeExit) => void;
  const closed = new Promise<HttpBridgeExit>((r) => {
    resolveClosed = r;
  });

  const warn = (message: string): void => {
    try {
      options.onWarning?.(message);
    } catch {
      // The embedder's handler must not break the session.
    }
  };
  // Host output is collected while one upstream event is handled and written once.
  const flush = (): void => {
    flushScheduled = false;
    host.write();
  };
  const schedule = (): void => {
    if (!flushScheduled) {
      flushScheduled = true;
      queueMicrotask(flush);
    }
  };
  /** A request the upstream will not answer is answered through the engine. */
  const failRequest = (id: string | number, error: Pick<RemoteError, 'code' | 'message'>): void => {
    if (finished) return;
    engine.receiveFromServer(upstreamFailureResponse(id, error), true);
  };

  const adapter: EngineTransportAdapter = {
    toServer(json) {
      if (finished || ending !== undefined || connection === undefined) return;
      try {
        connection.send(json);
      } catch (cause) {
        // Never silent: a request the connection refused is answered like a failed one.
        const id = requestIdOf(json);
        const message = cause instanceof Error ? cause.message : String(cause);
        warn(`the upstream connection refused a message: ${message}`);
        if (id !== undefined) queueMicrotask(() => failRequest(id, { code: 'PROTOCOL_ERROR', message }));
      }
    },
    toHost(json) {
      host.output.push(json);
      schedule();
    },
    toHostBytes(parts) {
      host.output.pushBytes(parts);
      schedule();
    },
    onFatal(err) {
      // A session still starting when the host or the embedder ended it is refused by the
      // engine as it answers what waited: not a failure of the session.
      if (ending === 'host-closed' || ending === 'closed') return;
      fatalError ??= err;
      try {
        options.onFatal?.(err);
      } catch {
        // The embedder's handler must not stop the shutdown.
      }
      void shutdown('fatal');
    },
    attach(e) {
      engine = e;
    },
  };
  connectEngine(adapter, options);

  const finish = (upstreamError: RemoteError | undefined): void => {
    if (finished) return;
    const reason: HttpBridgeEnd = ending ?? 'upstream-closed';
    // Set first: the engine may report a refusal (onFatal) while it answers what is left.
    finished = true;
    ending = reason;
    if (draining !== undefined) clearTimeout(draining);
    engine.serverClosed(upstreamError === undefined ? 'the upstream connection closed' : `the upstream connection failed (${upstreamError.code})`);
    engine.close();
    flush();
    host.stop();
    const error = fatalError ?? (reason === 'upstream-closed' ? upstreamError : undefined);
    const exit: HttpBridgeExit = { reason, crashed: fatalError !== undefined || (reason === 'upstream-closed' && upstreamError !== undefined) };
    if (error !== undefined) exit.error = error;
    if (options.endHostOutput ?? true) host.end(() => resolveClosed(exit));
    else resolveClosed(exit);
  };

  /** The host input ended: once nothing is in flight any more, the session ends. */
  const drained = (): void => {
    if (draining !== undefined && engine.stats().pending === 0) void shutdown('host-closed');
  };
  const handlers: UpstreamHandlers = {
    message(text) {
      if (finished) return;
      engine.receiveFromServer(text, true);
      drained();
    },
    requestFailed(id, error) {
      if (ending === undefined) warn(`an upstream request failed: ${error.code}: ${error.message}`);
      failRequest(id, error);
      drained();
    },
    sessionLost(error) {
      if (finished) return;
      warn(`the upstream lost the session (${error.code}); starting a new one and checking it against the lockfile`);
      engine.serverSessionLost(`upstream ${error.code}: ${error.message}`);
    },
    closed(error) {
      finish(error);
    },
    warning(message) {
      warn(message);
    },
  };
  try {
    connection = (options.openUpstream ?? openRemoteUpstream)(options.upstream, handlers);
  } catch (error) {
    engine.close();
    throw error;
  }
  const conn = connection;

  function shutdown(reason: HttpBridgeEnd): Promise<HttpBridgeExit> {
    if (finished || ending !== undefined) return closed;
    ending = reason;
    if (draining !== undefined) clearTimeout(draining);
    // Out of the engine's call stack (onFatal is called from inside it).
    queueMicrotask(() => {
      // Pending requests are answered now; the connection then ends the session (DELETE).
      engine.serverClosed(reason === 'host-closed' ? 'the host closed the session' : 'the proxy is shutting down');
      flush();
      void conn.close().then(
        () => finish(undefined),
        () => finish(undefined),
      );
    });
    return closed;
  }

  host.listen(engine, () => {
    flush();
    if (finished || ending !== undefined) return;
    // What the host already sent may still be answered, within the grace.
    draining = setTimeout(() => void shutdown('host-closed'), options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
    drained();
  });

  return {
    engine,
    upstream: {
      get transport() {
        return conn.transport;
      },
      get protocolVersion() {
        return conn.protocolVersion;
      },
      get sessionLabel() {
        return conn.sessionLabel;
      },
    },
    closed,
    close: () => shutdown('closed'),
  };
}
