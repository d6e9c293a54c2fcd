import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactError } from '../../src/errors.js';
import { artifactCacheRoot, cachedTarballPath, readCachedTarball, storeTarball } from '../../src/npm/cache.js';

const bytes = Buffer.from('cached tarball');
const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mcptrust-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('artifactCacheRoot', () => {
  it('uses an absolute XDG_CACHE_HOME, else ~/.cache', () => {
    expect(artifactCacheRoot({ XDG_CACHE_HOME: '/var/cache/me' }, '/home/me')).toBe(path.join('/var/cache/me', 'mcptrust'));
    expect(artifactCacheRoot({}, '/home/me')).toBe(path.join('/home/me', '.cache', 'mcptrust'));
    expect(artifactCacheRoot({ XDG_CACHE_HOME: 'relative/cache' }, '/home/me')).toBe(path.join('/home/me', '.cache', 'mcptrust'));
  });
});

describe('tarball store', () => {
  it('stores by sha512 hex, private and atomically, and reads back', async () => {
    const file = await storeTarball(dir, integrity, bytes);
    expect(path.basename(file)).toBe(`${createHash('sha512').update(bytes).digest('hex')}.tgz`);
    expect(file).toBe(cachedTarballPath(dir, integrity));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
    expect(await readCachedTarball(dir, integrity)).toEqual(bytes);
  });

  it('reports a miss for an absent tarball', async () => {
    expect(await readCachedTarball(dir, integrity)).toBeUndefined();
  });

  it('re-hashes on read: a tampered file is removed and reported as a miss', async () => {
    const file = await storeTarball(dir, integrity, bytes);
    writeFileSync(file, 'tampered');
    expect(await readCachedTarball(dir, integrity)).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });

  it('never stores bytes under the wrong integrity', async () => {
    await expect(storeTarball(dir, integrity, Buffer.from('other'))).rejects.toBeInstanceOf(ArtifactError);
    expect(existsSync(cachedTarballPath(dir, integrity))).toBe(false);
  });
});
