/** Codes of {@link RemoteError}. */
export type RemoteErrorCode =
  /** An option is out of range or of the wrong type (names the option). */
  | 'INVALID_OPTIONS'
  /** A URL is malformed, not http(s), carries credentials, or plain http to a non-loopback host. */
  | 'INSECURE_URL'
  /** The host resolved to an address the policy refuses (private, link-local, metadata...). */
  | 'BLOCKED_ADDRESS'
  /** A redirect or server-supplied URL leaves the upstream's origin where that is not allowed. */
  | 'CROSS_ORIGIN'
  /** The connection failed (DNS, TCP, TLS, reset) or timed out. */
  | 'NETWORK_ERROR'
  /** The upstream answered with an HTTP status the transport cannot accept. */
  | 'HTTP_STATUS'
  /** The upstream answered with a content type the transport cannot accept. */
  | 'CONTENT_TYPE'
  /** A body or SSE event is over the size cap. */
  | 'TOO_LARGE'
  /** A body or event is not JSON-RPC, a batch arrived where batches are not allowed, a header is invalid. */
  | 'PROTOCOL_ERROR'
  /** The upstream session is gone (404 on a session; the legacy SSE stream dropped). */
  | 'SESSION_LOST'
  /** The upstream needs credentials the client does not have or could not refresh (401/403). */
  | 'UNAUTHORIZED'
  /** A stream ended before the response and could not be resumed. */
  | 'STREAM_ENDED'
  /** The connection was closed by the caller. */
  | 'CLOSED'
  /** An OAuth step failed (discovery, registration, authorization, token). */
  | 'OAUTH_FAILED'
  /** The token store could not be read or written. */
  | 'TOKEN_STORE';

/** Options of {@link RemoteError}. */
export interface RemoteErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The HTTP status, when the error is about one. */
  status?: number;
}

/** The one error class of `@mcptrust/remote`. Messages never contain credentials or full session IDs. */
export class RemoteError extends Error {
  /** Stable machine-readable code. */
  readonly code: RemoteErrorCode;
  /** The HTTP status, when the error is about one. */
  readonly status: number | undefined;

  /**
   * @param code - stable code
   * @param message - human-readable message
   * @param options - `cause` chaining, HTTP status
   */
  constructor(code: RemoteErrorCode, message: string, options: RemoteErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RemoteError';
    this.code = code;
    this.status = options.status;
  }
}
