/**
 * Ed25519 signatures over a lockfile. What is signed is the canonical form of the
 * lockfile JSON exactly as it is in the file (parsed, then canonicalized with the
 * form the signature header names): whitespace and key order do not matter, every
 * value does. Go lockfiles are NOT converted first, so the Go tool's signatures verify.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { canonicalize, canonicalizeV1 } from '@mcptrust/lockfile';
import { SigningError } from './errors.js';
import { decodeUtf8, readBounded, writeAtomic } from './files.js';
import { readPrivateKey, readPublicKey } from './keys.js';
import type { Ed25519KeyPair } from './keys.js';
import { formatSignatureFile, parseSignatureFile } from './signature-file.js';
import type { CanonVersion } from './signature.types.js';

/** Lockfiles above this size are refused before parsing (the limit `@mcptrust/lockfile` reads and writes: 64 MiB). */
export const MAX_LOCKFILE_BYTES = 64 * 1024 * 1024;
/** Signature files are two short lines; anything bigger is not one. */
const MAX_SIGNATURE_FILE_BYTES = 64 * 1024;
/** Canonical form used for new signatures. */
export const DEFAULT_CANON_VERSION: CanonVersion = 'v2';

/**
 * The bytes a signature covers: the canonical form of the lockfile JSON text.
 * @throws SigningError `LOCKFILE_INVALID` when the text is not JSON
 */
export function canonicalLockfileBytes(text: string, canonVersion: CanonVersion, source = 'lockfile'): Uint8Array {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SigningError('LOCKFILE_INVALID', `${source} is not JSON: ${(error as Error).message}`, { cause: error, file: source });
  }
  try {
    return new TextEncoder().encode(canonVersion === 'v1' ? canonicalizeV1(value) : canonicalize(value));
  } catch (error) {
    throw new SigningError('LOCKFILE_INVALID', `${source} cannot be canonicalized: ${(error as Error).message}`, { cause: error, file: source });
  }
}

/** Signs lockfile text and returns the signature file text. */
export function signLockfileText(text: string, keyPair: Ed25519KeyPair, canonVersion: CanonVersion = DEFAULT_CANON_VERSION): string {
  const signature = ed25519.sign(canonicalLockfileBytes(text, canonVersion), keyPair.seed);
  return formatSignatureFile(signature, canonVersion);
}

/** Outcome of a successful Ed25519 verification. */
export interface Ed25519Verification {
  /** Which canonical form the signature covered. */
  canonVersion: CanonVersion;
  /** True when the signature file was the Go tool's header-less legacy form. */
  legacy: boolean;
}

/** Names used in messages by {@link verifyLockfileText}. */
export interface VerifyTextSources {
  lockfile?: string;
  signature?: string;
}

/**
 * Verifies signature file text over lockfile text with a raw public key.
 * @throws SigningError `SIGNATURE_INVALID` (a finding: tampered lockfile, wrong key),
 * `SIGNATURE_FILE_INVALID` / `UNSUPPORTED_CANONICALIZATION` (the file is not a
 * signature), `LOCKFILE_INVALID`
 */
export function verifyLockfileText(text: string, signatureText: string, publicKey: Uint8Array, sources: VerifyTextSources = {}): Ed25519Verification {
  const lockSource = sources.lockfile ?? 'lockfile';
  const parsed = parseSignatureFile(signatureText, sources.signature ?? 'signature file');
  const message = canonicalLockfileBytes(text, parsed.canonVersion, lockSource);
  let valid: boolean;
  try {
    // zip215: false = strict RFC 8032 verification, the rules Go's crypto/ed25519 uses.
    valid = ed25519.verify(parsed.signature, message, publicKey, { zip215: false });
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new SigningError(
      'SIGNATURE_INVALID',
      `signature of ${lockSource} is INVALID: the lockfile was changed after signing, or it was signed with another key`,
      { file: lockSource },
    );
  }
  return { canonVersion: parsed.canonVersion, legacy: parsed.legacy };
}

/** Reads a lockfile as text (bounded, UTF-8). */
export async function readLockfileText(path: string): Promise<string> {
  const bytes = await readBounded(path, { what: 'lockfile', maxBytes: MAX_LOCKFILE_BYTES, missing: 'LOCKFILE_INVALID', failed: 'LOCKFILE_INVALID' });
  return decodeUtf8(bytes, path, 'lockfile', 'LOCKFILE_INVALID');
}

/** Reads a signature file as text (bounded, UTF-8). */
export async function readSignatureText(path: string): Promise<string> {
  const bytes = await readBounded(path, { what: 'signature file', maxBytes: MAX_SIGNATURE_FILE_BYTES, missing: 'SIGNATURE_MISSING', failed: 'SIGNATURE_FILE_INVALID' });
  return decodeUtf8(bytes, path, 'signature file', 'SIGNATURE_FILE_INVALID');
}

/** Options of {@link signLockfile}. */
export interface SignLockfileOptions {
  /** The lockfile to sign. */
  lockfilePath: string;
  /** The private key file. */
  privateKeyPath: string;
  /** Where the signature goes; `<lockfile>.sig` by default. */
  signaturePath?: string;
  /** Canonical form to sign; `v2` (RFC 8785) by default. */
  canonVersion?: CanonVersion;
}

/** What {@link signLockfile} wrote. */
export interface SignLockfileResult {
  signaturePath: string;
  canonVersion: CanonVersion;
}

/**
 * Signs a lockfile file with a private key file and writes the signature file atomically.
 * @throws SigningError `KEY_READ_FAILED`, `KEY_INVALID`, `LOCKFILE_INVALID`, `WRITE_FAILED`
 */
export async function signLockfile(options: SignLockfileOptions): Promise<SignLockfileResult> {
  const canonVersion = options.canonVersion ?? DEFAULT_CANON_VERSION;
  const keyPair = await readPrivateKey(options.privateKeyPath);
  const text = await readLockfileText(options.lockfilePath);
  const signatureText = signLockfileText(text, keyPair, canonVersion);
  const signaturePath = options.signaturePath ?? `${options.lockfilePath}.sig`;
  await writeAtomic(signaturePath, signatureText, { mode: 0o644, overwrite: true, what: 'signature file' });
  return { signaturePath, canonVersion };
}

/** Options of {@link verifyEd25519File}. */
export interface VerifyEd25519FileOptions {
  lockfilePath: string;
  /** `<lockfile>.sig` by default. */
  signaturePath?: string;
  /** The public key file. */
  publicKeyPath: string;
}

/** Verifies a lockfile file against its signature file and a public key file. */
export async function verifyEd25519File(options: VerifyEd25519FileOptions): Promise<Ed25519Verification & { signaturePath: string }> {
  const signaturePath = options.signaturePath ?? `${options.lockfilePath}.sig`;
  const publicKey = await readPublicKey(options.publicKeyPath);
  const text = await readLockfileText(options.lockfilePath);
  const signatureText = await readSignatureText(signaturePath);
  const result = verifyLockfileText(text, signatureText, publicKey, { lockfile: options.lockfilePath, signature: signaturePath });
  return { ...result, signaturePath };
}
