import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO, NODE, runCli } from './helpers.js';

// Go mcptrust signatures (packages/signing/test/vectors/mcptrust-go/SOURCE.md).
const GO = (name: string): string => fileURLToPath(new URL(`../../../packages/signing/test/vectors/mcptrust-go/${name}`, import.meta.url));

let dir: string;
let lock: string;
const at = (name: string): string => join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-sign-'));
  lock = at('mcp-lock.json');
  const locked = await runCli(['lock', '--output', lock, '--', NODE, DEMO], { env: { SOURCE_DATE_EPOCH: '1767225600' } });
  expect(locked.code).toBe(0);
  expect((await runCli(['keygen'], { cwd: dir })).code).toBe(0);
  expect((await runCli(['keygen', '--private', 'other.key', '--public', 'other.pub'], { cwd: dir })).code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mcptrust keygen', () => {
  it('wrote private.key with mode 0600 and refuses to overwrite it without --force (exit 2)', async () => {
    expect((await stat(at('private.key'))).mode & 0o777).toBe(0o600);
    const before = await readFile(at('private.key'), 'utf8');
    const again = await runCli(['keygen'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('private.key');
    expect(await readFile(at('private.key'), 'utf8')).toBe(before);
    expect(again.stdout).toBe('');
  });
});

describe('mcptrust sign / verify', () => {
  it('signs in the positional form and verifies (exit 0), with nothing on stdout', async () => {
    const signed = await runCli(['sign', '--key', 'private.key', 'mcp-lock.json'], { cwd: dir });
    expect(signed.code).toBe(0);
    expect(signed.stdout).toBe('');
    expect(await readFile(`${lock}.sig`, 'utf8')).toMatch(/^\{"canon_version":"v2"\}\n[0-9a-f]{128}\n$/);
    const verified = await runCli(['verify', '--key', 'public.key', '--lockfile', 'mcp-lock.json'], { cwd: dir });
    expect(verified.code).toBe(0);
    expect(verified.stderr).toMatch(/signature valid/);
  });

  it('keeps the signature valid after re-indenting the lockfile, and exits 1 after a semantic change', async () => {
    await runCli(['sign', '--key', at('private.key'), '--lockfile', lock, '--output', at('copy.sig'), '--canonicalization', 'v1']);
    const original = JSON.parse(await readFile(lock, 'utf8')) as { tools: Record<string, { riskLevel: string }> };
    await writeFile(at('copy.json'), JSON.stringify(original));
    expect((await runCli(['verify', '--key', at('public.key'), '--signature', at('copy.sig'), at('copy.json')])).code).toBe(0);
    const name = Object.keys(original.tools)[0] as string;
    (original.tools[name] as { riskLevel: string }).riskLevel = 'LOW' === original.tools[name]?.riskLevel ? 'HIGH' : 'LOW';
    await writeFile(at('copy.json'), JSON.stringify(original));
    const tampered = await runCli(['verify', '--key', at('public.key'), '--signature', at('copy.sig'), at('copy.json')]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/INVALID/);
  });

  it('exits 1 for the wrong key', async () => {
    const r = await runCli(['verify', '--key', 'other.pub', 'mcp-lock.json'], { cwd: dir });
    expect(r.code).toBe(1);
  });

  it.each([
    ['a truncated signature', '{"canon_version":"v2"}\nabcdef\n'],
    ['garbage', 'not a signature at all\n'],
  ])('exits 2 naming the file for %s', async (_what, content) => {
    const sig = at('bad.sig');
    await writeFile(sig, content);
    const r = await runCli(['verify', '--key', 'public.key', '--signature', sig, 'mcp-lock.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(sig);
  });

  it('exits 1 for a well-formed signature of other bytes', async () => {
    const sig = at('zeros.sig');
    await writeFile(sig, `{"canon_version":"v2"}\n${'0'.repeat(128)}\n`);
    expect((await runCli(['verify', '--key', 'public.key', '--signature', sig, 'mcp-lock.json'], { cwd: dir })).code).toBe(1);
  });

  it('exits 2 naming the path of an unreadable or invalid key', async () => {
    const missing = await runCli(['verify', '--key', at('missing.pub'), lock]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(at('missing.pub'));
    await writeFile(at('junk.pub'), 'junk\n');
    const junk = await runCli(['sign', '--key', at('junk.pub'), lock]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain(at('junk.pub'));
  });

  it('exits 2 for a bad flag value, naming the flag', async () => {
    const r = await runCli(['sign', '--canonicalization', 'v3', lock]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--canonicalization');
  });

  it.each(['compat_new_v1_sig.txt', 'compat_new_v2_sig.txt', 'compat_legacy_v1_sig.hex'])('accepts the Go signature %s (exit 0)', async (sig) => {
    const r = await runCli(['verify', '--key', GO('compat_test_public.key'), '--signature', GO(sig), GO('legacy-lock.v1.json')]);
    expect(r.code).toBe(0);
  });
});

describe('mcptrust bundle', () => {
  it('exports byte-identical bundles and verifies them (exit 0)', async () => {
    await writeFile(at('policy.yaml'), 'rules: []\n');
    const args = ['bundle', 'export', '--key', 'public.key', '--policy', 'policy.yaml'];
    expect((await runCli([...args, '--output', 'a.zip'], { cwd: dir })).code).toBe(0);
    expect((await runCli([...args, '--output', 'b.zip'], { cwd: dir })).code).toBe(0);
    const a = await readFile(at('a.zip'));
    expect(a.equals(await readFile(at('b.zip')))).toBe(true);
    const verified = await runCli(['bundle', 'verify', 'a.zip', '--key', 'public.key'], { cwd: dir });
    expect(verified.code).toBe(0);
    expect((await runCli(['bundle', 'verify', 'a.zip', '--key', 'other.pub'], { cwd: dir })).code).toBe(1);
    const corrupt = Buffer.from(a);
    corrupt[40] = (corrupt[40] ?? 0) ^ 0xff;
    await writeFile(at('corrupt.zip'), corrupt);
    expect([1, 2]).toContain((await runCli(['bundle', 'verify', 'corrupt.zip', '--key', 'public.key'], { cwd: dir })).code);
  });

  it('refuses an unsigned lockfile with exit 2 naming the missing signature', async () => {
    await writeFile(at('unsigned.json'), await readFile(lock));
    const r = await runCli(['bundle', 'export', '--lockfile', 'unsigned.json', '--output', 'u.zip'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unsigned.json.sig');
  });
});
