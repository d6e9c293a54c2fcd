/**
 * Installing a pinned npm tree in process — the equivalent of `npm ci --ignore-scripts`
 * without npm: no lifecycle scripts, no bin links, no resolution. Every tarball comes from
 * the content-addressed cache or through the guarded client, and all are verified against
 * the pin before anything is extracted. Trees live in `<cache>/npm/trees/<key>`, are built
 * in a temporary sibling and renamed into place (safe under concurrent runs), and are
 * re-verified file by file on every reuse.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ArtifactError } from '../errors.js';
import type { NpmArtifactPin, NpmTreeEntry } from '../artifact.types.js';
import type { GuardedClient } from '../net/guarded-client.types.js';
import { ensurePrivateDir, randomSuffix, readCachedTarball, storeTarball } from './cache.js';
import { compareInstalledTree, extractTarball, scanTarball } from './install-archive.js';
import { normalizeIntegrity, verifyTarball, type ExpectedTarball } from './verify-bytes.js';

/** Options of `installPinnedTree`. */
export interface InstallPinnedTreeOptions {
  /** The guarded HTTPS client every download goes through. */
  client: GuardedClient;
  /** Cache root (`artifactCacheRoot(...)`). */
  cacheRoot: string;
  /** Extra request headers (registry auth) for a tarball URL. */
  headersFor?: (url: string) => Record<string, string>;
  /** Platform to install for (default `process.platform`). */
  platform?: NodeJS.Platform;
  /** CPU architecture (default `process.arch`). */
  arch?: string;
  /** C library on Linux (default: detected from the running Node). */
  libc?: 'glibc' | 'musl';
  /** Progress and repair notices (never written anywhere by this module). */
  onProgress?: (message: string) => void;
  /** Aborts between steps. */
  signal?: AbortSignal;
}

/** Result of `installPinnedTree`. */
export interface InstalledTree {
  /** `<treeDir>/node_modules/<name>`: the pinned package. */
  packageDir: string;
  /** The installed tree. */
  treeDir: string;
  /** An existing tree was re-verified and reused. */
  reused: boolean;
  /** Tarballs downloaded (not served from the cache). */
  downloaded: number;
}

/** One package to install: the root or a tree entry. */
interface Unit {
  /** `server.artifact` or `server.artifact.tree[i] (path)`. */
  where: string;
  /** Pin path of the unit (`server.artifact`, `server.artifact.tree[i]`). */
  field: string;
  name: string;
  version: string;
  /** Install path relative to the tree dir (`node_modules/x`). */
  dir: string;
  url: string;
  expected: ExpectedTarball;
}

const SEGMENT = /^(?!\.{1,2}$)[^/\\\0]+$/;

/** Checks an install path is `node_modules/...` made of plain segments. */
function checkInstallPath(dir: string, field: string): void {
  const segments = dir.split('/');
  if (segments[0] !== 'node_modules' || segments.length < 2 || !segments.every((s) => SEGMENT.test(s) && !/^[A-Za-z]:/.test(s))) {
    throw new ArtifactError('INVALID_PIN', `${field} is not a plain node_modules/… install path: ${JSON.stringify(dir)}`, { field });
  }
}

/** Whether `value` passes an npm `os`/`cpu`/`libc` list (`!x` entries exclude). */
function passesList(value: string | undefined, list: string[]): boolean {
  if (list.length === 0) return true;
  if (value === undefined) return false;
  if (list.includes(`!${value}`)) return false;
  const positive = list.filter((item) => !item.startsWith('!'));
  return positive.length === 0 || positive.includes(value);
}

/** The C library of the running Node on Linux (from its diagnostic report header). */
function detectLibc(): 'glibc' | 'musl' {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/**
 * The tree entries installed on this platform: optional entries whose `os`/`cpu`/`libc`
 * exclude it are skipped, with everything installed beneath them; non-optional entries
 * are always installed.
 */
export function selectTreeEntries(
  tree: readonly NpmTreeEntry[],
  target: { platform: string; arch: string; libc?: () => string | undefined },
): Array<{ entry: NpmTreeEntry; index: number }> {
  const skipped: string[] = [];
  const selected: Array<{ entry: NpmTreeEntry; index: number }> = [];
  tree.forEach((entry, index) => {
    if (skipped.some((dir) => entry.path.startsWith(`${dir}/`))) return;
    if (entry.optional) {
      const osOk = passesList(target.platform, entry.os ?? []);
      const cpuOk = passesList(target.arch, entry.cpu ?? []);
      let libcOk = true;
      if (entry.libc && entry.libc.length > 0) {
        libcOk = target.platform === 'linux' && passesList(target.libc?.(), entry.libc);
      }
      if (!osOk || !cpuOk || !libcOk) {
        skipped.push(entry.path);
        return;
      }
    }
    selected.push({ entry, index });
  });
  return selected;
}

/** The units (root first) of a pin for a platform. */
function unitsOf(pin: NpmArtifactPin, options: InstallPinnedTreeOptions): Unit[] {
  if (pin.type !== 'npm') throw new ArtifactError('INVALID_PIN', 'server.artifact.type is not npm', { field: 'server.artifact.type' });
  const rootDir = `node_modules/${pin.name}`;
  checkInstallPath(rootDir, 'server.artifact.name');
  const units: Unit[] = [
    {
      where: 'server.artifact',
      field: 'server.artifact',
      name: pin.name,
      version: pin.version,
      dir: rootDir,
      url: pin.tarball_url,
      expected: {
        integrity: pin.integrity,
        ...(pin.tarball_sha256 !== undefined ? { sha256: pin.tarball_sha256 } : {}),
        ...(pin.tarball_size !== undefined ? { size: pin.tarball_size } : {}),
      },
    },
  ];
  let libc: string | undefined = options.libc;
  const target = {
    platform: options.platform ?? process.platform,
    arch: options.arch ?? process.arch,
    libc: () => (libc ??= detectLibc()),
  };
  const seen = new Set([rootDir]);
  for (const { entry, index } of selectTreeEntries(pin.tree ?? [], target)) {
    const field = `server.artifact.tree[${index}]`;
    checkInstallPath(entry.path, `${field}.path`);
    if (seen.has(entry.path)) throw new ArtifactError('INVALID_PIN', `${field}.path ${entry.path} is installed twice`, { field: `${field}.path` });
    seen.add(entry.path);
    units.push({ where: `${field} (${entry.path})`, field, name: entry.name, version: entry.version, dir: entry.path, url: entry.resolved, expected: { integrity: entry.integrity } });
  }
  return units;
}

/** The tree key: SHA-256 of the canonical JSON of the root, the installed entries and the platform. */
function treeKey(pin: NpmArtifactPin, units: Unit[], options: InstallPinnedTreeOptions): string {
  const entries = units
    .slice(1)
    .map((u) => [u.dir, normalizeIntegrity(u.expected.integrity, `${u.field}.integrity`)])
    .sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1));
  const canonical = JSON.stringify([
    'mcptrust-npm-tree/1',
    pin.name,
    normalizeIntegrity(pin.integrity, 'server.artifact.integrity'),
    entries,
    `${options.platform ?? process.platform}-${options.arch ?? process.arch}`,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Gets every unit's tarball from the cache or the network, verified; all or nothing. */
async function obtainTarballs(units: Unit[], options: InstallPinnedTreeOptions): Promise<{ bytes: Buffer[]; downloaded: number }> {
  const bytes: Buffer[] = new Array<Buffer>(units.length);
  let downloaded = 0;
  await eachLimit(
    units.map((_, i) => i),
    8,
    async (i) => {
      const unit = units[i] as Unit;
      options.signal?.throwIfAborted();
      const cached = await readCachedTarball(options.cacheRoot, unit.expected.integrity);
      if (cached) {
        verifyTarball(cached, unit.expected, unit.where);
        bytes[i] = cached;
        return;
      }
      options.onProgress?.(`downloading ${unit.name}@${unit.version}`);
      const response = await options.client.get(unit.url, { headers: options.headersFor?.(unit.url) ?? {} });
      verifyTarball(response.body, unit.expected, unit.where);
      await storeTarball(options.cacheRoot, unit.expected.integrity, response.body);
      downloaded++;
      bytes[i] = response.body;
    },
  );
  return { bytes, downloaded };
}

/** Expected files of the whole tree (tree-relative path → SHA-256), in extraction order. */
async function expectedFiles(units: Unit[], bytes: Buffer[]): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const i of extractionLevels(units).flat()) {
    const unit = units[i] as Unit;
    const files = await scanTarball(bytes[i] as Buffer, `${unit.where} ${unit.name}@${unit.version}`);
    for (const [rel, hash] of files) all.set(`${unit.dir}/${rel}`, hash);
  }
  return all;
}

/**
 * Unit indexes grouped by nesting level (number of `node_modules` segments), outermost
 * first: packages of one level never overlap, so each level can be extracted in parallel,
 * and a package is always extracted before those nested in it.
 */
function extractionLevels(units: Unit[]): number[][] {
  const levels = new Map<number, number[]>();
  units.forEach((unit, i) => {
    const level = unit.dir.split('/').filter((s) => s === 'node_modules').length;
    levels.set(level, [...(levels.get(level) ?? []), i]);
  });
  return [...levels.entries()].sort((a, b) => a[0] - b[0]).map(([, indexes]) => indexes);
}

/** Runs `task` over `items`, at most `limit` at a time; rejects with the first failure once all started tasks settle. */
async function eachLimit<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let failure: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}

/** Checks every installed package.json names the pinned name and version. */
async function checkManifests(treeDir: string, units: Unit[]): Promise<void> {
  for (const unit of units) {
    const file = path.join(treeDir, ...unit.dir.split('/'), 'package.json');
    let manifest: { name?: unknown; version?: unknown };
    try {
      manifest = JSON.parse(await readFile(file, 'utf8')) as { name?: unknown; version?: unknown };
    } catch (error) {
      throw new ArtifactError('INSTALL_MISMATCH', `${unit.where}: ${file} is missing or not JSON: ${(error as Error).message}`, { field: `${unit.field}.name`, cause: error });
    }
    for (const key of ['name', 'version'] as const) {
      if (manifest[key] !== unit[key]) {
        const found = String(manifest[key]);
        throw new ArtifactError(
          'INSTALL_MISMATCH',
          `${unit.field}.${key}: the installed package.json (${file}) says ${JSON.stringify(found)}, the pin says ${JSON.stringify(unit[key])}`,
          { field: `${unit.field}.${key}`, expected: unit[key], found },
        );
      }
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Renames a tree aside (`.corrupt-<random>`) and removes it; an already-moved tree is fine. */
async function quarantine(treeDir: string): Promise<void> {
  const aside = `${treeDir}.corrupt-${randomSuffix()}`;
  try {
    await rename(treeDir, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ArtifactError('INSTALL_FAILED', `cannot move the damaged tree ${treeDir} aside: ${(error as Error).message}`, { cause: error });
  }
  await rm(aside, { recursive: true, force: true });
}

/** Leftovers older than this (temporary builds of a crashed run, trees moved aside) are removed. */
const STALE_MS = 60 * 60 * 1000;

/** Removes stale `.tmp-*` and `*.corrupt-*` entries of the trees directory (best effort). */
async function removeStale(treesDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(treesDir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith('.tmp-') && !name.includes('.corrupt-')) continue;
    const full = path.join(treesDir, name);
    try {
      if (now - (await stat(full)).mtimeMs > STALE_MS) await rm(full, { recursive: true, force: true });
    } catch {
      // Another run removed it first.
    }
  }
}

/** Re-verifies an existing tree: every file equal to the tarballs', nothing extra, manifests right. */
async function verifyExistingTree(treeDir: string, units: Unit[], expected: Map<string, string>): Promise<string | undefined> {
  const problem = await compareInstalledTree(treeDir, expected);
  if (problem !== undefined) return problem;
  try {
    await checkManifests(treeDir, units);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/**
 * Installs (or reuses) the pinned tree: root and every tree entry applicable to the
 * platform, verified against the pin before any extraction, extracted without scripts or
 * bin links, checked (root name and version), and re-verified on every reuse — a tree that
 * differs from its tarballs is moved aside and installed afresh (reported via onProgress).
 * Throws `INTEGRITY_MISMATCH`, `INSTALL_FAILED`, `INSTALL_MISMATCH`, `INVALID_PIN` or a
 * download error.
 */
export async function installPinnedTree(pin: NpmArtifactPin, options: InstallPinnedTreeOptions): Promise<InstalledTree> {
  const units = unitsOf(pin, options);
  const key = treeKey(pin, units, options);
  const treesDir = path.join(options.cacheRoot, 'npm', 'trees');
  const treeDir = path.join(treesDir, key);
  const packageDir = path.join(treeDir, ...`node_modules/${pin.name}`.split('/'));
  const progress = options.onProgress ?? (() => undefined);

  const { bytes, downloaded } = await obtainTarballs(units, options);
  const expected = await expectedFiles(units, bytes);
  options.signal?.throwIfAborted();

  if (await exists(treeDir)) {
    const problem = await verifyExistingTree(treeDir, units, expected);
    if (problem === undefined) return { packageDir, treeDir, reused: true, downloaded };
    progress(`the installed tree ${treeDir} differs from the pinned tarballs (${problem}); reinstalling`);
    await quarantine(treeDir);
  }

  await ensurePrivateDir(treesDir);
  await removeStale(treesDir);
  const temp = path.join(treesDir, `.tmp-${key.slice(0, 16)}-${randomSuffix()}`);
  try {
    await ensurePrivateDir(temp);
    for (const level of extractionLevels(units)) {
      await eachLimit(level, 8, async (i) => {
        options.signal?.throwIfAborted();
        const unit = units[i] as Unit;
        await extractTarball(bytes[i] as Buffer, path.join(temp, ...unit.dir.split('/')), `${unit.where} ${unit.name}@${unit.version}`);
      });
    }
    await checkManifests(temp, units);
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(temp, treeDir);
        progress(`installed ${pin.name}@${pin.version} (${units.length} packages) into ${treeDir}`);
        return { packageDir, treeDir, reused: false, downloaded };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM' && code !== 'EACCES') throw error;
        // Another run put the tree in place first: use it if it verifies.
        const problem = await verifyExistingTree(treeDir, units, expected);
        if (problem === undefined) return { packageDir, treeDir, reused: true, downloaded };
        if (attempt >= 2) throw new ArtifactError('INSTALL_FAILED', `cannot put the tree in place at ${treeDir}: ${problem}`, { cause: error });
        progress(`the tree another run installed at ${treeDir} differs from the pinned tarballs (${problem}); replacing it`);
        await quarantine(treeDir);
      }
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
