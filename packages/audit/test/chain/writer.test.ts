import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditError } from '../../src/errors.js';
import { auditKeyId, createAuditSigner, openAuditLog, readAuditHead, verifyAuditLog } from '../../src/chain/index.js';
import type { AuditSigner } from '../../src/chain/index.js';

function keyPair(): { seed: Uint8Array; publicKey: Uint8Array } {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  return { seed: Buffer.from(jwk.d!, 'base64url'), publicKey: Buffer.from(jwk.x!, 'base64url') };
}

function catchError(fn: () => unknown): AuditError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuditError) return error;
    throw error;
  }
  throw new Error('expected an AuditError');
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const linesOf = (path: string): string[] => readFileSync(path, 'utf8').split('\n').slice(0, -1);
const recordsOf = (path: string): Record<string, unknown>[] => linesOf(path).map((l) => JSON.parse(l) as Record<string, unknown>);

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

let dir: string;
let log: string;
let keys: { seed: Uint8Array; publicKey: Uint8Array };
let signer: AuditSigner;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-chain-'));
  log = join(dir, 'audit.jsonl');
  keys = keyPair();
  signer = createAuditSigner(keys.seed, keys.publicKey);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openAuditLog / verifyAuditLog round trip', () => {
  it('writes the fixed envelope, links every record to the previous line and verifies', () => {
    const writer = openAuditLog({ path: log, start: { mcptrust_version: '0.1.0', mode: 'enforce', run_id: 'r1' } });
    expect(existsSync(`${log}.lock`)).toBe(true);
    expect(readFileSync(`${log}.lock`, 'utf8').trim()).toBe(String(process.pid));
    const appended = writer.append('decision', { action: 'blocked', tool: 'exec_shell', skipped: undefined });
    writer.append('receipt', { command: 'mcptrust proxy' });
    const head = writer.close();

    const lines = linesOf(log);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\{"v":2,"seq":0,"ts":"[^"]+Z","chain":"[0-9a-f-]{36}","type":"chain.start","prev":"[0-9a-f]{64}","mcptrust_version":"0.1.0","node_version":"v\d+/);
    expect(lines[1]).toMatch(/^\{"v":2,"seq":1,.*"type":"decision","prev":"[0-9a-f]{64}","action":"blocked","tool":"exec_shell"\}$/);
    const records = recordsOf(log);
    const chain = records[0]!['chain'] as string;
    expect(records[0]!['prev']).toBe(sha256(`mcptrust-audit-v2\0${chain}`));
    for (let i = 1; i < lines.length; i += 1) expect(records[i]!['prev']).toBe(sha256(lines[i - 1]!));
    expect(records[3]).toMatchObject({ type: 'chain.end', seq: 3, count: 3, head: sha256(lines[2]!) });
    expect(appended).toEqual({ file: 'audit.jsonl', chain, seq: 1, head: sha256(lines[1]!) });
    expect(head).toEqual({ file: 'audit.jsonl', chain, seq: 3, head: sha256(lines[3]!) });
    expect(writer.head).toEqual(head);

    expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(statSync(`${log}.head.json`).mode & 0o777).toBe(0o600);
    expect(readAuditHead(`${log}.head.json`)).toEqual(head);
    expect(existsSync(`${log}.lock`)).toBe(false);

    const result = verifyAuditLog([log], { head });
    expect(result).toMatchObject({ ok: true, records: 4, chains: 1, signedCheckpoints: 0, head, warnings: [] });
  });

  it('refuses reserved types, envelope keys, values JSON cannot hold, and appends after close', () => {
    const writer = openAuditLog({ path: log });
    expect(catchError(() => writer.append('checkpoint', {})).code).toBe('INVALID_EVENT');
    expect(catchError(() => writer.append('', {})).code).toBe('INVALID_EVENT');
    for (const key of ['v', 'seq', 'ts', 'chain', 'type', 'prev']) {
      const error = catchError(() => writer.append('decision', { [key]: 1 }));
      expect(error.code).toBe('INVALID_EVENT');
      expect(error.message).toContain(`"${key}"`);
    }
    expect(catchError(() => writer.append('decision', { n: 1n })).code).toBe('INVALID_EVENT');
    expect(catchError(() => writer.append('decision', [] as unknown as Record<string, unknown>)).code).toBe('INVALID_EVENT');
    writer.close();
    expect(catchError(() => writer.append('decision', {})).code).toBe('WRITE_FAILED');
    expect(verifyAuditLog([log]).ok).toBe(true);
  });

  it('refuses bad options, naming them, and leaves no lock behind', () => {
    expect(catchError(() => openAuditLog({ path: '' })).code).toBe('INVALID_OPTIONS');
    expect(catchError(() => openAuditLog({ path: log, start: { pid: 1 } })).message).toContain('start.pid');
    expect(catchError(() => openAuditLog({ path: log, checkpointEvery: 0 })).message).toContain('checkpointEvery');
    expect(catchError(() => openAuditLog({ path: log, maxFileBytes: 1.5 })).message).toContain('maxFileBytes');
    expect(existsSync(`${log}.lock`)).toBe(false);
    const missing = join(dir, 'no', 'such', 'dir', 'audit.jsonl');
    const error = catchError(() => openAuditLog({ path: missing }));
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.message).toContain(missing);
  });
});

describe('signed checkpoints', () => {
  it('signs every N records and at the end; verifies with the key, warns without it, fails with another key', () => {
    const writer = openAuditLog({ path: log, signer, checkpointEvery: 2 });
    for (let i = 0; i < 5; i += 1) writer.append('decision', { i });
    const head = writer.close();
    const records = recordsOf(log);
    const checkpoints = records.filter((r) => r['type'] === 'checkpoint');
    expect(checkpoints).toHaveLength(3);
    expect(checkpoints[0]).toMatchObject({ key_id: auditKeyId(keys.publicKey), count: 3 });
    expect(records.at(-1)!['type']).toBe('checkpoint');
    expect(records.at(-2)!['type']).toBe('chain.end');
    expect(head.key_id).toBe(auditKeyId(keys.publicKey));

    const good = verifyAuditLog([log], { publicKey: keys.publicKey, head });
    expect(good).toMatchObject({ ok: true, signedCheckpoints: 3, warnings: [] });
    const unchecked = verifyAuditLog([log]);
    expect(unchecked.ok).toBe(true);
    expect(unchecked.warnings.join('\n')).toMatch(/3 checkpoint signatures were not checked/);

    const other = keyPair().publicKey;
    const wrong = verifyAuditLog([log], { publicKey: other });
    expect(wrong.ok).toBe(false);
    expect(wrong.problem).toMatchObject({ file: log, line: 4, seq: 3 });
    expect(wrong.problem!.reason).toMatch(/not by the given key/);
  });

  it('checkpoints when the interval has passed, by the injected clock', () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const writer = openAuditLog({ path: log, signer, checkpointIntervalMs: 1000, now: () => new Date(t) });
    writer.append('decision', { i: 1 });
    t += 5000;
    writer.append('decision', { i: 2 });
    writer.close();
    expect(recordsOf(log).map((r) => r['type'])).toEqual(['chain.start', 'decision', 'decision', 'checkpoint', 'chain.end', 'checkpoint']);
  });

  it('catches a complete rewrite that re-computes every hash only through the signatures', () => {
    const writer = openAuditLog({ path: log, signer, checkpointEvery: 100 });
    writer.append('decision', { action: 'blocked', tool: 'exec_shell' });
    writer.close();
    // The attacker turns "blocked" into "allowed" and re-chains every later line.
    const records = recordsOf(log);
    (records[1] as Record<string, unknown>)['action'] = 'allowed';
    const out: string[] = [];
    for (const record of records) {
      if (out.length > 0) record['prev'] = sha256(out.at(-1)!);
      if (record['type'] === 'chain.end' || record['type'] === 'checkpoint') record['head'] = record['prev'];
      out.push(JSON.stringify(record));
    }
    writeFileSync(log, `${out.join('\n')}\n`);
    expect(verifyAuditLog([log]).ok).toBe(true);
    const result = verifyAuditLog([log], { publicKey: keys.publicKey });
    expect(result.ok).toBe(false);
    expect(result.problem!.reason).toMatch(/signature does not verify/);
  });

  it('with a key, requires the log to be signed', () => {
    const writer = openAuditLog({ path: log });
    writer.append('decision', {});
    writer.close();
    const result = verifyAuditLog([log], { publicKey: keys.publicKey });
    expect(result.ok).toBe(false);
    expect(result.problem!.reason).toMatch(/signed checkpoint/);
  });

  it('rejects malformed or mismatched keys', () => {
    expect(auditKeyId(keys.publicKey)).toBe(createHash('sha256').update(keys.publicKey).digest('hex').slice(0, 16));
    expect(catchError(() => auditKeyId(new Uint8Array(31))).code).toBe('INVALID_KEY');
    expect(catchError(() => createAuditSigner(keys.seed, keyPair().publicKey)).code).toBe('INVALID_KEY');
    expect(catchError(() => createAuditSigner(new Uint8Array(64), keys.publicKey)).code).toBe('INVALID_KEY');
  });
});

describe('resume', () => {
  it('appending runs chain to one another: the new chain.start continues the last record', () => {
    const first = openAuditLog({ path: log, signer }).close();
    const writer = openAuditLog({ path: log, signer });
    writer.append('decision', { run: 2 });
    const head = writer.close();
    const records = recordsOf(log);
    const starts = records.filter((r) => r['type'] === 'chain.start');
    expect(starts).toHaveLength(2);
    expect(starts[1]!['continues']).toEqual({ file: first.file, chain: first.chain, seq: first.seq, head: first.head });
    expect(verifyAuditLog([log], { publicKey: keys.publicKey, head })).toMatchObject({ ok: true, chains: 2, warnings: [] });
    // The first run's head is still in the log: later records are reported, not refused.
    const old = verifyAuditLog([log], { head: first });
    expect(old.ok).toBe(true);
    expect(old.warnings.join('\n')).toMatch(/continues past the head/);
  });

  it('continues after a chain that was never closed, and says so', () => {
    const writer = openAuditLog({ path: log });
    writer.append('decision', { i: 1 });
    writer.close();
    // A crash: the chain.end never reached the file.
    writeFileSync(log, `${linesOf(log).slice(0, -1).join('\n')}\n`);
    const again = openAuditLog({ path: log });
    again.close();
    const result = verifyAuditLog([log]);
    expect(result.ok).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/stops at seq 1 without chain.end/);
  });

  it('never rewrites a torn tail: adds the newline, warns, and links the new chain to the last intact record', () => {
    const writer = openAuditLog({ path: log });
    const intact = writer.append('decision', { i: 1 });
    appendFileSync(log, '{"v":2,"seq":2,"ts":"2026-');
    // The writer "crashed" mid-record; a new writer takes over its lock.
    writeFileSync(`${log}.lock`, `${deadPid()}\n`);
    const torn = verifyAuditLog([log]);
    expect(torn.ok).toBe(false);
    expect(torn.problem).toMatchObject({ file: log, line: 3 });
    expect(torn.problem!.reason).toMatch(/incomplete/);

    const before = readFileSync(log);
    const warnings: string[] = [];
    const resumed = openAuditLog({ path: log, onWarning: (m) => warnings.push(m) });
    const head = resumed.close();
    const after = readFileSync(log);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(after[before.length]).toBe(0x0a);
    expect(warnings.join('\n')).toMatch(/stale lock/);
    expect(warnings.join('\n')).toMatch(/1 torn or corrupt line.*nothing is rewritten/);
    const start = JSON.parse(linesOf(log)[3]!) as Record<string, unknown>;
    expect(start['type']).toBe('chain.start');
    expect(start['continues']).toEqual(intact);

    const result = verifyAuditLog([log], { head });
    expect(result.ok).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/line 3 is a torn record/);
    // The abandoned writer's descriptor is released; its close() cannot make the log invalid.
    try {
      writer.close();
    } catch {
      // Its lock was taken over; what it writes is chained after the resumed chain.
    }
  });
});

describe('rotation', () => {
  it('continues the same chain in <path>.1, <path>.2, … and verifies only with the files in order', () => {
    const writer = openAuditLog({ path: log, signer, maxFileBytes: 700 });
    for (let i = 0; i < 8; i += 1) writer.append('decision', { i, reason: 'x'.repeat(100) });
    const head = writer.close();
    const files = [log];
    for (let n = 1; existsSync(`${log}.${n}`); n += 1) files.push(`${log}.${n}`);
    expect(files.length).toBeGreaterThan(2);
    expect(head.file).toBe(`audit.jsonl.${files.length - 1}`);
    const chain = recordsOf(log)[0]!['chain'];
    let seq = 0;
    files.forEach((file, i) => {
      const records = recordsOf(file);
      for (const record of records) {
        expect(record['chain']).toBe(chain);
        expect(record['seq']).toBe(seq++);
      }
      if (i < files.length - 1) expect(records.at(-1)).toMatchObject({ type: 'chain.rotate', next_file: `audit.jsonl.${i + 1}` });
    });
    expect(verifyAuditLog(files, { publicKey: keys.publicKey, head })).toMatchObject({ ok: true, chains: 1 });

    const swapped = verifyAuditLog([files[0]!, files[2]!, files[1]!, ...files.slice(3)]);
    expect(swapped.ok).toBe(false);
    expect(swapped.problem!.reason).toMatch(/rotates to audit.jsonl.1/);
    const partial = verifyAuditLog([files[0]!]);
    expect(partial.ok).toBe(true);
    expect(partial.warnings.join('\n')).toMatch(/continues in audit.jsonl.1, which was not given/);
    expect(verifyAuditLog([files[1]!]).problem!.reason).toMatch(/does not start with chain.start/);

    // A later run resumes in the last file.
    const next = openAuditLog({ path: log, signer, maxFileBytes: 1_000_000 });
    expect(next.file).toBe(files.at(-1));
    const last = next.close();
    expect(verifyAuditLog(files, { publicKey: keys.publicKey, head: last })).toMatchObject({ ok: true, chains: 2 });
  });
});

describe('appendAll', () => {
  /** The records of a rotated log, in order, without the fields that differ between two writers. */
  const shapes = (path: string): unknown[] => {
    const files = [path];
    for (let n = 1; existsSync(`${path}.${n}`); n += 1) files.push(`${path}.${n}`);
    return files.flatMap((file) => recordsOf(file).map(({ type, seq, i }) => ({ type, seq, i })));
  };

  it('writes the records, checkpoints and rotations that appending one by one writes, and verifies', () => {
    const one = openAuditLog({ path: join(dir, 'one.jsonl'), signer, checkpointEvery: 3, maxFileBytes: 1500 });
    for (let i = 0; i < 10; i += 1) one.append('decision', { i, reason: 'x'.repeat(100) });
    one.close();
    const all = openAuditLog({ path: join(dir, 'all.jsonl'), signer, checkpointEvery: 3, maxFileBytes: 1500 });
    const head = all.appendAll(Array.from({ length: 10 }, (_, i) => ({ type: 'decision', payload: { i, reason: 'x'.repeat(100) } })));
    expect(head.seq).toBe(all.head.seq);
    const closed = all.close();
    expect(shapes(join(dir, 'all.jsonl'))).toEqual(shapes(join(dir, 'one.jsonl')));
    expect(existsSync(join(dir, 'all.jsonl.1'))).toBe(true);
    const files = [join(dir, 'all.jsonl')];
    for (let n = 1; existsSync(`${files[0]}.${n}`); n += 1) files.push(`${files[0]}.${n}`);
    expect(verifyAuditLog(files, { publicKey: keys.publicKey, head: closed })).toMatchObject({ ok: true });
  });

  it('refuses a batch holding a reserved type before writing any of it', () => {
    const writer = openAuditLog({ path: log });
    const before = readFileSync(log, 'utf8');
    const error = catchError(() => writer.appendAll([{ type: 'decision', payload: {} }, { type: 'checkpoint', payload: {} }]));
    expect(error.code).toBe('INVALID_EVENT');
    expect(readFileSync(log, 'utf8')).toBe(before);
    writer.close();
  });

  it('keeps the records before one that cannot be serialized, and the chain verifies', () => {
    const writer = openAuditLog({ path: log });
    const error = catchError(() => writer.appendAll([{ type: 'decision', payload: { i: 1 } }, { type: 'decision', payload: { bad: 1n } }]));
    expect(error.code).toBe('INVALID_EVENT');
    const head = writer.close();
    expect(recordsOf(log).map((r) => r['type'])).toEqual(['chain.start', 'decision', 'chain.end']);
    expect(verifyAuditLog([log], { head })).toMatchObject({ ok: true });
  });
});

describe('single writer', () => {
  it('refuses a second writer while the first holds the lock, naming the file', () => {
    const writer = openAuditLog({ path: log });
    const error = catchError(() => openAuditLog({ path: log }));
    expect(error.code).toBe('CHAIN_LOCKED');
    expect(error.message).toContain(log);
    expect(error.message).toContain(String(process.pid));
    writer.close();
    openAuditLog({ path: log }).close();
    expect(verifyAuditLog([log])).toMatchObject({ ok: true, chains: 2 });
  });
});

describe('the detached head', () => {
  it('detects records removed from the end; without it such a truncation passes', () => {
    const writer = openAuditLog({ path: log, signer });
    for (let i = 0; i < 3; i += 1) writer.append('decision', { i });
    const head = writer.close();
    const full = readFileSync(log, 'utf8');
    writeFileSync(log, `${linesOf(log).slice(0, -3).join('\n')}\n`);
    expect(verifyAuditLog([log]).ok).toBe(true);
    const cut = verifyAuditLog([log], { head });
    expect(cut.ok).toBe(false);
    expect(cut.problem!.reason).toMatch(/removed from the end/);

    writeFileSync(log, full);
    const forged = { ...head, sig: Buffer.alloc(64, 7).toString('base64') };
    const bad = verifyAuditLog([log], { publicKey: keys.publicKey, head: forged });
    expect(bad.ok).toBe(false);
    expect(bad.problem!.reason).toMatch(/head signature does not verify/);
    const elsewhere = verifyAuditLog([log], { head: { ...head, head: 'f'.repeat(64) } });
    expect(elsewhere.ok).toBe(false);
    expect(elsewhere.problem!.reason).toMatch(/does not match the head/);
  });

  it('readAuditHead reports unreadable and malformed heads', () => {
    expect(catchError(() => readAuditHead(join(dir, 'missing.json'))).code).toBe('READ_FAILED');
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(catchError(() => readAuditHead(join(dir, 'bad.json'))).code).toBe('INVALID_EVENT');
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ file: 'a', chain: 'nope', seq: 0, head: 'f'.repeat(64) }));
    const error = catchError(() => readAuditHead(join(dir, 'bad.json')));
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.message).toContain('"chain"');
  });
});

describe('verifier details', () => {
  it('warns (only) when time goes backwards, and refuses other versions and reordered envelopes', () => {
    let t = Date.parse('2026-01-01T00:00:10Z');
    const writer = openAuditLog({ path: log, now: () => new Date(t) });
    t -= 5000;
    writer.append('decision', {});
    writer.close();
    const result = verifyAuditLog([log]);
    expect(result.ok).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/time goes backwards/);

    const lines = linesOf(log);
    writeFileSync(log, `${lines[0]!.replace('{"v":2,', '{"v":3,')}\n`);
    expect(verifyAuditLog([log]).problem!.reason).toMatch(/version 3/);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    writeFileSync(log, `${JSON.stringify({ seq: record['seq'], ...record })}\n`);
    expect(verifyAuditLog([log]).problem!.reason).toMatch(/fixed order/);
  });

  it('throws READ_FAILED for a missing file and INVALID_OPTIONS for no file', () => {
    expect(catchError(() => verifyAuditLog([join(dir, 'missing.jsonl')])).code).toBe('READ_FAILED');
    expect(catchError(() => verifyAuditLog([])).code).toBe('INVALID_OPTIONS');
  });
});
