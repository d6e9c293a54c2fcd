import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { FIXTURE, NODE, isAlive, runCli } from './helpers.js';

/** PIDs of the direct children of a process (procps `pgrep`). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('mcptrust scan interrupted', () => {
  it('stops the server and exits 130 on SIGINT (no orphan left)', async () => {
    let server: number[] = [];
    const r = await runCli(['scan', '--timeout', '60s', '--', NODE, FIXTURE, '--slow-start', '60000'], {
      onSpawn: (pid) => {
        const poll = setInterval(() => {
          server = childrenOf(pid);
          if (server.length > 0) {
            clearInterval(poll);
            process.kill(pid, 'SIGINT');
          }
        }, 50);
      },
    });
    expect(server.length).toBeGreaterThan(0);
    expect(r.code).toBe(130);
    await new Promise((res) => setTimeout(res, 200));
    for (const pid of server) expect(isAlive(pid)).toBe(false);
  });
});
