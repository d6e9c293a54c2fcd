/**
 * The audit log verifier: replays the chain line by line from the raw bytes (never
 * re-serializing) and reports the first record that breaks it.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { AuditError } from '../errors.js';
import { checkpointMessage, genesisHash, isChainId, isCount, isHash, parseRecord } from './record.js';
import type { ParsedRecord } from './record.js';
import { auditKeyId, isSignature, publicKeyObject, signatureValid } from './keys.js';
import type { AuditHead } from './head.js';
import { validateHead } from './head.js';

/** The outcome of {@link verifyAuditLog}. */
export interface AuditVerification {
  /** Whether every record, link and signature checked out. */
  ok: boolean;
  /** Records verified. */
  records: number;
  /** Chains started (`chain.start` records). */
  chains: number;
  /** Checkpoints carrying a signature (verified when a public key was given). */
  signedCheckpoints: number;
  /** The last record verified. */
  head?: AuditHead;
  /** The first problem found (file, 1-based line, the record's seq when known, why). */
  problem?: { file: string; line: number; seq?: number; reason: string };
  /** Things worth knowing that do not break the chain (unchecked signatures, time going backwards). */
  warnings: string[];
}

/** Options of {@link verifyAuditLog}. */
interface VerifyOptions {
  /** Raw 32-byte Ed25519 public key: checkpoint signatures are checked, and required. */
  publicKey?: Uint8Array;
  /** The detached head: the log must contain its record (detects removal from the end). */
  head?: AuditHead;
}

interface Position {
  file: string;
  line: number;
  seq: number;
  hash: string;
  chain: string;
}

interface ChainState {
  chain: string;
  nextSeq: number;
  prevHash: string;
  lastTime: number;
  ended: boolean;
  endCheckpoint: boolean;
  rotateTo?: string;
  timeWarned: boolean;
}

/** Raised inside the verifier to stop at the first problem. */
class Stop {
  constructor(readonly problem: NonNullable<AuditVerification['problem']>) {}
}

class Verifier {
  records = 0;
  chains = 0;
  signed = 0;
  readonly warnings: string[] = [];
  private cur: ChainState | undefined;
  private last: Position | undefined;
  private lastSigned: number | undefined;
  private pending: { file: string; line: number; reason: string } | undefined;
  private readonly seen = new Set<string>();
  private readonly key: KeyObject | undefined;
  private readonly keyId: string | undefined;
  private headAt: Position | undefined;
  private file = '';
  private line = 0;

  constructor(private readonly options: VerifyOptions) {
    if (options.publicKey !== undefined) {
      this.key = publicKeyObject(options.publicKey);
      this.keyId = auditKeyId(options.publicKey);
    }
  }

  private stop(reason: string, seq?: number): never {
    throw new Stop({ file: this.file, line: this.line, ...(seq === undefined ? {} : { seq }), reason });
  }

  /** Verifies one file's bytes; `index` is its place in the list. */
  verifyFile(path: string, bytes: Buffer, index: number): void {
    const rotateTo = this.cur?.rotateTo;
    this.file = path;
    this.line = 0;
    if (index > 0 && rotateTo === undefined) {
      // Not the next file of a rotation: an independent log, verified on its own.
      this.cur = undefined;
      this.last = undefined;
    } else if (rotateTo !== undefined && basename(path) !== rotateTo) {
      this.line = 1;
      this.stop(`the previous file rotates to ${rotateTo}, but the next file given is ${basename(path)}`);
    }
    let start = 0;
    while (start < bytes.length) {
      const end = bytes.indexOf(0x0a, start);
      this.line += 1;
      if (end === -1) {
        this.unterminated(bytes.subarray(start));
        return;
      }
      this.handle(bytes.subarray(start, end));
      start = end + 1;
    }
    if (this.pending !== undefined) this.stopPending();
  }

  private stopPending(): never {
    const { file, line, reason } = this.pending!;
    throw new Stop({ file, line, reason });
  }

  private unterminated(line: Buffer): void {
    const parsed = parseRecord(line);
    if ('reason' in parsed || this.pending !== undefined) {
      if (this.pending !== undefined) this.stopPending();
      this.stop('the last line is incomplete (no newline at the end of the file): a write was interrupted or the file was cut');
    }
    this.record(parsed);
    this.warnings.push(`${this.file}: line ${this.line} has no newline at the end of the file`);
  }

  private handle(line: Buffer): void {
    const parsed = parseRecord(line);
    if (this.pending !== undefined) {
      // A torn line is acceptable only where the writer resumed: the very next line starts
      // a new chain that continues the last intact record before it.
      if ('reason' in parsed || parsed.envelope.type !== 'chain.start' || !this.continuesLast(parsed.body['continues'])) this.stopPending();
      this.warnings.push(`${this.pending.file}: line ${this.pending.line} is a torn record (${this.pending.reason}); the log resumes with a new chain at line ${this.line}`);
      this.pending = undefined;
    } else if ('reason' in parsed) {
      if (this.cur?.rotateTo !== undefined && this.last?.file === this.file) this.stop(`a line follows chain.rotate in the same file (${parsed.reason})`);
      this.pending = { file: this.file, line: this.line, reason: parsed.reason };
      return;
    }
    this.record(parsed);
  }

  private continuesLast(value: unknown): boolean {
    if (this.last === undefined) return value === undefined;
    if (typeof value !== 'object' || value === null) return false;
    const c = value as Record<string, unknown>;
    return c['chain'] === this.last.chain && c['seq'] === this.last.seq && c['head'] === this.last.hash && c['file'] === basename(this.last.file);
  }

  private record(rec: ParsedRecord): void {
    const { envelope: e, hash } = rec;
    const cur = this.cur;
    if (cur?.rotateTo !== undefined && this.last?.file === this.file) this.stop('a record follows chain.rotate in the same file', e.seq);
    if (cur !== undefined && cur.ended && cur.endCheckpoint === false && this.key !== undefined && e.type !== 'checkpoint') {
      this.stop(`chain.end of chain ${cur.chain} is not followed by its signed checkpoint`, e.seq);
    }
    if (e.type === 'chain.start') {
      this.start(rec);
    } else {
      if (cur === undefined) this.stop(`the log does not start with chain.start (found "${e.type}" seq ${e.seq} of chain ${e.chain}): give the files in order, from the first`, e.seq);
      if (e.chain !== cur.chain) this.stop(`a record of chain ${e.chain} where chain ${cur.chain} continues`, e.seq);
      if (e.seq !== cur.nextSeq) this.stop(`seq ${e.seq} where ${cur.nextSeq} was expected: a record is missing, repeated or out of order`, e.seq);
      if (e.prev !== cur.prevHash) this.stop('"prev" is not the hash of the previous record: a record before it was changed, removed or inserted', e.seq);
      if (cur.rotateTo !== undefined) cur.rotateTo = undefined;
      if (cur.ended && (e.type !== 'checkpoint' || cur.endCheckpoint)) this.stop(`a "${e.type}" record after chain.end`, e.seq);
      this.structural(rec, cur);
      const time = Date.parse(e.ts);
      if (time < cur.lastTime && !cur.timeWarned) {
        cur.timeWarned = true;
        this.warnings.push(`${this.file}: line ${this.line}: the time goes backwards (${e.ts}) in chain ${cur.chain}`);
      }
      cur.lastTime = Math.max(cur.lastTime, time);
      cur.nextSeq += 1;
      cur.prevHash = hash;
    }
    this.records += 1;
    this.last = { file: this.file, line: this.line, seq: e.seq, hash, chain: e.chain };
    const head = this.options.head;
    if (head !== undefined && head.chain === e.chain && head.seq === e.seq) {
      if (head.head !== hash) this.stop(`the record does not match the head (its hash is ${hash}, the head says ${head.head}): it was changed, or the head belongs to another log`, e.seq);
      this.headAt = this.last;
    }
  }

  private start(rec: ParsedRecord): void {
    const { envelope: e, body, hash } = rec;
    if (e.seq !== 0) this.stop(`chain.start with seq ${e.seq} (a chain starts at 0)`, e.seq);
    if (e.prev !== genesisHash(e.chain)) this.stop('"prev" of chain.start is not the genesis hash of its chain id', e.seq);
    if (this.seen.has(e.chain)) this.stop(`chain id ${e.chain} is started twice`, e.seq);
    if (typeof body['mcptrust_version'] !== 'string' || typeof body['node_version'] !== 'string' || !isCount(body['pid'])) {
      this.stop('chain.start lacks mcptrust_version, node_version or pid', e.seq);
    }
    const continues = body['continues'];
    if (continues !== undefined) {
      const c = continues as Record<string, unknown>;
      if (typeof continues !== 'object' || continues === null || typeof c['file'] !== 'string' || !isChainId(c['chain']) || !isCount(c['seq']) || !isHash(c['head'])) {
        this.stop('"continues" of chain.start is not {file, chain, seq, head}', e.seq);
      }
    }
    const last = this.last;
    if (last !== undefined) {
      if (!this.continuesLast(continues)) this.stop(`chain.start does not continue the record before it (seq ${last.seq} of chain ${last.chain} in ${basename(last.file)}, hash ${last.hash})`, e.seq);
      const cur = this.cur!;
      if (!cur.ended && cur.rotateTo === undefined) this.warnings.push(`chain ${cur.chain} stops at seq ${cur.nextSeq - 1} without chain.end: its writer did not close it`);
    } else if (continues !== undefined) {
      const c = continues as Record<string, unknown>;
      this.warnings.push(`${this.file}: chain ${e.chain} continues chain ${String(c['chain'])} (seq ${String(c['seq'])} in ${String(c['file'])}), which was not verified: give that file first to check the link`);
    }
    this.seen.add(e.chain);
    this.chains += 1;
    this.cur = { chain: e.chain, nextSeq: 1, prevHash: hash, lastTime: Date.parse(e.ts), ended: false, endCheckpoint: false, timeWarned: false };
  }

  private structural(rec: ParsedRecord, cur: ChainState): void {
    const { envelope: e, body } = rec;
    if (e.type === 'checkpoint') {
      if (body['count'] !== e.seq || body['head'] !== e.prev) this.stop('the checkpoint\'s count or head does not match the records before it', e.seq);
      const keyId = body['key_id'];
      if (typeof keyId !== 'string' || !/^[0-9a-f]{16}$/.test(keyId) || !isSignature(body['sig'])) this.stop('the checkpoint lacks a key_id or a base64 Ed25519 signature', e.seq);
      if (this.key !== undefined) {
        if (keyId !== this.keyId) this.stop(`the checkpoint is signed by key ${keyId}, not by the given key ${this.keyId!}`, e.seq);
        if (!signatureValid(this.key, checkpointMessage(e.chain, e.seq - 1, e.prev), body['sig'] as string)) this.stop('the checkpoint signature does not verify', e.seq);
        this.lastSigned = this.records;
      }
      this.signed += 1;
      if (cur.ended) cur.endCheckpoint = true;
    } else if (e.type === 'chain.end') {
      if (body['count'] !== e.seq || body['head'] !== e.prev) this.stop('the count or head of chain.end does not match the records before it', e.seq);
      cur.ended = true;
    } else if (e.type === 'chain.rotate') {
      const next = body['next_file'];
      if (typeof next !== 'string' || next === '' || next === '.' || next === '..' || /[/\\]/.test(next)) this.stop('"next_file" of chain.rotate is not a file name', e.seq);
      cur.rotateTo = next;
    }
  }

  /** Checks that need the whole log: the end of the last chain, the head, coverage by signatures. */
  finish(): void {
    const cur = this.cur;
    if (cur?.rotateTo !== undefined && this.last?.file === this.file) {
      this.warnings.push(`${this.file}: the log continues in ${cur.rotateTo}, which was not given`);
    }
    if (cur !== undefined && cur.ended && !cur.endCheckpoint && this.key !== undefined) {
      this.stop(`chain.end of chain ${cur.chain} is not followed by its signed checkpoint`);
    }
    if (this.key !== undefined && this.records > 0) {
      if (this.lastSigned === undefined) this.stop('a public key was given but the log has no signed checkpoint');
      const uncovered = this.records - 1 - this.lastSigned;
      if (uncovered > 0) this.warnings.push(`the last ${uncovered} record${uncovered === 1 ? ' is' : 's are'} not covered by a signed checkpoint`);
    }
    if (this.key === undefined && this.signed > 0) {
      this.warnings.push(`${this.signed} checkpoint signature${this.signed === 1 ? ' was' : 's were'} not checked: no public key was given`);
    }
    const head = this.options.head;
    if (head === undefined) return;
    const last = this.last;
    if (this.headAt === undefined) {
      const where = last === undefined ? 'the log has no records' : `the log ends at seq ${last.seq} of chain ${last.chain}`;
      this.stop(`${where}, before the head (seq ${head.seq} of chain ${head.chain}): records were removed from the end, or the head belongs to another log`);
    }
    const at = this.headAt;
    if (basename(at.file) !== head.file) this.warnings.push(`the head names file ${head.file}, but its record is in ${basename(at.file)}`);
    if (last !== at) this.warnings.push(`the log continues past the head (seq ${head.seq} of chain ${head.chain}): later records are chained but not anchored by it`);
    if (head.sig !== undefined) {
      if (this.key === undefined) {
        this.warnings.push('the head signature was not checked: no public key was given');
      } else {
        this.file = at.file;
        this.line = at.line;
        if (head.key_id !== this.keyId) this.stop(`the head is signed by key ${head.key_id ?? '?'}, not by the given key ${this.keyId!}`, head.seq);
        if (!signatureValid(this.key, checkpointMessage(head.chain, head.seq, head.head), head.sig)) this.stop('the head signature does not verify', head.seq);
      }
    }
  }

  headOf(): AuditHead | undefined {
    const last = this.last;
    return last === undefined ? undefined : { file: basename(last.file), chain: last.chain, seq: last.seq, head: last.hash };
  }
}

/**
 * Verifies an audit log: the files of one log in order (a rotated log's files as its
 * `chain.rotate` records name them). Checks UTF-8 and JSON, the record envelope, `seq`
 * continuity, every `prev` link, the genesis binding of each chain, rotation and
 * resumption links, checkpoint signatures (with `publicKey`: every checkpoint must
 * verify under it, and the log must have one), and that the log contains the record
 * `head` names (records removed from the end are detected only this way). A torn line
 * is accepted only where the writer resumed after it. Stops at the first problem.
 *
 * @param files - log files in order
 * @param options - `publicKey` (raw 32 bytes), `head` (see {@link readAuditHead})
 * @throws AuditError `READ_FAILED` when a file cannot be read, `INVALID_OPTIONS` with no
 *   file, `INVALID_KEY` for a malformed key, `INVALID_EVENT` for a malformed head
 */
export function verifyAuditLog(files: readonly string[], options: VerifyOptions = {}): AuditVerification {
  if (!Array.isArray(files) || files.length === 0) throw new AuditError('INVALID_OPTIONS', 'verifyAuditLog: files must name at least one audit log file');
  if (options.head !== undefined) validateHead(options.head, 'head');
  const v = new Verifier(options);
  const result = (): AuditVerification => {
    const head = v.headOf();
    return { ok: true, records: v.records, chains: v.chains, signedCheckpoints: v.signed, ...(head === undefined ? {} : { head }), warnings: v.warnings };
  };
  try {
    files.forEach((path, index) => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (error) {
        throw new AuditError('READ_FAILED', `cannot read audit log ${path}: ${(error as Error).message}`, { cause: error });
      }
      v.verifyFile(path, bytes, index);
    });
    v.finish();
  } catch (error) {
    if (error instanceof Stop) return { ...result(), ok: false, problem: error.problem };
    throw error;
  }
  return result();
}
