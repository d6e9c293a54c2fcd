/**
 * Explicit, pinned subset approval through the built CLI: `lock --exclude / --include`
 * and the lockfile's `denied` section, against the real
 * `@modelcontextprotocol/server-filesystem` and against look-alike tool names (a
 * Cyrillic і beside the ASCII i, served by the fixture server), with `check`, `diff`
 * and a real SDK `Client` host through `mcptrust proxy`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, FILESYSTEM, FIXTURE, NODE, isAlive, runCli } from './helpers.js';
import { childrenOf, removeTempDirs, tempDir } from './proxy-harness.js';

const LOOKALIKE_SURFACE = fileURLToPath(new URL('./fixtures/lookalike-tools.json', import.meta.url));
const CYRILLIC = 'read_f\u0456le'; // U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
const LOOKALIKE_SERVER = [NODE, FIXTURE, '--surface', LOOKALIKE_SURFACE];

interface LockJson {
  tools: Record<string, unknown>;
  denied?: { tools: Record<string, { riskLevel: string; snapshot: unknown }>; prompts: { definitions: Record<string, unknown> } };
}

let dir = '';
let fsDir = '';
let fsServer: string[] = [];
const clients: Array<{ client: Client; pid: number }> = [];

beforeAll(() => {
  dir = tempDir('mcptrust-exclude-');
  fsDir = tempDir('mcptrust-exclude-fs-');
  writeFileSync(join(fsDir, 'notes.txt'), 'hello from the filesystem\n');
  fsServer = [NODE, FILESYSTEM, fsDir];
});
afterEach(async () => {
  for (const h of clients.splice(0)) {
    const servers = h.pid > 0 ? childrenOf(h.pid) : [];
    await h.client.close().catch(() => undefined);
    for (const pid of [h.pid, ...servers]) if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});
afterAll(removeTempDirs);

const read = (file: string): LockJson => JSON.parse(readFileSync(file, 'utf8')) as LockJson;

async function host(lock: string, server: string[], flags: string[] = []): Promise<Client> {
  const transport = new StdioClientTransport({
    command: NODE,
    args: [CLI, 'proxy', '--lock', lock, ...flags, '--', ...server],
    stderr: 'pipe',
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1' },
  });
  const client = new Client({ name: 'test-host', version: '1.0.0' }, { capabilities: {} });
  const entry = { client, pid: -1 };
  clients.push(entry);
  try {
    await client.connect(transport);
  } finally {
    entry.pid = transport.pid ?? -1;
  }
  return client;
}

const text = (result: unknown): string => JSON.stringify((result as { content?: unknown }).content ?? result);

describe('mcptrust lock --exclude: bad selectors (exit 2, nothing written, no server started)', () => {
  it.each([
    ['tools:write_file', /--exclude: selector "tools:write_file" has an unknown kind "tools"/],
    ['write_file', /--exclude: selector "write_file" has no kind/],
    ['tool:', /--exclude: selector "tool:" names no item/],
  ])('refuses --exclude %j', async (value, message) => {
    const out = join(dir, 'bad-selector.json');
    const marker = join(dir, 'started-bad-selector');
    const r = await runCli(['lock', '--output', out, '--exclude', value, '--', NODE, FIXTURE, '--log-requests', marker]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses --include with a bad selector the same way', async () => {
    const r = await runCli(['lock', '--output', join(dir, 'bad-include.json'), '--include', 'templates:x', '--', NODE, FIXTURE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--include: selector "templates:x" has an unknown kind');
  });

  it('refuses an --exclude that matches nothing the server offers (a typo would leave the real item approved)', async () => {
    const out = join(dir, 'typo.json');
    const r = await runCli(['lock', '--output', out, '--exclude', 'tool:wirte_file', '--', ...fsServer]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--exclude: "tool:wirte_file" matches nothing the server offers');
    expect(existsSync(out)).toBe(false);
  });
});

describe('server-filesystem without write_file and move_file', () => {
  let lock = '';
  beforeAll(async () => {
    lock = join(dir, 'filesystem.json');
    const r = await runCli(['lock', '--output', lock, '--exclude', 'tool:write_file', '--exclude', 'tool:move_file', '--', ...fsServer]);
    if (r.code !== 0) throw new Error(r.stderr);
  }, 60_000);

  it('writes both into denied, with hashes and snapshots, and approves the rest', () => {
    const l = read(lock);
    expect(Object.keys(l.denied?.tools ?? {})).toEqual(['move_file', 'write_file']);
    expect(l.denied?.tools['write_file']).toMatchObject({ riskLevel: expect.any(String), snapshot: expect.any(Object) });
    expect(l.tools).not.toHaveProperty('write_file');
    expect(l.tools).not.toHaveProperty('move_file');
    expect(l.tools).toHaveProperty('read_text_file');
  });

  it('check passes and reports them denied as approved (text and JSON); they are not findings in SARIF', async () => {
    const r = await runCli(['check', '--lock', lock, '--', ...fsServer]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DENIED AS APPROVED (2)');
    expect(r.stdout).toContain('tool `write_file` is denied by the lockfile (denied as approved)');
    const json = await runCli(['diff', '--lock', lock, '--format', 'json', '--', ...fsServer]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { items: unknown[]; denied: Array<{ itemId: string; status: string; path: string }> };
    expect(report.items).toEqual([]);
    expect(report.denied.map((d) => [d.itemId, d.status, d.path])).toEqual([
      ['move_file', 'unchanged', 'denied.tools.move_file'],
      ['write_file', 'unchanged', 'denied.tools.write_file'],
    ]);
    const sarif = JSON.parse((await runCli(['diff', '--lock', lock, '--format', 'sarif', '--', ...fsServer])).stdout) as {
      runs: Array<{ results: unknown[]; properties: { denied: unknown[] } }>;
    };
    expect(sarif.runs[0]?.results).toEqual([]);
    expect(sarif.runs[0]?.properties.denied).toHaveLength(2);
    const markdown = await runCli(['diff', '--lock', lock, '--format', 'markdown', '--', ...fsServer]);
    expect(markdown.stdout).toContain('Denied as approved (2)');
  }, 60_000);

  it('the proxy hides them from tools/list and refuses write_file with MCPTRUST_DENIED; other tools work', async () => {
    const client = await host(lock, fsServer);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('read_text_file');
    expect(names).not.toContain('write_file');
    expect(names).not.toContain('move_file');
    await expect(client.callTool({ name: 'write_file', arguments: { path: join(fsDir, 'x.txt'), content: 'pwned' } })).rejects.toMatchObject({
      code: -32063,
      message: expect.stringContaining('MCPTRUST_DENIED: denied by the lockfile'),
    });
    expect(existsSync(join(fsDir, 'x.txt'))).toBe(false);
    expect(text(await client.callTool({ name: 'read_text_file', arguments: { path: join(fsDir, 'notes.txt') } }))).toContain('hello from the filesystem');
  }, 60_000);

  it('--print-effective-allowlist shows the denied items', async () => {
    const r = await runCli(['proxy', '--lock', lock, '--print-effective-allowlist']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { denied: { tools: string[] } }).denied.tools).toEqual(['move_file', 'write_file']);
  });

  it('a re-lock keeps the denied set, even with --force; --include moves one back', async () => {
    const copy = join(dir, 'filesystem-relock.json');
    writeFileSync(copy, readFileSync(lock));
    const again = await runCli(['lock', '--force', '--output', copy, '--', ...fsServer]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('is up to date');
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(lock, 'utf8'));

    const include = await runCli(['lock', '--output', copy, '--include', 'tool:move_file', '--', ...fsServer]);
    expect(include.code).toBe(0);
    expect(include.stderr).toContain('tool `move_file` is approved again (--include)');
    const l = read(copy);
    expect(Object.keys(l.denied?.tools ?? {})).toEqual(['write_file']);
    expect(l.tools).toHaveProperty('move_file');
  }, 60_000);

  it('an item missing from both sections is added (critical), and the refusals say how to deny it', async () => {
    const edited = join(dir, 'filesystem-edited.json');
    const l = read(lock) as LockJson & { denied: NonNullable<LockJson['denied']> };
    delete l.denied.tools['write_file'];
    writeFileSync(edited, `${JSON.stringify(l, null, 2)}\n`);
    const check = await runCli(['check', '--lock', edited, '--', ...fsServer]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/CRITICAL[\s\S]*tool `write_file` was added/);
    expect(check.stdout).toContain("mcptrust lock --exclude 'tool:write_file'");
    const relock = await runCli(['lock', '--output', edited, '--', ...fsServer]);
    expect(relock.code).toBe(1);
    expect(relock.stderr).toContain("mcptrust lock --exclude 'tool:write_file'");
    const client = host(edited, fsServer);
    await expect(client).rejects.toThrow(/tool "write_file" added \(critical\).*mcptrust lock --exclude 'tool:write_file'/);
  }, 60_000);

  it('--exclude with a glob denies every tool it matches', async () => {
    const out = join(dir, 'filesystem-glob.json');
    const r = await runCli(['lock', '--output', out, '--exclude', 'tool:*_file', '--', ...fsServer]);
    expect(r.code).toBe(0);
    const l = read(out);
    const denied = Object.keys(l.denied?.tools ?? {});
    expect(denied).toEqual(expect.arrayContaining(['write_file', 'move_file', 'read_text_file', 'edit_file']));
    expect(denied.every((name) => name.endsWith('_file'))).toBe(true);
    expect(Object.keys(l.tools).some((name) => name.endsWith('_file'))).toBe(false);
    expect(l.tools).toHaveProperty('list_directory');
  }, 60_000);
});

describe('look-alike tool names (Cyrillic і beside ASCII i)', () => {
  let lock = '';
  beforeAll(async () => {
    lock = join(dir, 'lookalike.json');
    const r = await runCli(['lock', '--output', lock, '--exclude', `tool:${CYRILLIC}`, '--', ...LOOKALIKE_SERVER]);
    if (r.code !== 0) throw new Error(r.stderr);
  });

  it('denies exactly the look-alike and approves the ASCII original', async () => {
    const l = read(lock);
    expect(Object.keys(l.denied?.tools ?? {})).toEqual([CYRILLIC]);
    expect(Object.keys(l.tools)).toEqual(['read_file']);
    expect((await runCli(['check', '--lock', lock, '--', ...LOOKALIKE_SERVER])).code).toBe(0);
  });

  it('the proxy hides and blocks only the look-alike', async () => {
    const client = await host(lock, LOOKALIKE_SERVER);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['read_file']);
    await expect(client.callTool({ name: CYRILLIC, arguments: { path: '/etc/passwd' } })).rejects.toMatchObject({ code: -32063 });
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'README.md' } });
    expect(result.isError).not.toBe(true);
  }, 60_000);

  it('excluding the ASCII name leaves the look-alike approved (names are compared exactly)', async () => {
    const out = join(dir, 'lookalike-ascii.json');
    expect((await runCli(['lock', '--output', out, '--exclude', 'tool:read_file', '--', ...LOOKALIKE_SERVER])).code).toBe(0);
    const l = read(out);
    expect(Object.keys(l.denied?.tools ?? {})).toEqual(['read_file']);
    expect(Object.keys(l.tools)).toEqual([CYRILLIC]);
  });
});
