/**
 * Hostile files through the built CLI: lockfiles, policy files, keys, bundles and host
 * configs crafted to crash, hang, mislead or reach the terminal. Each ends with exit 2
 * (bad input) or 1 (a finding), a message naming the file and what was wrong, and
 * nothing written or overwritten.
 */
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { crc32 } from 'node:zlib';
import { FIXTURE, NODE, runCli } from './helpers.js';

let dir = '';
let lock = '';
let lockText = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-hostile-files-'));
  lock = join(dir, 'mcp-lock.json');
  const locked = await runCli(['lock', '--output', lock, '--', NODE, FIXTURE], { timeoutMs: 60_000 });
  expect(locked.code).toBe(0);
  lockText = await readFile(lock, 'utf8');
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fixture = ['--', NODE, FIXTURE];

/** One entry of {@link storedZip}: its bytes and Unix mode (default a 0644 file). */
type Entry = [name: string, data: string, mode?: number];

/** A zip of stored (uncompressed) entries, made on Unix with each entry's mode: enough to write what an attacker would. */
function storedZip(entries: readonly Entry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text, mode = 0o100644] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(text, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made on Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const BUNDLE_LIKE: Entry[] = [
  ['manifest.json', '{"bundleVersion":1,"files":[]}'],
  ['mcp-lock.json', '{}'],
  ['mcp-lock.json.sig', 'x'],
];

describe('a hostile lockfile', () => {
  it.each([
    ['diff', (file: string) => ['diff', '--lock', file, ...fixture]],
    ['check', (file: string) => ['check', '--lock', file, ...fixture]],
    ['proxy', (file: string) => ['proxy', '--lock', file, ...fixture]],
  ])('%s refuses a 200 MB lockfile (exit 2, naming it)', async (_command, args) => {
    const file = join(dir, 'huge-lock.json');
    await writeFile(file, '');
    await truncate(file, 200 * 1000 * 1000); // sparse
    const result = await runCli(args(file), { timeoutMs: 60_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`lockfile ${file} is larger than 67108864 bytes`);
    expect(result.stdout).toBe('');
  }, 60_000);

  it('diff refuses a lockfile with two `tools` objects (exit 2, naming the key)', async () => {
    const file = join(dir, 'two-tools.json');
    await writeFile(file, lockText.replace(/\n}\n?$/, ',\n  "tools": {}\n}\n'));
    const result = await runCli(['diff', '--lock', file, ...fixture], { timeoutMs: 60_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('repeats the key at tools');
  }, 60_000);

  it('lock --force over a truncated lockfile refuses it (exit 2) and leaves it as it was', async () => {
    const file = join(dir, 'truncated-lock.json');
    const truncated = lockText.slice(0, Math.floor(lockText.length / 2));
    await writeFile(file, truncated);
    const result = await runCli(['lock', '--output', file, ...fixture], { timeoutMs: 60_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file} is not valid JSON`);
    expect(await readFile(file, 'utf8')).toBe(truncated);
  }, 60_000);
});

describe('a hostile policy file', () => {
  it.each([
    ['a !!js/function tag', 'name: a\nrules:\n  - {name: r, expr: !!js/function "function () { return true }", failure_msg: m}\n', 'Unresolved tag'],
    ['a billion-laughs alias bomb', `a: &a [${Array(10).fill('"lol"').join(',')}]\n${Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\nname: a\nrules: []\n`, 'alias'],
    ['nesting 100,000 levels deep', `name: a\nrules: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 'not valid YAML'],
  ])('policy check refuses %s (exit 2, naming the file)', async (_what, text, expected) => {
    const file = join(dir, 'hostile-policy.yaml');
    await writeFile(file, text);
    const result = await runCli(['policy', 'check', '--policy', file, ...fixture], { timeoutMs: 60_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain(expected);
  }, 60_000);
});

describe('hostile keys and signatures', () => {
  it.each([
    ['a garbage public key', 'key', '-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n'],
    ['a garbage signature', 'sig', 'not a signature\n'],
  ])('verify refuses %s (exit 2, naming the file)', async (_what, which, content) => {
    const file = join(dir, which === 'key' ? 'garbage.pub' : 'garbage.sig');
    await writeFile(file, content);
    const keyPair = await runCli(['keygen', '--private', join(dir, 'k.key'), '--public', join(dir, 'k.pub'), '--force'], { timeoutMs: 30_000 });
    expect(keyPair.code).toBe(0);
    const args = which === 'key' ? ['verify', '--key', file, '--signature', file, lock] : ['verify', '--key', join(dir, 'k.pub'), '--signature', file, lock];
    const result = await runCli(args, { timeoutMs: 30_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file);
  }, 60_000);
});

describe('a hostile approval bundle', () => {
  let exported = '';
  beforeAll(async () => {
    expect((await runCli(['keygen', '--private', join(dir, 'b.key'), '--public', join(dir, 'b.pub'), '--force'])).code).toBe(0);
    expect((await runCli(['keygen', '--private', join(dir, 'o.key'), '--public', join(dir, 'o.pub'), '--force'])).code).toBe(0);
    expect((await runCli(['sign', '--key', join(dir, 'b.key'), lock])).code).toBe(0);
    exported = join(dir, 'approval.zip');
    expect((await runCli(['bundle', 'export', '--lockfile', lock, '--key', join(dir, 'b.pub'), '--output', exported])).code).toBe(0);
  }, 60_000);

  async function verifyZip(name: string, zip: Uint8Array): Promise<{ code: number | null; stderr: string }> {
    const file = join(dir, name);
    await writeFile(file, zip);
    return runCli(['bundle', 'verify', file, '--key', join(dir, 'b.pub')], { timeoutMs: 30_000 });
  }

  it.each(['../mcp-lock.json', '/etc/mcp-lock.json'])('refuses the entry name %j (exit 2)', async (name) => {
    const result = await verifyZip('traversal.zip', storedZip([...BUNDLE_LIKE, [name, 'x']]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(JSON.stringify(name));
  });

  it('refuses a symbolic link entry (exit 2)', async () => {
    const result = await verifyZip('symlink.zip', storedZip([BUNDLE_LIKE[0] as Entry, ['mcp-lock.json', '/etc/passwd', 0o120777]]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"mcp-lock.json": a symbolic link, not a file');
  });

  it('refuses a name listed twice (exit 2)', async () => {
    const result = await verifyZip('twice.zip', storedZip([...BUNDLE_LIKE, ['mcp-lock.json', '{"other": true}']]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('holds the entry name "mcp-lock.json" twice');
  });

  it('refuses a zip whose entries claim to inflate past the limit (exit 2)', async () => {
    const zip = storedZip(BUNDLE_LIKE);
    for (let at = zip.indexOf('PK\u0001\u0002'); at >= 0; at = zip.indexOf('PK\u0001\u0002', at + 1)) zip.writeUInt32LE(60 * 1024 * 1024, at + 24);
    const result = await verifyZip('bomb.zip', zip);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('would inflate to more than');
  });

  it('refuses a bundle file that never ends (exit 2) instead of reading it whole', async () => {
    const result = await runCli(['bundle', 'verify', '/dev/zero', '--key', join(dir, 'b.pub')], { timeoutMs: 60_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is too large');
  }, 60_000);

  it('reports a bundle signed with another key as a finding (exit 1)', async () => {
    const result = await runCli(['bundle', 'verify', exported, '--key', join(dir, 'o.pub')], { timeoutMs: 30_000 });
    expect(result.code).toBe(1);
  });
});

describe('a host config with terminal escapes in server names and commands', () => {
  it('hosts prints them escaped, in text and in --json', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.cursor'), { recursive: true });
    const config = { mcpServers: { 'evil\u001b[2J\u009b2J': { command: 'node\u001b]52;c;eA==\u0007', args: ['\u001b]8;;https://attacker.invalid/\u001b\\x'] } } };
    await writeFile(join(home, '.cursor', 'mcp.json'), JSON.stringify(config));
    const env = { HOME: home, XDG_CONFIG_HOME: undefined, CLAUDE_CONFIG_DIR: undefined, CODEX_HOME: undefined, CLINE_DIR: undefined, CLINE_MCP_SETTINGS_PATH: undefined };
    for (const args of [['hosts'], ['hosts', '--json']]) {
      const result = await runCli(args, { env, cwd: dir });
      expect(result.code).toBe(0);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
      expect(result.stdout).toContain('evil');
    }
  }, 60_000);
});
