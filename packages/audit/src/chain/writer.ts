/**
 * The audit log writer: appends hash-chained records to a JSONL file, one synchronous
 * write per record (ordered, and on disk before `process.exit`), signs checkpoints,
 * resumes an existing log without rewriting a byte of it, and rotates across files.
 *
 * Files: `<path>` and, after rotation, `<path>.1`, `<path>.2`, … (each named by the
 * `chain.rotate` record that ends the previous one); `<path>.lock` while a writer holds
 * the log; `<path>.head.json`, the detached head, written at close.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AuditError } from '../errors.js';
import { checkpointMessage, genesisHash, RECORD_VERSION, serializeRecord, sha256Hex, STRUCTURAL_TYPES } from './record.js';
import type { AuditHead } from './head.js';
import { writeHeadFile } from './head.js';
import type { AuditSigner } from './keys.js';
import { acquireLock, readTail, releaseLock, writeAll } from './files.js';

/** Options of {@link openAuditLog}. */
export interface OpenAuditLogOptions {
  /** The log file (created with mode 0600, or resumed). */
  path: string;
  /**
   * Fields of the `chain.start` record (`mcptrust_version`, `mode`, `run_id`,
   * `lockfile {path, sha256}`, a redacted `server_cmd`, …). `node_version`, `pid` and
   * `continues` are set by the writer.
   */
  start?: Record<string, unknown>;
  /** Signs checkpoints and the head; without it the log is chained but unsigned. */
  signer?: AuditSigner;
  /** A checkpoint after this many appended records (default 1000). */
  checkpointEvery?: number;
  /** A checkpoint at the first append this long after the last one (default 60000 ms). */
  checkpointIntervalMs?: number;
  /** Rotate to a new file once a file grows past this size (default 64 MiB). */
  maxFileBytes?: number;
  /** The clock (tests). */
  now?: () => Date;
  /** Called with things the operator should know (stale lock taken over, torn tail). */
  onWarning?: (message: string) => void;
}

/** An open audit log. */
export interface AuditLog {
  /**
   * Appends one record and returns where it stands (a checkpoint or rotation may follow it).
   * @throws AuditError `INVALID_EVENT` for a reserved type or a payload key of the envelope, `WRITE_FAILED`
   */
  append(type: string, payload: Record<string, unknown>): AuditHead;
  /**
   * Appends several records with one write (the same records, checkpoints and rotations
   * as appending them one by one). A record that cannot be serialized throws after the
   * records before it were written.
   * @throws AuditError as {@link AuditLog.append}
   */
  appendAll(records: ReadonlyArray<{ type: string; payload: Record<string, unknown> }>): AuditHead;
  /**
   * Ends the chain (`chain.end`, then a signed checkpoint when signing), syncs the file,
   * writes `<path>.head.json` and releases the lock. Later calls return the same head.
   * @throws AuditError `WRITE_FAILED`
   */
  close(): AuditHead;
  /** The last record written. */
  readonly head: AuditHead;
  /** The file being written (changes on rotation). */
  readonly file: string;
}

const WRITER_FIELDS = ['node_version', 'pid', 'continues'];

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new AuditError('INVALID_OPTIONS', `openAuditLog: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Where a resumed log continues: its last segment and its last intact record. */
function locate(path: string, warn: (message: string) => void): { segment: string; needsNewline: boolean; last?: AuditHead } {
  let segment = path;
  const visited = new Set<string>();
  let previous: AuditHead | undefined;
  for (;;) {
    visited.add(segment);
    if (!existsSync(segment)) return { segment, needsNewline: false, ...(previous === undefined ? {} : { last: previous }) };
    const tail = readTail(segment);
    const record = tail.last;
    const last = record === undefined ? previous : { file: basename(segment), chain: record.envelope.chain, seq: record.envelope.seq, head: record.hash };
    if (tail.skipped > 0) {
      const at = last === undefined ? 'no intact record precedes them; the new chain starts unlinked' : `a new chain continues from seq ${last.seq} of chain ${last.chain}`;
      warn(`audit log ${segment}: ${tail.skipped} torn or corrupt line${tail.skipped === 1 ? '' : 's'} at the end (${tail.reason ?? 'not a record'}); nothing is rewritten, ${at}`);
    }
    const next = record?.envelope.type === 'chain.rotate' && tail.skipped === 0 ? record.body['next_file'] : undefined;
    if (typeof next === 'string' && next !== '' && !/[/\\]/.test(next) && next !== '.' && next !== '..') {
      const nextPath = join(dirname(segment), next);
      if (!visited.has(nextPath)) {
        previous = last;
        segment = nextPath;
        continue;
      }
    }
    return { segment, needsNewline: !tail.endsWithNewline, ...(last === undefined ? {} : { last }) };
  }
}

class ChainWriter implements AuditLog {
  private fd: number;
  private segment: string;
  private size = 0;
  private readonly chain = randomUUID();
  private seq = 0;
  private prev: string;
  private last: AuditHead;
  private sinceCheckpoint = 0;
  private lastCheckpoint: number;
  /** Record lines not yet written (one write per append, or per appendAll). */
  private queued: string[] = [];
  private queuedBytes = 0;
  private state: 'open' | 'failed' | 'closed' = 'open';
  private closedHead: AuditHead | undefined;
  private readonly now: () => Date;
  private readonly every: number;
  private readonly intervalMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: OpenAuditLogOptions, private readonly lockPath: string) {
    this.now = options.now ?? (() => new Date());
    this.every = positive(options.checkpointEvery, 'checkpointEvery', 1000);
    this.intervalMs = positive(options.checkpointIntervalMs, 'checkpointIntervalMs', 60_000);
    this.maxBytes = positive(options.maxFileBytes, 'maxFileBytes', 64 * 1024 * 1024);
    const warn = (message: string): void => options.onWarning?.(message);
    const found = locate(options.path, warn);
    this.segment = found.segment;
    this.fd = this.openSegment(found.segment, 'a');
    this.prev = genesisHash(this.chain);
    this.lastCheckpoint = this.now().getTime();
    this.last = { file: basename(this.segment), chain: this.chain, seq: 0, head: this.prev };
    try {
      this.size = fstatSync(this.fd).size;
      if (found.needsNewline) this.write(Buffer.from('\n'));
      const { mcptrust_version: version, ...rest } = options.start ?? {};
      this.record('chain.start', {
        mcptrust_version: version ?? 'unknown',
        node_version: process.version,
        pid: process.pid,
        ...rest,
        ...(found.last === undefined ? {} : { continues: found.last }),
      });
      this.sync();
      this.rotateIfFull();
    } catch (error) {
      closeSync(this.fd);
      throw error;
    }
  }

  get head(): AuditHead {
    return { ...(this.closedHead ?? this.last) };
  }

  get file(): string {
    return this.segment;
  }

  private openSegment(path: string, flags: string): number {
    try {
      return openSync(path, flags, 0o600);
    } catch (error) {
      throw new AuditError('WRITE_FAILED', `cannot open audit log ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  private write(data: Buffer): void {
    try {
      writeAll(this.fd, data);
    } catch (error) {
      this.state = 'failed';
      // A full disk can take part of a record before it fails: cut the file back to the
      // last whole record, so the log never ends in a torn line (best effort — a
      // resumed log skips a torn tail anyway).
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // The write error is the one reported.
      }
      throw new AuditError('WRITE_FAILED', `cannot write audit log ${this.segment}: ${(error as Error).message}`, { cause: error });
    }
    this.size += data.length;
  }

  /** Writes the queued record lines in one write. */
  private flush(): void {
    if (this.queued.length === 0) return;
    const text = this.queued.join('');
    this.queued = [];
    this.queuedBytes = 0;
    this.write(Buffer.from(text, 'utf8'));
  }

  private sync(): void {
    this.flush();
    try {
      fsyncSync(this.fd);
    } catch (error) {
      this.state = 'failed';
      throw new AuditError('WRITE_FAILED', `cannot sync audit log ${this.segment}: ${(error as Error).message}`, { cause: error });
    }
  }

  private record(type: string, payload: Record<string, unknown>): AuditHead {
    const envelope = { v: RECORD_VERSION, seq: this.seq, ts: this.now().toISOString(), chain: this.chain, type, prev: this.prev };
    const line = serializeRecord(envelope, payload, `audit log ${this.segment}`);
    const hash = sha256Hex(line);
    this.queued.push(`${line}\n`);
    this.queuedBytes += Buffer.byteLength(line, 'utf8') + 1;
    this.last = { file: basename(this.segment), chain: this.chain, seq: this.seq, head: hash };
    this.seq += 1;
    this.prev = hash;
    return { ...this.last };
  }

  private signature(seq: number, head: string): { key_id: string; sig: string } {
    const signer = this.options.signer!;
    let sig: Uint8Array;
    try {
      sig = signer.sign(checkpointMessage(this.chain, seq, head));
    } catch (error) {
      throw new AuditError('WRITE_FAILED', `audit log ${this.segment}: cannot sign a checkpoint: ${(error as Error).message}`, { cause: error });
    }
    if (!(sig instanceof Uint8Array) || sig.length !== 64) throw new AuditError('INVALID_KEY', `audit log ${this.segment}: the signer returned no 64-byte Ed25519 signature`);
    return { key_id: signer.keyId, sig: Buffer.from(sig).toString('base64') };
  }

  private checkpoint(): void {
    if (this.options.signer !== undefined) {
      this.record('checkpoint', { count: this.seq, head: this.prev, ...this.signature(this.seq - 1, this.prev) });
    }
    this.sync();
    this.sinceCheckpoint = 0;
    this.lastCheckpoint = this.now().getTime();
  }

  private rotateIfFull(): void {
    if (this.size + this.queuedBytes <= this.maxBytes) return;
    const base = this.options.path;
    const current = this.segment === base ? 0 : Number(this.segment.slice(base.length + 1));
    let index = Number.isSafeInteger(current) ? current + 1 : 1;
    // A leftover empty segment (a rotation interrupted before its record) is reused.
    while (existsSync(`${base}.${index}`) && statSync(`${base}.${index}`).size > 0) index += 1;
    const next = `${base}.${index}`;
    const fd = this.openSegment(next, 'a');
    try {
      this.record('chain.rotate', { next_file: basename(next) });
      this.sync();
      closeSync(this.fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.fd = fd;
    this.segment = next;
    this.size = 0;
  }

  private usable(): void {
    if (this.state === 'closed') throw new AuditError('WRITE_FAILED', `audit log ${this.segment} is closed`);
    if (this.state === 'failed') throw new AuditError('WRITE_FAILED', `audit log ${this.segment}: an earlier write failed; the log takes no more records`);
  }

  append(type: string, payload: Record<string, unknown>): AuditHead {
    return this.appendAll([{ type, payload }]);
  }

  appendAll(records: ReadonlyArray<{ type: string; payload: Record<string, unknown> }>): AuditHead {
    this.usable();
    for (const { type } of records) {
      if (typeof type !== 'string' || type === '' || STRUCTURAL_TYPES.has(type)) {
        throw new AuditError('INVALID_EVENT', `audit log ${this.segment}: record type ${JSON.stringify(type)} is empty or reserved (${[...STRUCTURAL_TYPES].join(', ')})`);
      }
    }
    let head = { ...this.last };
    try {
      for (const { type, payload } of records) {
        head = this.record(type, payload);
        this.sinceCheckpoint += 1;
        if (this.sinceCheckpoint >= this.every || this.now().getTime() - this.lastCheckpoint >= this.intervalMs) this.checkpoint();
        this.rotateIfFull();
      }
    } finally {
      if (this.state === 'open') this.flush();
    }
    return head;
  }

  close(): AuditHead {
    if (this.state === 'closed') return this.head;
    const headPath = `${this.options.path}.head.json`;
    try {
      this.usable();
      this.record('chain.end', { count: this.seq, head: this.prev });
      this.checkpoint();
      const head: AuditHead = { ...this.last, ...(this.options.signer === undefined ? {} : this.signature(this.last.seq, this.last.head)) };
      writeHeadFile(headPath, head);
      this.closedHead = head;
      return { ...head };
    } finally {
      this.state = 'closed';
      try {
        closeSync(this.fd);
      } catch {
        // Already synced (or failed, and that error is the one reported).
      }
      releaseLock(this.lockPath);
    }
  }
}

/**
 * Opens an audit log for appending: takes its lock (`<path>.lock`), finds where it ends
 * (following rotations), and starts a new chain there. The chain's `chain.start`
 * records `continues` {file, chain, seq, head} of the last intact record, so runs that
 * append to one log chain to one another. A torn or corrupt tail is never rewritten: a
 * missing final newline is added, a warning is given, and the new chain links to the
 * last intact record. Resuming reads only the end of the file; `verifyAuditLog` checks it all.
 *
 * @throws AuditError `CHAIN_LOCKED` when a live process holds the lock,
 *   `INVALID_OPTIONS`, `READ_FAILED`, `WRITE_FAILED`, `INVALID_EVENT` (a bad `start`)
 */
export function openAuditLog(options: OpenAuditLogOptions): AuditLog {
  if (typeof options?.path !== 'string' || options.path.trim() === '') throw new AuditError('INVALID_OPTIONS', 'openAuditLog: path must name the audit log file');
  const start = options.start ?? {};
  if (typeof start !== 'object' || start === null || Array.isArray(start)) throw new AuditError('INVALID_OPTIONS', 'openAuditLog: start must be an object');
  for (const key of WRITER_FIELDS) {
    if (key in start) throw new AuditError('INVALID_OPTIONS', `openAuditLog: start.${key} is set by the writer`);
  }
  if (start['mcptrust_version'] !== undefined && typeof start['mcptrust_version'] !== 'string') {
    throw new AuditError('INVALID_OPTIONS', 'openAuditLog: start.mcptrust_version must be a string');
  }
  if (options.signer !== undefined && (typeof options.signer.sign !== 'function' || !/^[0-9a-f]{16}$/.test(String(options.signer.keyId)))) {
    throw new AuditError('INVALID_OPTIONS', 'openAuditLog: signer must have a keyId (16 hex digits, see auditKeyId) and a sign function');
  }
  const lockPath = `${options.path}.lock`;
  acquireLock(lockPath, options.path, (message) => options.onWarning?.(message));
  try {
    return new ChainWriter(options, lockPath);
  } catch (error) {
    releaseLock(lockPath);
    throw error;
  }
}
