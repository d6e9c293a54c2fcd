import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultConfigDir, type TokenEntry, type TokenStore } from '../../src/oauth/token-store.js';
import { tempStore } from './helpers.js';

let store: TokenStore;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
});
afterEach(async () => {
  await cleanup();
});

function entry(issuer: string, resource: string, access = 'secret-access'): Omit<TokenEntry, 'savedAt'> {
  return {
    issuer,
    resource,
    authorizationServerUrl: issuer,
    metadata: { issuer },
    client: { client_id: 'c1' },
    tokens: { access_token: access, token_type: 'Bearer', refresh_token: 'secret-refresh', scope: 'mcp:read' },
    expiresAt: '2030-01-01T00:00:00.000Z',
  };
}

describe('defaultConfigDir', () => {
  it('follows XDG_CONFIG_HOME, then ~/.config, and %APPDATA% on Windows', () => {
    expect(defaultConfigDir({ env: { XDG_CONFIG_HOME: '/x/cfg' }, platform: 'linux', home: '/home/u' })).toBe('/x/cfg/mcptrust');
    expect(defaultConfigDir({ env: { XDG_CONFIG_HOME: 'relative' }, platform: 'linux', home: '/home/u' })).toBe('/home/u/.config/mcptrust');
    expect(defaultConfigDir({ env: {}, platform: 'darwin', home: '/Users/u' })).toBe('/Users/u/.config/mcptrust');
    expect(defaultConfigDir({ env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', home: '/h' })).toMatch(/Roaming.mcptrust$/);
  });
});

describe('TokenStore', () => {
  it('starts empty without creating anything, then writes 0600 in a 0700 directory, atomically', async () => {
    expect(await store.find('https://a.example/mcp')).toBeUndefined();
    expect(await store.list()).toEqual([]);
    await expect(stat(store.dir)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.save(entry('https://as.example', 'https://a.example/mcp'));
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect((await stat(store.dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(store.dir)).toEqual(['oauth-tokens.json']);
    expect(JSON.parse(await readFile(store.path, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('keys entries by issuer and resource; find takes the latest issuer; remove takes every issuer of a resource', async () => {
    await store.save(entry('https://as1.example', 'https://a.example/mcp', 'one'));
    await new Promise((r) => setTimeout(r, 5)); // savedAt has millisecond resolution
    await store.save(entry('https://as2.example', 'https://a.example/mcp', 'two'));
    await store.save(entry('https://as1.example', 'https://b.example/mcp', 'three'));
    await store.save(entry('https://as1.example', 'https://b.example/mcp', 'four'));
    expect((await store.find('https://a.example/mcp'))?.tokens.access_token).toBe('two');
    expect((await store.find('https://b.example/mcp'))?.tokens.access_token).toBe('four');
    expect(await store.find('https://a.example/mcp/')).toBeUndefined();
    expect(await store.list()).toHaveLength(3);
    expect(await store.remove('https://a.example/mcp')).toBe(2);
    expect((await store.list()).map((s) => s.resource)).toEqual(['https://b.example/mcp']);
    expect(await store.remove()).toBe(1);
    expect(await store.list()).toEqual([]);
  });

  it('loses no entry when several writers save at once (lock file), and leaves no lock behind', async () => {
    const writers = Array.from({ length: 12 }, (_, i) => store.save(entry('https://as.example', `https://s${i}.example/mcp`)));
    await Promise.all(writers);
    expect(await store.list()).toHaveLength(12);
    expect(await readdir(store.dir)).toEqual(['oauth-tokens.json']);
  });

  it('waits for a live lock, takes over a stale one', async () => {
    await store.save(entry('https://as.example', 'https://a.example/mcp'));
    const lock = `${store.path}.lock`;
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await store.save(entry('https://as.example', 'https://b.example/mcp'));
    expect(await store.list()).toHaveLength(2);
    await writeFile(lock, '');
    const waiting = store.remove('https://a.example/mcp');
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    await rm(lock);
    await expect(waiting).resolves.toBe(1);
  });

  it('lists without token values', async () => {
    await store.save(entry('https://as.example', 'https://a.example/mcp'));
    const listed = await store.list();
    expect(listed).toEqual([
      { issuer: 'https://as.example', resource: 'https://a.example/mcp', expiresAt: '2030-01-01T00:00:00.000Z', scope: 'mcp:read', hasRefreshToken: true, savedAt: expect.any(String) },
    ]);
    expect(JSON.stringify(listed)).not.toContain('secret');
  });

  it.each([0o640, 0o604, 0o660])('refuses a file of mode %o with the fix, without quoting its content', async (mode) => {
    await store.save(entry('https://as.example', 'https://a.example/mcp'));
    await chmod(store.path, mode);
    const error = await store.find('https://a.example/mcp').catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'TOKEN_STORE', message: expect.stringContaining(`chmod 600 '${store.path}'`) });
    expect((error as Error).message).not.toContain('secret');
  });

  it('refuses a file that is not its format, and skips malformed entries', async () => {
    await mkdir(store.dir, { recursive: true, mode: 0o700 });
    await writeFile(store.path, 'not json', { mode: 0o600 });
    await expect(store.list()).rejects.toMatchObject({ code: 'TOKEN_STORE', message: expect.stringContaining('not valid JSON') });
    await writeFile(store.path, JSON.stringify({ version: 1, entries: { x: { issuer: 'i' }, y: { ...entry('https://as.example', 'https://a.example/mcp'), savedAt: 'now' } } }));
    expect((await store.list()).map((s) => s.resource)).toEqual(['https://a.example/mcp']);
    await writeFile(store.path, JSON.stringify({ version: 9, entries: {} }));
    await expect(store.list()).rejects.toMatchObject({ code: 'TOKEN_STORE', message: expect.stringContaining('unknown format') });
    expect(join(store.dir, 'oauth-tokens.json')).toBe(store.path);
  });
});
