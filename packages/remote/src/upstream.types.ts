/**
 * The upstream client's contract: how the proxy (`@mcptrust/proxy-core`'s HTTP bridge)
 * and the scanner (`@mcptrust/drift`) talk to a remote MCP server. One
 * {@link UpstreamConnection} is one MCP session with one server over Streamable HTTP
 * (protocol versions 2025-03-26, 2025-06-18, 2025-11-25) or the legacy HTTP+SSE
 * transport (2024-11-05). It moves JSON-RPC texts; it never decides about them.
 */
import type { RemoteError } from './errors.js';

/** Which transport to use. `auto`: Streamable HTTP, and the legacy transport by the spec's fallback rule. */
export type RemoteTransport = 'auto' | 'streamable-http' | 'sse';

/** The transport a connection ended up using. */
export type ResolvedRemoteTransport = 'streamable-http' | 'sse';

/** Resolves a host name to every address it has (injectable for tests). */
export type HostResolver = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

/** The configured upstream: trusted, because the user wrote it. */
export interface RemoteEndpoint {
  /**
   * The MCP endpoint (Streamable HTTP) or the SSE URL (legacy). `https://`, or `http://`
   * to a loopback host (127.0.0.0/8, ::1, `localhost`). No credentials in the URL.
   */
  url: string;
  /** Default `auto`. */
  transport?: RemoteTransport;
  /**
   * Static headers sent on every request to the upstream's origin (never to another
   * origin), e.g. `Authorization: Bearer …` from `--header`. Values are never logged.
   * Names the transport controls (`content-type`, `accept`, `mcp-session-id`,
   * `mcp-protocol-version`, `last-event-id`, `host`, `content-length`) are refused.
   */
  headers?: Readonly<Record<string, string>>;
}

/** Where the `Authorization` header comes from when it is not a static header (OAuth). */
export interface CredentialSource {
  /** The `Authorization` value for the next request to the upstream origin, or undefined for none. */
  authorization(): Promise<string | undefined>;
  /**
   * The upstream answered 401 (or 403 `insufficient_scope`) with this `WWW-Authenticate`
   * header. Resolve true when new credentials are available (the request is retried
   * once), false to fail with `UNAUTHORIZED`; reject with a `RemoteError` `UNAUTHORIZED`
   * to fail with that message (e.g. the login a step-up needs). Never interactive inside a
   * session.
   */
  unauthorized?(challenge: string | undefined, status: number): Promise<boolean>;
}

/** Options of `openUpstream`. */
export interface UpstreamOptions {
  /** The upstream. */
  endpoint: RemoteEndpoint;
  /** OAuth or another dynamic credential; static headers go in `endpoint.headers`. */
  credentials?: CredentialSource;
  /** Cap of one JSON response body or one SSE event's data, in bytes. Default 4 MiB. */
  maxMessageBytes?: number;
  /** Deadline to connect and receive response headers, in ms. Default 30 000. */
  headersTimeoutMs?: number;
  /** Resumption attempts of one stream (GET with `Last-Event-ID`) before giving up. Default 5. */
  maxReconnects?: number;
  /** Wait before a resumption when the server sent no `retry`, in ms. Default 1000. */
  reconnectDelayMs?: number;
  /** Host resolver (default `dns.lookup` with `all: true`). */
  resolve?: HostResolver;
  /** Extra trusted CA certificates (PEM), added to Node's defaults. */
  ca?: string | string[];
  /** `clientInfo`-independent User-Agent. Default `mcptrust`. */
  userAgent?: string;
}

/** What the connection tells its owner. Called asynchronously, never from inside `send`. */
export interface UpstreamHandlers {
  /**
   * One JSON-RPC message from the server, as the text of one object, in arrival order
   * per stream: responses, and server requests and notifications from POST streams and
   * the GET stream (a 2025-03-26 batch is split into its messages).
   */
  message(text: string): void;
  /**
   * The request `id` (as sent) will get no answer from the server: its POST failed (HTTP
   * status, content type, size cap, network, a stream that ended and could not be
   * resumed). The owner answers it; the connection forgets it.
   */
  requestFailed(id: string | number, error: RemoteError): void;
  /**
   * The session is gone (`SESSION_LOST`: a 404 on a request carrying the session ID, or
   * the legacy SSE stream dropped). Every request in flight was reported through
   * `requestFailed` first. The connection has forgotten the session: the next message
   * sent must be a new `initialize`.
   */
  sessionLost(error: RemoteError): void;
  /** The connection cannot continue (or was closed); no further events. */
  closed(error: RemoteError | undefined): void;
  /** Something worth a line on stderr (a resumed stream, a 405 on GET); never a secret. */
  warning?(message: string): void;
}

/** One MCP session with a remote server. */
export interface UpstreamConnection {
  /**
   * Sends one JSON-RPC message (the text of one object; arrays are refused). A request
   * is answered through `message` or `requestFailed`; a notification or response POST
   * that fails is reported through `warning`. The first message must be `initialize`.
   * Cancellation is a `notifications/cancelled` message, never an aborted request.
   */
  send(text: string): void;
  /** The protocol version of the server's `initialize` result, once it arrived. */
  readonly protocolVersion: string | undefined;
  /** The transport in use, once known. */
  readonly transport: ResolvedRemoteTransport | undefined;
  /** The session ID shortened for logs (first 4 characters and a length), or undefined. */
  readonly sessionLabel: string | undefined;
  /** Ends the session: aborts streams, sends DELETE with the session ID (a 405 is fine), then `closed(undefined)`. */
  close(): Promise<void>;
}
