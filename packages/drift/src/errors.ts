/** Codes of {@link DriftError}. */
export type DriftErrorCode =
  /** The server command is empty, malformed or uses shell syntax (it is never run through a shell). */
  | 'INVALID_COMMAND'
  /** An option passed to a scan is out of range. */
  | 'INVALID_OPTIONS'
  /** The server process could not be started (command not found, not executable, bad cwd). */
  | 'SERVER_START_FAILED'
  /** The server process exited (or closed its stdio) before the scan finished; a remote server ended the session or its stream. */
  | 'SERVER_EXITED'
  /** The scan did not finish within its deadline. */
  | 'SERVER_TIMEOUT'
  /** The server answered with a JSON-RPC error, or refused the protocol (e.g. an unsupported version). */
  | 'SERVER_ERROR'
  /**
   * The server answered with something that is not a valid MCP result (wrong shape,
   * duplicate item); for a remote server also a content type, body size or message the
   * transport cannot accept.
   */
  | 'INVALID_SERVER_RESPONSE'
  /** A paginated list sent back a cursor it had already sent (the listing would never end). */
  | 'PAGINATION_LOOP'
  /** A paginated list went on for more pages than allowed. */
  | 'PAGINATION_LIMIT'
  /** The caller aborted the scan through its `signal`. */
  | 'ABORTED'
  /** A remote server could not be reached (DNS, TCP, TLS, reset, no answer to the connection). */
  | 'REMOTE_UNREACHABLE'
  /**
   * Nothing was sent to a remote server: its URL is not allowed (plain http:// to a
   * host that is not loopback, credentials in the URL...), its host resolves to an
   * address the guard refuses, or it tried to send the client to another origin.
   */
  | 'REMOTE_REFUSED'
  /** A remote server needs credentials the scan does not have, or refused the ones sent (401/403). */
  | 'REMOTE_UNAUTHORIZED'
  /** A remote server answered with an HTTP error status (other than 401/403). */
  | 'REMOTE_HTTP_ERROR';

/** Options of {@link DriftError}. */
export interface DriftErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The last bytes the server wrote to stderr (already escaped for display), when known. */
  stderrTail?: string;
}

/** The one error class of `@mcptrust/drift`. */
export class DriftError extends Error {
  /** Stable machine-readable code. */
  readonly code: DriftErrorCode;
  /** The last bytes the server wrote to stderr (escaped for display), when the error is about a server. */
  readonly stderrTail?: string;

  /**
   * @param code - stable code
   * @param message - human-readable message
   * @param options - `cause` chaining and the server's stderr tail
   */
  constructor(code: DriftErrorCode, message: string, options: DriftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DriftError';
    this.code = code;
    if (options.stderrTail !== undefined) this.stderrTail = options.stderrTail;
  }
}
