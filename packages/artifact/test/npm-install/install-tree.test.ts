import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NpmArtifactPin } from '../../src/artifact.types.js';
import { ArtifactError } from '../../src/errors.js';
import { installPinnedTree, selectTreeEntries, type InstallPinnedTreeOptions } from '../../src/npm/install-tree.js';
import { npmLaunchSpec } from '../../src/npm/launch-spec.js';
import { makeFixture, OTHER_OS, TEST_PLATFORM, type Fixture } from './support-fixture.js';
import { testClient } from './support-registry.js';
import { buildTarball, integrityOf, packageTarball, sha256Of } from './support-tarballs.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await makeFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

function options(extra: Partial<InstallPinnedTreeOptions> = {}): InstallPinnedTreeOptions {
  return { client: testClient(), cacheRoot: fx.cacheRoot, platform: TEST_PLATFORM, arch: 'x64', libc: 'glibc', ...extra };
}

async function failure(promise: Promise<unknown>): Promise<ArtifactError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    return error as ArtifactError;
  }
  throw new Error('expected the install to fail');
}

/** Entries of the trees directory (built trees and leftovers). */
function treesDirEntries(): string[] {
  const dir = path.join(fx.cacheRoot, 'npm', 'trees');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Replaces the root tarball (and its pin) with one built from `tarball`. */
function withRootTarball(tarball: Buffer): NpmArtifactPin {
  fx.server.set(fx.tarballPath['demo-server'] as string, tarball);
  return { ...fx.pin, integrity: integrityOf(tarball), tarball_sha256: sha256Of(tarball), tarball_size: tarball.length };
}

describe('installPinnedTree', () => {
  it('installs the pinned tree without scripts, skipping the optional package of another OS', async () => {
    const progress: string[] = [];
    const result = await installPinnedTree(fx.pin, options({ onProgress: (m) => progress.push(m) }));
    expect(result.reused).toBe(false);
    expect(result.downloaded).toBe(3);
    expect(result.packageDir).toBe(path.join(result.treeDir, 'node_modules', 'demo-server'));
    expect(path.dirname(result.treeDir)).toBe(path.join(fx.cacheRoot, 'npm', 'trees'));
    expect(path.basename(result.treeDir)).toMatch(/^[0-9a-f]{64}$/);
    const nm = path.join(result.treeDir, 'node_modules');
    expect(readFileSync(path.join(nm, 'dep-a', 'lib', 'util.js'), 'utf8')).toBe('module.exports = 1;\n');
    expect(existsSync(path.join(nm, 'demo-server', 'node_modules', 'dep-b', 'index.js'))).toBe(true);
    expect(statSync(path.join(nm, 'demo-server', 'bin', 'server.js')).mode & 0o777).toBe(0o755);
    // The optional package for another OS is neither downloaded nor installed.
    expect(existsSync(path.join(nm, 'opt-native'))).toBe(false);
    expect(fx.server.hits(fx.tarballPath['opt-native'] as string)).toBe(0);
    // No lifecycle script ran, no bin links were made.
    expect(existsSync(fx.markerPath)).toBe(false);
    expect(existsSync(path.join(nm, '.bin'))).toBe(false);
    expect(readdirSync(path.dirname(result.treeDir))).toEqual([path.basename(result.treeDir)]);
    expect(progress.some((m) => m.startsWith('installed demo-server@1.0.0'))).toBe(true);

    // The installed server runs from its bin with process.execPath and finds its dependencies.
    const spec = npmLaunchSpec(fx.pin, result.packageDir, { env: { ...process.env, NODE_OPTIONS: '--require /nonexistent.js' } });
    const run = spawnSync(spec.command, spec.args, { env: spec.env, encoding: 'utf8', shell: false });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ greet: 'hello from dep-a', b: 'dep-b', args: ['--root', '/srv/data'], nodeOptions: null });
  });

  it('reuses a verified tree from the cache without downloading', async () => {
    const first = await installPinnedTree(fx.pin, options());
    const before = fx.server.requests.length;
    const second = await installPinnedTree(fx.pin, options());
    expect(second).toEqual({ ...first, reused: true, downloaded: 0 });
    expect(fx.server.requests.length).toBe(before);
  });

  it('installs the optional package on its own OS, into a different tree', async () => {
    const linux = await installPinnedTree(fx.pin, options());
    const other = await installPinnedTree(fx.pin, options({ platform: OTHER_OS }));
    expect(other.treeDir).not.toBe(linux.treeDir);
    expect(existsSync(path.join(other.treeDir, 'node_modules', 'opt-native', 'index.js'))).toBe(true);
  });

  it('refuses swapped bytes for a dependency before anything is extracted', async () => {
    fx.server.set(fx.tarballPath['dep-a'] as string, packageTarball({ name: 'dep-a', version: '1.0.0' }, { 'index.js': 'evil()' }));
    const error = await failure(installPinnedTree(fx.pin, options()));
    expect(error.code).toBe('INTEGRITY_MISMATCH');
    expect(error.field).toBe('server.artifact.tree[0].integrity');
    expect(error.expected).toBe(fx.pin.tree?.[0]?.integrity);
    expect(error.message).toContain('node_modules/dep-a');
    expect(treesDirEntries()).toEqual([]);
  });

  it('refuses a root tarball whose SHA-256 differs from the pin', async () => {
    const error = await failure(installPinnedTree({ ...fx.pin, tarball_sha256: '0'.repeat(64) }, options()));
    expect(error.code).toBe('INTEGRITY_MISMATCH');
    expect(error.field).toBe('server.artifact.tarball_sha256');
    expect(treesDirEntries()).toEqual([]);
  });

  it('re-installs a tree whose files were changed or added, and reports it', async () => {
    const first = await installPinnedTree(fx.pin, options());
    const index = path.join(first.treeDir, 'node_modules', 'dep-a', 'index.js');
    writeFileSync(index, "exports.greet = () => 'tampered';\n");
    const progress: string[] = [];
    const second = await installPinnedTree(fx.pin, options({ onProgress: (m) => progress.push(m) }));
    expect(second.reused).toBe(false);
    expect(second.treeDir).toBe(first.treeDir);
    expect(readFileSync(index, 'utf8')).toBe("exports.greet = () => 'hello from dep-a';\n");
    expect(progress.join('\n')).toContain('changed file node_modules/dep-a/index.js');

    writeFileSync(path.join(first.treeDir, 'node_modules', 'dep-a', 'injected.js'), 'evil()');
    const third = await installPinnedTree(fx.pin, options({ onProgress: (m) => progress.push(m) }));
    expect(third.reused).toBe(false);
    expect(existsSync(path.join(first.treeDir, 'node_modules', 'dep-a', 'injected.js'))).toBe(false);
    expect(progress.join('\n')).toContain('extra file node_modules/dep-a/injected.js');
    expect(treesDirEntries()).toEqual([path.basename(first.treeDir)]);
  });

  it('re-downloads a cached tarball that was tampered with', async () => {
    await installPinnedTree(fx.pin, options());
    const dir = path.join(fx.cacheRoot, 'npm', 'tarballs');
    for (const f of readdirSync(dir)) writeFileSync(path.join(dir, f), 'garbage');
    const again = await installPinnedTree(fx.pin, options());
    expect(again.reused).toBe(true);
    expect(again.downloaded).toBe(3);
  });

  it.each([
    ['a symbolic link', { path: 'package/link.js', type: 'SymbolicLink' as const, linkpath: '/etc/passwd' }, 'symbolic link'],
    ['a hard link', { path: 'package/hard.js', type: 'Link' as const, linkpath: 'package/index.js' }, 'hard link'],
    ['a ../ path', { path: 'package/../../escape.js', content: 'evil()' }, "contains '..'"],
    ['an absolute path', { path: '/tmp/escape.js', content: 'evil()' }, 'is absolute'],
  ])('refuses a tarball with %s', async (_label, entry, text) => {
    const pin = withRootTarball(packageTarball({ name: 'demo-server', version: '1.0.0', bin: 'index.js' }, { 'index.js': '' }, [entry]));
    const error = await failure(installPinnedTree(pin, options()));
    expect(error.code).toBe('INSTALL_FAILED');
    expect(error.message).toContain('demo-server@1.0.0');
    expect(error.message).toContain(JSON.stringify(entry.path));
    expect(error.message).toContain(text);
    expect(treesDirEntries()).toEqual([]);
    expect(existsSync(path.join(fx.dir, 'escape.js'))).toBe(false);
  });

  it('refuses an installed package whose name or version differs from the pin', async () => {
    const pin = withRootTarball(packageTarball({ name: 'demo-server', version: '9.9.9', bin: 'index.js' }, { 'index.js': '' }));
    const error = await failure(installPinnedTree(pin, options()));
    expect(error.code).toBe('INSTALL_MISMATCH');
    expect(error.field).toBe('server.artifact.version');
    expect(error.expected).toBe('1.0.0');
    expect(error.found).toBe('9.9.9');
    expect(treesDirEntries()).toEqual([]);
  });

  it('refuses tree paths that leave node_modules', async () => {
    const tree = [{ ...(fx.pin.tree?.[0] as NonNullable<NpmArtifactPin['tree']>[number]), path: 'node_modules/../../x' }];
    const error = await failure(installPinnedTree({ ...fx.pin, tree }, options()));
    expect(error.code).toBe('INVALID_PIN');
    expect(error.field).toBe('server.artifact.tree[0].path');
  });

  it('is safe under concurrent installs of the same pin', async () => {
    const [a, b, c] = await Promise.all([installPinnedTree(fx.pin, options()), installPinnedTree(fx.pin, options()), installPinnedTree(fx.pin, options())]);
    expect(a.treeDir).toBe(b.treeDir);
    expect(b.treeDir).toBe(c.treeDir);
    expect([a, b, c].filter((r) => !r.reused).length).toBeGreaterThanOrEqual(1);
    expect(treesDirEntries()).toEqual([path.basename(a.treeDir)]);
    const again = await installPinnedTree(fx.pin, options());
    expect(again.reused).toBe(true);
  });

  it('refuses a tarball that is not a tarball', async () => {
    const pin = withRootTarball(Buffer.from('not gzip at all'));
    const error = await failure(installPinnedTree(pin, options()));
    expect(error.code).toBe('INSTALL_FAILED');
  });

  it('accepts an empty-but-valid tarball only if its package.json matches', async () => {
    const pin = withRootTarball(buildTarball([{ path: 'package/', type: 'Directory' }]));
    const error = await failure(installPinnedTree(pin, options()));
    expect(error.code).toBe('INSTALL_MISMATCH');
  });
});

describe('selectTreeEntries', () => {
  const e = (p: string, extra: Record<string, unknown> = {}) => ({ path: p, name: p, version: '1.0.0', resolved: 'https://r/x.tgz', integrity: 'sha512-x', ...extra });
  it('skips optional entries excluded by os/cpu/libc, and what is nested in them', () => {
    const tree = [
      e('node_modules/a'),
      e('node_modules/b', { optional: true, os: ['darwin'] }),
      e('node_modules/b/node_modules/c', { optional: true }),
      e('node_modules/d', { optional: true, os: ['!win32'], cpu: ['x64', 'arm64'] }),
      e('node_modules/f', { optional: true, libc: ['musl'] }),
      e('node_modules/g', { os: ['darwin'] }),
    ];
    const picked = selectTreeEntries(tree, { platform: 'linux', arch: 'x64', libc: () => 'glibc' }).map((s) => s.entry.path);
    expect(picked).toEqual(['node_modules/a', 'node_modules/d', 'node_modules/g']);
    const musl = selectTreeEntries(tree, { platform: 'linux', arch: 'arm64', libc: () => 'musl' }).map((s) => s.index);
    expect(musl).toEqual([0, 3, 4, 5]);
  });
});

describe('stale leftovers', () => {
  it('removes temporary builds older than an hour, keeps recent ones', async () => {
    const trees = path.join(fx.cacheRoot, 'npm', 'trees');
    mkdirSync(path.join(trees, '.tmp-old-crashed', 'node_modules'), { recursive: true });
    mkdirSync(path.join(trees, '.tmp-recent-live'), { recursive: true });
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(path.join(trees, '.tmp-old-crashed'), old, old);
    const result = await installPinnedTree(fx.pin, options());
    expect(treesDirEntries().sort()).toEqual(['.tmp-recent-live', path.basename(result.treeDir)].sort());
  });
});
