import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditSigner, openAuditLog } from '@mcptrust/audit';
import type { AuditHead } from '@mcptrust/audit';
import { readPrivateKey } from '@mcptrust/signing';
import { runCli } from './helpers.js';

let dir: string;
const at = (name: string): string => join(dir, name);
let head: AuditHead;
let rotated: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-audit-verify-'));
  expect((await runCli(['keygen'], { cwd: dir })).code).toBe(0);
  expect((await runCli(['keygen', '--private', 'other.key', '--public', 'other.pub'], { cwd: dir })).code).toBe(0);
  const pair = await readPrivateKey(at('private.key'));
  const signer = createAuditSigner(pair.seed, pair.publicKey);
  const log = openAuditLog({ path: at('audit.jsonl'), signer, checkpointEvery: 2, start: { mcptrust_version: '0.1.0', mode: 'enforce' } });
  for (let i = 0; i < 3; i += 1) log.append('decision', { action: 'blocked', method: 'tools/call', tool: `tool_${i}` });
  head = log.close();
  const big = openAuditLog({ path: at('rotated.jsonl'), signer, maxFileBytes: 600 });
  for (let i = 0; i < 6; i += 1) big.append('decision', { action: 'allowed', reason: 'r'.repeat(80) });
  big.close();
  rotated = [at('rotated.jsonl')];
  for (let n = 1; existsSync(`${rotated[0]!}.${n}`); n += 1) rotated.push(`${rotated[0]!}.${n}`);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the log with its files' names, under `name`, changed by `edit`. */
function tampered(name: string, edit: (lines: string[]) => string[]): string {
  const lines = readFileSync(at('audit.jsonl'), 'utf8').split('\n').slice(0, -1);
  writeFileSync(at(name), `${edit(lines).join('\n')}\n`);
  return at(name);
}

describe('mcptrust audit verify', () => {
  it('exits 0 on an intact signed log and prints what it checked on stderr only', async () => {
    const result = await runCli(['audit', 'verify', 'audit.jsonl', '--key', 'public.key', '--head', 'audit.jsonl.head.json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('audit log intact: 7 records, 1 chain, 2 signed checkpoints verified');
    expect(result.stderr).toContain(`head: audit.jsonl chain ${head.chain} seq ${head.seq} ${head.head}`);
  });

  it('--json prints the verification on stdout', async () => {
    const result = await runCli(['audit', 'verify', at('audit.jsonl'), '--json']);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({ ok: true, records: 7, chains: 1, signedCheckpoints: 2, head: { seq: head.seq, head: head.head } });
    expect(result.stderr).toMatch(/not checked: no --key/);
  });

  it('exits 1 on a changed record, naming file, line, seq and reason (also in --json)', async () => {
    const file = tampered('edited.jsonl', (lines) => lines.map((l, i) => (i === 1 ? l.replace('"blocked"', '"allowed"') : l)));
    const result = await runCli(['audit', 'verify', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`tampered: .*edited\\.jsonl line 3 \\(seq 2\\): "prev" is not the hash of the previous record`));
    const json = await runCli(['audit', 'verify', file, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problem: { file, line: 3, seq: 2 } });
  });

  it('catches records cut from the end only with --head', async () => {
    const file = tampered('cut.jsonl', (lines) => lines.slice(0, -2));
    expect((await runCli(['audit', 'verify', file])).code).toBe(0);
    const result = await runCli(['audit', 'verify', file, '--head', at('audit.jsonl.head.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/removed from the end/);
  });

  it('exits 1 when the checkpoints were signed by another key', async () => {
    const result = await runCli(['audit', 'verify', 'audit.jsonl', '--key', 'other.pub'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not by the given key/);
  });

  it('verifies a rotated log given in order, and refuses it out of order', async () => {
    expect(rotated.length).toBeGreaterThan(2);
    const ok = await runCli(['audit', 'verify', ...rotated, '--key', at('public.key'), '--head', at('rotated.jsonl.head.json')]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('1 chain');
    const swapped = await runCli(['audit', 'verify', rotated[0]!, ...rotated.slice(1).reverse()]);
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toMatch(/rotates to rotated\.jsonl\.1/);
  });

  it('exits 2 on usage errors, naming the flag or file', async () => {
    const bare = await runCli(['audit']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/audit verify/);
    const missing = await runCli(['audit', 'verify', at('missing.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing.jsonl');
    const key = await runCli(['audit', 'verify', at('audit.jsonl'), '--key', at('nokey.pub')]);
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/--key .*nokey\.pub/);
    const badHead = await runCli(['audit', 'verify', at('audit.jsonl'), '--head', at('public.key')]);
    expect(badHead.code).toBe(2);
    expect(badHead.stderr).toMatch(/--head .*public\.key/);
    expect(badHead.stdout).toBe('');
  });
});
