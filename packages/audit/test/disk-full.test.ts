/**
 * A full disk while writing a receipt, the audit log or its head file. The disk is a test
 * double over the real `node:fs`: once the byte budget is spent, a write takes what still
 * fits (a short write, as Linux does) and the next one fails with ENOSPC. Whatever the
 * point of failure, the writer must throw, and the file must hold exactly what it held
 * before — no torn line, no half a head — with no temporary file left behind.
 */
import * as realFs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';

let budget: number | undefined;
let failSync = false;
const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

function writeSync(fd: number, buffer: string | NodeJS.ArrayBufferView, offset?: unknown, length?: unknown, position?: unknown): number {
  const data = typeof buffer === 'string' ? Buffer.from(buffer, typeof length === 'string' ? (length as BufferEncoding) : 'utf8') : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const start = typeof buffer === 'string' ? 0 : typeof offset === 'number' ? offset : 0;
  const len = typeof buffer === 'string' ? data.length : typeof length === 'number' ? length : data.length - start;
  const pos = typeof buffer === 'string' ? (typeof offset === 'number' ? offset : null) : typeof position === 'number' ? position : null;
  if (budget === undefined) return realFs.writeSync(fd, data, start, len, pos);
  if (budget <= 0) throw enospc();
  const n = Math.min(len, budget);
  budget -= n;
  return realFs.writeSync(fd, data, start, n, pos);
}

jest.unstable_mockModule('node:fs', () => ({
  ...realFs,
  default: realFs,
  writeSync,
  fsyncSync: (fd: number) => {
    if (failSync) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    return realFs.fsyncSync(fd);
  },
}));

// Imported only now, so that the writers see the double.
const { writeReceipt } = await import('../src/receipt/index.js');
const { openAuditLog, verifyAuditLog } = await import('../src/chain/index.js');
const { writeHeadFile } = await import('../src/chain/head.js');
const { AuditError } = await import('../src/errors.js');

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-disk-full-'));
  budget = undefined;
  failSync = false;
});
afterEach(() => {
  budget = undefined;
  failSync = false;
  rmSync(dir, { recursive: true, force: true });
});

const RUN_ID = '0b9e0a1c-3f4d-4e5a-8b6c-7d8e9f0a1b2c';
/** A valid receipt; `n` tells receipts apart. */
function receipt(n: number): Parameters<typeof writeReceipt>[1] {
  return {
    schema_version: '2.0',
    op_id: RUN_ID,
    run_id: RUN_ID,
    mcptrust_version: '0.1.0',
    ts_start: '2025-01-01T00:00:00.000Z',
    ts_end: '2025-01-01T00:00:01.250Z',
    duration_ms: 1250 + n,
    command: 'mcptrust lock',
    args: ['lock', '--', 'node', 'server.js'],
    args_redacted: false,
    result: { status: 'success', exit_code: 0 },
  };
}

function thrown(fn: () => unknown): InstanceType<typeof AuditError> {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuditError);
    return error as InstanceType<typeof AuditError>;
  }
  throw new Error('expected an AuditError');
}

/** Budgets that fail at the first byte, inside the data, and one byte short of the end. */
const budgetsFor = (length: number): number[] => [0, 1, Math.floor(length / 2), length - 1];

describe('writeReceipt on a full disk', () => {
  describe('when overwriting', () => {
    it('throws WRITE_FAILED and leaves the previous receipt whole, with no temporary file', () => {
      const path = join(dir, 'receipt.json');
      writeReceipt(path, receipt(0), 'overwrite');
      const before = readFileSync(path);
      for (const b of budgetsFor(before.length)) {
        budget = b;
        const error = thrown(() => writeReceipt(path, receipt(1), 'overwrite'));
        budget = undefined;
        expect(error.code).toBe('WRITE_FAILED');
        expect(readFileSync(path)).toEqual(before);
        expect(readdirSync(dir)).toEqual(['receipt.json']);
      }
    });
  });

  describe('when appending', () => {
    it('throws WRITE_FAILED and cuts the file back to the receipts it held (no torn line)', () => {
      const path = join(dir, 'receipts.jsonl');
      writeReceipt(path, receipt(0), 'append');
      writeReceipt(path, receipt(0), 'append');
      const before = readFileSync(path);
      for (const b of budgetsFor(before.length / 2)) {
        budget = b;
        const error = thrown(() => writeReceipt(path, receipt(1), 'append'));
        budget = undefined;
        expect(error.code).toBe('WRITE_FAILED');
        expect(readFileSync(path)).toEqual(before);
      }
      // The disk has room again: the next receipt is a line of its own.
      writeReceipt(path, receipt(1), 'append');
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { duration_ms: number }).duration_ms)).toEqual([1250, 1250, 1251]);
    });
  });
});

describe('the audit log on a full disk', () => {
  it('throws WRITE_FAILED, keeps the log at its last whole record, and a later writer continues a chain that verifies', () => {
    const path = join(dir, 'audit.log');
    const first = openAuditLog({ path });
    first.append('decision', { n: 1 });
    const before = readFileSync(path);
    budget = 40; // part of the next record fits
    const error = thrown(() => first.append('decision', { n: 2, text: 'x'.repeat(200) }));
    budget = undefined;
    expect(error.code).toBe('WRITE_FAILED');
    expect(readFileSync(path)).toEqual(before);
    // The writer takes no more records once a write failed.
    expect(thrown(() => first.append('decision', { n: 3 })).code).toBe('WRITE_FAILED');
    thrown(() => first.close());
    // Restarted with room on the disk: the log resumes after the last whole record.
    const second = openAuditLog({ path });
    second.append('decision', { n: 4 });
    second.close();
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.trimEnd().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const verdict = verifyAuditLog([path]);
    expect(verdict).toMatchObject({ ok: true });
  });

  it('throws WRITE_FAILED when the disk cannot flush (fsync), and the writer takes no more records', () => {
    const path = join(dir, 'audit.log');
    const log = openAuditLog({ path, checkpointEvery: 1 });
    failSync = true;
    expect(thrown(() => log.append('decision', { n: 1 })).code).toBe('WRITE_FAILED');
    failSync = false;
    expect(thrown(() => log.append('decision', { n: 2 })).code).toBe('WRITE_FAILED');
    thrown(() => log.close());
  });
});

describe('writeHeadFile on a full disk', () => {
  it('throws WRITE_FAILED on a short write and keeps the previous head whole, with no temporary file', () => {
    const path = join(dir, 'audit.log.head.json');
    const head = { file: 'audit.log', chain: RUN_ID, seq: 1, head: 'ab'.repeat(32) };
    writeHeadFile(path, head);
    const before = readFileSync(path);
    for (const b of budgetsFor(before.length)) {
      budget = b;
      const error = thrown(() => writeHeadFile(path, { ...head, seq: 2, head: 'cd'.repeat(32) }));
      budget = undefined;
      expect(error.code).toBe('WRITE_FAILED');
      expect(readFileSync(path)).toEqual(before);
      expect(readdirSync(dir)).toEqual(['audit.log.head.json']);
    }
  });
});
