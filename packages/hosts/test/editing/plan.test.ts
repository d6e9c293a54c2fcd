import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readConfigFile } from '../../src/config-file.js';
import type { ConfigFile } from '../../src/config-file.js';
import { unifiedDiff } from '../../src/diff.js';
import { argvEdits } from '../../src/edit.js';
import { parseConfig } from '../../src/formats/index.js';
import { applyPlan, planUnwrap, planWrap } from '../../src/plan.js';
import { originalBytes } from '../../src/state.js';
import type { ConfigLocation, Launcher, ServerEntry } from '../../src/types.js';

let dir: string;
let stateDir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-hosts-plan-'));
  stateDir = join(dir, 'state');
  path = join(dir, 'mcp.json');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const LAUNCHER: Launcher = { node: '/opt/node/bin/node', cli: '/opt/mcptrust/dist/mcptrust.js' };
const lockOf = (name: string): string => `/home/u/.mcptrust/locks/cursor-${name}.mcp-lock.json`;

const ORIGINAL = `{
  // my servers
  "mcpServers": {
    "a": { "command": "npx", "args": ["-y", "pkg-a"], "env": { "K": "v" } },
    "b": {
      "command": "uvx",
      "args": ["srv-b"]
    },
    "r": { "url": "https://example.com/mcp" }
  },
  "theme": "dark"
}
`;

function location(): ConfigLocation {
  return { host: 'cursor', path, format: 'jsonc', scope: 'user', label: 'user', serversPath: ['mcpServers'], readOnly: false };
}

/** The entries of the test document, the way the host registry reads them. */
function entriesOf(file: ConfigFile): ServerEntry[] {
  const servers = (file.document as { mcpServers: Record<string, { command?: string; args?: string[]; url?: string }> }).mcpServers;
  return Object.entries(servers).map(([name, raw]) => {
    const base = { name, path: ['mcpServers', name], shape: 'standard' as const, disabled: false };
    if (raw.url !== undefined) return { ...base, transport: 'remote' as const, reason: 'url' };
    const argv = { command: raw.command ?? '', args: raw.args ?? [] };
    const wrapped =
      argv.command === LAUNCHER.node && argv.args[1] === 'proxy'
        ? { lockPath: argv.args[3] as string, original: { command: argv.args[5] as string, args: argv.args.slice(6) } }
        : undefined;
    return { ...base, transport: 'stdio' as const, argv, ...(wrapped === undefined ? {} : { wrapped }) };
  });
}

async function read(): Promise<ConfigFile> {
  return readConfigFile(location());
}

async function wrap(names: readonly string[]): Promise<void> {
  const file = await read();
  const targets = entriesOf(file)
    .filter((entry) => names.includes(entry.name))
    .map((entry) => ({ entry, lockPath: lockOf(entry.name) }));
  await applyPlan(planWrap(file, targets, LAUNCHER), { stateDir });
}

describe('argvEdits', () => {
  const entry = (shape: ServerEntry['shape']): ServerEntry => ({ name: 's', path: ['x', 0], shape, transport: 'stdio', disabled: false });
  it('targets command/args, command.path/command.args, or cmd/args by shape', () => {
    const argv = { command: 'c', args: ['1'] };
    expect(argvEdits(entry('standard'), argv).map((edit) => edit.path)).toEqual([['x', 0, 'command'], ['x', 0, 'args']]);
    expect(argvEdits(entry('zed-legacy'), argv).map((edit) => edit.path)).toEqual([['x', 0, 'command', 'path'], ['x', 0, 'command', 'args']]);
    expect(argvEdits(entry('goose'), argv).map((edit) => edit.path)).toEqual([['x', 0, 'cmd'], ['x', 0, 'args']]);
    expect(argvEdits(entry('goose'), argv).map((edit) => edit.value)).toEqual(['c', ['1']]);
  });
});

describe('planWrap', () => {
  it('wraps stdio entries, leaves remote ones, and is idempotent', async () => {
    writeFileSync(path, ORIGINAL);
    const file = await read();
    const targets = entriesOf(file).map((entry) => ({ entry, lockPath: lockOf(entry.name) }));
    const plan = planWrap(file, targets, LAUNCHER);
    expect(plan.changes.map((change) => [change.entry.name, change.action])).toEqual([['a', 'wrap'], ['b', 'wrap'], ['r', 'unchanged']]);
    expect(plan.changes[2]?.note).toBe('remote: url');
    expect(plan.newText).toContain(`"command": "${LAUNCHER.node}", "args": ["${LAUNCHER.cli}", "proxy", "--lock", "${lockOf('a')}", "--", "npx", "-y", "pkg-a"], "env": { "K": "v" } },`);
    expect(plan.newText).toContain('  // my servers\n');
    const diff = unifiedDiff('mcp.json', file.text, plan.newText);
    expect(diff).toContain('--- a/mcp.json');
    expect(diff).toContain('+++ b/mcp.json');
    expect(diff).toContain('-    "a": { "command": "npx", "args": ["-y", "pkg-a"], "env": { "K": "v" } },');

    const { backupPath } = await applyPlan(plan, { stateDir });
    expect(readFileSync(backupPath as string, 'utf8')).toBe(ORIGINAL);
    const again = await read();
    const second = planWrap(again, entriesOf(again).map((entry) => ({ entry, lockPath: lockOf(entry.name) })), LAUNCHER);
    expect(second.newText).toBe(again.text);
    expect(second.changes.map((change) => change.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await applyPlan(second, { stateDir })).toEqual({});
  });
});

describe('originalBytes', () => {
  it('walks back a chain of wraps to the bytes before the first', async () => {
    writeFileSync(path, ORIGINAL);
    await wrap(['a']);
    await wrap(['b']);
    const bytes = await originalBytes(await read(), stateDir);
    expect(bytes?.toString('utf8')).toBe(ORIGINAL);
  });

  it('returns undefined when the file changed since, or a backup is gone', async () => {
    writeFileSync(path, ORIGINAL);
    await wrap(['a']);
    const wrapped = readFileSync(path, 'utf8');
    writeFileSync(path, wrapped.replace('"theme": "dark"', '"theme": "light"'));
    expect(await originalBytes(await read(), stateDir)).toBeUndefined();
    writeFileSync(path, wrapped);
    expect(await originalBytes(await read(), stateDir)).toBeDefined();
    for (const name of readdirSync(dir).filter((entry) => entry.includes('.mcptrust-bak.'))) rmSync(join(dir, name));
    expect(await originalBytes(await read(), stateDir)).toBeUndefined();
  });
});

describe('planUnwrap', () => {
  it('restores the exact original bytes when the file is unchanged since the wraps', async () => {
    writeFileSync(path, ORIGINAL);
    await wrap(['a']);
    await wrap(['b']);
    const file = await read();
    const plan = await planUnwrap(file, entriesOf(file), { stateDir });
    expect(plan.byteRestore).toBe(true);
    expect(plan.newText).toBe(ORIGINAL);
    expect(plan.changes.map((change) => [change.entry.name, change.action])).toEqual([['a', 'unwrap'], ['b', 'unwrap']]);
    await applyPlan(plan, { stateDir });
    expect(readFileSync(path, 'utf8')).toBe(ORIGINAL);
  });

  it('unwraps structurally, keeping the edit, when the file was edited by hand after the wrap', async () => {
    writeFileSync(path, ORIGINAL);
    await wrap(['a', 'b']);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"theme": "dark"', '"theme": "light" // changed'));
    const file = await read();
    const plan = await planUnwrap(file, entriesOf(file), { stateDir });
    expect(plan.byteRestore).toBe(false);
    expect(plan.newText).toBe(ORIGINAL.replace('"theme": "dark"', '"theme": "light" // changed'));
    await applyPlan(plan, { stateDir });
    const after = await read();
    expect(after.document).toEqual({
      mcpServers: { a: { command: 'npx', args: ['-y', 'pkg-a'], env: { K: 'v' } }, b: { command: 'uvx', args: ['srv-b'] }, r: { url: 'https://example.com/mcp' } },
      theme: 'light',
    });
  });

  it('unwraps structurally when only some wrapped entries are selected', async () => {
    writeFileSync(path, ORIGINAL);
    await wrap(['a', 'b']);
    const file = await read();
    const plan = await planUnwrap(file, entriesOf(file), { stateDir, servers: ['a', 'r'] });
    expect(plan.byteRestore).toBe(false);
    expect(plan.changes.map((change) => [change.entry.name, change.action, change.note])).toEqual([
      ['a', 'unwrap', undefined],
      ['r', 'unchanged', 'not wrapped'],
    ]);
    const after = entriesOf({ ...file, document: parseConfig(plan.newText, 'jsonc', path) });
    expect(after.find((entry) => entry.name === 'a')?.wrapped).toBeUndefined();
    expect(after.find((entry) => entry.name === 'b')?.wrapped?.original).toEqual({ command: 'uvx', args: ['srv-b'] });
  });

  it('changes nothing when no entry is wrapped', async () => {
    writeFileSync(path, ORIGINAL);
    const file = await read();
    const plan = await planUnwrap(file, entriesOf(file), { stateDir });
    expect(plan.newText).toBe(file.text);
    expect(plan.changes).toEqual([]);
    expect(await applyPlan(plan, { stateDir })).toEqual({});
  });

  it('refuses to write a managed file', async () => {
    writeFileSync(path, ORIGINAL);
    const file = await read();
    const plan = planWrap({ ...file, location: { ...file.location, readOnly: true } }, entriesOf(file).map((entry) => ({ entry, lockPath: lockOf(entry.name) })), LAUNCHER);
    await expect(applyPlan(plan, { stateDir })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    expect(readFileSync(path, 'utf8')).toBe(ORIGINAL);
  });
});
