/**
 * SIGKILL during `mcptrust lock --force` over an existing lockfile: whenever the process
 * dies, the lockfile on disk is the old one byte for byte, or the complete new one —
 * never half a file. Two ways to pick the moment: a preload hook (`node --require`) that
 * kills the process at each step of the atomic write (temporary file opened, half
 * written, before fsync, before and after the rename), and kills after random delays.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLockfile } from '@mcptrust/lockfile';
import { CLI, FIXTURE, NODE, isAlive } from './helpers.js';
import { childrenOf, lockWithCli, removeTempDirs, tempDir } from './proxy-harness.js';

/** Preload: SIGKILL this process at one step of the write of MCPTRUST_TEST_KILL_FILE. */
const HOOK = String.raw`
const fsp = require('node:fs/promises');
const { basename } = require('node:path');
const { syncBuiltinESMExports } = require('node:module');
const point = process.env.MCPTRUST_TEST_KILL_AT;
const name = process.env.MCPTRUST_TEST_KILL_FILE;
const die = () => process.kill(process.pid, 'SIGKILL');
const isTemp = (p) => typeof p === 'string' && basename(p).startsWith('.' + name + '.') && p.endsWith('.tmp');
const open = fsp.open;
fsp.open = async function (path, ...rest) {
  const handle = await open.call(this, path, ...rest);
  if (!isTemp(path)) return handle;
  if (point === 'after-open') die();
  const writeFile = handle.writeFile.bind(handle);
  handle.writeFile = async (data, ...more) => {
    if (point !== 'mid-write') return writeFile(data, ...more);
    const bytes = Buffer.from(data);
    await handle.write(bytes, 0, bytes.length >> 1);
    die();
  };
  const sync = handle.sync.bind(handle);
  handle.sync = async () => {
    if (point === 'before-sync') die();
    return sync();
  };
  return handle;
};
const rename = fsp.rename;
fsp.rename = async function (from, to) {
  if (!isTemp(from)) return rename.call(this, from, to);
  if (point === 'before-rename') die();
  await rename.call(this, from, to);
  if (point === 'after-rename') die();
};
syncBuiltinESMExports();
`;

let dir = '';
let hook = '';
let lockPath = '';
let oldBytes = Buffer.alloc(0);

beforeAll(async () => {
  dir = tempDir('mcptrust-lock-kill-');
  hook = join(dir, 'kill-hook.cjs');
  writeFileSync(hook, HOOK);
  // The old lockfile pins one tool; the new one pins the whole fixture surface.
  lockPath = await lockWithCli(dir, 'mcp-lock.json', [NODE, FIXTURE, '--tools', 'read_file']);
  oldBytes = readFileSync(lockPath);
}, 30_000);
afterAll(removeTempDirs);

/** Runs `lock --force` over the old lockfile; `kill` decides when (if ever) to SIGKILL it. */
function lockRun(nodeArgs: string[], env: Record<string, string>, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [...nodeArgs, CLI, 'lock', '--force', '--output', lockPath, '--', NODE, FIXTURE], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.resume();
    let servers: number[] = [];
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            if (child.pid === undefined || !(child.pid > 0)) return;
            servers = childrenOf(child.pid);
            child.kill('SIGKILL');
          }, killAfterMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      // The server loses its stdin with the lock process and exits; make sure of it.
      for (const pid of servers) if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
      resolve({ code, signal });
    });
  });
}

/** The lockfile on disk is the old one exactly, or a complete new one; says which. */
async function intact(): Promise<'old' | 'new'> {
  const bytes = readFileSync(lockPath);
  if (bytes.equals(oldBytes)) return 'old';
  const { lockfile } = await readLockfile(lockPath);
  expect(Object.keys(lockfile.tools ?? {}).length).toBeGreaterThan(1);
  return 'new';
}

describe('mcptrust lock killed by SIGKILL during the write', () => {
  it.each([
    ['after-open', 'old'],
    ['mid-write', 'old'],
    ['before-sync', 'old'],
    ['before-rename', 'old'],
    ['after-rename', 'new'],
  ] as const)('at %s leaves the %s lockfile whole', async (point, expected) => {
    writeFileSync(lockPath, oldBytes);
    const exit = await lockRun(['--require', hook], { MCPTRUST_TEST_KILL_AT: point, MCPTRUST_TEST_KILL_FILE: 'mcp-lock.json' });
    expect(exit.signal).toBe('SIGKILL');
    expect(await intact()).toBe(expected);
    // Only hidden temporary files may be left next to it.
    for (const f of readdirSync(dir)) expect(f === 'mcp-lock.json' || f === 'kill-hook.cjs' || /^\.mcp-lock\.json\.[0-9a-f]{16}\.tmp$/.test(f)).toBe(true);
  });

  it('leaves the old or the complete new lockfile when killed at random moments', async () => {
    // How long a whole run takes here, to spread the kills over it.
    writeFileSync(lockPath, oldBytes);
    const t0 = performance.now();
    expect((await lockRun([], {})).code).toBe(0);
    const full = performance.now() - t0;
    expect(await intact()).toBe('new');
    // A fixed sequence of fractions (no timing is asserted: any moment must be safe).
    for (const fraction of [0.3, 0.6, 0.85, 0.95]) {
      writeFileSync(lockPath, oldBytes);
      await lockRun([], {}, Math.round(full * fraction));
      expect(['old', 'new']).toContain(await intact());
    }
  }, 60_000);
});
