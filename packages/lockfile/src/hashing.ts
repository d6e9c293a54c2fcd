/**
 * The hash format of the lockfile: `sha256:<64 lowercase hex>`, over normalized text
 * or over RFC 8785 canonical JSON.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { canonicalize } from './canonical-json.js';
import { LockfileError } from './errors.js';

/** A hash as written in a lockfile: `sha256:` followed by lowercase hex. */
export type HashString = `sha256:${string}`;

const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;
const encoder = new TextEncoder();

/**
 * Normalizes text before it is hashed: CRLF and lone CR become LF, and spaces and tabs
 * at the end of each line are removed. Nothing else changes (no Unicode normalization,
 * no trimming of other whitespace): invisible and look-alike characters are exactly the
 * ones a poisoned description hides in, so they MUST change the hash.
 *
 * @throws LockfileError `INVALID_INPUT` when given something that is not a string.
 */
export function normalizeText(text: string): string {
  if (typeof text !== 'string') {
    throw new LockfileError('INVALID_INPUT', `normalizeText expects a string, got ${typeof text}`);
  }
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    // A loop, not /[ \t]+$/: that regex backtracks quadratically on long runs of
    // blanks, and descriptions are attacker-controlled.
    let end = line.length;
    while (end > 0) {
      const unit = line.charCodeAt(end - 1);
      if (unit !== 0x20 && unit !== 0x09) break;
      end--;
    }
    if (end !== line.length) lines[i] = line.slice(0, end);
  }
  return lines.join('\n');
}

/**
 * SHA-256 of raw bytes as a {@link HashString}.
 *
 * @throws LockfileError `INVALID_INPUT` when not given a Uint8Array.
 */
export function hashBytes(bytes: Uint8Array): HashString {
  if (!(bytes instanceof Uint8Array)) {
    throw new LockfileError('INVALID_INPUT', 'hashBytes expects a Uint8Array');
  }
  // Node's SHA-256 (OpenSSL): a lockfile of 500 tools is ~2,000 hashes, read before
  // the proxy answers its first message, and the native digest needs no warm-up.
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Text hash: SHA-256 of the UTF-8 bytes of {@link normalizeText}(text). (A lone
 * surrogate has no UTF-8 form and is encoded as U+FFFD, as the Go mcptrust did.)
 *
 * @throws LockfileError `INVALID_INPUT` when given something that is not a string.
 */
export function hashText(text: string): HashString {
  return hashBytes(encoder.encode(normalizeText(text)));
}

/**
 * JSON hash: SHA-256 of the RFC 8785 canonical form of the value.
 *
 * @throws LockfileError `CANONICALIZE_FAILED` when the value is not JSON.
 */
export function hashJson(value: unknown): HashString {
  return hashBytes(encoder.encode(canonicalize(value)));
}

/** Whether the value is a well-formed hash: `sha256:` and exactly 64 lowercase hex digits. */
export function isHashString(value: unknown): value is HashString {
  return typeof value === 'string' && HASH_PATTERN.test(value);
}

/**
 * Compares two hash strings in time that depends only on their lengths (which are
 * public), never on where they first differ.
 */
export function hashesMatch(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  // UTF-16 code units as bytes (equal lengths give equal byte lengths), compared by
  // OpenSSL's constant-time routine: a lockfile's thousands of comparisons run before
  // the proxy answers, when a JavaScript loop would still be interpreted.
  return timingSafeEqual(Buffer.from(a, 'utf16le'), Buffer.from(b, 'utf16le'));
}
