/**
 * The rollout modes of the brief, against the real `@modelcontextprotocol/server-everything`
 * with a lockfile missing one of its tools (critical preflight drift):
 *
 * | mode          | session | lists filtered | calls blocked |
 * | enforce       | refused | —              | —             |
 * | --filter-only | opens   | yes            | no (logged)   |
 * | --audit-only  | opens   | no (logged)    | no (logged)   |
 *
 * Through the built CLI, with a real SDK host.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVERYTHING, NODE } from './helpers.js';
import { lockWithCli, removeTempDirs, tempDir } from './proxy-harness.js';
import { closeHosts, connectHost } from './sdk-host.js';

const SERVER = [NODE, EVERYTHING, 'stdio'];
/** What `mcptrust lock` declares, so the host is offered the tools the lockfile saw. */
const CAPS = { roots: { listChanged: true }, sampling: {}, elicitation: {} };
const MISSING = 'get-sum';

let partialLock = '';
let pinnedTools: string[] = [];

beforeAll(async () => {
  const dir = tempDir('mcptrust-rollout-');
  const full = await lockWithCli(dir, 'everything.json', SERVER);
  const lockfile = JSON.parse(readFileSync(full, 'utf8')) as { tools: Record<string, unknown> };
  expect(Object.keys(lockfile.tools)).toContain(MISSING);
  delete lockfile.tools[MISSING];
  pinnedTools = Object.keys(lockfile.tools).sort();
  partialLock = join(dir, 'everything-partial.json');
  writeFileSync(partialLock, JSON.stringify(lockfile, null, 2));
}, 60_000);
afterEach(closeHosts);
afterAll(removeTempDirs);

const sum = { name: MISSING, arguments: { a: 2, b: 3 } };
const text = (result: unknown): string => JSON.stringify((result as { content?: unknown }).content ?? result);

describe('server-everything with a lockfile missing one tool', () => {
  it('enforce (default) refuses the session, naming the tool', async () => {
    await expect(connectHost(['--lock', partialLock], SERVER, {}, CAPS)).rejects.toThrow(/tool "get-sum" added \(critical\)/);
  });

  it('--filter-only opens the session, hides the tool from lists, and lets its call through, logged', async () => {
    const host = await connectHost(['--lock', partialLock, '--filter-only'], SERVER, {}, CAPS);
    await host.waitForStderr(/action=filtered method=preflight tool=get-sum reason="tool added \(critical\)"/);
    expect(host.stderr()).toMatch(/action=session method=initialize reason="session established in filter-only mode/);
    expect((await host.client.listTools()).tools.map((t) => t.name).sort()).toEqual(pinnedTools);
    await host.waitForStderr(/action=filtered method=tools\/list count=1 reason="not in allowlist" items=get-sum/);
    // The brief's filter-only: lists filtered, calls not blocked, even to an item the
    // lockfile does not have at all. Each such call is audited.
    expect(text(await host.client.callTool(sum))).toContain('5');
    await host.waitForStderr(/action=audit_only method=tools\/call tool=get-sum reason="not in allowlist"/);
    expect(text(await host.client.callTool({ name: 'echo', arguments: { message: 'pinned' } }))).toContain('pinned');
    expect(host.stderr()).not.toMatch(/action=blocked/);
  });

  it('--audit-only opens the session and passes everything, logging what enforce would have done', async () => {
    const host = await connectHost(['--lock', partialLock, '--audit-only'], SERVER, {}, CAPS);
    await host.waitForStderr(/action=audit_only method=preflight tool=get-sum reason="tool added \(critical\)"/);
    expect(host.stderr()).toMatch(/session established in audit-only mode/);
    expect((await host.client.listTools()).tools.map((t) => t.name)).toContain(MISSING);
    await host.waitForStderr(/action=audit_only method=tools\/list count=1 reason="not in allowlist" items=get-sum/);
    expect(text(await host.client.callTool(sum))).toContain('5');
    await host.waitForStderr(/action=audit_only method=tools\/call tool=get-sum reason="not in allowlist"/);
    expect(host.stderr()).not.toMatch(/action=(?:blocked|filtered)/);
  });
});
