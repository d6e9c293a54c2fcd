/**
 * `--log-format jsonl`, `--log-output` and `--receipt` on the built CLI: every record
 * matches docs/logging.schema.json, start/complete records and receipts are written on
 * success, findings and usage errors, and secrets in the command line never reach them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO, NODE, runCli } from './helpers.js';
import { lockWithCli, removeTempDirs, tempDir } from './proxy-harness.js';

const SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../../../docs/logging.schema.json', import.meta.url)), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const validate = ajv.compile(SCHEMA);

/** Parses JSONL text, asserting every line is a schema-valid record. */
function records(text: string): Array<Record<string, unknown>> {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map((line) => {
    const record = JSON.parse(line) as Record<string, unknown>;
    if (!validate(record)) throw new Error(`record does not match the schema: ${line}\n${JSON.stringify(validate.errors)}`);
    return record;
  });
}

let dir = '';
let lock = '';
beforeAll(async () => {
  dir = tempDir('mcptrust-observe-');
  lock = await lockWithCli(dir, 'demo.json', [NODE, DEMO]);
}, 30_000);
afterAll(removeTempDirs);

describe('--log-format jsonl', () => {
  it('puts only schema-valid JSON records on stderr: start, the human lines as messages, complete', async () => {
    const r = await runCli(['diff', '--lock', lock, '--format', 'json', '--log-format', 'jsonl', '--', NODE, DEMO]);
    expect(r.code).toBe(0);
    const all = records(r.stderr);
    expect(all[0]).toMatchObject({ event: 'mcptrust.diff.start', level: 'info', command: 'diff', schema_version: '2.0' });
    expect(all.at(-1)).toMatchObject({ event: 'mcptrust.diff.complete', result: 'success', exit_code: 0 });
    expect(new Set(all.map((x) => x['run_id'])).size).toBe(1);
    expect(all.some((x) => x['event'] === 'mcptrust.message' && String(x['msg']).includes('mcptrust diff: pass'))).toBe(true);
  });

  it('writes records to --log-output (mode 0600) and leaves the human lines on stderr', async () => {
    const file = join(dir, 'run.jsonl');
    const r = await runCli(['diff', '--lock', lock, '--format', 'json', '--log-format', 'jsonl', '--log-output', file, '--', NODE, DEMO]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('mcptrust diff: pass');
    const all = records(readFileSync(file, 'utf8'));
    expect(all.map((x) => x['event'])).toEqual(['mcptrust.diff.start', 'mcptrust.diff.complete']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('--log-level warn leaves out info records', async () => {
    const file = join(dir, 'warn.jsonl');
    const r = await runCli(['diff', '--lock', lock, '--log-format', 'jsonl', '--log-level', 'warn', '--log-output', file, '--', NODE, DEMO]);
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('records a usage error as a failed run', async () => {
    const file = join(dir, 'usage.jsonl');
    const r = await runCli(['diff', '--bogus-flag', '--log-format', 'jsonl', '--log-output', file, '--', NODE, DEMO]);
    expect(r.code).toBe(2);
    const all = records(readFileSync(file, 'utf8'));
    expect(all.at(-1)).toMatchObject({ event: 'mcptrust.diff.complete', result: 'fail', exit_code: 2 });
    expect(String(all.at(-1)!['error'])).toContain('bogus-flag');
  });

  it('refuses a bad --log-format or a log file in pretty mode with exit 2, naming the flag', async () => {
    const a = await runCli(['diff', '--log-format', 'xml', '--', NODE, DEMO]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--log-format');
    const b = await runCli(['diff', '--log-output', join(dir, 'x.log'), '--', NODE, DEMO]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--log-output');
  });
});

describe('--receipt', () => {
  it('writes a receipt of a successful run with the lockfile hash and drift counts', async () => {
    const receipt = join(dir, 'ok.json');
    const r = await runCli(['diff', '--lock', lock, '--receipt', receipt, '--', NODE, DEMO]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(receipt, 'utf8')) as Record<string, unknown>;
    expect(doc).toMatchObject({
      schema_version: '2.0',
      command: 'mcptrust diff',
      result: { status: 'success', exit_code: 0 },
      lockfile: { path: lock, sha256: createHash('sha256').update(readFileSync(lock)).digest('hex') },
      drift: { critical: 0, moderate: 0, benign: 0 },
    });
    expect(doc['op_id']).toBe(doc['run_id']);
  });

  it('writes the receipt of a finding (exit 1) and of a usage error (exit 2), and appends one line per run', async () => {
    const receipts = join(dir, 'receipts.jsonl');
    const drifted = join(dir, 'drifted.json');
    // A tool the lockfile does not pin: critical drift.
    const text = JSON.parse(readFileSync(lock, 'utf8')) as { tools: Record<string, unknown> };
    delete text.tools[Object.keys(text.tools)[0]!];
    writeFileSync(drifted, JSON.stringify(text, null, 2));
    const finding = await runCli(['diff', '--lock', drifted, '--receipt', receipts, '--receipt-mode', 'append', '--', NODE, DEMO]);
    expect(finding.code).toBe(1);
    const usage = await runCli(['diff', '--timeout', 'soon', '--receipt', receipts, '--receipt-mode', 'append', '--', NODE, DEMO]);
    expect(usage.code).toBe(2);
    const lines = readFileSync(receipts, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ result: { status: 'fail', exit_code: 1 }, drift: { critical: 1 } });
    expect(lines[1]).toMatchObject({ result: { status: 'fail', exit_code: 2 } });
    expect(String((lines[1]!['result'] as Record<string, unknown>)['error'])).toContain('--timeout');
    expect(statSync(receipts).mode & 0o777).toBe(0o600);
  });

  it('is written even when yargs rejects the command line before any flag is read', async () => {
    const receipt = join(dir, 'unknown-command.json');
    const r = await runCli(['no-such-command', '--receipt', receipt]);
    expect(r.code).toBe(2);
    expect(JSON.parse(readFileSync(receipt, 'utf8'))).toMatchObject({ result: { status: 'fail', exit_code: 2 } });
  });

  it('never records a secret of the command line: flags, env assignments, URLs, a quoted server command', async () => {
    const receipt = join(dir, 'redacted.json');
    const log = join(dir, 'redacted.jsonl');
    const secrets = ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'sk-live-0123456789abcdef0123', 's3cr3t-pass', 'tok-9876543210'];
    const r = await runCli([
      'diff', '--lock', lock, '--receipt', receipt, '--log-format', 'jsonl', '--log-output', log, '--',
      'API_KEY=' + secrets[1], NODE, DEMO, '--token', secrets[0]!, `https://user:${secrets[2]}@example.invalid/x?access_token=${secrets[3]}`,
    ]);
    expect([0, 1, 2]).toContain(r.code);
    const quoted = join(dir, 'quoted.json');
    await runCli(['diff', '--lock', lock, '--receipt', quoted, '--', `${NODE} ${DEMO} --api-key=${secrets[1]}`]);
    for (const file of [receipt, log, quoted]) {
      const text = readFileSync(file, 'utf8');
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).toContain('REDACTED');
    }
    expect(JSON.parse(readFileSync(receipt, 'utf8'))).toMatchObject({ args_redacted: true });
  });
});
