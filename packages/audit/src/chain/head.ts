/**
 * The detached head of an audit log: the chain, seq and hash of its last record (signed
 * when the log is). Shipped off the machine, it makes removing records from the end
 * detectable.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AuditError } from '../errors.js';
import { isChainId, isCount, isHash } from './record.js';
import { isSignature } from './keys.js';

/** Where an audit log stands: its last record. */
export interface AuditHead {
  /** File name (base name) holding the record. */
  file: string;
  /** Chain id. */
  chain: string;
  /** The record's `seq`. */
  seq: number;
  /** SHA-256 (hex) of the record's line. */
  head: string;
  /** Id of the key that signed this head ({@link auditKeyId}), when signed. */
  key_id?: string;
  /** Base64 Ed25519 signature of the checkpoint message of `chain`, `seq` and `head`, when signed. */
  sig?: string;
}

/** Head files are tiny; anything bigger is not one. */
const MAX_HEAD_BYTES = 64 * 1024;
const KEY_ID = /^[0-9a-f]{16}$/;

/**
 * Checks the shape of a head.
 * @param source - where it came from, for messages
 * @throws AuditError `INVALID_EVENT` naming the field
 */
export function validateHead(value: unknown, source: string): AuditHead {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AuditError('INVALID_EVENT', `${source}: an audit head is a JSON object`);
  const o = value as Record<string, unknown>;
  const bad = (field: string, what: string): AuditError => new AuditError('INVALID_EVENT', `${source}: "${field}" must be ${what}`);
  if (typeof o['file'] !== 'string' || o['file'] === '') throw bad('file', 'a file name');
  if (!isChainId(o['chain'])) throw bad('chain', 'a chain id (UUID)');
  if (!isCount(o['seq'])) throw bad('seq', 'a non-negative integer');
  if (!isHash(o['head'])) throw bad('head', 'a SHA-256 hash (64 lowercase hex digits)');
  const head: AuditHead = { file: o['file'], chain: o['chain'], seq: o['seq'], head: o['head'] };
  if (o['key_id'] !== undefined || o['sig'] !== undefined) {
    if (typeof o['key_id'] !== 'string' || !KEY_ID.test(o['key_id'])) throw bad('key_id', 'a key id (16 lowercase hex digits) when the head is signed');
    if (!isSignature(o['sig'])) throw bad('sig', 'a base64 Ed25519 signature when the head is signed');
    head.key_id = o['key_id'];
    head.sig = o['sig'];
  }
  return head;
}

/**
 * Reads a head file written by the audit log (`<log>.head.json`).
 * @throws AuditError `READ_FAILED` when it cannot be read, `INVALID_EVENT` when it is not a head
 */
export function readAuditHead(path: string): AuditHead {
  let text: string;
  try {
    if (statSync(path).size > MAX_HEAD_BYTES) throw new Error(`larger than ${MAX_HEAD_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AuditError('READ_FAILED', `cannot read audit head ${path}: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AuditError('INVALID_EVENT', `${path}: an audit head is JSON: ${(error as Error).message}`, { cause: error });
  }
  return validateHead(value, path);
}

/**
 * Writes a head file atomically (temporary file, fsync, rename), mode 0600.
 * @throws AuditError `WRITE_FAILED` naming the file
 */
export function writeHeadFile(path: string, head: AuditHead): void {
  const tmp = join(dirname(path), `.${basename(path).slice(0, 200)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    // Every byte, or an error: a short write (a full disk) must never be renamed into place.
    const data = Buffer.from(`${JSON.stringify(head, null, 2)}\n`, 'utf8');
    for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // The write already failed; that error is the one reported.
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // Not created, or already renamed.
    }
    throw new AuditError('WRITE_FAILED', `cannot write audit head ${path}: ${(error as Error).message}`, { cause: error });
  }
}
