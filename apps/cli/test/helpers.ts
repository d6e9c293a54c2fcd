import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI bundle (the tests exercise what users run). */
export const CLI = fileURLToPath(new URL('../dist/mcptrust.js', import.meta.url));
/** Real MCP servers, installed as devDependencies at the workspace root. */
export const EVERYTHING = fileURLToPath(new URL('../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
export const FILESYSTEM = fileURLToPath(new URL('../../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', import.meta.url));
/** The project's own servers. */
export const FIXTURE = fileURLToPath(new URL('../../../tooling/servers/fixture-server.mjs', import.meta.url));
export const DEMO = fileURLToPath(new URL('../../../tooling/servers/demo-server.mjs', import.meta.url));
export const NODE = process.execPath;

/** The outcome of one CLI run. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /** Called once the process is spawned (to signal it, or to look at its children). */
  onSpawn?: (pid: number) => void;
}

/**
 * Runs the built CLI to completion with no stdin (as CI does) and collects its output.
 * A run that outlives `timeoutMs` is killed and the test fails.
 */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const child = spawn(NODE, [CLI, ...args], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcptrust ${args.join(' ')} did not finish in time\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('spawn', () => {
      if (child.pid !== undefined && child.pid > 0) options.onSpawn?.(child.pid);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1 });
    });
  });
}

/** Whether a process is still alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
