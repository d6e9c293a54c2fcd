/**
 * The detached signature file (`mcp-lock.json.sig`): a JSON header line naming the
 * canonical form, then the hex Ed25519 signature. The Go mcptrust's legacy form, the
 * hex alone, is read as `v1`.
 */
import { SigningError } from './errors.js';
import type { CanonVersion, SignatureHeader } from './signature.types.js';

/** A parsed signature file. */
export interface ParsedSignature {
  /** The canonical form the signature covers. */
  canonVersion: CanonVersion;
  /** The 64-byte Ed25519 signature. */
  signature: Uint8Array;
  /** True for the header-less legacy form. */
  legacy: boolean;
}

const HEX_SIGNATURE = /^[0-9a-fA-F]{128}$/;

/** Formats a signature file: header line, hex signature, trailing newline. */
export function formatSignatureFile(signature: Uint8Array, canonVersion: CanonVersion): string {
  if (signature.length !== 64) throw new SigningError('SIGNATURE_INVALID', `an Ed25519 signature has 64 bytes, got ${signature.length}`);
  const header: SignatureHeader = { canon_version: canonVersion };
  return `${JSON.stringify(header)}\n${Buffer.from(signature).toString('hex')}\n`;
}

/** Checks a user- or file-supplied canonical form name. */
export function parseCanonVersion(value: unknown, source = 'canonicalization'): CanonVersion {
  if (value === 'v1' || value === 'v2') return value;
  throw new SigningError('UNSUPPORTED_CANONICALIZATION', `${source}: unsupported canonical form ${JSON.stringify(value)} (expected "v1" or "v2")`);
}

/**
 * Parses signature file text. A file that does not have this shape (truncated,
 * garbage, unknown header) is `SIGNATURE_FILE_INVALID` or
 * `UNSUPPORTED_CANONICALIZATION`: nothing was verified, so it is not reported as a
 * signature mismatch.
 * @param source the file name, for messages
 */
export function parseSignatureFile(text: string, source = 'signature file'): ParsedSignature {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const fail = (why: string): never => {
    throw new SigningError('SIGNATURE_FILE_INVALID', `${source} is not a signature file: ${why}`, { file: source });
  };
  if (lines.length === 0) return fail('it is empty');
  let canonVersion: CanonVersion = 'v1';
  let hexLine: string;
  const first = lines[0] as string;
  if (first.startsWith('{')) {
    let header: unknown;
    try {
      header = JSON.parse(first);
    } catch (error) {
      throw new SigningError('SIGNATURE_FILE_INVALID', `${source} is not a signature file: the header line is not JSON`, { cause: error, file: source });
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header) || !('canon_version' in header)) {
      return fail('the header line has no "canon_version"');
    }
    try {
      canonVersion = parseCanonVersion((header as { canon_version: unknown }).canon_version, source);
    } catch (error) {
      throw new SigningError('UNSUPPORTED_CANONICALIZATION', (error as Error).message, { cause: error, file: source });
    }
    if (lines.length !== 2) return fail(`expected the header line and one hex line, found ${lines.length} lines`);
    hexLine = lines[1] as string;
  } else {
    if (lines.length !== 1) return fail(`expected one hex line, found ${lines.length} lines`);
    hexLine = first;
  }
  if (!HEX_SIGNATURE.test(hexLine)) {
    return fail(`expected 128 hex digits (a 64-byte Ed25519 signature), found ${hexLine.length} characters`);
  }
  return { canonVersion, signature: new Uint8Array(Buffer.from(hexLine, 'hex')), legacy: !first.startsWith('{') };
}
