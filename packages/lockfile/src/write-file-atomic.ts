/**
 * Atomic file replacement, shared by every MCPTrust file writer (lockfiles, keys,
 * signatures, reports): a crash, a full disk or a failed rename leaves the previous
 * file exactly as it was, never half a file.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LockfileError } from './errors.js';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /**
   * File mode, applied after creation so that the umask can neither widen nor narrow
   * it. Default: the mode of the file being replaced, or 0644 for a new file.
   */
  mode?: number;
  /**
   * Replace an existing file (default). With `false` the final step is a hard link,
   * which fails with `EEXIST` (kept as the error's `cause`) if the target exists, so two
   * writers can never both win.
   */
  overwrite?: boolean;
  /** What the file is, for messages (`lockfile`, `private key`…). Default `file`. */
  what?: string;
  /** Aborts the write before the file is replaced; the abort reason is thrown as is. */
  signal?: AbortSignal;
  /**
   * Runs after the temporary file is written and flushed, just before the final rename
   * (or link). If it throws (or rejects), nothing is replaced, the temporary file is
   * removed and its error is thrown as is. Use it for a compare-and-swap check: re-read
   * the target and throw when it changed since it was read.
   */
  precondition?: () => Promise<void>;
}

/** Carries the error of a failed precondition through the write's own error handling. */
class PreconditionFailure {
  constructor(readonly reason: unknown) {}
}

/** Mode of a new file: readable by all, writable by the owner. */
const DEFAULT_MODE = 0o644;

// Duck-typed rather than `instanceof Error`: errors from another realm (a vm context,
// a worker) are errors all the same.
/** The `code` of an OS error (`ENOENT`, `EEXIST`…), if any. */
export function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** An OS error as one short phrase: `EACCES: permission denied, open '…'`. */
export function osReason(error: unknown): string {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  const text = typeof message === 'string' ? message : String(error);
  const code = errorCode(error);
  return code === undefined || text.startsWith(code) ? text : `${code}: ${text}`;
}

async function modeOf(path: string): Promise<number> {
  try {
    const existing = await stat(path);
    return existing.isFile() ? existing.mode & 0o777 : DEFAULT_MODE;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    return DEFAULT_MODE;
  }
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same directory (created
 * exclusively, never following a link) is written with the final mode, flushed, then
 * moved into place, and the directory is flushed so the rename is durable.
 *
 * @throws LockfileError `WRITE_FAILED` naming the path and the OS error (the OS error
 * is the `cause`); the previous file, if any, is unchanged. The error of a failed
 * `precondition` and the reason of an aborted `signal` are thrown as they are.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const { signal, precondition, overwrite = true, what = 'file' } = options;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  let created = false;
  try {
    signal?.throwIfAborted();
    const mode = options.mode ?? (await modeOf(path));
    // 'wx': never follow or reuse something already at the temporary name.
    handle = await open(temp, 'wx', mode);
    created = true;
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    signal?.throwIfAborted();
    if (precondition !== undefined) {
      try {
        await precondition();
      } catch (error) {
        throw new PreconditionFailure(error);
      }
    }
    if (overwrite) {
      await rename(temp, path);
      created = false;
    } else {
      await link(temp, path);
    }
  } catch (error) {
    if (error instanceof PreconditionFailure) throw error.reason;
    if (signal?.aborted === true) throw signal.reason;
    const exists = errorCode(error) === 'EEXIST' && !overwrite;
    throw new LockfileError(
      'WRITE_FAILED',
      exists ? `${what} ${path} already exists` : `cannot write ${what} ${path}: ${osReason(error)} (the previous file, if any, is unchanged)`,
      { cause: error, file: path },
    );
  } finally {
    await handle?.close().catch(() => undefined);
    if (created) await rm(temp, { force: true }).catch(() => undefined);
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
