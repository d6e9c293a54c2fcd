/** Codes of {@link ProxyError}. */
export type ProxyErrorCode =
  /** Options given to the engine or an adapter are invalid. */
  | 'INVALID_OPTIONS'
  /** The lockfile cannot be turned into an allowlist (e.g. a pinned schema does not compile). */
  | 'INVALID_LOCKFILE'
  /** Preflight found drift at or above the threshold; the session was refused. */
  | 'PREFLIGHT_DRIFT'
  /** Preflight could not list the server's surface. */
  | 'PREFLIGHT_FAILED'
  /** The server answered `initialize` with a protocol version the proxy does not implement. */
  | 'UNSUPPORTED_PROTOCOL_VERSION'
  /** The server process could not be started. */
  | 'SPAWN_FAILED'
  /** The server process or transport closed. */
  | 'SERVER_CLOSED'
  /** The engine was used after it was closed. */
  | 'CLOSED'
  /** A message given to an adapter cannot be serialized as JSON (e.g. nested too deeply), so it cannot be checked. */
  | 'INVALID_MESSAGE';

/** Options of {@link ProxyError}. */
export interface ProxyErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Drifted items, for `PREFLIGHT_DRIFT`. */
  items?: string[];
}

/** The one error class of `@mcptrust/proxy-core` (local failures, not wire errors). */
export class ProxyError extends Error {
  /** Stable machine-readable code. */
  readonly code: ProxyErrorCode;
  /** Drifted items, for `PREFLIGHT_DRIFT`. */
  readonly items?: string[];

  /**
   * @param code - stable code
   * @param message - human-readable message
   * @param options - `cause` chaining and details
   */
  constructor(code: ProxyErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProxyError';
    this.code = code;
    if (options.items !== undefined) this.items = options.items;
  }
}
