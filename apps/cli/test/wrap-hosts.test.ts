// `mcptrust wrap` / `unwrap` end to end, per host: a realistic config in a temp HOME →
// wrap (locks with the entry's own env) → the wrapped entry, started as the host starts
// it, serves exactly the locked tools to a real SDK Client → unwrap gives the original
// bytes back. Plus dry-run, idempotence and the untouched entries.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { argvEdits, hostDefinition, parseConfig } from '@mcptrust/hosts';
import type { ConfigLocation, HostEnvironment, ServerEntry } from '@mcptrust/hosts';
import { FIXTURE, NODE, runCli } from './helpers.js';
import { HOST_FIXTURES } from './host-fixtures.js';
import type { HostFixture } from './host-fixtures.js';

const temps: string[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
});
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

/** Sets a value at a key path of a parsed document. */
function setIn(doc: unknown, path: readonly (string | number)[], value: unknown): void {
  let node = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}

/** A fresh HOME and project dir; the environment a CLI run gets (nothing of the real user's). */
async function sandbox(): Promise<{ home: string; project: string; env: Record<string, string | undefined> }> {
  const root = await mkdtemp(join(tmpdir(), 'mcptrust-wrap-'));
  temps.push(root);
  const home = join(root, 'home');
  const project = join(root, 'project');
  await mkdir(home);
  await mkdir(project);
  const env = {
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: undefined,
    APPDATA: undefined,
    LOCALAPPDATA: undefined,
    CLAUDE_CONFIG_DIR: undefined,
    CODEX_HOME: undefined,
    CLINE_DIR: undefined,
    CLINE_MCP_SETTINGS_PATH: undefined,
    MCPTRUST_TEST_UNSET_FEATURE: undefined,
  };
  return { home, project, env };
}

async function writeFixture(fx: HostFixture, home: string): Promise<{ path: string; text: string }> {
  const path = join(home, fx.file);
  const text = fx.text(NODE, FIXTURE);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { mode: 0o600 });
  return { path, text };
}

function hostEnv(home: string, project: string): HostEnvironment {
  return { home, platform: 'linux', env: { HOME: home }, cwd: project };
}

/** The host's location of a file, and its entries as the file reads now. */
async function entriesOf(fx: HostFixture, home: string, project: string): Promise<{ location: ConfigLocation; entries: ServerEntry[]; doc: unknown }> {
  const def = hostDefinition(fx.host);
  const path = join(home, fx.file);
  const location = def.locations(hostEnv(home, project)).find((l) => l.path === path);
  if (location === undefined) throw new Error(`${fx.host}: ${path} is not one of its locations`);
  const doc = parseConfig(await readFile(path, 'utf8'), location.format, path);
  return { location, entries: def.readEntries(doc, location), doc };
}

/** Starts an entry as the host would (its command, args, and env over the host's) and lists its tools. */
async function toolsOf(fx: HostFixture, entry: ServerEntry, location: ConfigLocation, home: string, project: string): Promise<string[]> {
  const resolved = hostDefinition(fx.host).resolveEntry(entry, location, hostEnv(home, project));
  const transport = new StdioClientTransport({
    command: resolved.command,
    args: resolved.args,
    env: { PATH: process.env['PATH'] ?? '', HOME: home, NO_COLOR: '1', ...resolved.env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'host', version: '1.0.0' });
  clients.push(client);
  await client.connect(transport);
  const { tools } = await client.listTools();
  return tools.map((t) => t.name).sort();
}

describe.each(HOST_FIXTURES.map((fx) => [fx.host, fx] as const))('wrap --host %s', (host, fx) => {
  it('locks each stdio server with its env, wraps only command/args, serves the locked tools, and unwrap restores the bytes', async () => {
    const { home, project, env } = await sandbox();
    const { path, text } = await writeFixture(fx, home);
    const before = await entriesOf(fx, home, project);

    const wrapped = await runCli(['wrap', '--host', host], { env, cwd: project, timeoutMs: 60_000 });
    expect(wrapped.stderr).not.toMatch(/FAILED/);
    expect(wrapped.code).toBe(0);
    const after = await entriesOf(fx, home, project);
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    for (const entry of after.entries) {
      const old = before.entries.find((e) => e.name === entry.name && e.section === entry.section);
      expect(old).toBeDefined();
      if (fx.untouched.includes(entry.name) || old?.transport !== 'stdio') {
        expect(entry).toEqual(old); // remote and unsupported entries are left as they were
        continue;
      }
      // Only command/args changed: the original command line follows the proxy's `--`.
      expect(entry.wrapped?.original).toEqual(old.argv);
      expect(entry.env).toEqual(old.env);
      expect(entry.argv?.command).toBe(NODE);
      const lockPath = entry.wrapped?.lockPath ?? '';
      expect(lockPath.startsWith(join(home, '.config', 'mcptrust', 'locks'))).toBe(true);
      const lock = JSON.parse(await readFile(lockPath, 'utf8')) as { tools: Record<string, unknown> };
      const locked = Object.keys(lock.tools).sort();
      if (entry.name === 'fixture') expect(locked).toContain('feature_tool'); // locked with the entry's env
      // The wrapped entry, started as the host starts it, serves exactly the locked tools.
      expect(await toolsOf(fx, entry, after.location, home, project)).toEqual(locked);
    }
    // Everything but the wrapped entries' command/args reads the same: put the original
    // command lines back into the parsed wrapped file and it equals the original.
    const restored = structuredClone(after.doc);
    for (const entry of after.entries) {
      if (entry.wrapped === undefined) continue;
      for (const edit of argvEdits(entry, entry.wrapped.original)) setIn(restored, edit.path, edit.value);
    }
    expect(restored).toEqual(before.doc);

    // Idempotent: a second wrap changes nothing.
    const bytesWrapped = await readFile(path, 'utf8');
    const again = await runCli(['wrap', '--host', host], { env, cwd: project, timeoutMs: 60_000 });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already wrapped/);
    expect(await readFile(path, 'utf8')).toBe(bytesWrapped);

    // unwrap gives the original bytes back; a backup of each state is next to the file.
    const unwrapped = await runCli(['unwrap', '--host', host], { env, cwd: project });
    expect(unwrapped.code).toBe(0);
    expect(await readFile(path, 'utf8')).toBe(text);
    const backups = (await readdir(dirname(path))).filter((f) => f.includes('.mcptrust-bak.'));
    expect(backups.length).toBeGreaterThanOrEqual(2);
    // No lock file or temp file is left next to the config.
    expect((await readdir(dirname(path))).filter((f) => /\.mcptrust\.lock$|\.tmp/.test(f))).toEqual([]);
    // Nothing was written in the project directory.
    expect(await readdir(project)).toEqual([]);
  }, 120_000);
});

describe('wrap safety', () => {
  it('--dry-run prints a unified diff and writes nothing (no lock, no backup)', async () => {
    const { home, project, env } = await sandbox();
    const fx = HOST_FIXTURES.find((f) => f.host === 'claude-desktop') as HostFixture;
    const { path, text } = await writeFixture(fx, home);
    const run = await runCli(['wrap', '--host', 'claude-desktop', '--dry-run'], { env, cwd: project });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^--- a\//m);
    expect(run.stdout).toMatch(/^\+.*"proxy"/m);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(await readdir(dirname(path))).toEqual(['claude_desktop_config.json']);
    await expect(stat(join(home, '.config', 'mcptrust'))).rejects.toThrow();
  });

  it('a config that does not parse is refused with its line and column, exit 2, untouched', async () => {
    const { home, project, env } = await sandbox();
    const path = join(home, '.cursor', 'mcp.json');
    await mkdir(dirname(path), { recursive: true });
    const bad = '{\n  "mcpServers": {\n    "x": { "command": "node" ]\n}\n';
    await writeFile(path, bad);
    const run = await runCli(['wrap', '--host', 'cursor'], { env, cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(path);
    expect(run.stderr).toMatch(/:3:\d+/);
    expect(await readFile(path, 'utf8')).toBe(bad);
  });

  it('an unknown host, an unknown server and a missing config are exit 2 naming the flag', async () => {
    const { home, project, env } = await sandbox();
    const unknownHost = await runCli(['wrap', '--host', 'notepad'], { env, cwd: project });
    expect(unknownHost.code).toBe(2);
    expect(unknownHost.stderr).toMatch(/--host.*notepad[\s\S]*claude-desktop/);
    const missing = await runCli(['wrap', '--host', 'cursor'], { env, cwd: project });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no Cursor config found/);
    const fx = HOST_FIXTURES.find((f) => f.host === 'cursor') as HostFixture;
    await writeFixture(fx, home);
    const unknownServer = await runCli(['wrap', '--host', 'cursor', '--server', 'nope'], { env, cwd: project });
    expect(unknownServer.code).toBe(2);
    expect(unknownServer.stderr).toMatch(/--server nope.*servers: fixture, remote-docs/);
  });

  it('a server that fails to lock is not wrapped, the others are, exit 2', async () => {
    const { home, project, env } = await sandbox();
    const path = join(home, '.cursor', 'mcp.json');
    await mkdir(dirname(path), { recursive: true });
    const config = {
      mcpServers: {
        good: { command: NODE, args: [FIXTURE] },
        broken: { command: NODE, args: ['-e', 'process.exit(3)'] },
      },
    };
    await writeFile(path, JSON.stringify(config, null, 2));
    const run = await runCli(['wrap', '--host', 'cursor'], { env, cwd: project, timeoutMs: 60_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/FAILED\s+broken: could not lock it/);
    const doc = JSON.parse(await readFile(path, 'utf8')) as typeof config;
    expect(doc.mcpServers.broken).toEqual(config.mcpServers.broken);
    expect(doc.mcpServers.good.args).toContain('proxy');
  });
});
