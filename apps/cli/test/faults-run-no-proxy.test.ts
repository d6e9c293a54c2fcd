/**
 * `mcptrust run --no-proxy` in front of a server that ignores SIGTERM: a signal to the
 * CLI must still stop the server (SIGKILL after the grace period) and end the command
 * with the signal's exit code, leaving no orphan. The server is the pinned fixture
 * package from a loopback npm registry (as in pin-run.test.ts); a preload given through
 * NODE_OPTIONS (kept for the server with --keep-env) makes it ignore SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, NODE, isAlive, runCli } from './helpers.js';
import { childrenOf } from './proxy-harness.js';
import { startFakeRegistry } from '@mcptrust/tooling/test-support/fake-npm-registry.mjs';
import type { FakeRegistry } from '@mcptrust/tooling/test-support/fake-npm-registry.mjs';
import { fixtureDepPackage, fixtureServerPackage } from '@mcptrust/tooling/test-support/fixture-packages.mjs';
import { LOOPBACK_CERT_PATH } from '@mcptrust/tooling/test-support/tls.mjs';

const UNSAFE = '--unsafe-allow-private-tarball-hosts';
/** Makes every Node process but the CLI itself ignore SIGTERM. */
const IGNORE_TERM = String.raw`
if (!String(process.argv[1]).endsWith('mcptrust.js')) {
  process.on('SIGTERM', () => process.stderr.write('server: ignoring SIGTERM\n'));
}
`;

let registry: FakeRegistry;
let dir = '';
let env: Record<string, string> = {};
let lock = '';
const started: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-run-term-'));
  registry = await startFakeRegistry({ packages: [await fixtureServerPackage('1.0.0'), await fixtureDepPackage('1.0.0')] });
  await writeFile(join(dir, 'npmrc'), '');
  await writeFile(join(dir, 'ignore-term.cjs'), IGNORE_TERM);
  lock = join(dir, 'mcp-lock.json');
  env = {
    HOME: dir,
    XDG_CACHE_HOME: join(dir, 'cache'),
    npm_config_registry: registry.url,
    npm_config_userconfig: join(dir, 'npmrc'),
    npm_config_cache: join(dir, 'npm-cache'),
    NODE_EXTRA_CA_CERTS: LOOPBACK_CERT_PATH,
    npm_config_cafile: LOOPBACK_CERT_PATH,
    npm_config_fetch_retries: '0',
  };
  const locked = await runCli(['lock', '--pin', UNSAFE, '--output', lock, '--', 'npx', '-y', 'fixture-mcp-server@^1.0.0'], { env, timeoutMs: 90_000 });
  if (locked.code !== 0) throw new Error(`lock --pin failed: ${locked.stderr}`);
}, 120_000);

afterAll(async () => {
  for (const pid of started) if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

describe('mcptrust run --no-proxy when the server ignores SIGTERM', () => {
  it('kills the server after the grace period on SIGTERM and exits 143, leaving no orphan', async () => {
    const child = spawn(NODE, [CLI, 'run', '--lock', lock, UNSAFE, '--no-proxy', '--keep-env'], {
      env: { ...process.env, NO_COLOR: '1', ...env, NODE_OPTIONS: `--require ${join(dir, 'ignore-term.cjs')}` },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const cli = child.pid ?? -1;
    expect(cli).toBeGreaterThan(0);
    started.push(cli);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    // The server answers initialize: it runs, with the host's stdio.
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }) + '\n');
    for (let i = 0; i < 600 && !out.includes('"id":1'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('"id":1');
    const servers = childrenOf(cli);
    expect(servers).toHaveLength(1);
    started.push(...servers);
    process.kill(cli, 'SIGTERM');
    const exit = await exited;
    expect(err).toContain('server: ignoring SIGTERM');
    expect(exit.code).toBe(143);
    for (const pid of servers) expect(isAlive(pid)).toBe(false);
  }, 60_000);
});
