/** Codes of {@link AuditError}. */
export type AuditErrorCode = 'INVALID_EVENT' | 'SINK_FAILED';

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
