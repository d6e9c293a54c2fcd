/**
 * The artifact cache: `$XDG_CACHE_HOME/mcptrust` (or `~/.cache/mcptrust`). Tarballs are
 * stored by content (`npm/tarballs/<sha512 hex>.tgz`) and re-hashed on every read, so a
 * file changed on disk is never used. Directories are created 0700, files 0600, and every
 * write is atomic (temporary file in the same directory, then rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ArtifactError } from '../errors.js';
import { digestsEqual, sha512FromIntegrity } from './verify-bytes.js';

/**
 * Root of the artifact cache: `$XDG_CACHE_HOME/mcptrust` when that variable is an absolute
 * path (the XDG spec ignores relative values), else `<home>/.cache/mcptrust`.
 */
export function artifactCacheRoot(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'mcptrust');
  if (!home || !path.isAbsolute(home)) {
    throw new ArtifactError('INSTALL_FAILED', `cannot place the artifact cache: XDG_CACHE_HOME is unset and the home directory ${JSON.stringify(home)} is not absolute`);
  }
  return path.join(home, '.cache', 'mcptrust');
}

/** Directory of the content-addressed tarballs. */
export function tarballCacheDir(root: string): string {
  return path.join(root, 'npm', 'tarballs');
}

/** Path of the cached tarball for an integrity (`npm/tarballs/<sha512 hex>.tgz`). */
export function cachedTarballPath(root: string, integrity: string): string {
  return path.join(tarballCacheDir(root), `${sha512FromIntegrity(integrity, 'integrity').toString('hex')}.tgz`);
}

/** Creates `dir` (and its parents) with mode 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** A random suffix for temporary and quarantined names. */
export function randomSuffix(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Reads the cached tarball of `integrity`, re-hashing it: returns the bytes only when their
 * SHA-512 equals the integrity. A cached file that no longer matches is removed and the
 * read reports a miss (`undefined`), as does an absent file.
 */
export async function readCachedTarball(root: string, integrity: string): Promise<Buffer | undefined> {
  const expected = sha512FromIntegrity(integrity, 'integrity');
  const file = cachedTarballPath(root, integrity);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ArtifactError('INSTALL_FAILED', `cannot read the cached tarball ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (digestsEqual(createHash('sha512').update(bytes).digest(), expected)) return bytes;
  await rm(file, { force: true });
  return undefined;
}

/**
 * Stores tarball bytes under their integrity, atomically (random temporary name in the
 * same directory, mode 0600, then rename). The caller has verified the bytes; they are
 * checked again here so the store can never hold a file under the wrong name.
 */
export async function storeTarball(root: string, integrity: string, bytes: Uint8Array): Promise<string> {
  const expected = sha512FromIntegrity(integrity, 'integrity');
  if (!digestsEqual(createHash('sha512').update(bytes).digest(), expected)) {
    throw new ArtifactError('INTEGRITY_MISMATCH', `refusing to cache bytes that do not match ${integrity}`);
  }
  const dir = tarballCacheDir(root);
  await ensurePrivateDir(dir);
  const file = cachedTarballPath(root, integrity);
  const temp = path.join(dir, `.tmp-${randomSuffix()}`);
  try {
    await writeFile(temp, bytes, { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new ArtifactError('INSTALL_FAILED', `cannot write the cached tarball ${file}: ${(error as Error).message}`, { cause: error });
  }
  return file;
}
