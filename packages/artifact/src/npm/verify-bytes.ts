/**
 * Checking downloaded tarball bytes against a pin: SHA-512 (the SRI `integrity`), and
 * SHA-256 and size when the pin records them. Only SHA-512 integrity is accepted.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ArtifactError } from '../errors.js';

/** What a tarball is expected to be (from the pin). */
export interface ExpectedTarball {
  /** SRI integrity; must hold exactly one `sha512-…` hash (other algorithms are ignored). */
  integrity: string;
  /** SHA-256 of the bytes, hex (`tarball_sha256`). */
  sha256?: string;
  /** Size in bytes (`tarball_size`). */
  size?: number;
}

/** One way a tarball differs from its pin. */
export interface TarballProblem {
  /** The pin field (`server.artifact.integrity`, `server.artifact.tree[3].integrity`...). */
  field: string;
  /** The pinned value. */
  expected: string;
  /** The value computed from the bytes. */
  found: string;
  /** A message naming the field, the package and both values. */
  message: string;
}

/**
 * Splits a `where` such as `server.artifact.tree[3] (node_modules/x)` into the pin path
 * (`server.artifact.tree[3]`) and the human label (`node_modules/x`).
 */
function splitWhere(where: string): { base: string; label: string } {
  const match = /^(\S+)\s+\((.*)\)$/.exec(where.trim());
  return match ? { base: match[1] ?? where, label: ` (${match[2] ?? ''})` } : { base: where.trim(), label: '' };
}

/**
 * Returns the SHA-512 digest an SRI string pins (64 bytes). Throws `INVALID_PIN` naming
 * `field` when the SRI has no sha512 hash (sha1-only pins are refused), several different
 * ones, or a malformed one.
 */
export function sha512FromIntegrity(integrity: string, field: string): Buffer {
  if (typeof integrity !== 'string' || integrity.trim() === '') {
    throw new ArtifactError('INVALID_PIN', `${field} is empty: a sha512 SRI integrity (sha512-…) is required`, { field });
  }
  const digests = new Map<string, Buffer>();
  for (const token of integrity.trim().split(/\s+/)) {
    const dash = token.indexOf('-');
    if (dash <= 0) continue;
    if (token.slice(0, dash).toLowerCase() !== 'sha512') continue;
    const b64 = token.slice(dash + 1).split('?')[0] ?? '';
    if (!/^[A-Za-z0-9+/]{86}(?:==)?$/.test(b64)) {
      throw new ArtifactError('INVALID_PIN', `${field} has a malformed sha512 hash: ${JSON.stringify(token)}`, { field });
    }
    digests.set(b64, Buffer.from(b64, 'base64'));
  }
  if (digests.size === 0) {
    throw new ArtifactError(
      'INVALID_PIN',
      `${field} has no sha512 hash (${JSON.stringify(integrity)}): only sha512 integrity is accepted; re-pin the package`,
      { field },
    );
  }
  if (digests.size > 1) {
    throw new ArtifactError('INVALID_PIN', `${field} holds several different sha512 hashes; a pin must name exactly one`, { field });
  }
  return [...digests.values()][0] as Buffer;
}

/** The SHA-512 SRI (`sha512-<base64>`) of an integrity string, other algorithms dropped. */
export function normalizeIntegrity(integrity: string, field: string): string {
  return `sha512-${sha512FromIntegrity(integrity, field).toString('base64')}`;
}

/** The hex SHA-512 an integrity string pins (the key of the tarball cache). */
export function sha512HexFromIntegrity(integrity: string, field: string): string {
  return sha512FromIntegrity(integrity, field).toString('hex');
}

/** Constant-time equality of two digests (different lengths are simply unequal). */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Every way `bytes` differ from `expected` (empty when they match). Throws `INVALID_PIN`
 * when the expectation itself is malformed.
 */
export function tarballProblems(bytes: Uint8Array, expected: ExpectedTarball, where: string): TarballProblem[] {
  const { base, label } = splitWhere(where);
  const integrityField = `${base}.integrity`;
  const pinned = sha512FromIntegrity(expected.integrity, integrityField);
  const problems: TarballProblem[] = [];
  const sha512 = createHash('sha512').update(bytes).digest();
  if (!digestsEqual(sha512, pinned)) {
    const want = `sha512-${pinned.toString('base64')}`;
    const got = `sha512-${sha512.toString('base64')}`;
    problems.push({
      field: integrityField,
      expected: want,
      found: got,
      message: `${integrityField}${label}: the downloaded tarball does not match the pin (expected ${want}, found ${got})`,
    });
  }
  if (expected.sha256 !== undefined) {
    const field = `${base}.tarball_sha256`;
    if (!/^[0-9a-fA-F]{64}$/.test(expected.sha256)) {
      throw new ArtifactError('INVALID_PIN', `${field} is not a hex SHA-256: ${JSON.stringify(expected.sha256)}`, { field });
    }
    const sha256 = createHash('sha256').update(bytes).digest();
    if (!digestsEqual(sha256, Buffer.from(expected.sha256, 'hex'))) {
      const want = expected.sha256.toLowerCase();
      const got = sha256.toString('hex');
      problems.push({ field, expected: want, found: got, message: `${field}${label}: SHA-256 of the tarball is ${got}, the pin says ${want}` });
    }
  }
  if (expected.size !== undefined) {
    const field = `${base}.tarball_size`;
    if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
      throw new ArtifactError('INVALID_PIN', `${field} is not a byte count: ${JSON.stringify(expected.size)}`, { field });
    }
    if (bytes.byteLength !== expected.size) {
      problems.push({
        field,
        expected: String(expected.size),
        found: String(bytes.byteLength),
        message: `${field}${label}: the tarball is ${bytes.byteLength} bytes, the pin says ${expected.size}`,
      });
    }
  }
  return problems;
}

/**
 * Verifies tarball bytes against the pin (SHA-512 always, SHA-256 and size when given).
 * `where` names the pin entry (`server.artifact`, `server.artifact.tree[3] (node_modules/x)`).
 * Throws `INTEGRITY_MISMATCH` (field, expected, found set) on the first difference, and
 * `INVALID_PIN` when the pin carries no usable sha512.
 */
export function verifyTarball(bytes: Uint8Array, expected: ExpectedTarball, where: string): void {
  const [first] = tarballProblems(bytes, expected, where);
  if (first) {
    throw new ArtifactError('INTEGRITY_MISMATCH', first.message, { field: first.field, expected: first.expected, found: first.found });
  }
}
