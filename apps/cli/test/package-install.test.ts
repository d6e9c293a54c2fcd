/**
 * The package as users install it: `npm pack` of the built CLI, then
 * `npm i -g --offline` of the tarball into a temporary prefix, with an empty npm cache.
 * Offline and with no cache, the install succeeds only if the package needs nothing
 * besides its own files — the bundle, its demo server and its notices.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
// npm ships next to node; fall back to PATH.
const NPM = existsSync(join(dirname(process.execPath), 'npm')) ? join(dirname(process.execPath), 'npm') : 'npm';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in time\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface PackedFile {
  path: string;
}

let dir: string;
let env: NodeJS.ProcessEnv;
let work: string;
let packed: { filename: string; files: PackedFile[] };
let installed: Run;
let bin: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-package-'));
  const home = join(dir, 'home');
  work = join(dir, 'work');
  await Promise.all([mkdir(home), mkdir(work), mkdir(join(dir, 'cache'))]);
  // A temporary HOME and an empty npm cache: nothing of this machine's npm set-up is used.
  env = { ...process.env, HOME: home, npm_config_cache: join(dir, 'cache'), npm_config_update_notifier: 'false', NO_COLOR: '1' };
  for (const key of Object.keys(env)) if (key.startsWith('npm_config_') && !['npm_config_cache', 'npm_config_update_notifier'].includes(key)) delete env[key];
  const pack = await run(NPM, ['pack', '--json', '--pack-destination', dir], { cwd: CLI_DIR, env });
  if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  packed = (JSON.parse(pack.stdout) as { filename: string; files: PackedFile[] }[])[0]!;
  const prefix = join(dir, 'prefix');
  installed = await run(NPM, ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(dir, packed.filename)], { cwd: work, env });
  bin = join(prefix, 'bin', 'mcptrust');
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the mcptrust package', () => {
  describe('when packed', () => {
    it('declares no runtime dependency: everything it runs is in its bundle', async () => {
      const manifest = JSON.parse(await readFile(join(CLI_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
      for (const section of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) {
        expect(manifest[section]).toBeUndefined();
      }
    });

    it('carries the bundle, the demo server, the licence and the third-party notices', () => {
      const paths = packed.files.map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['package.json', 'dist/mcptrust.js', 'dist/mcptrust-proxy.js', 'dist/demo-server.mjs', 'dist/LICENSE', 'dist/THIRD_PARTY_NOTICES']));
      expect(paths.filter((p) => !p.startsWith('dist/') && p !== 'package.json')).toEqual([]);
    });
  });

  describe('THIRD_PARTY_NOTICES', () => {
    it('names each bundled package with its version and reproduces its licence text', async () => {
      const notices = await readFile(join(CLI_DIR, 'dist', 'THIRD_PARTY_NOTICES'), 'utf8');
      const yargs = JSON.parse(await readFile(join(CLI_DIR, 'node_modules', 'yargs', 'package.json'), 'utf8')) as { version: string };
      expect(notices).toContain(`\n  yargs ${yargs.version} (MIT)\n`);
      for (const name of ['@modelcontextprotocol/sdk', '@marcbachmann/cel-js', '@noble/curves', 'sigstore', 'valibot', 'yaml', 'ajv']) {
        expect(notices).toMatch(new RegExp(`\\n  ${name.replace('/', '\\/')} \\d+\\.\\d+\\.\\d+\\S* \\(`));
      }
      // yargs's own LICENSE file, not a summary of it.
      const section = notices.slice(notices.indexOf(`\nyargs ${yargs.version}\n`));
      expect(section).toMatch(/^[\s\S]{0,400}Permission is hereby granted, free of charge/);
      // Our own packages are under the CLI's licence, not third-party.
      expect(notices).not.toMatch(/\n {2}@mcptrust\//);
    });
  });

  describe('when installed globally from the tarball, offline', () => {
    it('installs without the network', () => {
      expect(installed.stderr).not.toMatch(/ERR!/);
      expect(installed.code).toBe(0);
    });

    it('answers --version from the installed bin', async () => {
      const { version } = JSON.parse(await readFile(join(CLI_DIR, 'package.json'), 'utf8')) as { version: string };
      const r = await run(bin, ['--version'], { cwd: work, env });
      expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
    });

    it('runs the demo with the demo server it ships', async () => {
      const r = await run(bin, ['demo'], { cwd: work, env });
      expect(r.stderr).not.toContain('mcptrust: error');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/tools\/call exec_shell: blocked with -32050/);
    }, 60_000);

    it('points --help at the documentation online, not at a file of the repository', async () => {
      const r = await run(bin, ['--help'], { cwd: work, env });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Docs: https://github.com/mcptrust/mcptrust-ts/blob/main/docs/CLI.md');
    });
  });
});
