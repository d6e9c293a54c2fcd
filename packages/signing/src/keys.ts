/**
 * Ed25519 keys in the PEM-like format of the Go mcptrust: a `-----BEGIN ED25519 PUBLIC
 * KEY-----` block holding the base64 of the raw 32-byte key, and a `-----BEGIN ED25519
 * PRIVATE KEY-----` block holding the 64-byte seed + public key (Go's
 * `ed25519.PrivateKey`). A bare 32-byte seed is accepted on read as well.
 */
import { createPrivateKey, createPublicKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { access } from 'node:fs/promises';
import { SigningError } from './errors.js';
import { decodeUtf8, readBounded, writeAtomic } from './files.js';

const PUBLIC_LABEL = 'ED25519 PUBLIC KEY';
const PRIVATE_LABEL = 'ED25519 PRIVATE KEY';
/** Key files are tiny; anything bigger is not a key. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

/** An Ed25519 key pair as raw bytes. */
export interface Ed25519KeyPair {
  /** The 32-byte secret seed. */
  seed: Uint8Array;
  /** The 32-byte public key. */
  publicKey: Uint8Array;
}

// PKCS #8 DER of an Ed25519 private key (RFC 8410) up to its 32-byte seed.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The public key of a seed, through node:crypto: reading a key must not cost the first
 * use of a JavaScript curve implementation (~45 ms of precomputation), which the proxy's
 * `--audit-key` would pay before it starts.
 */
function publicKeyOf(seed: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(String(jwk.x), 'base64url'));
}

/** Generates a fresh key pair from the platform CSPRNG. */
export function generateKeyPair(): Ed25519KeyPair {
  const seed = new Uint8Array(randomBytes(32));
  return { seed, publicKey: publicKeyOf(seed) };
}

function wrap64(text: string): string {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 64) lines.push(text.slice(i, i + 64));
  return lines.join('\n');
}

function pem(label: string, bytes: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${wrap64(Buffer.from(bytes).toString('base64'))}\n-----END ${label}-----\n`;
}

/** The public key file text. */
export function encodePublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new SigningError('KEY_INVALID', `an Ed25519 public key has 32 bytes, got ${publicKey.length}`);
  return pem(PUBLIC_LABEL, publicKey);
}

/** The private key file text (64 bytes: seed then public key, as the Go tool writes). */
export function encodePrivateKey(pair: Ed25519KeyPair): string {
  const bytes = new Uint8Array(64);
  bytes.set(pair.seed, 0);
  bytes.set(pair.publicKey, 32);
  return pem(PRIVATE_LABEL, bytes);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodePem(text: string, label: string, source: string): Uint8Array {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  if (lines[0] !== begin || lines[lines.length - 1] !== end || lines.length < 3) {
    const found = (lines[0] ?? '').slice(0, 60);
    throw new SigningError('KEY_INVALID', `${source}: expected a "${begin}" block, found "${found}"`, { file: source });
  }
  const body = lines.slice(1, -1).join('');
  if (!BASE64.test(body) || body.length % 4 !== 0) {
    throw new SigningError('KEY_INVALID', `${source}: the ${label} block is not base64`, { file: source });
  }
  return new Uint8Array(Buffer.from(body, 'base64'));
}

/**
 * Parses a public key file.
 * @param source the file name, for messages
 * @throws SigningError `KEY_INVALID`
 */
export function parsePublicKey(text: string, source = 'public key'): Uint8Array {
  const bytes = decodePem(text, PUBLIC_LABEL, source);
  if (bytes.length !== 32) throw new SigningError('KEY_INVALID', `${source}: an Ed25519 public key has 32 bytes, got ${bytes.length}`, { file: source });
  return bytes;
}

/**
 * Parses a private key file: 64 bytes (seed + public key, checked to match) or a bare
 * 32-byte seed.
 * @throws SigningError `KEY_INVALID`
 */
export function parsePrivateKey(text: string, source = 'private key'): Ed25519KeyPair {
  const bytes = decodePem(text, PRIVATE_LABEL, source);
  if (bytes.length !== 32 && bytes.length !== 64) {
    throw new SigningError('KEY_INVALID', `${source}: an Ed25519 private key has 64 (or 32) bytes, got ${bytes.length}`, { file: source });
  }
  const seed = bytes.slice(0, 32);
  const publicKey = publicKeyOf(seed);
  // A 64-byte key whose second half is not the seed's public key is corrupt: signing
  // with it would produce signatures nobody can verify with the published key.
  if (bytes.length === 64 && !timingSafeEqual(publicKey, bytes.subarray(32))) {
    throw new SigningError('KEY_INVALID', `${source}: the public half of the private key does not match its seed`, { file: source });
  }
  return { seed, publicKey };
}

/** Reads and parses a public key file; errors name the path. */
export async function readPublicKey(path: string): Promise<Uint8Array> {
  const bytes = await readBounded(path, { what: 'public key', maxBytes: MAX_KEY_FILE_BYTES, missing: 'KEY_READ_FAILED', failed: 'KEY_READ_FAILED' });
  return parsePublicKey(decodeUtf8(bytes, path, 'public key', 'KEY_INVALID'), path);
}

/** Reads and parses a private key file; errors name the path. */
export async function readPrivateKey(path: string): Promise<Ed25519KeyPair> {
  const bytes = await readBounded(path, { what: 'private key', maxBytes: MAX_KEY_FILE_BYTES, missing: 'KEY_READ_FAILED', failed: 'KEY_READ_FAILED' });
  return parsePrivateKey(decodeUtf8(bytes, path, 'private key', 'KEY_INVALID'), path);
}

/** Options of {@link writeKeyPair}. */
export interface WriteKeyPairOptions {
  /** Where the private key goes (written with mode 0600). */
  privateKeyPath: string;
  /** Where the public key goes (mode 0644). */
  publicKeyPath: string;
  /** Replace existing key files. Without it an existing file is `KEY_EXISTS`. */
  force?: boolean;
  /** The pair to write; a fresh one by default. */
  keyPair?: Ed25519KeyPair;
}

/**
 * Generates (or takes) a key pair and writes both files atomically. Without `force`,
 * neither file is written when either already exists.
 * @returns the public key
 * @throws SigningError `KEY_EXISTS`, `WRITE_FAILED`
 */
export async function writeKeyPair(options: WriteKeyPairOptions): Promise<Uint8Array> {
  const pair = options.keyPair ?? generateKeyPair();
  const overwrite = options.force === true;
  if (!overwrite) {
    // Check both first so that a refusal leaves nothing half-done.
    for (const path of [options.privateKeyPath, options.publicKeyPath]) {
      const exists = await access(path).then(() => true, () => false);
      if (exists) throw new SigningError('KEY_EXISTS', `key file ${path} already exists (use --force to replace it)`, { file: path });
    }
  }
  // The public key is written in full just before the private key replaces the old one:
  // a write that fails (a full disk) leaves the old pair whole, never a new private key
  // beside the old public key.
  const writePublic = (): Promise<void> => writeAtomic(options.publicKeyPath, encodePublicKey(pair.publicKey), { mode: 0o644, overwrite, what: 'public key' });
  await writeAtomic(options.privateKeyPath, encodePrivateKey(pair), { mode: 0o600, overwrite, what: 'private key', precondition: writePublic });
  return pair.publicKey;
}
