/**
 * @packageDocumentation
 * `@mcptrust/signing`: signatures over the canonical form of a lockfile (Ed25519 and
 * Sigstore keyless). This release defines the public types and error; the signing and
 * verification functions arrive with the signing feature.
 */
export { SigningError } from './errors.js';
export type { SigningErrorCode } from './errors.js';
export type { CanonVersion, SignatureHeader, SignatureMethod } from './signature.types.js';

/** Canonical form used for new signatures. */
export const DEFAULT_CANON_VERSION = 'v2' as const;
