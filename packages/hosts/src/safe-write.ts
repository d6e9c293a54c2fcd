/**
 * Replacing a config file safely: under an exclusive lock, after a backup that is never
 * overwritten, atomically, only if the file is still the one that was read, checked
 * after the write, and recorded in the wrap state.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '@mcptrust/lockfile';
import type { ConfigFile } from './config-file.js';
import { sha256Hex } from './config-file.js';
import { HostsError } from './errors.js';
import { acquireLock, appendWrapRecord } from './state.js';

/** Options of {@link replaceConfigFile}. */
export interface ReplaceOptions {
  /** The state directory holding `wrap-state.json` (`~/.mcptrust`). */
  stateDir: string;
  /** The time of the backup's name and the record (default: now). */
  now?: Date;
  /** Which command replaces the file. */
  reason: 'wrap' | 'unwrap';
}

/** What {@link replaceConfigFile} did. */
export interface ReplaceResult {
  /** The backup of the previous bytes. */
  backupPath: string;
  /** SHA-256 (hex) of the bytes written. */
  postSha256: string;
}

function errnoCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The timestamp of a backup's name, `YYYYMMDD-HHMMSS` in UTC.
 *
 * @param date - the time
 */
export function backupStamp(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

/** Creates `<file>.mcptrust-bak.<stamp>[-n]` exclusively with the given bytes and mode. */
async function writeBackup(target: string, bytes: Uint8Array, mode: number, now: Date): Promise<string> {
  const base = `${target}.mcptrust-bak.${backupStamp(now)}`;
  for (let n = 0; n < 1000; n += 1) {
    const path = n === 0 ? base : `${base}-${n}`;
    let handle;
    try {
      handle = await open(path, 'wx', mode);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') continue;
      throw new HostsError('IO_ERROR', `cannot create the backup ${path}: ${message(error)}`, { file: target, cause: error });
    }
    try {
      await handle.writeFile(bytes);
      await handle.chmod(mode);
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(path, { force: true });
      throw new HostsError('IO_ERROR', `cannot write the backup ${path}: ${message(error)}`, { file: target, cause: error });
    }
    await handle.close();
    return path;
  }
  throw new HostsError('IO_ERROR', `too many backups named ${base}-n`, { file: target });
}

/**
 * Replaces a config file with `newText`:
 * 1. takes the exclusive lock `<file>.mcptrust.lock` (a lock older than 60 s is taken over);
 * 2. backs the bytes read up to `<file>.mcptrust-bak.<YYYYMMDD-HHMMSS>[-n]` (created
 *    exclusively with the file's mode, never overwritten);
 * 3. writes a temporary file in the same directory, flushes it, and just before the
 *    rename checks that the file still has the hash it was read with;
 * 4. renames it into place with the file's mode, and reads it back;
 * 5. appends `{ path, preSha256, postSha256, backupPath, reason, at }` to the wrap state;
 * 6. removes the lock.
 *
 * @param file - the file as read (its real path, bytes, hash and mode)
 * @param newText - the new contents
 * @param options - state directory, time and reason
 * @returns the backup's path and the hash of the bytes written
 * @throws HostsError `CONFIG_LOCKED` (another process holds the lock), `CONFIG_CHANGED`
 * (the file changed since it was read: nothing replaced, the backup removed), `IO_ERROR`
 */
export async function replaceConfigFile(file: ConfigFile, newText: string, options: ReplaceOptions): Promise<ReplaceResult> {
  const target = file.realPath;
  const now = options.now ?? new Date();
  const newBytes = Buffer.from(newText, 'utf8');
  const release = await acquireLock(`${target}.mcptrust.lock`);
  try {
    const backupPath = await writeBackup(target, file.bytes, file.mode, now);
    try {
      await writeFileAtomic(target, newBytes, {
        mode: file.mode,
        what: 'config file',
        precondition: async () => {
          let current: Buffer;
          try {
            current = await readFile(target);
          } catch (error) {
            throw new HostsError('CONFIG_CHANGED', `${target} cannot be read again before it is replaced (${message(error)}); nothing was written`, { file: target, cause: error });
          }
          if (sha256Hex(current) !== file.sha256) {
            throw new HostsError('CONFIG_CHANGED', `${target} changed since it was read; nothing was written (run the command again)`, { file: target });
          }
        },
      });
    } catch (error) {
      await rm(backupPath, { force: true });
      if (error instanceof HostsError) throw error;
      throw new HostsError('IO_ERROR', message(error), { file: target, cause: error });
    }
    const written = await readFile(target).catch((error: unknown) => {
      throw new HostsError('IO_ERROR', `cannot read ${target} back: ${message(error)} (backup: ${backupPath})`, { file: target, cause: error });
    });
    if (!written.equals(newBytes)) {
      throw new HostsError('IO_ERROR', `${target} does not hold what was written (backup: ${backupPath})`, { file: target });
    }
    const postSha256 = sha256Hex(newBytes);
    await appendWrapRecord(options.stateDir, {
      path: target,
      preSha256: file.sha256,
      postSha256,
      backupPath,
      reason: options.reason,
      at: now.toISOString(),
    });
    return { backupPath, postSha256 };
  } finally {
    await release();
  }
}
