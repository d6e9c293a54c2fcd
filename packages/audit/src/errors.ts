/** Codes of {@link AuditError}. */
export type AuditErrorCode =
  /** An event or record is not of the documented shape. */
  | 'INVALID_EVENT'
  /** A sink could not deliver (reported, never thrown into the engine). */
  | 'SINK_FAILED'
  /** An option is out of range or of the wrong type (names the option). */
  | 'INVALID_OPTIONS'
  /** Another writer holds the audit log (its `.lock` file exists). */
  | 'CHAIN_LOCKED'
  /** A file could not be written (receipt, audit log, head file). */
  | 'WRITE_FAILED'
  /** A file could not be read (audit log, head file, key). */
  | 'READ_FAILED'
  /** A key is not an Ed25519 key in a supported encoding. */
  | 'INVALID_KEY';

/** Options of {@link AuditError}. */
export interface AuditErrorOptions {
  /** The underlying error. */
  cause?: unknown;
}

/** The one error class of `@mcptrust/audit`. */
export class AuditError extends Error {
  /** Stable machine-readable code. */
  readonly code: AuditErrorCode;

  /**
   * @param code - stable code
   * @param message - human-readable message
   * @param options - `cause` chaining
   */
  constructor(code: AuditErrorCode, message: string, options: AuditErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuditError';
    this.code = code;
  }
}
