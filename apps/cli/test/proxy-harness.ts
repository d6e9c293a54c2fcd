/**
 * Drives the built `mcptrust proxy` as a host would: a child process whose stdin/stdout
 * carry newline-delimited JSON-RPC, with stderr collected for the audit lines.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, NODE, isAlive, runCli } from './helpers.js';

/** One JSON-RPC message as the host received it, with its raw line. */
export interface Received {
  message: Record<string, unknown>;
  raw: string;
}

/** A running `mcptrust proxy` with a raw NDJSON host attached. */
export interface ProxyRun {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  /** Every message received on stdout so far. */
  received: Received[];
  /** Every stdout line that was not a JSON-RPC object (must stay empty). */
  junk: string[];
  /** stderr so far. */
  stderr(): string;
  /** Writes one message (object → JSON + LF; string → written as is). */
  send(message: unknown): void;
  /** Sends a request with this id and resolves with its answer. */
  request(id: unknown, method: string, params?: unknown, timeoutMs?: number): Promise<Received>;
  /** Resolves with the first message (already received or future) matching `test`. */
  waitFor(test: (m: Record<string, unknown>, raw: string) => boolean, timeoutMs?: number, what?: string): Promise<Received>;
  /** Resolves once stderr matches. */
  waitForStderr(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code / signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** initialize + notifications/initialized with the given client capabilities. */
  initialize(capabilities?: Record<string, unknown>, protocolVersion?: string): Promise<Received>;
}

const runs: ProxyRun[] = [];

/** PIDs of the direct children of a process (procps `pgrep`). */
export function childrenOf(pid: number): number[] {
  if (!(pid > 0)) return [];
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Starts `mcptrust proxy <flags> -- <server…>`. */
export function startProxy(flags: string[], server: string[], env: Record<string, string> = {}): ProxyRun {
  const child = spawn(NODE, [CLI, 'proxy', ...flags, '--', ...server], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const received: Received[] = [];
  const junk: string[] = [];
  let err = '';
  const watchers = new Set<() => void>();
  const notify = (): void => {
    for (const w of [...watchers]) w();
  };
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const raw = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const message = JSON.parse(raw) as unknown;
        if (message !== null && typeof message === 'object' && !Array.isArray(message) && (message as { jsonrpc?: unknown }).jsonrpc === '2.0') {
          received.push({ message: message as Record<string, unknown>, raw });
        } else junk.push(raw);
      } catch {
        junk.push(raw);
      }
    }
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    notify();
  });
  child.stdin.on('error', () => {
    // The proxy may exit first (refused session); the test looks at the outcome.
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      notify();
      resolve({ code, signal });
    });
  });
  const until = <T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = probe();
        if (hit !== undefined) {
          watchers.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`timed out waiting for ${what}\nstderr:\n${err.slice(-4000)}\nreceived:\n${received.map((r) => r.raw.slice(0, 300)).join('\n')}`));
      }, timeoutMs);
      watchers.add(check);
      check();
    });
  const run: ProxyRun = {
    child,
    pid: child.pid ?? -1,
    received,
    junk,
    stderr: () => err,
    send(message) {
      child.stdin.write(typeof message === 'string' ? message : JSON.stringify(message) + '\n');
    },
    request(id, method, params, timeoutMs = 10_000) {
      const idText = JSON.stringify(id);
      const from = received.length;
      run.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
      return until(
        () => received.slice(from).find((r) => ('result' in r.message || 'error' in r.message) && JSON.stringify(r.message['id']) === idText),
        timeoutMs,
        `the answer to ${method} (id ${idText})`,
      );
    },
    waitFor(test, timeoutMs = 10_000, what = 'a message') {
      return until(() => received.find((r) => test(r.message, r.raw)), timeoutMs, what);
    },
    waitForStderr(pattern, timeoutMs = 10_000) {
      return until(() => (typeof pattern === 'string' ? (err.includes(pattern) ? err : undefined) : pattern.test(err) ? err : undefined), timeoutMs, `stderr ${String(pattern)}`);
    },
    exited,
    async initialize(capabilities = {}, protocolVersion = '2025-06-18') {
      const answer = await run.request('init-1', 'initialize', { protocolVersion, capabilities, clientInfo: { name: 'test-host', version: '1.0.0' } });
      run.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      return answer;
    },
  };
  runs.push(run);
  return run;
}

/** Kills every proxy a test started (and the servers under them), by PID. */
export async function stopAllProxies(): Promise<void> {
  for (const run of runs.splice(0)) {
    const servers = childrenOf(run.pid);
    if (run.pid > 0 && isAlive(run.pid)) run.child.kill('SIGKILL');
    for (const pid of servers) {
      if (!(pid > 0)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await run.exited;
  }
}

/** A temporary directory removed by {@link removeTempDirs}. */
const dirs: string[] = [];
export function tempDir(prefix = 'mcptrust-proxy-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Locks a server with the built CLI (the real flow) and returns the lockfile path. */
export async function lockWithCli(dir: string, name: string, server: string[]): Promise<string> {
  const out = join(dir, name);
  const r = await runCli(['lock', '--force', '--output', out, '--', ...server], { timeoutMs: 30_000 });
  if (r.code !== 0 || !existsSync(out)) throw new Error(`mcptrust lock failed (${String(r.code)}): ${r.stderr}`);
  return out;
}

/** The lines a fixture server logged with `--log-requests`, parsed. */
export function loggedRequests(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return { unparsable: l };
      }
    });
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
