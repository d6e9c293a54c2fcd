// `mcptrust check --url` and `mcptrust diff --url`, end to end through the built CLI:
// the gate against a remote server, and the rule that a lockfile is only enforced
// against the endpoint it was locked from.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { startMcpHttpServer } from '@mcptrust/tooling/test-support/http-servers.mjs';
import type { McpHttpServer } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { FIXTURE, NODE } from './helpers.js';
import { Fixtures, makeHome, readLock } from './remote-helpers.js';
import type { TestHome } from './remote-helpers.js';

/** The parts of the JSON drift report the tests read. */
interface Report {
  command: string;
  failed: boolean;
  highestSeverity: string | null;
  sections: Array<{ name: string; status: string }>;
  items: Array<{ kind: string; itemType: string; itemId: string; path: string; severity: string; rule: string; message: string; details: Record<string, unknown> }>;
}

let home: TestHome;
const fixtures = new Fixtures();
beforeAll(async () => {
  home = await makeHome('remote-check');
});
afterEach(async () => {
  await fixtures.closeAll();
});
afterAll(async () => {
  await home.remove();
});

/** Starts a fixture server and locks it into `name`. */
async function lockedServer(name: string): Promise<{ server: McpHttpServer; lock: string }> {
  const server = fixtures.track(await startMcpHttpServer());
  const lock = home.path(name);
  const r = await home.run(['lock', '-o', lock, '--url', server.url]);
  expect(r.code).toBe(0);
  expect((await readLock(lock)).server.url).toBe(server.url);
  return { server, lock };
}

describe('mcptrust check --url', () => {
  it('passes (exit 0) against the lockfile locked from the same server', async () => {
    const { server, lock } = await lockedServer('same.json');
    const before = server.requests.length;
    const r = await home.run(['check', '--lock', lock, '--url', server.url, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.command).toBe('check');
    expect(report.failed).toBe(false);
    expect(report.items).toEqual([]);
    expect(report.sections.find((s) => s.name === 'drift')?.status).toBe('pass');
    expect(r.stderr).toMatch(/mcptrust check: pass/);
    // The check did scan the server, and ended its session.
    expect(server.requests.slice(before).some((q) => q.rpcMethods.includes('tools/list'))).toBe(true);
    await server.waitForRequest((q) => server.requests.indexOf(q) >= before && q.method === 'DELETE');
  });

  it('fails (exit 1) once the server added exec_shell, naming it in the JSON report', async () => {
    const { server, lock } = await lockedServer('drift.json');
    server.addTool('exec_shell');
    const r = await home.run(['check', '--lock', lock, '--url', server.url, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.failed).toBe(true);
    expect(report.highestSeverity).toBe('critical');
    expect(report.items).toEqual([expect.objectContaining({ kind: 'added', itemType: 'tool', itemId: 'exec_shell', severity: 'critical', rule: 'item-added' })]);
    expect(report.sections.find((s) => s.name === 'drift')?.status).toBe('fail');
    expect(r.stderr).toMatch(/mcptrust check: fail/);
  });

  it('refuses (exit 2) a lockfile of another origin before connecting, pointing at --allow-url-change', async () => {
    const { server: a, lock } = await lockedServer('origin-a.json');
    const b = fixtures.track(await startMcpHttpServer());
    const r = await home.run(['check', '--lock', lock, '--url', b.url, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--allow-url-change');
    expect(r.stderr).toContain(a.url);
    expect(r.stderr).toContain(b.url);
    expect(b.requests).toEqual([]);
  });

  it('with --allow-url-change checks the other origin and reports the endpoint change (moderate, server-info-changed, field url)', async () => {
    const { server: a, lock } = await lockedServer('origin-moved.json');
    const b = fixtures.track(await startMcpHttpServer());
    const r = await home.run(['check', '--lock', lock, '--url', b.url, '--allow-url-change', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*--allow-url-change/);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.failed).toBe(false);
    expect(report.items).toEqual([
      expect.objectContaining({
        kind: 'changed',
        itemType: 'serverInfo',
        path: 'server.url',
        severity: 'moderate',
        rule: 'server-info-changed',
        details: expect.objectContaining({ field: 'url', before: a.url, after: b.url }),
      }),
    ]);
    expect(b.requests.some((q) => q.rpcMethods.includes('tools/list'))).toBe(true);
  });

  it('refuses (exit 2) a lockfile of a stdio server with --url, and says how to proceed', async () => {
    const stdioLock = home.path('stdio.json');
    const locked = await home.run(['lock', '-o', stdioLock, '--', NODE, FIXTURE, '--tools', 'read_file']);
    expect(locked.code).toBe(0);
    expect((await readLock(stdioLock)).server.url).toBeUndefined();
    const server = fixtures.track(await startMcpHttpServer());
    const r = await home.run(['check', '--lock', stdioLock, '--url', server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/locked from a stdio server/);
    expect(r.stderr).toContain('--allow-url-change');
    expect(server.requests).toEqual([]);
  });

  it('refuses (exit 2) a lockfile of a remote server with a command after --', async () => {
    const { server, lock } = await lockedServer('remote-vs-stdio.json');
    const started = home.path(`started-${Math.random().toString(36).slice(2)}.log`);
    const r = await home.run(['check', '--lock', lock, '--', NODE, FIXTURE, '--tools', 'read_file', '--log-requests', started]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(server.url);
    expect(r.stderr).toContain('--allow-url-change');
    // Refused before the stdio server was started (it would log its first message).
    await expect(readFile(started)).rejects.toThrow();
  });
});

describe('mcptrust diff --url', () => {
  it('exits 0 with no drift, then 1 naming exec_shell in the text report once the server added it', async () => {
    const { server, lock } = await lockedServer('diff.json');
    const clean = await home.run(['diff', '--lock', lock, '--url', server.url]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).not.toContain('exec_shell');

    server.addTool('exec_shell');
    const drifted = await home.run(['diff', '--lock', lock, '--url', server.url]);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toMatch(/tool `exec_shell` was added/);
  });

  it('fails an endpoint change at --fail-on moderate (with --allow-url-change)', async () => {
    const { lock } = await lockedServer('diff-moved.json');
    const b = fixtures.track(await startMcpHttpServer());
    const r = await home.run(['diff', '--lock', lock, '--url', b.url, '--allow-url-change', '--fail-on', 'moderate', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.command).toBe('diff');
    expect(report.items.map((i) => [i.rule, i.path])).toEqual([['server-info-changed', 'server.url']]);
  });

  it('refuses (exit 2) a lockfile of another origin without --allow-url-change', async () => {
    const { lock } = await lockedServer('diff-origin.json');
    const b = fixtures.track(await startMcpHttpServer());
    const r = await home.run(['diff', '--lock', lock, '--url', b.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--allow-url-change');
    expect(b.requests).toEqual([]);
  });

  it('refuses (exit 2) a lockfile of a remote server with a command after --', async () => {
    const { server, lock } = await lockedServer('diff-remote-vs-stdio.json');
    const started = home.path(`started-${Math.random().toString(36).slice(2)}.log`);
    const r = await home.run(['diff', '--lock', lock, '--', NODE, FIXTURE, '--tools', 'read_file', '--log-requests', started]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(server.url);
    expect(r.stderr).toContain('--allow-url-change');
    // Refused before the stdio server was started (it would log its first message).
    await expect(readFile(started)).rejects.toThrow();
  });
});

describe('mcptrust policy check --url', () => {
  it('evaluates the preset against the remote server locked into the lockfile (exit 0)', async () => {
    const { server, lock } = await lockedServer('policy.json');
    const r = await home.run(['policy', 'check', '--lock', lock, '--preset', 'baseline', '--url', server.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS {2}no-critical-drift/);
    expect(r.stdout).toMatch(/drop_stream/);
  });

  it('fails no-critical-drift (exit 1) once the server added exec_shell', async () => {
    const { server, lock } = await lockedServer('policy-drift.json');
    server.addTool('exec_shell');
    const r = await home.run(['policy', 'check', '--lock', lock, '--preset', 'baseline', '--url', server.url]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}no-critical-drift/);
    expect(r.stdout).toMatch(/exec_shell/);
  });

  it('refuses (exit 2) a lockfile of another origin before connecting', async () => {
    const { lock } = await lockedServer('policy-origin.json');
    const b = fixtures.track(await startMcpHttpServer());
    const r = await home.run(['policy', 'check', '--lock', lock, '--preset', 'baseline', '--url', b.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--allow-url-change');
    expect(b.requests).toEqual([]);
  });

  it('refuses (exit 2) a lockfile of a remote server with a command after --', async () => {
    const { server, lock } = await lockedServer('policy-remote-vs-stdio.json');
    const started = home.path(`started-${Math.random().toString(36).slice(2)}.log`);
    const r = await home.run(['policy', 'check', '--lock', lock, '--preset', 'baseline', '--', NODE, FIXTURE, '--tools', 'read_file', '--log-requests', started]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(server.url);
    expect(r.stderr).toContain('--allow-url-change');
    // Refused before the stdio server was started (it would log its first message).
    await expect(readFile(started)).rejects.toThrow();
  });
});
