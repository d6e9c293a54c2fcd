import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AuditError } from '../errors.js';
import { redactFreeText } from '../redact/patterns.js';
import { sanitizeText } from '../redact/text.js';
import type { Receipt, ReceiptMode } from './receipt.types.js';
import { MAX_ERROR_LENGTH, validateReceipt } from './validate-receipt.js';

export { validateReceipt } from './validate-receipt.js';

const MODES: readonly ReceiptMode[] = ['overwrite', 'append'];

/**
 * Makes an error message fit `result.error`: secrets in it are hidden (URL userinfo and
 * queries, `Bearer …`, `token=…`, token-shaped values), controls and invisible characters
 * are escaped, and the result is at most 2048 characters (ending in `…` when cut).
 *
 * @param message - the error message
 * @returns the text to store in `result.error`
 */
export function truncateError(message: string): string {
  return sanitizeText(redactFreeText(String(message)).text, MAX_ERROR_LENGTH - 1);
}

// Writes the whole buffer; the first call normally writes all of it at once.
function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

function failure(path: string, action: string, cause: unknown): AuditError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AuditError('WRITE_FAILED', `cannot ${action} receipt ${path}: ${reason}`, { cause });
}

function syncDirectory(dir: string): void {
  // Makes the rename durable where the platform allows opening a directory; best effort.
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here (Windows); the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function overwrite(path: string, data: Buffer): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path).slice(0, 200)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  let created = false;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    created = true;
    writeAll(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    created = false;
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // The write already failed; that error is the one reported.
      }
    }
    if (created) {
      try {
        unlinkSync(tmp);
      } catch {
        // Nothing more can be done; the target file was not touched.
      }
    }
    throw failure(path, 'write', error);
  }
  syncDirectory(dir);
}

function append(path: string, data: Buffer): void {
  let fd: number | undefined;
  let size: number | undefined;
  try {
    fd = openSync(path, 'a+', 0o600);
    size = fstatSync(fd).size;
    let out = data;
    if (size > 0) {
      // A torn last line (a crash mid-write) must not swallow this receipt.
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) out = Buffer.concat([Buffer.from('\n'), data]);
    }
    writeAll(fd, out);
    fsyncSync(fd);
  } catch (error) {
    // A full disk can take part of the line before it fails: cut the file back to what
    // it held, so earlier receipts are never followed by half a receipt.
    if (fd !== undefined && size !== undefined) {
      try {
        ftruncateSync(fd, size);
      } catch {
        // The write error is the one reported.
      }
    }
    throw failure(path, 'append to', error);
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Closing after a failed write: the write error is already being reported.
      }
    }
  }
}

/**
 * Writes a receipt to `path`, synchronously, so that it can run on every exit path
 * (including just before the process exits). The receipt is checked with
 * {@link validateReceipt} and serialized in a fixed key order, `schema_version` first,
 * followed by `\n`. Missing parent directories are created with mode 0700.
 *
 * - `overwrite`: the receipt goes to `<dir>/.<name>.<pid>.<random>.tmp` (mode 0600,
 *   fsynced), which is then renamed over `path`: the file always holds either the old
 *   receipt or the whole new one, never an empty or partial one.
 * - `append`: one JSON line is added with a single write on a file opened for appending
 *   (created with mode 0600). If the file does not end with a newline (a torn line from
 *   an interrupted writer), a newline is written first so the new receipt is a line of
 *   its own.
 *
 * @param path - the receipt file
 * @param receipt - the receipt
 * @param mode - `overwrite` or `append`
 * @throws AuditError `INVALID_OPTIONS` for an empty path or unknown mode, `INVALID_EVENT`
 *   for a malformed receipt, `WRITE_FAILED` (naming the path, with `cause`) when the file
 *   cannot be written
 */
export function writeReceipt(path: string, receipt: Receipt, mode: ReceiptMode): void {
  if (typeof path !== 'string' || path === '') {
    throw new AuditError('INVALID_OPTIONS', 'receipt path must be a non-empty string');
  }
  if (!MODES.includes(mode)) {
    throw new AuditError('INVALID_OPTIONS', `receipt mode must be overwrite or append, got ${String(mode)}`);
  }
  const data = Buffer.from(JSON.stringify(validateReceipt(receipt)) + '\n', 'utf8');
  const target = resolve(path);
  try {
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw failure(path, 'create the directory of', error);
  }
  if (mode === 'overwrite') overwrite(target, data);
  else append(target, data);
}
