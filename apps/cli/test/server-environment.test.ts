/**
 * Every command starts the server with the same environment: the user's, plus the
 * assignments of a quoted command string. A server whose surface depends on its
 * environment (a token that enables a tool, a flag that makes it drift) is locked,
 * diffed and proxied as the same server. Through the built CLI, with a real SDK host.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE, NODE, runCli } from './helpers.js';
import { removeTempDirs, tempDir } from './proxy-harness.js';
import { closeHosts, connectHost } from './sdk-host.js';

const SECRET = 'ghp_Secret0123456789TokenValueABCDEF';
/** The fixture with two tools, plus `with_token` when SECRET_TOKEN is set and `exec_shell` when DRIFT_NOW is. */
const SERVER = [NODE, FIXTURE, '--tools', 'echo,list_dir', '--prompts', '', '--tool-if-env', 'SECRET_TOKEN:with_token', '--tool-if-env', 'DRIFT_NOW:exec_shell'];
/** The same server as one quoted string, as MCP host configs write it. */
const quoted = (assignments: string): string => `${assignments} ${SERVER.map((w) => `'${w}'`).join(' ')}`;

let dir = '';
/** A lockfile of the server started without any of its variables. */
let baseLock = '';
beforeAll(async () => {
  dir = tempDir('mcptrust-env-');
  baseLock = join(dir, 'base.json');
  const r = await runCli(['lock', '--output', baseLock, '--', ...SERVER]);
  if (r.code !== 0) throw new Error(`lock failed: ${r.stderr}`);
}, 30_000);
afterEach(closeHosts);
afterAll(removeTempDirs);

const lockedTools = (lock: string): string[] => Object.keys((JSON.parse(readFileSync(lock, 'utf8')) as { tools: Record<string, unknown> }).tools).sort();

describe('the server sees the user environment in every command', () => {
  it('lock and proxy started with SECRET_TOKEN see the same server: no refusal, the same tools', async () => {
    const lock = join(dir, 'token.json');
    const locked = await runCli(['lock', '--output', lock, '--', ...SERVER], { env: { SECRET_TOKEN: SECRET } });
    expect(locked.code).toBe(0);
    expect(lockedTools(lock)).toEqual(['echo', 'list_dir', 'with_token']);
    expect(readFileSync(lock, 'utf8')).not.toContain(SECRET);

    const host = await connectHost(['--lock', lock], SERVER, { SECRET_TOKEN: SECRET });
    expect((await host.client.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'list_dir', 'with_token']);
    const result = await host.client.callTool({ name: 'with_token', arguments: {} });
    expect(result.isError).not.toBe(true);
    expect(host.stderr()).not.toContain('action=blocked');
    expect(host.stderr()).not.toContain(SECRET);
  });

  it('lock without the variable pins one tool less, and the proxy with it is refused for the added one', async () => {
    const lock = join(dir, 'no-token.json');
    expect((await runCli(['lock', '--output', lock, '--', ...SERVER], { env: { SECRET_TOKEN: undefined } })).code).toBe(0);
    expect(lockedTools(lock)).toEqual(['echo', 'list_dir']);
    await expect(connectHost(['--lock', lock], SERVER, { SECRET_TOKEN: SECRET })).rejects.toThrow(/tool "with_token" added \(critical\)/);
  });

  it('the assignments of a quoted command string reach the server in lock and proxy alike', async () => {
    const lock = join(dir, 'inline.json');
    const command = quoted(`SECRET_TOKEN=${SECRET}`);
    expect((await runCli(['lock', '--output', lock, '--', command], { env: { SECRET_TOKEN: undefined } })).code).toBe(0);
    expect(lockedTools(lock)).toEqual(['echo', 'list_dir', 'with_token']);
    const host = await connectHost(['--lock', lock], [command]);
    expect((await host.client.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'list_dir', 'with_token']);
  });

  it('scan reports the tool the environment enables', async () => {
    const r = await runCli(['scan', '--', ...SERVER], { env: { SECRET_TOKEN: SECRET } });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).toContain('with_token');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('diff and check started with a drift-triggering variable see the drift the proxy would see', async () => {
    const lock = baseLock;
    expect((await runCli(['diff', '--lock', lock, '--', ...SERVER])).code).toBe(0);

    const diff = await runCli(['diff', '--lock', lock, '--', ...SERVER], { env: { DRIFT_NOW: '0' } });
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/tool `exec_shell` was added/);
    const check = await runCli(['check', '--lock', lock, '--format', 'json', '--', quoted('DRIFT_NOW=0')]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('exec_shell');
    await expect(connectHost(['--lock', lock], SERVER, { DRIFT_NOW: '0' })).rejects.toThrow(/tool "exec_shell" added \(critical\)/);
  });
});

describe('environment values never appear in errors or reports', () => {
  const failing: Array<[string, string[]]> = [
    ['a command that does not exist', ['mcptrust-no-such-server-7f3a', '--token', 'x']],
    ['a server that exits at start-up', [NODE, FIXTURE, '--surface', join('no', 'such', 'surface.json')]],
  ];
  for (const [what, server] of failing) {
    it(`lock, diff and proxy with ${what} name the command, not the environment`, async () => {
      const lock = join(dir, 'secret-errors.json');
      expect((await runCli(['lock', '--output', lock, '--', ...SERVER])).code).toBe(0);
      const env = { SECRET_TOKEN: SECRET, API_KEY: SECRET };
      const inline = `API_KEY=${SECRET} ${server.map((w) => `'${w}'`).join(' ')}`;
      for (const args of [
        ['lock', '--output', lock, '--', ...server],
        ['lock', '--output', lock, '--', inline],
        ['diff', '--lock', lock, '--', inline],
        ['scan', '--', inline],
      ]) {
        const r = await runCli(args, { env });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/could not start|exited before the scan finished/);
        expect(r.stdout + r.stderr).not.toContain(SECRET);
      }
      const proxied = await connectHost(['--lock', lock], [inline], env).then(
        () => '',
        (e: { message?: string; stderr?: string }) => `${e.message ?? ''}\n${e.stderr ?? ''}`,
      );
      expect(proxied).not.toBe('');
      expect(proxied).not.toContain(SECRET);
    });
  }
});
