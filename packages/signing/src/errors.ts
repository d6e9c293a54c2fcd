/** Why a signing operation failed. */
export type SigningErrorCode =
  | 'KEY_READ_FAILED'
  | 'KEY_INVALID'
  | 'SIGNATURE_FILE_INVALID'
  | 'SIGNATURE_INVALID'
  | 'UNSUPPORTED_CANONICALIZATION'
  | 'SIGSTORE_FAILED';

/** The one error class of `@mcptrust/signing`. */
export class SigningError extends Error {
  override readonly name = 'SigningError';
  /** Stable code of the failure. */
  readonly code: SigningErrorCode;
  constructor(code: SigningErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
