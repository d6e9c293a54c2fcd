/**
 * The canonical form a signature covers: `v1` is the Go mcptrust's sorted-keys compact
 * JSON, `v2` is RFC 8785 (JCS). New signatures use `v2`.
 */
export type CanonVersion = 'v1' | 'v2';

/** The first line of a signature file: `{"canon_version":"v2"}`. */
export interface SignatureHeader {
  /** Which canonical form of the lockfile was signed. */
  canon_version: CanonVersion;
}

/** How a lockfile's approval was signed. */
export type SignatureMethod = 'ed25519' | 'sigstore';
