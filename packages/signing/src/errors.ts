/** Why a signing operation failed. */
export type SigningErrorCode =
  /** A key file could not be read (missing, permissions). */
  | 'KEY_READ_FAILED'
  /** A key file is not a PEM Ed25519 key of the expected kind. */
  | 'KEY_INVALID'
  /** keygen refused to replace an existing key file (use `force`). */
  | 'KEY_EXISTS'
  /** A key, signature or bundle file could not be written. */
  | 'WRITE_FAILED'
  /** The lockfile could not be read or is not JSON. */
  | 'LOCKFILE_INVALID'
  /** The signature (or Sigstore bundle) file does not exist. */
  | 'SIGNATURE_MISSING'
  /** The signature file could not be read or parsed (not a finding: nothing was checked). */
  | 'SIGNATURE_FILE_INVALID'
  /** The signature was checked and does not match: tampered lockfile or wrong key/identity. */
  | 'SIGNATURE_INVALID'
  /** The signature header names a canonical form this version does not know. */
  | 'UNSUPPORTED_CANONICALIZATION'
  /** Keyless signing failed (identity token, Fulcio, Rekor, TSA). */
  | 'SIGSTORE_FAILED'
  /** The Sigstore trusted root could not be loaded. */
  | 'TRUSTED_ROOT_INVALID'
  /** An approval bundle (zip) is malformed, oversized, or holds unsafe entry names. */
  | 'BUNDLE_INVALID'
  /** An approval bundle entry does not match the hash in its manifest. */
  | 'BUNDLE_TAMPERED';

/** Extra context of a {@link SigningError}. */
export interface SigningErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The file the error is about, when there is one. */
  file?: string;
}

/** The one error class of `@mcptrust/signing`. */
export class SigningError extends Error {
  override readonly name = 'SigningError';
  /** Stable code of the failure. */
  readonly code: SigningErrorCode;
  /** The file the error is about, when there is one. */
  readonly file: string | undefined;
  constructor(code: SigningErrorCode, message: string, options: SigningErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
  }
}
