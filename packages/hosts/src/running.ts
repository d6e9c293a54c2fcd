/** Whether a host is running (a running host may overwrite or ignore a changed config). */
import { execFile } from 'node:child_process';
import type { HostDefinition } from './hosts/definition.js';

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5000, maxBuffer: 8 * 1024 * 1024, windowsHide: true, encoding: 'utf8' }, (error, stdout) => {
      if (error !== null) reject(error);
      else resolve(stdout);
    });
  });
}

/** The first field of a `tasklist /fo csv /nh` line (`"Code.exe","1234",…` → `Code.exe`). */
function firstCsvField(line: string): string {
  const match = /^"((?:[^"]|"")*)"/.exec(line);
  return match === null ? line.split(',')[0] ?? '' : (match[1] as string).replace(/""/g, '"');
}

/**
 * The names of the running processes (`ps -A -o comm=`, or `tasklist` on Windows, run
 * without a shell); `[]` when they cannot be listed.
 */
export async function runningProcesses(): Promise<string[]> {
  try {
    if (process.platform === 'win32') {
      const out = await run('tasklist', ['/fo', 'csv', '/nh']);
      return out.split(/\r?\n/).map((line) => firstCsvField(line.trim())).filter((name) => name !== '');
    }
    const out = await run('ps', ['-A', '-o', 'comm=']);
    return out.split(/\r?\n/).map((line) => line.trim()).filter((name) => name !== '');
  } catch {
    return [];
  }
}

/** A process name without its folder and without `.exe`. */
function processName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  return base.replace(/\.exe$/i, '');
}

/**
 * True when one of `processes` (names or paths, as {@link runningProcesses} returns them)
 * is one of the host's processes. Names are compared without folder and `.exe`.
 */
export function hostIsRunning(def: Pick<HostDefinition, 'processNames'>, processes: readonly string[]): boolean {
  const wanted = new Set(def.processNames.map(processName));
  return processes.some((name) => wanted.has(processName(name)));
}
