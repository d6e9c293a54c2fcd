/**
 * Digests of a package tarball as a pin records them: the SHA-512 SRI integrity npm
 * uses (`sha512-<base64>`), the SHA-256 (hex) and the size.
 */
import { createHash } from 'node:crypto';

/** Digests of tarball bytes. */
export interface TarballDigest {
  /** `sha512-<base64>`. */
  integrity: string;
  /** Hex SHA-256. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/** Computes the SHA-512 SRI integrity, hex SHA-256 and size of tarball bytes. */
export function digestTarball(bytes: Uint8Array): TarballDigest {
  return {
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.byteLength,
  };
}

/** The `sha512-…` member of an SRI string (which may list several hashes), if any. */
export function sha512Of(sri: string | undefined): string | undefined {
  if (sri === undefined) return undefined;
  return sri
    .split(/\s+/)
    .map((part) => part.split('?')[0]!)
    .find((part) => /^sha512-[A-Za-z0-9+/]{86}==$/.test(part));
}
