import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditError } from '../../src/errors.js';
import { validateReceipt, writeReceipt } from '../../src/receipt/index.js';
import type { Receipt } from '../../src/receipt/index.js';

const RUN_ID = '0b9e0a1c-3f4d-4e5a-8b6c-7d8e9f0a1b2c';

function receipt(overrides: Partial<Receipt> = {}): Receipt {
  return {
    schema_version: '2.0',
    op_id: RUN_ID,
    run_id: RUN_ID,
    mcptrust_version: '0.1.0',
    ts_start: '2025-01-01T00:00:00.000Z',
    ts_end: '2025-01-01T00:00:01.250Z',
    duration_ms: 1250,
    command: 'mcptrust lock',
    args: ['lock', '--', 'npx', '-y', '@scope/server'],
    args_redacted: false,
    result: { status: 'success', exit_code: 0 },
    lockfile: { path: 'mcp-lock.json', sha256: 'ab'.repeat(32) },
    ...overrides,
  };
}

function catchError(fn: () => void): AuditError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuditError) return error;
    throw error;
  }
  throw new Error('expected an AuditError');
}

const asRoot = process.getuid?.() === 0;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-receipt-'));
});

afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

describe('writeReceipt', () => {
  describe('in overwrite mode', () => {
    it('writes one JSON object and a newline, schema_version first, mode 0600', () => {
      const path = join(dir, 'receipt.json');
      writeReceipt(path, receipt(), 'overwrite');
      const text = readFileSync(path, 'utf8');
      expect(text.endsWith('}\n')).toBe(true);
      expect(text.split('\n')).toHaveLength(2);
      const parsed: unknown = JSON.parse(text);
      expect(Object.keys(parsed as object)[0]).toBe('schema_version');
      expect(validateReceipt(parsed)).toEqual(receipt());
      expect(statSync(path).mode & 0o777).toBe(0o600);
    });

    it('replaces a longer previous receipt completely and leaves no temp file', () => {
      const path = join(dir, 'receipt.json');
      writeFileSync(path, 'x'.repeat(10_000));
      writeReceipt(path, receipt(), 'overwrite');
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(receipt());
      expect(readdirSync(dir)).toEqual(['receipt.json']);
    });

    it('creates missing parent directories with mode 0700', () => {
      const path = join(dir, 'a', 'b', 'receipt.json');
      writeReceipt(path, receipt(), 'overwrite');
      expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'a', 'b')).mode & 0o777).toBe(0o700);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(receipt());
    });

    it('leaves what was there and no temp file when the final rename fails (any user)', () => {
      // The target is a non-empty directory: the temp file is written, then the rename
      // over the target fails, for root as for anyone else.
      const path = join(dir, 'receipt.json');
      mkdirSync(path);
      writeFileSync(join(path, 'old'), 'old content');
      const error = catchError(() => writeReceipt(path, receipt(), 'overwrite'));
      expect(error.code).toBe('WRITE_FAILED');
      expect(error.message).toContain(path);
      expect(error.cause).toHaveProperty('syscall', 'rename');
      expect(readFileSync(join(path, 'old'), 'utf8')).toBe('old content');
      expect(readdirSync(dir)).toEqual(['receipt.json']);
    });

    (asRoot ? it.skip : it)(
      'keeps the old receipt when the directory is not writable (not run as root: root ignores directory permissions)',
      () => {
        const path = join(dir, 'receipt.json');
        writeFileSync(path, 'old receipt\n');
        chmodSync(dir, 0o500);
        const error = catchError(() => writeReceipt(path, receipt(), 'overwrite'));
        expect(error.code).toBe('WRITE_FAILED');
        expect(readFileSync(path, 'utf8')).toBe('old receipt\n');
      },
    );

    it('reports a parent that is a file as WRITE_FAILED naming the path', () => {
      writeFileSync(join(dir, 'file'), '');
      const path = join(dir, 'file', 'receipt.json');
      const error = catchError(() => writeReceipt(path, receipt(), 'overwrite'));
      expect(error.code).toBe('WRITE_FAILED');
      expect(error.message).toContain(path);
    });
  });

  describe('in append mode', () => {
    it('adds one valid JSON line per call, mode 0600', () => {
      const path = join(dir, 'receipts.jsonl');
      writeReceipt(path, receipt(), 'append');
      writeReceipt(path, receipt({ command: 'mcptrust check', result: { status: 'fail', exit_code: 1, error: 'drift' } }), 'append');
      writeReceipt(path, receipt({ command: 'mcptrust proxy', proxy: { mode: 'enforce', decisions: { blocked: 2, allowed: 5 } } }), 'append');
      const text = readFileSync(path, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      expect(lines).toHaveLength(3);
      const parsed = lines.map((line) => validateReceipt(JSON.parse(line)));
      expect(parsed.map((r) => r.command)).toEqual(['mcptrust lock', 'mcptrust check', 'mcptrust proxy']);
      expect(Object.keys(parsed[2]!.proxy!.decisions)).toEqual(['allowed', 'blocked']);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    });

    it('starts a new line after a torn last line so the new receipt stays readable', () => {
      const path = join(dir, 'receipts.jsonl');
      writeFileSync(path, '{"schema_version":"2.0","op');
      writeReceipt(path, receipt(), 'append');
      const lines = readFileSync(path, 'utf8').split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toBe('{"schema_version":"2.0","op');
      expect(validateReceipt(JSON.parse(lines[1]!))).toEqual(receipt());
      expect(lines[2]).toBe('');
    });

    it('creates missing parent directories', () => {
      const path = join(dir, 'nested', 'receipts.jsonl');
      writeReceipt(path, receipt(), 'append');
      expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
      expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
    });

    it('reports a target it cannot open as WRITE_FAILED naming the path', () => {
      const path = join(dir, 'receipts.jsonl');
      mkdirSync(path);
      const error = catchError(() => writeReceipt(path, receipt(), 'append'));
      expect(error.code).toBe('WRITE_FAILED');
      expect(error.message).toContain(path);
    });
  });

  describe('when called wrongly', () => {
    it('refuses an unknown mode, naming it, without creating the file', () => {
      const path = join(dir, 'r.json');
      const error = catchError(() => writeReceipt(path, receipt(), 'truncate' as never));
      expect(error.code).toBe('INVALID_OPTIONS');
      expect(error.message).toMatch(/mode/);
      expect(readdirSync(dir)).toEqual([]);
    });

    it('refuses an empty path', () => {
      expect(catchError(() => writeReceipt('', receipt(), 'overwrite')).code).toBe('INVALID_OPTIONS');
    });

    it('refuses a malformed receipt, naming the field, without creating the file', () => {
      const path = join(dir, 'r.json');
      const error = catchError(() => writeReceipt(path, receipt({ duration_ms: -1 }), 'overwrite'));
      expect(error.code).toBe('INVALID_EVENT');
      expect(error.message).toContain('duration_ms');
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  it('serializes in the fixed key order whatever order the fields were set in, dropping unknown keys', () => {
    const path = join(dir, 'r.json');
    const { result: _result, ...rest } = receipt();
    const scrambled = {
      chain: { head: 'ff'.repeat(32), seq: 4, id: 'c1', file: 'audit.jsonl' },
      result: { error: 'boom', exit_code: 2, status: 'fail' },
      extra: 'not part of the schema',
      ...rest,
      artifact: { provenance: { verified: true, method: 'npm-provenance' }, name: 'pkg', type: 'npm' },
    } as unknown as Receipt;
    writeReceipt(path, scrambled, 'overwrite');
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(parsed)).toEqual([
      'schema_version',
      'op_id',
      'run_id',
      'mcptrust_version',
      'ts_start',
      'ts_end',
      'duration_ms',
      'command',
      'args',
      'args_redacted',
      'result',
      'lockfile',
      'artifact',
      'chain',
    ]);
    expect(Object.keys(parsed.artifact!)).toEqual(['type', 'name', 'provenance']);
    expect(Object.keys(parsed.chain!)).toEqual(['file', 'id', 'seq', 'head']);
    expect(Object.keys(parsed.result!)).toEqual(['status', 'exit_code', 'error']);
    expect(parsed).not.toHaveProperty('extra');
  });
});
