// `mcptrust hosts`: which hosts have a config in a temp HOME, their servers, and which
// are wrapped — read only, a bad file reported rather than fatal.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NODE, FIXTURE, runCli } from './helpers.js';
import { HOST_FIXTURES } from './host-fixtures.js';

const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

async function home(): Promise<{ home: string; env: Record<string, string | undefined> }> {
  const root = await mkdtemp(join(tmpdir(), 'mcptrust-hosts-'));
  temps.push(root);
  const env = { HOME: root, XDG_CONFIG_HOME: undefined, CLAUDE_CONFIG_DIR: undefined, CODEX_HOME: undefined, CLINE_DIR: undefined, CLINE_MCP_SETTINGS_PATH: undefined };
  return { home: root, env };
}

interface Report {
  id: string;
  found: boolean;
  files: Array<{ path: string; exists: boolean; error?: string; servers: Array<{ name: string; status: string; lock?: string; reason?: string }> }>;
}

async function report(env: Record<string, string | undefined>, cwd: string): Promise<Report[]> {
  const run = await runCli(['hosts', '--json'], { env, cwd });
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Report[];
}

describe('mcptrust hosts', () => {
  it('lists every host, finds the configs present, their servers, and which are wrapped', async () => {
    const { home: h, env } = await home();
    for (const host of ['cursor', 'codex'] as const) {
      const fx = HOST_FIXTURES.find((f) => f.host === host);
      if (fx === undefined) throw new Error(host);
      await mkdir(dirname(join(h, fx.file)), { recursive: true });
      await writeFile(join(h, fx.file), fx.text(NODE, FIXTURE));
    }
    const before = await report(env, h);
    expect(before.map((r) => r.id)).toEqual(['claude-desktop', 'claude-code', 'vscode', 'cursor', 'windsurf', 'zed', 'continue', 'cline', 'codex', 'gemini', 'goose']);
    expect(before.filter((r) => r.found).map((r) => r.id)).toEqual(['cursor', 'codex']);
    const cursorFile = before.find((r) => r.id === 'cursor')?.files.find((f) => f.exists);
    expect(cursorFile?.servers.map((s) => [s.name, s.status])).toEqual([
      ['fixture', 'stdio'],
      ['remote-docs', 'remote'],
    ]);

    const wrap = await runCli(['wrap', '--host', 'cursor'], { env, cwd: h, timeoutMs: 60_000 });
    expect(wrap.code).toBe(0);
    const after = await report(env, h);
    const fixture = after.find((r) => r.id === 'cursor')?.files.find((f) => f.exists)?.servers.find((s) => s.name === 'fixture');
    expect(fixture?.status).toBe('wrapped');
    expect(fixture?.lock).toBe(join(h, '.config', 'mcptrust', 'locks', 'cursor-fixture.mcp-lock.json'));
    // codex was not touched by wrapping cursor
    const codex = after.find((r) => r.id === 'codex')?.files.find((f) => f.exists);
    expect(codex?.servers.find((s) => s.name === 'fixture')?.status).toBe('stdio');

    const text = await runCli(['hosts', '--host', 'cursor'], { env, cwd: h });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/cursor \(Cursor\)/);
    expect(text.stdout).toMatch(/1\/1 stdio wrapped/);
    expect(text.stdout).toMatch(/fixture: wrapped \(lock /);
    expect(text.stdout).toMatch(/remote-docs: remote/);
  }, 90_000);

  it('reports a file that does not parse with its line and column, and reads on', async () => {
    const { home: h, env } = await home();
    const path = join(h, '.gemini', 'settings.json');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '{ "mcpServers": { ');
    const hosts = await report(env, h);
    const file = hosts.find((r) => r.id === 'gemini')?.files.find((f) => f.exists);
    expect(file?.error).toMatch(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:\\d+`));
    expect(await readFile(path, 'utf8')).toBe('{ "mcpServers": { ');
  });

  it('an unknown --host is exit 2 listing the hosts', async () => {
    const { home: h, env } = await home();
    const run = await runCli(['hosts', '--host', 'emacs'], { env, cwd: h });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--host: unknown host "emacs".*goose/);
  });
});
