/**
 * Reading and writing `mcp-lock.json`. Writes are atomic: a crash, a full disk or a
 * failed rename leaves the previous lockfile exactly as it was, never half a file.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LockfileError } from './errors.js';
import type { Lockfile, ParsedLockfile } from './lockfile.types.js';
import { parseLockfile } from './parse.js';
import { serializeLockfile } from './serialize.js';
import { errorCode, osReason, writeFileAtomic } from './write-file-atomic.js';

/** Options of {@link readLockfile}. */
export interface ReadLockfileOptions {
  /** Aborts the read; the abort reason is thrown as is. */
  signal?: AbortSignal;
}

/** Options of {@link writeLockfile}. */
export interface WriteLockfileOptions {
  /** Aborts the write before the file is replaced; the abort reason is thrown as is. */
  signal?: AbortSignal;
}

/**
 * Reads and parses a lockfile (see `parseLockfile`). The bytes must be UTF-8.
 *
 * @throws LockfileError `NOT_FOUND` when the file does not exist, `READ_FAILED`
 * naming the path and the OS error, `JSON_INVALID` for bytes that are not UTF-8, and
 * every error of `parseLockfile`.
 */
export async function readLockfile(path: string, options: ReadLockfileOptions = {}): Promise<ParsedLockfile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path, options.signal === undefined ? {} : { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    if (errorCode(error) === 'ENOENT') {
      throw new LockfileError('NOT_FOUND', `lockfile ${path} does not exist (create it with \`mcptrust lock\`)`, { cause: error, file: path });
    }
    throw new LockfileError('READ_FAILED', `cannot read lockfile ${path}: ${osReason(error)}`, { cause: error, file: path });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new LockfileError('JSON_INVALID', `${path} is not UTF-8 text`, { cause: error, file: path });
  }
  return { ...parseLockfile(text, { file: path }), sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Writes a lockfile atomically: the serialized bytes go to a temporary file in the
 * same directory (random name, the mode of the file being replaced or 0644), which is
 * flushed to disk and then renamed over `path`. On any failure the temporary file is
 * removed and the previous file is left untouched.
 *
 * @throws LockfileError `WRITE_FAILED` naming the path and the OS error, and every
 * error of `serializeLockfile` (raised before anything is written).
 */
export async function writeLockfile(path: string, lockfile: Lockfile, options: WriteLockfileOptions = {}): Promise<void> {
  const text = serializeLockfile(lockfile);
  await writeFileAtomic(path, text, { what: 'lockfile', ...(options.signal === undefined ? {} : { signal: options.signal }) });
}
