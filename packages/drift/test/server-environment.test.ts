// The server's environment: built once (serverSpawnOptions) for scan and proxy alike,
// taken explicitly, and never shown in an error or a report.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { DriftError, LIST_METHODS, listErrorMeansNone, METHOD_NOT_FOUND, parseServerCommand, scanServer, serverSpawnOptions } from '../src/index.js';
import type { ScanOptions, ServerCommand } from '../src/index.js';

const node = process.execPath;
const FIXTURE = fileURLToPath(new URL('../../../tooling/servers/fixture-server.mjs', import.meta.url));
const crashServer = fileURLToPath(new URL('./fixtures/crash-server.mjs', import.meta.url));
const FAST: ScanOptions = { killGraceMs: 200 };
const SECRET = 'ghp_secretvalue0123456789abcdefXYZ';

/** The fixture server with one extra tool per `NAME:tool`, listed only when NAME is set. */
const envServer = (...pairs: string[]): ServerCommand => ({
  command: node,
  args: [FIXTURE, '--tools', 'echo', '--prompts', '', ...pairs.flatMap((p) => ['--tool-if-env', p])],
});

async function toolNames(server: ServerCommand, options: ScanOptions): Promise<string[]> {
  return (await scanServer(server, { ...FAST, ...options })).tools.map((t) => t.name).sort();
}

describe('serverSpawnOptions', () => {
  it('passes the whole caller environment, with the command line assignments on top', () => {
    const server = parseServerCommand(['MODE=inline TOKEN=from-command node server.js --flag']);
    const spawn = serverSpawnOptions(server, { env: { PATH: '/bin', TOKEN: 'from-env', OTHER: 'kept' } });
    expect(spawn).toEqual({ command: 'node', args: ['server.js', '--flag'], env: { PATH: '/bin', TOKEN: 'from-command', OTHER: 'kept', MODE: 'inline' } });
  });

  it('uses process.env when no env is given', () => {
    expect(serverSpawnOptions({ command: 'x', args: [] }).env).toEqual(
      Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string')),
    );
  });

  it('leaves out undefined values, keeps cwd, and copies rather than shares', () => {
    const server: ServerCommand = { command: 'x', args: ['a'], cwd: '/srv' };
    const env = { A: '1', B: undefined };
    const spawn = serverSpawnOptions(server, { env });
    expect(spawn).toEqual({ command: 'x', args: ['a'], env: { A: '1' }, cwd: '/srv' });
    spawn.args.push('b');
    spawn.env['C'] = '3';
    expect(server.args).toEqual(['a']);
    expect(env).toEqual({ A: '1', B: undefined });
  });

  it('keeps a variable named __proto__ an ordinary variable', () => {
    const spawn = serverSpawnOptions(parseServerCommand(['__proto__=x node s.js']), { env: {} });
    expect(Object.getPrototypeOf(spawn.env)).toBe(Object.prototype);
    expect(Object.entries(spawn.env)).toEqual([['__proto__', 'x']]);
  });
});

describe('scanServer environment', () => {
  it('gives the server the caller environment passed as `env`', async () => {
    expect(await toolNames(envServer('SECRET_TOKEN:with_token'), { env: { ...process.env, SECRET_TOKEN: SECRET } })).toEqual(['echo', 'with_token']);
    const without = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'SECRET_TOKEN'));
    expect(await toolNames(envServer('SECRET_TOKEN:with_token'), { env: without })).toEqual(['echo']);
  });

  it('adds the assignments of a quoted command string', async () => {
    const server = parseServerCommand([`DRIFT_NOW=1 ${node} ${FIXTURE} --tools echo --prompts '' --tool-if-env DRIFT_NOW:exec_shell`]);
    expect(await toolNames(server, { env: { PATH: process.env['PATH'] ?? '' } })).toEqual(['echo', 'exec_shell']);
  });

  it('gives the server exactly `env`: the SDK adds no HOME, USER or SHELL of its own', async () => {
    const env = { PATH: process.env['PATH'] ?? '' };
    expect(await toolNames(envServer('HOME:home_tool', 'USER:user_tool', 'PATH:path_tool'), { env })).toEqual(['echo', 'path_tool']);
  });

  it('defaults to process.env', async () => {
    process.env['MCPTRUST_TEST_DEFAULT_ENV'] = '1';
    try {
      expect(await toolNames(envServer('MCPTRUST_TEST_DEFAULT_ENV:from_process_env'), {})).toEqual(['echo', 'from_process_env']);
    } finally {
      delete process.env['MCPTRUST_TEST_DEFAULT_ENV'];
    }
  });

  it('never puts an environment value in an error message or a report', async () => {
    const env = { ...process.env, SECRET_TOKEN: SECRET };
    const inline = parseServerCommand([`API_KEY=${SECRET}x ${node} ${FIXTURE} --tools echo --tool-if-env SECRET_TOKEN:with_token`]);
    const report = await scanServer(inline, { ...FAST, env });
    expect(JSON.stringify(report)).not.toContain(SECRET);

    const failures: Array<[ServerCommand, ScanOptions]> = [
      [{ command: 'mcptrust-no-such-command-7f3a', args: [], env: { API_KEY: SECRET } }, { env }],
      [{ command: node, args: [crashServer], env: { API_KEY: SECRET } }, { env }],
      [{ command: node, args: [FIXTURE, '--never-answer', 'initialize'], env: { API_KEY: SECRET } }, { env, timeoutMs: 300 }],
      [{ command: node, args: [FIXTURE, '--page-size', '1'], env: { API_KEY: SECRET } }, { env, maxPages: 1 }],
    ];
    for (const [server, options] of failures) {
      const error = await scanServer(server, { ...FAST, ...options }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DriftError);
      const text = `${(error as DriftError).message}\n${(error as DriftError).stderrTail ?? ''}\n${String((error as DriftError).cause)}`;
      expect(text).not.toContain(SECRET);
    }
  });
});

describe('list errors', () => {
  it('reads "method not found" on the first page as none, nothing else', () => {
    expect(METHOD_NOT_FOUND).toBe(-32601);
    expect(LIST_METHODS).toEqual(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']);
    expect(listErrorMeansNone(-32601, 1)).toBe(true);
    expect(listErrorMeansNone(-32601, 2)).toBe(false);
    expect(listErrorMeansNone(-32603, 1)).toBe(false);
    expect(listErrorMeansNone('-32601', 1)).toBe(false);
    expect(listErrorMeansNone(undefined, 1)).toBe(false);
  });

  it('lets a scan read -32601 to any list method of the fixture as an empty list', async () => {
    const report = await scanServer(
      { command: node, args: [FIXTURE, '--list-not-found', 'prompts/list,resources/list,resources/templates/list'] },
      FAST,
    );
    expect(report.server.capabilities).toMatchObject({ prompts: {}, resources: {} });
    expect(report.prompts).toEqual([]);
    expect(report.resources).toEqual([]);
    expect(report.resourceTemplates).toEqual([]);
    expect(report.tools.length).toBeGreaterThan(0);
  });
});
