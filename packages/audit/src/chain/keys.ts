/**
 * Ed25519 keys of the audit log: the signer the writer signs checkpoints with, the key id
 * recorded beside each signature, and signature checks for the verifier. Keys are raw
 * bytes; reading key files is the caller's business (the CLI reads the `mcptrust keygen`
 * formats).
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AuditError } from '../errors.js';
import { sha256Hex } from './record.js';

/** Signs checkpoints of the audit log. */
export interface AuditSigner {
  /** Id of the signing key ({@link auditKeyId} of its public key), recorded in each checkpoint. */
  keyId: string;
  /** Signs a message; returns the 64-byte Ed25519 signature. */
  sign(message: Uint8Array): Uint8Array;
}

function checkLength(bytes: Uint8Array, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new AuditError('INVALID_KEY', `${what}: an Ed25519 key has 32 bytes, got ${got}`);
  }
}

/**
 * The id of an Ed25519 public key: the first 16 hex digits of the SHA-256 of its raw
 * 32 bytes.
 * @throws AuditError `INVALID_KEY` when the key is not 32 bytes
 */
export function auditKeyId(publicKey: Uint8Array): string {
  checkLength(publicKey, 'audit public key');
  return sha256Hex(publicKey).slice(0, 16);
}

/**
 * A signer for the audit log from a raw Ed25519 key pair.
 * @param privateKey - the 32-byte secret seed
 * @param publicKey - the 32-byte public key (checked to belong to the seed)
 * @throws AuditError `INVALID_KEY` when either key is malformed or they do not match
 */
export function createAuditSigner(privateKey: Uint8Array, publicKey: Uint8Array): AuditSigner {
  checkLength(privateKey, 'audit signing key (seed)');
  checkLength(publicKey, 'audit public key');
  const x = Buffer.from(publicKey).toString('base64url');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(privateKey).toString('base64url'), x }, format: 'jwk' });
  } catch (error) {
    throw new AuditError('INVALID_KEY', `audit signing key: not a usable Ed25519 key: ${(error as Error).message}`, { cause: error });
  }
  // The public half is derived from the seed: a mismatched pair would sign checkpoints
  // nobody can verify with the published key.
  const derived = createPublicKey(key).export({ format: 'jwk' }).x;
  if (derived !== x) throw new AuditError('INVALID_KEY', 'audit signing key: the public key does not belong to the private key');
  const keyId = auditKeyId(publicKey);
  return { keyId, sign: (message) => new Uint8Array(sign(null, message, key)) };
}

/**
 * A public key object for signature checks.
 * @throws AuditError `INVALID_KEY`
 */
export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  checkLength(publicKey, 'audit public key');
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  } catch (error) {
    throw new AuditError('INVALID_KEY', `audit public key: not a usable Ed25519 key: ${(error as Error).message}`, { cause: error });
  }
}

const BASE64 = /^[A-Za-z0-9+/]{86}==$/;

/** Whether `sig` (base64 of 64 bytes) is a valid signature of `message` by `key`. */
export function signatureValid(key: KeyObject, message: Uint8Array, sig: string): boolean {
  if (!BASE64.test(sig)) return false;
  const bytes = Buffer.from(sig, 'base64');
  // Only the canonical encoding: no two spellings of one signature.
  if (bytes.toString('base64') !== sig) return false;
  try {
    return verify(null, message, key, bytes);
  } catch {
    return false;
  }
}

/** Whether a value has the shape of a signature: base64 of 64 bytes. */
export function isSignature(value: unknown): value is string {
  return typeof value === 'string' && BASE64.test(value);
}
