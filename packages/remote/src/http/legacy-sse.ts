/**
 * The legacy HTTP+SSE transport (MCP protocol 2024-11-05, `basic/transports.mdx` §"HTTP
 * with SSE"): one long GET whose first `endpoint` event names the URL every client
 * message is POSTed to; every server message, responses included, arrives as an
 * `event: message` on that GET stream. No session header, no resumability: when the GET
 * stream ends, the session is gone.
 *
 * The `endpoint` URL is attacker-controlled: it MUST have the SSE URL's origin, otherwise
 * the connection closes before anything is POSTed (no request, and so no credential, ever
 * leaves for another origin).
 */
import type { Dispatcher } from 'undici';
import { RemoteError } from '../errors.js';
import type { UpstreamConnection, UpstreamHandlers, UpstreamOptions } from '../upstream.types.js';
import {
  describeUrl,
  discardBody,
  isEventStream,
  requestWithAuth,
  resolveLegacySseSettings,
  type LegacySseSettings,
} from './legacy-sse-http.js';
import { classify, isObject, labelOf, type Outgoing, type RequestId } from './legacy-sse-messages.js';
import { readSseEvents } from './legacy-sse-stream.js';

/** What the caller of {@link openLegacySse} supplies beyond {@link UpstreamOptions}. */
export interface LegacySseInternals {
  /**
   * Every request (the GET stream and each POST) goes through it: the guarded dispatcher.
   * The connection owns it from now on and destroys it when it closes (`close()` or a
   * fatal error).
   */
  readonly dispatcher: Dispatcher;
  /** The SSE URL (`options.endpoint.url`), already checked by `parseUpstreamUrl`. */
  readonly url: URL;
}

/** One GET stream and what was sent on it. */
interface Session {
  readonly controller: AbortController;
  /** The POST URL, once the `endpoint` event arrived. */
  endpoint: URL | undefined;
  /** Messages sent before the endpoint arrived, in order. */
  readonly waiting: Outgoing[];
  /** Requests sent and not yet answered (or failed). */
  readonly inFlight: Set<RequestId>;
  initializeId: RequestId | undefined;
  /** POSTs go out one after another, so the server receives them in the order they were sent. */
  chain: Promise<void>;
  endpointTimer: ReturnType<typeof setTimeout> | undefined;
  ended: boolean;
}

/**
 * Opens a legacy HTTP+SSE connection. Nothing is dialled until the first `send`, which
 * must be an `initialize` request: it opens the GET stream, and the message is POSTed
 * once the `endpoint` event arrived. After `sessionLost`, the next `initialize` opens a
 * new GET stream. POSTs go out one at a time, in the order of `send`, so the server
 * reads them in that order (a `notifications/cancelled` never overtakes its request).
 * Redirects are never followed (a 3xx is `HTTP_STATUS`).
 *
 * Failures: before the `endpoint` event arrived (HTTP status, content type, network,
 * 401 without new credentials, a stream that ends, no endpoint within
 * `headersTimeoutMs`), the messages sent so far fail (`requestFailed` with that code)
 * and the connection waits for a new `initialize`. A cross-origin endpoint
 * (`CROSS_ORIGIN`), an event over `maxMessageBytes` (`TOO_LARGE`) or an event that is
 * not one JSON object (`PROTOCOL_ERROR`) closes the connection: every request in flight
 * fails with that error, then `closed(error)`. Every server message travels on the one
 * stream, so an unreadable message may be the answer to any request in flight; dropping
 * it would leave that request waiting forever, and a server that frames one message
 * wrongly cannot be trusted with the next.
 *
 * @param options - the upstream and its limits (`maxReconnects`/`reconnectDelayMs` do not
 *   apply: this transport cannot resume)
 * @param handlers - where messages and failures go
 * @param internals - the dispatcher and the checked SSE URL
 * @returns the connection
 * @throws RemoteError `INVALID_OPTIONS` (limits, reserved static headers, a URL that is not http(s))
 */
export function openLegacySse(options: UpstreamOptions, handlers: UpstreamHandlers, internals: LegacySseInternals): UpstreamConnection {
  if (internals.url.protocol !== 'https:' && internals.url.protocol !== 'http:') {
    throw new RemoteError('INVALID_OPTIONS', `the SSE URL must be http(s), got ${internals.url.protocol}`);
  }
  return new LegacySseConnection(resolveLegacySseSettings(options, internals.dispatcher), handlers, new URL(internals.url));
}

class LegacySseConnection implements UpstreamConnection {
  readonly #settings: LegacySseSettings;
  readonly #handlers: UpstreamHandlers;
  readonly #url: URL;
  #session: Session | undefined;
  #protocolVersion: string | undefined;
  #sessionLabel: string | undefined;
  /** The connection is ending: no new messages are taken. */
  #closing = false;
  /** `closed` was reported: no further events. */
  #done = false;

  constructor(settings: LegacySseSettings, handlers: UpstreamHandlers, url: URL) {
    this.#settings = settings;
    this.#handlers = handlers;
    this.#url = url;
  }

  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  get transport(): 'sse' {
    return 'sse';
  }

  get sessionLabel(): string | undefined {
    return this.#sessionLabel;
  }

  /**
   * @throws RemoteError `PROTOCOL_ERROR` when `text` is not the JSON text of one object.
   * Ignored once the connection is closed.
   */
  send(text: string): void {
    if (this.#closing) return;
    const out = classify(text);
    let session = this.#session;
    if (session === undefined) {
      if (out.label !== 'request initialize') {
        const error = new RemoteError('SESSION_LOST', `no session with ${describeUrl(this.#url)}: the next message must be initialize`);
        queueMicrotask(() => this.#undelivered(out, error));
        return;
      }
      session = this.#openSession();
    }
    if (out.requestId !== undefined) session.inFlight.add(out.requestId);
    if (out.label === 'request initialize') session.initializeId = out.requestId;
    if (session.endpoint === undefined) session.waiting.push(out);
    else this.#post(session, out);
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#finish(undefined);
    await this.#settings.dispatcher.destroy().catch(() => undefined);
  }

  #openSession(): Session {
    const session: Session = {
      controller: new AbortController(),
      endpoint: undefined,
      waiting: [],
      inFlight: new Set(),
      initializeId: undefined,
      chain: Promise.resolve(),
      endpointTimer: undefined,
      ended: false,
    };
    this.#session = session;
    void this.#runStream(session);
    return session;
  }

  /** GET the SSE URL and read its events until it ends; never rejects. */
  async #runStream(session: Session): Promise<void> {
    const where = describeUrl(this.#url);
    let response;
    try {
      response = await requestWithAuth(this.#settings, {
        method: 'GET',
        url: this.#url,
        accept: 'text/event-stream',
        signal: session.controller.signal,
      });
    } catch (error) {
      this.#openFailed(session, asRemoteError(error));
      return;
    }
    if (session.ended) {
      await discardBody(response);
      return;
    }
    if (response.statusCode !== 200) {
      await discardBody(response);
      const status = response.statusCode;
      this.#openFailed(session, new RemoteError('HTTP_STATUS', `GET ${where} answered HTTP ${status}`, { status }));
      return;
    }
    if (!isEventStream(response.headers['content-type'])) {
      await discardBody(response);
      this.#openFailed(session, new RemoteError('CONTENT_TYPE', `GET ${where} did not answer text/event-stream`));
      return;
    }
    const ms = this.#settings.headersTimeoutMs;
    session.endpointTimer = setTimeout(() => {
      this.#openFailed(session, new RemoteError('NETWORK_ERROR', `GET ${where} sent no endpoint event within ${ms} ms`));
    }, ms);
    try {
      await readSseEvents(response.body, this.#settings.maxMessageBytes, (event) => this.#onEvent(session, event));
      this.#streamEnded(session, undefined);
    } catch (error) {
      if (error instanceof RemoteError && error.code === 'TOO_LARGE' && !session.ended) this.#fatal(error);
      else this.#streamEnded(session, error);
    }
  }

  /** One SSE event; false stops reading. */
  #onEvent(session: Session, event: { event?: string | undefined; data: string }): boolean {
    if (session.ended) return false;
    if (event.event === 'endpoint') return this.#onEndpoint(session, event.data);
    // The transport defines `endpoint` and `message`; other event types are not for us.
    if (event.event !== undefined && event.event !== 'message') return true;
    let value: unknown;
    try {
      value = JSON.parse(event.data);
    } catch (error) {
      this.#fatal(new RemoteError('PROTOCOL_ERROR', `${describeUrl(this.#url)} sent a message event that is not JSON`, { cause: error }));
      return false;
    }
    if (!isObject(value)) {
      this.#fatal(new RemoteError('PROTOCOL_ERROR', `${describeUrl(this.#url)} sent a message event that is not one JSON object`));
      return false;
    }
    this.#noteAnswer(session, value);
    this.#emit(() => this.#handlers.message(event.data));
    return !session.ended;
  }

  #onEndpoint(session: Session, data: string): boolean {
    if (session.endpoint !== undefined) {
      this.#warn(`${describeUrl(this.#url)} sent a second endpoint event; it is ignored`);
      return true;
    }
    let endpoint: URL;
    try {
      endpoint = new URL(data, this.#url);
    } catch (error) {
      this.#fatal(new RemoteError('PROTOCOL_ERROR', `the endpoint event of ${describeUrl(this.#url)} is not a URL`, { cause: error }));
      return false;
    }
    const where = describeUrl(this.#url);
    if (endpoint.origin !== this.#url.origin) {
      const message = `refused the endpoint event of ${where}: its origin ${endpoint.origin.slice(0, 200)} is not ${this.#url.origin}, the only origin messages are POSTed to`;
      this.#fatal(new RemoteError('CROSS_ORIGIN', message));
      return false;
    }
    if (endpoint.username !== '' || endpoint.password !== '') {
      this.#fatal(new RemoteError('CROSS_ORIGIN', `refused the endpoint event of ${where}: its URL carries credentials`));
      return false;
    }
    endpoint.hash = '';
    session.endpoint = endpoint;
    clearTimeout(session.endpointTimer);
    this.#sessionLabel = labelOf(endpoint.searchParams.get('sessionId'));
    for (const out of session.waiting.splice(0)) this.#post(session, out);
    return true;
  }

  /** A response from the server ends its request's flight; the initialize result gives the version. */
  #noteAnswer(session: Session, message: Record<string, unknown>): void {
    if ('method' in message) return;
    const id = message['id'];
    if ((typeof id !== 'string' && typeof id !== 'number') || !session.inFlight.delete(id)) return;
    if (id !== session.initializeId) return;
    session.initializeId = undefined;
    const result = message['result'];
    if (isObject(result) && typeof result['protocolVersion'] === 'string') this.#protocolVersion = result['protocolVersion'];
  }

  #post(session: Session, out: Outgoing): void {
    session.chain = session.chain.then(() => this.#postNow(session, out));
  }

  /** POST one message; never rejects. */
  async #postNow(session: Session, out: Outgoing): Promise<void> {
    const endpoint = session.endpoint;
    if (session.ended || endpoint === undefined) return;
    if (endpoint.origin !== this.#url.origin) return; // unreachable: checked in #onEndpoint
    let status: number;
    try {
      const response = await requestWithAuth(this.#settings, {
        method: 'POST',
        url: endpoint,
        accept: undefined,
        body: out.text,
        signal: session.controller.signal,
      });
      status = response.statusCode;
    } catch (error) {
      if (!session.ended) this.#postFailed(session, out, asRemoteError(error));
      return;
    }
    if (session.ended || (status >= 200 && status < 300)) return;
    const message = `POST ${describeUrl(endpoint)} of the ${out.label} answered HTTP ${status}`;
    this.#postFailed(session, out, new RemoteError('HTTP_STATUS', message, { status }));
  }

  #postFailed(session: Session, out: Outgoing, error: RemoteError): void {
    if (out.requestId === undefined) this.#warn(`the ${out.label} was not delivered: ${error.message}`);
    else if (session.inFlight.delete(out.requestId)) this.#requestFailed(out.requestId, error);
  }

  /** The stream could not be set up: no session existed, so the messages sent on it fail. */
  #openFailed(session: Session, error: RemoteError): void {
    if (session.ended) return;
    this.#endSession(session);
    for (const out of session.waiting) {
      if (out.requestId === undefined) this.#warn(`the ${out.label} was not delivered: ${error.message}`);
    }
    this.#failInFlight(session, error);
  }

  /** The GET stream ended or failed. */
  #streamEnded(session: Session, cause: unknown): void {
    if (session.ended) return;
    const where = describeUrl(this.#url);
    if (session.endpoint === undefined) {
      const how = cause === undefined ? 'ended' : `failed (${asRemoteError(cause).message})`;
      this.#openFailed(session, new RemoteError('STREAM_ENDED', `the SSE stream of ${where} ${how} before its endpoint event`, { cause }));
      return;
    }
    this.#endSession(session);
    const how = cause === undefined ? 'ended' : `failed (${asRemoteError(cause).message})`;
    const error = new RemoteError('SESSION_LOST', `the SSE stream of ${where} ${how}; this transport cannot resume it, so the session is gone`, {
      cause,
    });
    this.#failInFlight(session, error);
    this.#protocolVersion = undefined;
    this.#sessionLabel = undefined;
    this.#emit(() => this.#handlers.sessionLost(error));
  }

  /** The connection cannot continue: fail what is in flight, then `closed(error)`. */
  #fatal(error: RemoteError): void {
    if (this.#closing) return;
    this.#finish(error);
    void this.#settings.dispatcher.destroy().catch(() => undefined);
  }

  /** Ends the connection: requests in flight fail (with `error`, or `CLOSED`), then `closed(error)` once. */
  #finish(error: RemoteError | undefined): void {
    if (this.#closing) return;
    this.#closing = true; // from here on, send() is ignored, even from inside a handler
    const session = this.#session;
    if (session !== undefined) {
      this.#endSession(session);
      this.#failInFlight(session, error ?? new RemoteError('CLOSED', 'the connection was closed'));
    }
    this.#emit(() => this.#handlers.closed(error));
    this.#done = true;
  }

  #endSession(session: Session): void {
    session.ended = true;
    clearTimeout(session.endpointTimer);
    session.controller.abort();
    if (this.#session === session) this.#session = undefined;
  }

  #failInFlight(session: Session, error: RemoteError): void {
    const ids = [...session.inFlight];
    session.inFlight.clear();
    for (const id of ids) this.#requestFailed(id, error);
  }

  #undelivered(out: Outgoing, error: RemoteError): void {
    if (out.requestId === undefined) this.#warn(`the ${out.label} was not delivered: ${error.message}`);
    else this.#requestFailed(out.requestId, error);
  }

  #requestFailed(id: RequestId, error: RemoteError): void {
    this.#emit(() => this.#handlers.requestFailed(id, error));
  }

  #warn(message: string): void {
    const warning = this.#handlers.warning;
    if (warning !== undefined) this.#emit(() => warning.call(this.#handlers, message));
  }

  /**
   * Calls a handler unless `closed` was reported. A handler that throws is a bug of the
   * owner: it is rethrown outside the connection's own bookkeeping, which stays consistent.
   */
  #emit(call: () => void): void {
    if (this.#done) return;
    try {
      call();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

function asRemoteError(error: unknown): RemoteError {
  if (error instanceof RemoteError) return error;
  return new RemoteError('NETWORK_ERROR', error instanceof Error ? error.message : String(error), { cause: error });
}
