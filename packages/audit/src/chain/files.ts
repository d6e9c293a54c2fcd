/**
 * File plumbing of the audit log writer: the single-writer lock, whole-buffer writes and
 * reading the tail of an existing log to resume it.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { AuditError } from '../errors.js';
import { parseRecord } from './record.js';
import type { ParsedRecord } from './record.js';

/** Writes the whole buffer (a single write for any record of ordinary size). */
export function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockHolder(lockPath: string): number | undefined {
  try {
    const text = readFileSync(lockPath, 'utf8').trim();
    return /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the single-writer lock of a log: `lockPath` created exclusively, holding our pid.
 * A lock whose process is gone is taken over (with a warning).
 * @throws AuditError `CHAIN_LOCKED` when a live process holds it, `WRITE_FAILED` when it cannot be created
 */
export function acquireLock(lockPath: string, logPath: string, warn: (message: string) => void): void {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let fd: number | undefined;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
      writeAll(fd, Buffer.from(`${process.pid}\n`));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AuditError('WRITE_FAILED', `cannot create the lock ${lockPath} of audit log ${logPath}: ${(error as Error).message}`, { cause: error });
      }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const pid = lockHolder(lockPath);
    if (pid !== undefined && isAlive(pid)) {
      throw new AuditError(
        'CHAIN_LOCKED',
        `audit log ${logPath} is being written by process ${pid} (lock ${lockPath}): an audit log has one writer; use another file, or remove the lock if that process does not write it`,
      );
    }
    warn(`audit log ${logPath}: taking over the stale lock ${lockPath} (${pid === undefined ? 'no process id in it' : `process ${pid} is gone`})`);
    try {
      unlinkSync(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new AuditError('WRITE_FAILED', `cannot remove the stale lock ${lockPath} of audit log ${logPath}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  throw new AuditError('CHAIN_LOCKED', `audit log ${logPath}: another writer keeps taking the lock ${lockPath}`);
}

/** Removes the lock; a lock already gone is fine. */
export function releaseLock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    // Already removed: nothing else holds it on our behalf.
  }
}

/** What the end of an existing log file holds. */
export interface Tail {
  /** Bytes in the file. */
  size: number;
  /** Whether the file is empty or ends with `\n`. */
  endsWithNewline: boolean;
  /** The last line that is a record (the writer resumes after it). */
  last?: ParsedRecord;
  /** Lines after `last` that are not records (torn or corrupt). */
  skipped: number;
  /** Why the first skipped line is not a record. */
  reason?: string;
}

const FIRST_CHUNK = 64 * 1024;

function readLast(fd: number, size: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, size - length + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/**
 * Reads the end of a log file: its last record and what follows it. Reads only as much
 * of the file as it needs, from the end.
 * @throws AuditError `READ_FAILED` naming the file
 */
export function readTail(path: string): Tail {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size === 0) return { size, endsWithNewline: true, skipped: 0 };
    for (let length = Math.min(size, FIRST_CHUNK); ; length = Math.min(size, length * 4)) {
      const buf = readLast(fd, size, length);
      const endsWithNewline = buf[buf.length - 1] === 0x0a;
      const lines: Buffer[] = [];
      let start = 0;
      for (let end = buf.indexOf(0x0a); end !== -1; end = buf.indexOf(0x0a, start)) {
        lines.push(buf.subarray(start, end));
        start = end + 1;
      }
      if (!endsWithNewline) lines.push(buf.subarray(start));
      // Unless the chunk reaches the start of the file, its first piece is part of a line.
      if (length < size) lines.shift();
      let skipped = 0;
      let reason: string | undefined;
      for (let i = lines.length - 1; i >= 0; i -= 1) {
        const parsed = parseRecord(lines[i]!);
        if (!('reason' in parsed)) return { size, endsWithNewline, last: parsed, skipped, ...(reason === undefined ? {} : { reason }) };
        skipped += 1;
        reason = parsed.reason;
      }
      if (length === size) return { size, endsWithNewline, skipped, ...(reason === undefined ? {} : { reason }) };
    }
  } catch (error) {
    throw new AuditError('READ_FAILED', `cannot read audit log ${path} to resume it: ${(error as Error).message}`, { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
