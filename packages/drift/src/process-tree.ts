import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/*
 * Stopping a server means stopping everything it started. `npx some-server` is npm,
 * which starts a shell or node, which starts the server; killing only the direct child
 * leaves the real server running with nobody reading its output.
 *
 * Why a process-tree walk rather than a detached process group: the SDK's
 * StdioClientTransport spawns the child (cross-spawn, not detached) and offers no
 * hook to change that, and a group would not be complete anyway (a server may call
 * setsid or start its own group). Keeping the child in our process group also means
 * a Ctrl-C in the terminal still reaches it if MCPTrust itself dies. So the tree of
 * descendants is read from the process table (Linux: /proc; elsewhere: `ps`) before
 * the server is asked to stop, and whatever of it is still alive afterwards is killed.
 * Each process is remembered with its start time, so a PID reused in between is never
 * signalled.
 */

/** One process of a tree: its PID and, where the OS tells, when it started. */
export interface ProcessRef {
  pid: number;
  /** Start time in clock ticks since boot (Linux), used to recognise PID reuse. */
  startTime?: string;
}

interface ProcessEntry extends ProcessRef {
  ppid: number;
}

async function readProcTable(): Promise<ProcessEntry[] | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined;
  }
  const entries: ProcessEntry[] = [];
  await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const entry = await readProcStat(Number(name));
        if (entry !== undefined) entries.push(entry);
      }),
  );
  return entries;
}

async function readProcStat(pid: number): Promise<ProcessEntry | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const startTime = fields[19];
    if (!Number.isInteger(ppid)) return undefined;
    return startTime === undefined ? { pid, ppid } : { pid, ppid, startTime };
  } catch {
    return undefined; // the process is gone, or not ours to read
  }
}

function readPsTable(): Promise<ProcessEntry[]> {
  return new Promise((resolve) => {
    execFile('ps', ['-A', '-o', 'pid=,ppid='], { timeout: 2000 }, (error, stdout) => {
      if (error !== null) {
        resolve([]);
        return;
      }
      const entries: ProcessEntry[] = [];
      for (const line of stdout.split('\n')) {
        const [pid, ppid] = line.trim().split(/\s+/).map(Number);
        if (pid !== undefined && ppid !== undefined && Number.isInteger(pid) && Number.isInteger(ppid)) {
          entries.push({ pid, ppid });
        }
      }
      resolve(entries);
    });
  });
}

/**
 * Every descendant of `rootPid` (children, grandchildren...), not the root itself.
 * Best effort: returns what the process table shows (nothing on Windows).
 */
export async function listDescendants(rootPid: number): Promise<ProcessRef[]> {
  if (process.platform === 'win32') return [];
  const table = (await readProcTable()) ?? (await readPsTable());
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of table) {
    const siblings = children.get(entry.ppid);
    if (siblings === undefined) children.set(entry.ppid, [entry]);
    else siblings.push(entry);
  }
  const found: ProcessRef[] = [];
  const queue = [rootPid];
  const seen = new Set<number>([rootPid]);
  while (queue.length > 0) {
    const parent = queue.shift() ?? rootPid;
    for (const child of children.get(parent) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      found.push(child.startTime === undefined ? { pid: child.pid } : { pid: child.pid, startTime: child.startTime });
      queue.push(child.pid);
    }
  }
  return found;
}

/**
 * Whether `pid` still names a running process. A zombie (exited, not yet reaped by
 * its parent) does not count: it runs nothing, and an orphan's reaper may be slow.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else (the PID was reused).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false; // gone between the two checks
  }
}

/** Whether `ref` is still the same live process (not a newer one that reused the PID). */
async function isSameProcess(ref: ProcessRef): Promise<boolean> {
  if (!isAlive(ref.pid)) return false;
  if (ref.startTime === undefined) return true;
  const now = await readProcStat(ref.pid);
  return now !== undefined && now.startTime === ref.startTime;
}

/** Sends `signal` to `pid`, ignoring a process that is already gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  // 0 and negative numbers address process groups (-1: every process we may signal):
  // never let a missing or bogus PID turn into that.
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Resolves after `ms`. The timer is deliberately not unref'd: a caller awaiting it must
 * not see the process exit under it once the server's pipes are closed.
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `done()` is true or `ms` elapsed; resolves to `done()`. */
export async function waitUntil(done: () => boolean, ms: number, stepMs = 20): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await delay(Math.min(stepMs, Math.max(1, deadline - Date.now())));
  }
  return true;
}

/**
 * Stops the processes of `refs` that are still alive: SIGTERM, then SIGKILL after
 * `graceMs` for those that ignored it. On Windows, `taskkill /T /F` on the root does the
 * whole tree instead.
 */
export async function killSurvivors(refs: readonly ProcessRef[], graceMs: number): Promise<void> {
  const alive: ProcessRef[] = [];
  for (const ref of refs) if (await isSameProcess(ref)) alive.push(ref);
  if (alive.length === 0) return;
  for (const ref of alive) signalProcess(ref.pid, 'SIGTERM');
  await waitUntil(() => alive.every((ref) => !isAlive(ref.pid)), graceMs);
  const stubborn: ProcessRef[] = [];
  for (const ref of alive) if (await isSameProcess(ref)) stubborn.push(ref);
  for (const ref of stubborn) signalProcess(ref.pid, 'SIGKILL');
  // SIGKILL is delivered asynchronously; callers expect the processes to be gone.
  await waitUntil(() => stubborn.every((ref) => !isAlive(ref.pid)), graceMs);
}

/** Windows has no signals to escalate through; `taskkill /T /F` ends the tree at once. */
export function killTreeOnWindows(pid: number): Promise<void> {
  return new Promise((resolve) => {
    execFile('taskkill', ['/pid', String(pid), '/T', '/F'], { timeout: 5000 }, () => resolve());
  });
}
