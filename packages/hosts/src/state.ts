/**
 * The wrap state: one record per replacement of a config file, kept in
 * `<stateDir>/wrap-state.json`, and the exclusive lock files that serialize writers.
 */
import { open, readFile, rm, stat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic } from '@mcptrust/lockfile';
import type { ConfigFile } from './config-file.js';
import { sha256Hex } from './config-file.js';
import { HostsError } from './errors.js';

/** One replacement of a config file by `wrap` or `unwrap`. */
export interface WrapRecord {
  /** The real path of the file replaced. */
  path: string;
  /** SHA-256 (hex) of the bytes before the replacement (the backup's bytes). */
  preSha256: string;
  /** SHA-256 (hex) of the bytes written. */
  postSha256: string;
  /** The backup of the previous bytes. */
  backupPath: string;
  /** Which command replaced the file. */
  reason: 'wrap' | 'unwrap';
  /** When, as an ISO 8601 timestamp. */
  at: string;
}

/** Name of the state file inside the state directory. */
export const WRAP_STATE_FILE = 'wrap-state.json';

/** A lock older than this is left over from a crashed process and is taken over. */
export const STALE_LOCK_MS = 60_000;

function errnoCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

async function createLock(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx', 0o600);
    try {
      await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw new HostsError('IO_ERROR', `cannot create the lock ${lockPath}: ${String(error)}`, { file: lockPath, cause: error });
  }
}

async function lockIsStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs > staleMs;
  } catch (error) {
    return errnoCode(error) === 'ENOENT';
  }
}

/**
 * Takes an exclusive lock file (`O_EXCL`). A lock older than `staleMs` is taken over.
 *
 * @param lockPath - the lock file to create
 * @param options - `staleMs` (default 60 s); `waitMs`: how long to retry a fresh lock (default 0)
 * @returns a function that removes the lock
 * @throws HostsError `CONFIG_LOCKED` when a fresh lock is still held after `waitMs`
 */
export async function acquireLock(lockPath: string, options: { staleMs?: number; waitMs?: number } = {}): Promise<() => Promise<void>> {
  const { staleMs = STALE_LOCK_MS, waitMs = 0 } = options;
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await createLock(lockPath)) return () => rm(lockPath, { force: true });
    if (await lockIsStale(lockPath, staleMs)) {
      await rm(lockPath, { force: true });
      if (await createLock(lockPath)) return () => rm(lockPath, { force: true });
    }
    if (Date.now() >= deadline) {
      throw new HostsError('CONFIG_LOCKED', `${lockPath} exists: another mcptrust process is editing this file (remove the lock if no such process runs)`, {
        file: lockPath,
      });
    }
    await sleep(25);
  }
}

function isRecord(value: unknown): value is WrapRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['path', 'preSha256', 'postSha256', 'backupPath', 'at'].every((key) => typeof record[key] === 'string') && (record.reason === 'wrap' || record.reason === 'unwrap');
}

/**
 * The records of the wrap state file, oldest first (none when the file does not exist).
 *
 * @param stateDir - the state directory (`~/.mcptrust`)
 * @throws HostsError `IO_ERROR` when the file cannot be read or is not a wrap state file
 */
export async function readWrapState(stateDir: string): Promise<WrapRecord[]> {
  const file = join(stateDir, WRAP_STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw new HostsError('IO_ERROR', `cannot read ${file}: ${String(error)}`, { file, cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HostsError('IO_ERROR', `${file} is not valid JSON`, { file, cause: error });
  }
  const records = typeof parsed === 'object' && parsed !== null ? (parsed as { records?: unknown }).records : undefined;
  if (!Array.isArray(records)) throw new HostsError('IO_ERROR', `${file} has no "records" list`, { file });
  return records.filter(isRecord);
}

/**
 * Appends a record to the wrap state file: read, add and atomic replace, under the
 * file's own exclusive lock (waiting up to 10 s for another writer).
 *
 * @param stateDir - the state directory (created with mode 0700 when missing)
 * @param record - the record to add
 * @throws HostsError `CONFIG_LOCKED`, `IO_ERROR`
 */
export async function appendWrapRecord(stateDir: string, record: WrapRecord): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, WRAP_STATE_FILE);
  const release = await acquireLock(`${file}.lock`, { waitMs: 10_000 });
  try {
    const records = await readWrapState(stateDir);
    records.push(record);
    await writeFileAtomic(file, `${JSON.stringify({ version: 1, records }, null, 2)}\n`, { mode: 0o600, what: 'wrap state' });
  } catch (error) {
    if (error instanceof HostsError) throw error;
    throw new HostsError('IO_ERROR', `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, { file, cause: error });
  } finally {
    await release();
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/**
 * The file's bytes before it was first wrapped, when it has not changed since: walks
 * back the chain of `wrap` records of this path, from the record whose `postSha256` is
 * the file's current hash to the record before it, for as long as each record's backup
 * still holds the bytes it was made from (`preSha256`).
 *
 * @param file - the file as read now
 * @param stateDir - the state directory
 * @returns the bytes before the first wrap of the chain, or undefined when the file is
 * not the result of a recorded wrap (or its backup is gone or changed)
 */
export async function originalBytes(file: ConfigFile, stateDir: string): Promise<Buffer | undefined> {
  const records = (await readWrapState(stateDir)).filter((record) => record.reason === 'wrap' && record.path === file.realPath);
  const used = new Set<WrapRecord>();
  let current = file.sha256;
  let found: Buffer | undefined;
  for (;;) {
    const record = records.findLast((candidate) => candidate.postSha256 === current && !used.has(candidate));
    if (record === undefined) return found;
    used.add(record);
    const backup = await readIfExists(record.backupPath);
    if (backup === undefined || sha256Hex(backup) !== record.preSha256) return found;
    found = backup;
    current = record.preSha256;
  }
}
