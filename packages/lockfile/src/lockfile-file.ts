/**
 * Reading and writing `mcp-lock.json`. Writes are atomic: a crash, a full disk or a
 * failed rename leaves the previous lockfile exactly as it was, never half a file.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LockfileError } from './errors.js';
import type { Lockfile, ParsedLockfile } from './lockfile.types.js';
import { parseLockfile } from './parse.js';
import { serializeLockfile } from './serialize.js';

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

/** Mode of a new lockfile: readable by all, writable by the owner. */
const DEFAULT_MODE = 0o644;

// Duck-typed rather than `instanceof Error`: errors from another realm (a vm context,
// a worker) are errors all the same.
function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function osReason(error: unknown): string {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  const text = typeof message === 'string' ? message : String(error);
  const code = errorCode(error);
  return code === undefined || text.startsWith(code) ? text : `${code}: ${text}`;
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
  return parseLockfile(text, { file: path });
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
  const { signal } = options;
  const text = serializeLockfile(lockfile);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  let created = false;
  try {
    signal?.throwIfAborted();
    let mode = DEFAULT_MODE;
    try {
      const existing = await stat(path);
      if (existing.isFile()) mode = existing.mode & 0o777;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
    // 'wx': never follow or reuse something already at the temporary name.
    handle = await open(temp, 'wx', mode);
    created = true;
    await handle.writeFile(text, 'utf8');
    await handle.chmod(mode); // the mode given to open() is filtered by the umask
    await handle.sync();
    await handle.close();
    handle = undefined;
    signal?.throwIfAborted();
    await rename(temp, path);
    created = false;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    if (created) await rm(temp, { force: true }).catch(() => undefined);
    if (signal?.aborted === true) throw signal.reason;
    throw new LockfileError('WRITE_FAILED', `cannot write lockfile ${path}: ${osReason(error)} (the previous file, if any, is unchanged)`, {
      cause: error,
      file: path,
    });
  }
  // Make the rename itself durable. Best effort: not every platform can fsync a directory.
  try {
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // The file content is already on disk; only the directory entry may lag.
  }
}
