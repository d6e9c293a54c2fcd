/**
 * `openUpstream`: one MCP session with a remote server over Streamable HTTP, the legacy
 * HTTP+SSE transport, or (`auto`) Streamable HTTP with the spec's fallback to the legacy
 * transport when the first `initialize` POST is refused with a 4xx.
 */
import type { Dispatcher } from 'undici';
import { RemoteError } from './errors.js';
import { openLegacySse } from './http/legacy-sse.js';
import type { OutgoingMessage } from './http/messages.js';
import { openStreamableHttp } from './http/streamable-http.js';
import { createGuardedDispatcher } from './net/guarded-dispatcher.js';
import { isLoopbackUrl, parseUpstreamUrl } from './net/upstream-url.js';
import type { ResolvedRemoteTransport, UpstreamConnection, UpstreamHandlers, UpstreamOptions } from './upstream.types.js';

/** Test seam: where connections dial (default: the guarded dispatcher of the configured URL). */
export interface OpenUpstreamInternals {
  /** Creates the dispatcher of one connection. */
  readonly createDispatcher?: (url: URL, options: UpstreamOptions) => Dispatcher;
}

function guardedDispatcherFor(url: URL, options: UpstreamOptions): Dispatcher {
  return createGuardedDispatcher({
    allowLoopback: isLoopbackUrl(url),
    trustedOrigin: url.origin,
    ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
}

/** The legacy transport leaves the dispatcher to its creator: close it once the connection ended. */
function closingDispatcher(handlers: UpstreamHandlers, dispatcher: Dispatcher): UpstreamHandlers {
  return {
    ...handlers,
    closed: (error) => {
      void dispatcher.destroy().catch(() => undefined);
      handlers.closed(error);
    },
  };
}

/** `auto`: Streamable HTTP first; the legacy transport after an eligible refusal of `initialize`. */
class AutoConnection implements UpstreamConnection {
  private inner: UpstreamConnection;
  private switched = false;

  constructor(options: UpstreamOptions, handlers: UpstreamHandlers, url: URL, dispatcher: Dispatcher) {
    this.inner = openStreamableHttp(options, handlers, {
      url,
      dispatcher,
      fallback: (initialize: OutgoingMessage, queued: OutgoingMessage[]) => {
        handlers.warning?.('the upstream refused Streamable HTTP for initialize; using the legacy HTTP+SSE transport');
        let legacy: UpstreamConnection;
        try {
          legacy = openLegacySse(options, closingDispatcher(handlers, dispatcher), { dispatcher, url });
        } catch (error) {
          const failure = error instanceof RemoteError ? error : new RemoteError('PROTOCOL_ERROR', 'the legacy transport could not start', { cause: error });
          queueMicrotask(() => {
            for (const message of [initialize, ...queued]) {
              if (message.kind === 'request' && message.id !== undefined) handlers.requestFailed(message.id, failure);
            }
            handlers.closed(failure);
          });
          void dispatcher.destroy().catch(() => undefined);
          return;
        }
        this.inner = legacy;
        this.switched = true;
        for (const message of [initialize, ...queued]) {
          try {
            legacy.send(message.text);
          } catch (error) {
            // Every request gets an answer, even one the legacy transport refuses to send.
            const failure = error instanceof RemoteError ? error : new RemoteError('PROTOCOL_ERROR', 'the legacy transport refused a message', { cause: error });
            if (message.kind === 'request' && message.id !== undefined) {
              const id = message.id;
              queueMicrotask(() => handlers.requestFailed(id, failure));
            }
          }
        }
      },
    });
  }

  send(text: string): void {
    this.inner.send(text);
  }

  get protocolVersion(): string | undefined {
    return this.inner.protocolVersion;
  }

  get transport(): ResolvedRemoteTransport | undefined {
    return this.switched ? 'sse' : this.inner.transport;
  }

  get sessionLabel(): string | undefined {
    return this.inner.sessionLabel;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Opens one session with a remote MCP server. Nothing is dialled until the first `send`
 * (which must be `initialize`). Every request sent gets exactly one `message` (its
 * response) or one `requestFailed`.
 *
 * Streamable HTTP: one POST per message (`Accept: application/json, text/event-stream`),
 * the session ID of the initialize response on every later request, `MCP-Protocol-Version`
 * from 2025-06-18 on, SSE answers resumed with `Last-Event-ID` when they end early, a
 * supervised GET stream once `notifications/initialized` was accepted, a 404 on the
 * session reported through `sessionLost`, DELETE on close.
 *
 * @param options - the upstream and its limits
 * @param handlers - where messages, failures and warnings go (always called asynchronously)
 * @param internals - test seam; production callers omit it
 * @returns the connection
 * @throws RemoteError `INSECURE_URL` (the URL is not https, or http to a host that is not loopback, or has credentials), `INVALID_OPTIONS` (limits, reserved static headers, unknown transport)
 */
export function openUpstream(options: UpstreamOptions, handlers: UpstreamHandlers, internals: OpenUpstreamInternals = {}): UpstreamConnection {
  if (typeof options !== 'object' || options === null || typeof options.endpoint !== 'object' || options.endpoint === null) {
    throw new RemoteError('INVALID_OPTIONS', 'openUpstream needs options.endpoint');
  }
  const transport = options.endpoint.transport ?? 'auto';
  if (transport !== 'auto' && transport !== 'streamable-http' && transport !== 'sse') {
    throw new RemoteError('INVALID_OPTIONS', 'endpoint.transport must be auto, streamable-http or sse');
  }
  const url = parseUpstreamUrl(options.endpoint.url);
  const dispatcher = (internals.createDispatcher ?? guardedDispatcherFor)(url, options);
  try {
    if (transport === 'sse') return openLegacySse(options, closingDispatcher(handlers, dispatcher), { dispatcher, url });
    if (transport === 'streamable-http') return openStreamableHttp(options, handlers, { url, dispatcher });
    return new AutoConnection(options, handlers, url, dispatcher);
  } catch (error) {
    void dispatcher.destroy().catch(() => undefined);
    throw error;
  }
}
