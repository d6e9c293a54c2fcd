/**
 * File helpers shared by keys, signatures and bundles: bounded reads that name the
 * file in every error, and atomic writes that never leave half a file behind.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { LockfileError, writeFileAtomic } from '@mcptrust/lockfile';
import { SigningError } from './errors.js';
import type { SigningErrorCode } from './errors.js';

/** The OS error code of a failed fs call, if any. */
export function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** A short, human reason for a failed fs call. */
export function osReason(error: unknown): string {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(error);
}

/** How {@link readBounded} reports failures. */
export interface ReadBoundedOptions {
  /** What the file is, for messages ("public key", "signature file"). */
  what: string;
  /** Files above this size are refused: they are attacker-supplied in the worst case. */
  maxBytes: number;
  /** Code when the file does not exist. */
  missing: SigningErrorCode;
  /** Code for any other read failure. */
  failed: SigningErrorCode;
}

/** Reads a whole file, refusing anything larger than `maxBytes`. */
export async function readBounded(path: string, options: ReadBoundedOptions): Promise<Buffer> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile()) throw new SigningError(options.failed, `cannot read ${options.what} ${path}: not a regular file`, { file: path });
    if (info.size > options.maxBytes) {
      throw new SigningError(options.failed, `${options.what} ${path} is too large (${info.size} bytes, at most ${options.maxBytes})`, { file: path });
    }
    // Read at most one byte past the limit: the file may grow between stat and read.
    // Unfilled: only the bytes read are returned.
    const buffer = Buffer.allocUnsafe(options.maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > options.maxBytes) {
        throw new SigningError(options.failed, `${options.what} ${path} is too large (more than ${options.maxBytes} bytes)`, { file: path });
      }
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof SigningError) throw error;
    if (errorCode(error) === 'ENOENT') {
      throw new SigningError(options.missing, `${options.what} ${path} does not exist`, { cause: error, file: path });
    }
    throw new SigningError(options.failed, `cannot read ${options.what} ${path}: ${osReason(error)}`, { cause: error, file: path });
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Decodes UTF-8 strictly (a key or signature file is text). */
export function decodeUtf8(bytes: Uint8Array, path: string, what: string, code: SigningErrorCode): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new SigningError(code, `${what} ${path} is not UTF-8 text`, { cause: error, file: path });
  }
}

/** Options of {@link writeAtomic}. */
export interface WriteAtomicOptions {
  /** File mode (applied after creation, so the umask cannot widen or narrow it). */
  mode: number;
  /** Replace an existing file; otherwise an existing file is an error (`KEY_EXISTS`). */
  overwrite: boolean;
  /** What the file is, for messages. */
  what: string;
  /** Run just before the file is replaced; a throw leaves the file as it was and is rethrown as is. */
  precondition?: () => Promise<void>;
}

/**
 * Writes a file atomically with the workspace's shared writer (`writeFileAtomic`):
 * temporary file with the final mode, flushed, then moved into place. Without
 * `overwrite` the move is a hard link, which fails if the target exists, so two
 * writers cannot both win.
 */
export async function writeAtomic(path: string, data: Uint8Array | string, options: WriteAtomicOptions): Promise<void> {
  try {
    await writeFileAtomic(path, data, { mode: options.mode, overwrite: options.overwrite, what: options.what, ...(options.precondition === undefined ? {} : { precondition: options.precondition }) });
  } catch (error) {
    if (error instanceof SigningError) throw error;
    const cause = error instanceof LockfileError ? error.cause : error;
    if (errorCode(cause) === 'EEXIST' && !options.overwrite) {
      throw new SigningError('KEY_EXISTS', `${options.what} ${path} already exists (use --force to replace it)`, { cause, file: path });
    }
    throw new SigningError('WRITE_FAILED', `cannot write ${options.what} ${path}: ${osReason(cause)}`, { cause, file: path });
  }
}
