/**
 * Hostile servers through the built CLI: terminal escapes in every name and
 * description, a catastrophically backtracking `pattern` in a pinned schema, `$ref`
 * cycles and schemas nested 100,000 levels deep. Each ends with a clear outcome: an
 * error naming what was wrong, the right exit code, nothing written, no hang, and no
 * control character on the operator's terminal.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { FIXTURE, NODE, runCli } from './helpers.js';
import type { CliResult } from './helpers.js';
import { lockWithCli, removeTempDirs, startProxy, stopAllProxies, tempDir } from './proxy-harness.js';

const HOSTILE = fileURLToPath(new URL('../../../tooling/servers/hostile/', import.meta.url));
const RAW_SERVER = join(HOSTILE, 'raw-server.mjs');
/** ESC, BEL, DEL, the C1 controls (U+009B is a CSI to some terminals), bidi controls. */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let dir = '';
beforeAll(() => {
  dir = tempDir('mcptrust-hostile-');
});
afterEach(stopAllProxies);
afterAll(removeTempDirs);

/** Writes the hostile surface `kind` (tooling/servers/hostile/surfaces.mjs) and returns its path. */
function surface(kind: string): string {
  const file = join(dir, `${kind}.json`);
  if (!existsSync(file)) execFileSync(NODE, [join(HOSTILE, 'surfaces.mjs'), kind, file]);
  return file;
}

function expectNoControl(result: CliResult): void {
  for (const [stream, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
    const at = text.search(TERMINAL_CONTROL);
    expect({ stream, context: at < 0 ? '' : JSON.stringify(text.slice(Math.max(0, at - 40), at + 10)) }).toEqual({ stream, context: '' });
  }
}

describe('terminal escapes (CSI clear screen, OSC 8 links, OSC 52 clipboard, C1 CSI) in names and descriptions', () => {
  let lock = '';
  let changed = '';
  let policy = '';
  beforeAll(async () => {
    lock = await lockWithCli(dir, 'escapes-lock.json', [NODE, FIXTURE, '--surface', surface('escapes')]);
    const drifted = JSON.parse(readFileSync(surface('escapes'), 'utf8')) as { tools: Array<Record<string, unknown>> };
    for (const tool of drifted.tools) tool['description'] = `${String(tool['description'])} now \u001b[2J\u009b2J`;
    drifted.tools.push({ name: 'new\u001b]52;c;eA==\u0007tool', description: '\u001b[2Jx', inputSchema: { type: 'object' } });
    changed = join(dir, 'escapes-changed.json');
    writeFileSync(changed, JSON.stringify(drifted));
    policy = join(dir, 'hostile-policy.yaml');
    writeFileSync(
      policy,
      'name: "p\\e[2J"\nrules:\n  - {name: "r\\e]52;c;eA==\\a", expr: "size(input.tools) == 0", failure_msg: "m\\e]8;;https://attacker.invalid/\\e\\\\x\\u009b2J"}\n',
    );
  }, 60_000);

  const server = (file: () => string): string[] => ['--', NODE, FIXTURE, '--surface', file()];

  it.each([
    ['scan', () => ['scan', ...server(() => surface('escapes'))], 0],
    ['scan --pretty', () => ['scan', '--pretty', ...server(() => surface('escapes'))], 0],
    ['diff (text)', () => ['diff', '--lock', lock, ...server(() => changed)], 1],
    ['diff --format markdown', () => ['diff', '--lock', lock, '--format', 'markdown', ...server(() => changed)], 1],
    ['diff --format json', () => ['diff', '--lock', lock, '--format', 'json', ...server(() => changed)], 1],
    ['check', () => ['check', '--lock', lock, ...server(() => changed)], 1],
    ['policy check', () => ['policy', 'check', '--policy', policy, ...server(() => changed)], 1],
    ['policy check --explain', () => ['policy', 'check', '--explain', '--policy', policy, ...server(() => changed)], 1],
    ['policy check --format markdown', () => ['policy', 'check', '--format', 'markdown', '--policy', policy, ...server(() => changed)], 1],
    ['policy check --format sarif', () => ['policy', 'check', '--format', 'sarif', '--policy', policy, ...server(() => changed)], 1],
  ] as const)('%s prints no control character', async (_name, args, code) => {
    const result = await runCli([...args()], { timeoutMs: 60_000 });
    expect(result.code).toBe(code);
    expectNoControl(result);
  }, 60_000);

  it('lock prints no control character, and the lockfile keeps the names exactly', async () => {
    const out = join(dir, 'escapes-relock.json');
    const result = await runCli(['lock', '--output', out, ...server(() => surface('escapes'))], { timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expectNoControl(result);
    expect(Object.keys((JSON.parse(readFileSync(out, 'utf8')) as { tools: object }).tools)).toContain('rm\u001b[2Jrf');
  }, 60_000);

  it('the JSON outputs still parse to the exact names (escaped, not altered)', async () => {
    const result = await runCli(['scan', ...server(() => surface('escapes'))], { timeoutMs: 60_000 });
    const report = JSON.parse(result.stdout) as { tools: Array<{ name: string; description: string }> };
    expect(report.tools.map((tool) => tool.name)).toContain('rm\u001b[2Jrf');
    expect(report.tools.find((tool) => tool.name === 'plain')?.description).toContain('\u009b2J');
    expect(result.stdout).toContain('\\u009b2J');
  }, 60_000);
});

describe('a catastrophically backtracking pattern (^(a+)+$) in a pinned inputSchema', () => {
  it('refuses the call that would backtrack for 2^40 steps, names the pattern, and keeps serving', async () => {
    const lock = await lockWithCli(dir, 'redos-lock.json', [NODE, RAW_SERVER, '--tools', surface('redos-pattern')]);
    const run = startProxy(['--lock', lock], [NODE, RAW_SERVER, '--tools', surface('redos-pattern')]);
    await run.initialize();
    const fine = await run.request('fine', 'tools/call', { name: 'match', arguments: { word: 'aaaa' } });
    expect(fine.message['result']).toBeDefined();
    const attack = await run.request('attack', 'tools/call', { name: 'match', arguments: { word: `${'a'.repeat(40)}!` } }, 20_000);
    const error = attack.message['error'] as { message: string; data?: { code?: string } };
    expect(error.data?.code).toBe('INVALID_ARGUMENTS');
    expect(error.message).toContain('/^(a+)+$/ ran over its 1000 ms budget');
    const after = await run.request('after', 'tools/call', { name: 'echo', arguments: { message: 'still here' } });
    expect(after.message['result']).toBeDefined();
    const again = await run.request('again', 'tools/call', { name: 'match', arguments: { word: 'aaaaaa' } });
    expect(again.message['result']).toBeDefined();
  }, 60_000);
});

describe('$ref cycles in pinned inputSchemas', () => {
  it('locks them, and each call is answered or refused (never a hang or a crash)', async () => {
    const lock = await lockWithCli(dir, 'ref-lock.json', [NODE, RAW_SERVER, '--tools', surface('ref-cycle')]);
    const run = startProxy(['--lock', lock], [NODE, RAW_SERVER, '--tools', surface('ref-cycle')]);
    await run.initialize();
    const tree = await run.request('tree', 'tools/call', { name: 'self_ref', arguments: { node: { child: { child: {} } } } });
    expect(tree.message['result']).toBeDefined();
    const badTree = await run.request('bad-tree', 'tools/call', { name: 'self_ref', arguments: { node: { child: 'x' } } });
    expect((badTree.message['error'] as { data?: { code?: string } }).data?.code).toBe('INVALID_ARGUMENTS');
    const mutual = await run.request('mutual', 'tools/call', { name: 'mutual_ref', arguments: { a: 1 } });
    expect(mutual.message['result'] ?? mutual.message['error']).toBeDefined();
    const root = await run.request('root', 'tools/call', { name: 'root_ref', arguments: { again: { again: {} } } });
    expect(root.message['result']).toBeDefined();
    expect(run.junk).toEqual([]);
  }, 60_000);
});

describe('a tool schema nested 100,000 levels deep', () => {
  it.each([['scan'], ['lock']])('%s exits 2 naming the tool, and writes nothing', async (command) => {
    const out = join(dir, `deep-${command}.json`);
    const result = await runCli([command, ...(command === 'lock' ? ['--output', out] : []), '--', NODE, RAW_SERVER, '--tools', surface('deep-schema')], { timeoutMs: 60_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('tools/list: entry 0 (`deep`) nests deeper than 256 levels');
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
