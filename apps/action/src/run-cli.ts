import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

/** How a run of the bundled CLI ended. */
export interface CliRun {
  /** The exit code; null when the process was killed. */
  code: number | null;
  /** Whether the action stopped it at the deadline. */
  timedOut: boolean;
  /** The last lines it wrote to stderr (for the summary of a run that could not complete). */
  stderrTail: string[];
}

/** Options of {@link runBundledCli}. */
export interface RunCliOptions {
  cli: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Deadline of the whole run; SIGTERM, then SIGKILL 5 s later. */
  timeoutMs: number;
  /** Where the CLI's output is shown (the step's log). */
  log: NodeJS.WritableStream;
}

const TAIL_LINES = 30;

/**
 * The environment the CLI (and the server it starts) gets: the step's, without the action's
 * own inputs (`INPUT_*`), which are the action's business only.
 */
export function cliEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('INPUT_') && v !== undefined) out[k] = v;
  return out;
}

/**
 * Runs the bundled `mcptrust` CLI with Node's own binary and shows its output in the log.
 * Workflow commands are switched off around that output (`::stop-commands::`): a line a
 * server prints (`::error::`, `::add-mask::`, `::set-output`) is shown, never obeyed.
 */
export function runBundledCli(options: RunCliOptions): Promise<CliRun> {
  const token = `mcptrust-${randomUUID()}`;
  options.log.write(`::stop-commands::${token}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [options.cli, ...options.args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    const kill = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => options.log.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      options.log.write(chunk);
      stderr = (stderr + chunk.toString('utf8')).slice(-16_384);
    });
    let finished = false;
    const finish = (code: number | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(kill);
      // The resume line starts on a line of its own even when the output did not end one.
      options.log.write(`\n::${token}::\n`);
      const lines = stderr.split(/\r?\n/).filter((l) => l.trim() !== '');
      resolve({ code, timedOut, stderrTail: lines.slice(-TAIL_LINES) });
    };
    child.on('error', (error) => {
      stderr += `\n${error.message}`;
      finish(null);
    });
    child.on('close', (code) => finish(code));
  });
}
