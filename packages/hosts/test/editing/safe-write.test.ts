import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readConfigFile } from '../../src/config-file.js';
import { HostsError } from '../../src/errors.js';
import { replaceConfigFile } from '../../src/safe-write.js';
import { readWrapState } from '../../src/state.js';
import type { ConfigFormat, ConfigLocation } from '../../src/types.js';

let dir: string;
let stateDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-hosts-write-'));
  stateDir = join(dir, 'state');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function location(path: string, format: ConfigFormat = 'json'): ConfigLocation {
  return { host: 'cursor', path, format, scope: 'user', label: 'user', serversPath: ['mcpServers'], readOnly: false };
}

const sha = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex');
const NOW = new Date(Date.UTC(2026, 11, 6, 21, 5, 9));
const BEFORE = '{\n  // mine\n  "mcpServers": { "a": { "command": "x" } }\n}\n';
const AFTER = '{\n  // mine\n  "mcpServers": { "a": { "command": "y" } }\n}\n';

async function rejection(promise: Promise<unknown>): Promise<HostsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HostsError);
    return error as HostsError;
  }
  throw new Error('expected a HostsError');
}

describe('readConfigFile', () => {
  it('reads bytes, hash, mode and document, keeping a byte-order mark in the text', async () => {
    const path = join(dir, 'mcp.json');
    writeFileSync(path, `\uFEFF${BEFORE}`);
    chmodSync(path, 0o640);
    const file = await readConfigFile(location(path, 'jsonc'));
    expect(file.text).toBe(`\uFEFF${BEFORE}`);
    expect(file.bytes.equals(readFileSync(path))).toBe(true);
    expect(file.sha256).toBe(sha(readFileSync(path)));
    expect(file.mode).toBe(0o640);
    expect(file.document).toEqual({ mcpServers: { a: { command: 'x' } } });
  });

  it('resolves symbolic links', async () => {
    const real = join(dir, 'real.json');
    writeFileSync(real, BEFORE);
    symlinkSync(real, join(dir, 'link.json'));
    const file = await readConfigFile(location(join(dir, 'link.json')));
    expect(file.realPath).toBe(real);
  });

  it('throws CONFIG_NOT_FOUND for a missing file and for a directory', async () => {
    expect((await rejection(readConfigFile(location(join(dir, 'none.json'))))).code).toBe('CONFIG_NOT_FOUND');
    mkdirSync(join(dir, 'folder.json'));
    const error = await rejection(readConfigFile(location(join(dir, 'folder.json'))));
    expect(error.code).toBe('CONFIG_NOT_FOUND');
    expect(error.message).toContain('not a regular file');
  });

  it('throws CONFIG_PARSE naming line and column', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{\n  "a": }\n');
    const error = await rejection(readConfigFile(location(path)));
    expect(error.code).toBe('CONFIG_PARSE');
    expect(error.message).toBe(`${path}:2:8: ValueExpected`);
  });
});

describe('replaceConfigFile', () => {
  it('backs the file up with the same bytes and mode, replaces it, keeps mode 0600 and records the change', async () => {
    const path = join(dir, 'mcp.json');
    writeFileSync(path, BEFORE);
    chmodSync(path, 0o600);
    const file = await readConfigFile(location(path));
    const result = await replaceConfigFile(file, AFTER, { stateDir, now: NOW, reason: 'wrap' });
    expect(result.backupPath).toBe(`${path}.mcptrust-bak.20261206-210509`);
    expect(readFileSync(result.backupPath, 'utf8')).toBe(BEFORE);
    expect(statSync(result.backupPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(AFTER);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(result.postSha256).toBe(sha(AFTER));
    expect(readdirSync(dir).sort()).toEqual(['mcp.json', 'mcp.json.mcptrust-bak.20261206-210509', 'state']);
    expect(await readWrapState(stateDir)).toEqual([
      { path, preSha256: sha(BEFORE), postSha256: sha(AFTER), backupPath: result.backupPath, reason: 'wrap', at: NOW.toISOString() },
    ]);
    expect(statSync(join(stateDir, 'wrap-state.json')).mode & 0o777).toBe(0o600);
  });

  it('never overwrites a backup: a second write in the same second gets the -1 suffix', async () => {
    const path = join(dir, 'mcp.json');
    writeFileSync(path, BEFORE);
    const first = await replaceConfigFile(await readConfigFile(location(path)), AFTER, { stateDir, now: NOW, reason: 'wrap' });
    const second = await replaceConfigFile(await readConfigFile(location(path)), BEFORE, { stateDir, now: NOW, reason: 'unwrap' });
    expect(second.backupPath).toBe(`${first.backupPath}-1`);
    expect(readFileSync(first.backupPath, 'utf8')).toBe(BEFORE);
    expect(readFileSync(second.backupPath, 'utf8')).toBe(AFTER);
    expect((await readWrapState(stateDir)).map((record) => record.reason)).toEqual(['wrap', 'unwrap']);
  });

  it('writes the real file behind a symbolic link and keeps the link', async () => {
    const real = join(dir, 'real.json');
    const link = join(dir, 'link.json');
    writeFileSync(real, BEFORE);
    symlinkSync(real, link);
    await replaceConfigFile(await readConfigFile(location(link)), AFTER, { stateDir, now: NOW, reason: 'wrap' });
    expect(readFileSync(real, 'utf8')).toBe(AFTER);
    expect(statSync(link).isFile()).toBe(true);
    expect(existsSync(`${real}.mcptrust-bak.20261206-210509`)).toBe(true);
  });

  it('throws CONFIG_CHANGED when the file changed after it was read, leaving it, and nothing else, behind', async () => {
    const path = join(dir, 'mcp.json');
    writeFileSync(path, BEFORE);
    const file = await readConfigFile(location(path));
    writeFileSync(path, '{"changed": true}\n');
    const error = await rejection(replaceConfigFile(file, AFTER, { stateDir, now: NOW, reason: 'wrap' }));
    expect(error.code).toBe('CONFIG_CHANGED');
    expect(readFileSync(path, 'utf8')).toBe('{"changed": true}\n');
    expect(readdirSync(dir)).toEqual(['mcp.json']);
    expect(await readWrapState(stateDir)).toEqual([]);
  });

  it('throws CONFIG_LOCKED while a fresh lock exists, and leaves the lock and the file', async () => {
    const path = join(dir, 'mcp.json');
    writeFileSync(path, BEFORE);
    writeFileSync(`${path}.mcptrust.lock`, '123\n');
    const error = await rejection(replaceConfigFile(await readConfigFile(location(path)), AFTER, { stateDir, now: NOW, reason: 'wrap' }));
    expect(error.code).toBe('CONFIG_LOCKED');
    expect(readFileSync(path, 'utf8')).toBe(BEFORE);
    expect(readdirSync(dir).sort()).toEqual(['mcp.json', 'mcp.json.mcptrust.lock']);
  });

  it('takes over a stale lock and removes it afterwards', async () => {
    const path = join(dir, 'mcp.json');
    writeFileSync(path, BEFORE);
    const lock = `${path}.mcptrust.lock`;
    writeFileSync(lock, '123\n');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    await replaceConfigFile(await readConfigFile(location(path)), AFTER, { stateDir, now: NOW, reason: 'wrap' });
    expect(readFileSync(path, 'utf8')).toBe(AFTER);
    expect(existsSync(lock)).toBe(false);
  });

  it('keeps the records of concurrent writers of different files', async () => {
    const paths = [0, 1, 2, 3].map((n) => join(dir, `f${n}.json`));
    for (const path of paths) writeFileSync(path, BEFORE);
    const files = await Promise.all(paths.map((path) => readConfigFile(location(path))));
    await Promise.all(files.map((file) => replaceConfigFile(file, AFTER, { stateDir, now: NOW, reason: 'wrap' })));
    expect((await readWrapState(stateDir)).map((record) => record.path).sort()).toEqual(paths);
    expect(readdirSync(stateDir)).toEqual(['wrap-state.json']);
  });
});
