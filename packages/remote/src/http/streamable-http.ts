/**
 * The Streamable HTTP upstream connection (protocol versions 2025-03-26, 2025-06-18,
 * 2025-11-25): the table of requests in flight, the session, the session epochs, close.
 */
import type { Dispatcher } from 'undici';
import { RemoteError } from '../errors.js';
import type { RemoteTransport, UpstreamConnection, UpstreamHandlers, UpstreamOptions } from '../upstream.types.js';
import type { ConnectionContext } from './context.js';
import { superviseGetStream } from './get-stream.js';
import { BATCH_VERSION, isValidSessionId, normalizeStaticHeaders, sessionLabelOf } from './headers.js';
import type { IncomingMessage, JsonRpcId, OutgoingMessage } from './messages.js';
import { classifyOutgoing, idKey, responseIdOf } from './messages.js';
import { postMessage } from './post.js';
import type { RequestSettings } from './request.js';
import { sendUpstream } from './request.js';
import { drain } from './body.js';

/** The shape of an MCP protocol version. */
const PROTOCOL_VERSION = /^\d{4}-\d{2}-\d{2}$/;

/** Default cap of one body or event: 4 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Default headers deadline, in ms. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
/** Default resumption attempts. */
export const DEFAULT_MAX_RECONNECTS = 5;
/** Default wait before a resumption, in ms. */
export const DEFAULT_RECONNECT_DELAY_MS = 1000;
/** Deadline of the DELETE sent on close, in ms. */
export const CLOSE_TIMEOUT_MS = 5000;

/** What `openUpstream` gives the Streamable HTTP connection. */
export interface StreamableHttpInternals {
  /** The parsed, checked endpoint. */
  readonly url: URL;
  /** The guarded dispatcher (the connection closes it on close, not on fallback). */
  readonly dispatcher: Dispatcher;
  /**
   * Called instead of failing the first `initialize` when it was answered with a status
   * that allows the legacy transport (`auto` only). Receives the initialize message and
   * every message queued behind it; the connection is then inert.
   */
  readonly fallback?: (initialize: OutgoingMessage, queued: OutgoingMessage[]) => void;
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RemoteError('INVALID_OPTIONS', `${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return value;
}

/** The Streamable HTTP connection. */
class StreamableHttpConnection implements UpstreamConnection, ConnectionContext {
  readonly settings: RequestSettings;
  readonly maxMessageBytes: number;
  readonly maxReconnects: number;
  readonly reconnectDelayMs: number;
  readonly mode: RemoteTransport;
  epoch = 0;
  sessionId: string | undefined;
  protocolVersion: string | undefined;
  closed = false;
  readonly transport = 'streamable-http' as const;

  private readonly handlers: UpstreamHandlers;
  private readonly internals: StreamableHttpInternals;
  private readonly pending = new Map<string, JsonRpcId>();
  private readonly active = new Set<AbortController>();
  private epochController = new AbortController();
  private initializeKey: string | undefined;
  private queue: OutgoingMessage[] | undefined;
  private everInitialized = false;
  private getStreamEpoch = -1;
  private finished = false;
  private inert = false;
  private closing: Promise<void> | undefined;

  constructor(options: UpstreamOptions, handlers: UpstreamHandlers, internals: StreamableHttpInternals) {
    this.handlers = handlers;
    this.internals = internals;
    this.mode = options.endpoint.transport ?? 'auto';
    this.maxMessageBytes = positive('maxMessageBytes', options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES);
    this.maxReconnects = Math.floor(positive('maxReconnects', options.maxReconnects, DEFAULT_MAX_RECONNECTS, true));
    this.reconnectDelayMs = positive('reconnectDelayMs', options.reconnectDelayMs, DEFAULT_RECONNECT_DELAY_MS, true);
    this.settings = {
      url: internals.url,
      dispatcher: internals.dispatcher,
      staticHeaders: normalizeStaticHeaders(options.endpoint.headers),
      credentials: options.credentials,
      userAgent: options.userAgent ?? 'mcptrust',
      headersTimeoutMs: positive('headersTimeoutMs', options.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS),
    };
  }

  get sessionLabel(): string | undefined {
    return sessionLabelOf(this.sessionId);
  }

  send(text: string): void {
    const message = classifyOutgoing(text);
    if (this.closed || this.inert) return;
    if (message.kind === 'request') {
      const key = idKey(message.id as JsonRpcId);
      if (this.pending.has(key)) throw new RemoteError('INVALID_OPTIONS', 'send() was given a request whose id is already in flight');
      if (message.method === 'initialize') {
        this.startSession(message);
        return;
      }
      this.pending.set(key, message.id as JsonRpcId);
    }
    if (this.queue !== undefined) {
      this.queue.push(message);
      return;
    }
    void postMessage(this, message, this.epoch);
  }

  private startSession(message: OutgoingMessage): void {
    // A new initialize starts a new session: whatever the old one still owed is failed.
    const replaced = new RemoteError('SESSION_LOST', 'a new session was started');
    this.failAll(replaced);
    this.endEpoch(replaced);
    this.initializeKey = idKey(message.id as JsonRpcId);
    this.pending.set(this.initializeKey, message.id as JsonRpcId);
    this.queue = [];
    void postMessage(this, message, this.epoch);
  }

  private flushQueue(): void {
    const queued = this.queue;
    this.queue = undefined;
    for (const message of queued ?? []) void postMessage(this, message, this.epoch);
  }

  allowsBatch(): boolean {
    return this.protocolVersion === BATCH_VERSION;
  }

  track(): AbortController {
    const controller = new AbortController();
    if (this.closed) controller.abort(new RemoteError('CLOSED', 'the connection is closed'));
    else this.active.add(controller);
    return controller;
  }

  release(controller: AbortController): void {
    this.active.delete(controller);
  }

  sleep(ms: number, epoch: number): Promise<boolean> {
    const signal = this.epochController.signal;
    if (epoch !== this.epoch || this.closed || signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(epoch === this.epoch && !this.closed);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  isPending(id: JsonRpcId): boolean {
    return this.pending.has(idKey(id));
  }

  deliver(message: IncomingMessage, epoch: number): void {
    if (this.closed || this.inert || epoch !== this.epoch) return;
    const responseId = responseIdOf(message.value);
    if (responseId !== undefined) {
      const key = idKey(responseId);
      if (!this.pending.has(key)) return; // a duplicate after a resumption, or no request of ours
      if (key === this.initializeKey && !this.initializeAnswered(responseId, message.value)) return;
      this.pending.delete(key);
    }
    this.emit(() => this.handlers.message(message.text));
  }

  /** Reads the negotiated version; false when the result is unusable (the request failed). */
  private initializeAnswered(id: JsonRpcId, value: Record<string, unknown>): boolean {
    const result = value.result;
    if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
      const version = (result as { protocolVersion?: unknown }).protocolVersion;
      // Echoed in a header on every later request: only a date-shaped version is taken.
      if (typeof version !== 'string' || !PROTOCOL_VERSION.test(version)) {
        this.fail(id, new RemoteError('PROTOCOL_ERROR', 'the upstream answered initialize without a valid protocolVersion'));
        return false;
      }
      this.protocolVersion = version;
      this.everInitialized = true;
    }
    this.initializeKey = undefined;
    this.flushQueue();
    return true;
  }

  fail(id: JsonRpcId, error: RemoteError): void {
    const key = idKey(id);
    if (!this.pending.delete(key)) return;
    this.emit(() => this.handlers.requestFailed(id, error));
    if (key === this.initializeKey) {
      this.initializeKey = undefined;
      this.flushQueue();
    }
  }

  warn(message: string): void {
    if (this.closed || this.inert) return;
    this.emit(() => this.handlers.warning?.(message));
  }

  adoptSession(value: string | undefined, epoch: number): boolean {
    if (epoch !== this.epoch || value === undefined) return true;
    if (!isValidSessionId(value)) {
      this.fatal(new RemoteError('PROTOCOL_ERROR', 'the upstream sent an Mcp-Session-Id with characters outside visible ASCII'));
      return false;
    }
    this.sessionId = value;
    return true;
  }

  sessionGone(epoch: number): void {
    if (this.closed || this.inert || epoch !== this.epoch) return;
    const error = new RemoteError('SESSION_LOST', `the upstream session ${this.sessionLabel ?? ''} is gone (HTTP 404)`.replace('  ', ' '), { status: 404 });
    this.failAll(error);
    this.endEpoch(error);
    this.emit(() => this.handlers.sessionLost(error));
  }

  fatal(error: RemoteError): void {
    if (this.closed || this.inert) return;
    this.closed = true;
    this.failAll(error);
    this.endEpoch(error);
    void this.internals.dispatcher.destroy().catch(() => undefined);
    this.emit(() => this.handlers.closed(error));
    this.emit(() => {
      this.finished = true;
    });
  }

  initializedAccepted(epoch: number): void {
    if (this.closed || this.inert || epoch !== this.epoch || this.getStreamEpoch === epoch) return;
    this.getStreamEpoch = epoch;
    void superviseGetStream(this, epoch);
  }

  fallback(message: OutgoingMessage, status: number): boolean {
    if (this.mode !== 'auto' || this.everInitialized || this.internals.fallback === undefined || this.closed || this.inert) return false;
    if (status < 400 || status >= 500 || status === 401 || status === 403) return false;
    const requested = message.requestedVersion;
    if (requested !== undefined && requested >= '2025-11-25' && status !== 400 && status !== 404 && status !== 405) return false;
    this.inert = true;
    this.pending.clear();
    const queued = this.queue ?? [];
    this.queue = undefined;
    this.internals.fallback(message, queued);
    return true;
  }

  private failAll(error: RemoteError): void {
    const ids = [...this.pending.values()];
    this.pending.clear();
    const queued = this.queue;
    this.queue = undefined;
    this.initializeKey = undefined;
    for (const id of ids) this.emit(() => this.handlers.requestFailed(id, error));
    for (const message of queued ?? []) {
      if (message.kind !== 'request') this.warn(`a ${message.method ?? 'response'} message was not sent: ${error.message}`);
    }
  }

  private endEpoch(reason: RemoteError): void {
    for (const controller of this.active) controller.abort(reason);
    this.active.clear();
    this.epochController.abort(reason);
    this.epochController = new AbortController();
    this.epoch += 1;
    this.sessionId = undefined;
    this.protocolVersion = undefined;
  }

  private emit(call: () => void): void {
    queueMicrotask(() => {
      if (this.finished) return;
      try {
        call();
      } catch {
        // A throwing handler must not break the connection.
      }
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.closed || this.inert) return;
    const sessionId = this.sessionId;
    const protocolVersion = this.protocolVersion;
    this.closed = true;
    const error = new RemoteError('CLOSED', 'the upstream connection was closed');
    this.failAll(error);
    this.endEpoch(error);
    if (sessionId !== undefined) {
      const controller = new AbortController();
      const limit = Math.min(CLOSE_TIMEOUT_MS, this.settings.headersTimeoutMs);
      // One deadline for the whole DELETE, its body included.
      const timer = setTimeout(() => controller.abort(new RemoteError('NETWORK_ERROR', 'DELETE timed out')), limit);
      try {
        const response = await sendUpstream(this.settings, { method: 'DELETE', sessionId, protocolVersion, controller, timeoutMs: limit });
        await drain(response.body);
      } catch {
        // Best effort: the server drops the session by itself eventually.
      } finally {
        clearTimeout(timer);
      }
    }
    await this.internals.dispatcher.destroy().catch(() => undefined);
    await new Promise<void>((resolve) => {
      this.emit(() => {
        this.handlers.closed(undefined);
      });
      this.emit(() => {
        this.finished = true;
        resolve();
      });
    });
  }
}

/**
 * Opens a Streamable HTTP connection (no request is made until the first `send`).
 * @param options - the upstream options
 * @param handlers - where messages and failures go
 * @param internals - the checked URL and the guarded dispatcher
 * @throws RemoteError `INVALID_OPTIONS` for an option out of range or a static header the transport controls
 */
export function openStreamableHttp(options: UpstreamOptions, handlers: UpstreamHandlers, internals: StreamableHttpInternals): UpstreamConnection {
  return new StreamableHttpConnection(options, handlers, internals);
}
