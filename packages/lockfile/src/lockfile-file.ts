/**
 * Reading and writing `mcp-lock.json`. Writes are atomic: a crash, a full disk or a
 * failed rename leaves the previous lockfile exactly as it was, never half a file.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { LockfileError } from './errors.js';
import type { Lockfile, ParsedLockfile } from './lockfile.types.js';
import { parseLockfile } from './parse.js';
import { serializeLockfile } from './serialize.js';
import { errorCode, osReason, writeFileAtomic } from './write-file-atomic.js';

/**
 * Largest lockfile read or written: 64 MiB (a server with 100,000 tools locks to about
 * 42 MB). A lockfile arrives in pull requests; a larger one is refused before it is
 * parsed, and a file that never ends (a device, a pipe) is refused when it passes this.
 */
export const MAX_LOCKFILE_BYTES = 64 * 1024 * 1024;

/** Reads at most {@link MAX_LOCKFILE_BYTES} + 1 bytes, whatever the file claims its size is. */
async function readBounded(path: string, signal: AbortSignal | undefined): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      signal?.throwIfAborted();
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, MAX_LOCKFILE_BYTES + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) return Buffer.concat(chunks, length);
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > MAX_LOCKFILE_BYTES) {
        throw new LockfileError('TOO_LARGE', `lockfile ${path} is larger than ${MAX_LOCKFILE_BYTES} bytes (64 MiB); refusing to read it`, {
          file: path,
          expected: `at most ${MAX_LOCKFILE_BYTES} bytes`,
          found: 'more',
        });
      }
    }
  } finally {
    await handle.close();
  }
}

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
 * naming the path and the OS error, `TOO_LARGE` past {@link MAX_LOCKFILE_BYTES},
 * `JSON_INVALID` for bytes that are not UTF-8, and every error of `parseLockfile`.
 */
export async function readLockfile(path: string, options: ReadLockfileOptions = {}): Promise<ParsedLockfile> {
  let bytes: Buffer;
  try {
    bytes = await readBounded(path, options.signal);
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    if (error instanceof LockfileError) throw error;
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
 * @throws LockfileError `WRITE_FAILED` naming the path and the OS error, `TOO_LARGE`
 * past {@link MAX_LOCKFILE_BYTES}, and every error of `serializeLockfile` (raised
 * before anything is written).
 */
export async function writeLockfile(path: string, lockfile: Lockfile, options: WriteLockfileOptions = {}): Promise<void> {
  const text = serializeLockfile(lockfile);
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_LOCKFILE_BYTES) {
    // Nothing is written: a lockfile no reader accepts must not replace one that works.
    throw new LockfileError('TOO_LARGE', `lockfile ${path} would be ${size} bytes, more than ${MAX_LOCKFILE_BYTES} (64 MiB); nothing was written`, {
      file: path,
      expected: `at most ${MAX_LOCKFILE_BYTES} bytes`,
      found: `${size} bytes`,
    });
  }
  await writeFileAtomic(path, text, { what: 'lockfile', ...(options.signal === undefined ? {} : { signal: options.signal }) });
}
