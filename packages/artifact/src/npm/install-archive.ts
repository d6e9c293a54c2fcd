/**
 * Reading, extracting and re-checking npm package tarballs (tar@7). Only regular files and
 * directories are accepted: a hard or symbolic link, a device, an absolute path, a `..`
 * segment or any other non-canonical path makes the whole package refused, so nothing can
 * be written outside its package directory.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Parser, Unpack, type ReadEntry } from 'tar';
import { ArtifactError } from '../errors.js';

/** Regular-file entry types. */
const FILE_TYPES = new Set<string>(['File', 'OldFile', 'ContiguousFile']);

/** The files of a package tarball: path inside the package (first component stripped) → SHA-256 hex. */
export type ArchiveFiles = Map<string, string>;

/**
 * The path an entry extracts to with `strip: 1`, or `undefined` for the top-level
 * directory itself. Returns an error text for anything that is not a plain relative path.
 */
function strippedPath(raw: string): { rel?: string; error?: string } {
  if (raw.includes('\\')) return { error: 'contains a backslash' };
  if (raw.includes('\0')) return { error: 'contains a NUL byte' };
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) return { error: 'is absolute' };
  const segments = raw.replace(/\/+$/, '').split('/');
  if (segments.some((s) => s === '..')) return { error: "contains '..'" };
  if (segments.some((s) => s === '' || s === '.')) return { error: 'is not a canonical path' };
  const rest = segments.slice(1);
  if (rest.length === 0) return {};
  if (/^[A-Za-z]:/.test(rest[0] ?? '')) return { error: 'is absolute' };
  return { rel: rest.join('/') };
}

/** Runs a tar@7 parser (or unpacker) over `bytes`, resolving when it closes. */
function runParser(parser: Parser, bytes: Uint8Array): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('close', () => resolve());
    try {
      parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      reject(error);
    }
  });
}

/**
 * Lists the files of a package tarball with their SHA-256, refusing (`INSTALL_FAILED`
 * naming `label` and the entry) links, devices and unsafe paths, and a path that is both a
 * file and a directory.
 */
export async function scanTarball(bytes: Uint8Array, label: string): Promise<ArchiveFiles> {
  const files: ArchiveFiles = new Map();
  const dirs = new Set<string>();
  let refusal: string | undefined;
  const refuse = (text: string): void => {
    refusal ??= text;
  };
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const { rel, error } = strippedPath(entry.path);
      if (entry.type === 'Link' || entry.type === 'SymbolicLink') {
        const kind = entry.type === 'Link' ? 'hard link' : 'symbolic link';
        refuse(`${label}: tarball entry ${JSON.stringify(entry.path)} is a ${kind} (to ${JSON.stringify(entry.linkpath ?? '')}); links are refused`);
      } else if (error !== undefined) {
        refuse(`${label}: tarball entry ${JSON.stringify(entry.path)} ${error}; refused`);
      } else if (entry.type === 'Directory') {
        if (rel !== undefined) dirs.add(rel);
      } else if (!FILE_TYPES.has(entry.type)) {
        refuse(`${label}: tarball entry ${JSON.stringify(entry.path)} is a ${entry.type}; only files and directories are accepted`);
      } else if (rel !== undefined) {
        const hash = createHash('sha256');
        entry.on('data', (chunk: Buffer) => hash.update(chunk));
        entry.on('end', () => files.set(rel, hash.digest('hex')));
        return;
      }
      entry.resume();
    },
  });
  try {
    await runParser(parser, bytes);
  } catch (error) {
    throw new ArtifactError('INSTALL_FAILED', `${label}: the tarball cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (refusal !== undefined) throw new ArtifactError('INSTALL_FAILED', refusal);
  for (const file of files.keys()) {
    if (dirs.has(file)) refuse(`${label}: tarball path ${JSON.stringify(file)} is both a file and a directory; refused`);
    for (let i = file.indexOf('/'); i !== -1; i = file.indexOf('/', i + 1)) {
      if (files.has(file.slice(0, i))) refuse(`${label}: tarball path ${JSON.stringify(file.slice(0, i))} is both a file and a directory; refused`);
    }
  }
  if (refusal !== undefined) throw new ArtifactError('INSTALL_FAILED', refusal);
  return files;
}

/**
 * Extracts a package tarball (already verified and scanned) into `dest` with tar@7
 * (`strip: 1`, strict, owner not preserved). Links and special files are filtered out
 * again here; file modes become 0644, or 0755 when any execute bit is set.
 */
export async function extractTarball(bytes: Uint8Array, dest: string, label: string): Promise<void> {
  await mkdir(dest, { recursive: true, mode: 0o755 });
  const unpack = new Unpack({
    cwd: dest,
    strip: 1,
    strict: true,
    preserveOwner: false,
    preservePaths: false,
    noMtime: true,
    filter: (_p: string, entry: unknown) => {
      const e = entry as ReadEntry;
      if (e.type === 'Directory') {
        e.mode = 0o755;
        return true;
      }
      if (!FILE_TYPES.has(e.type)) return false;
      e.mode = (e.mode ?? 0) & 0o111 ? 0o755 : 0o644;
      return true;
    },
  });
  try {
    await runParser(unpack, bytes);
  } catch (error) {
    throw new ArtifactError('INSTALL_FAILED', `${label}: extracting the tarball into ${dest} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** SHA-256 hex of a file on disk. */
async function hashFile(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/**
 * Compares an installed tree with what its tarballs hold. `expected` maps paths relative
 * to `treeDir` (`node_modules/a/index.js`) to SHA-256 hex. Returns the first difference
 * (a changed, missing or extra file, or anything that is not a file or directory), or
 * `undefined` when the tree is exactly the tarballs' files.
 */
export async function compareInstalledTree(treeDir: string, expected: ReadonlyMap<string, string>): Promise<string | undefined> {
  const seen = new Set<string>();
  const pendingFiles: string[] = [];
  const walk = async (rel: string): Promise<string | undefined> => {
    const abs = rel === '' ? treeDir : path.join(treeDir, ...rel.split('/'));
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (error) {
      return `cannot read ${abs}: ${(error as Error).message}`;
    }
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        const problem = await walk(childRel);
        if (problem !== undefined) return problem;
      } else if (entry.isFile()) {
        if (!expected.has(childRel)) return `extra file ${childRel}`;
        pendingFiles.push(childRel);
      } else {
        return `${childRel} is not a regular file or directory`;
      }
    }
    return undefined;
  };
  const walkProblem = await walk('');
  if (walkProblem !== undefined) return walkProblem;
  const BATCH = 32;
  for (let i = 0; i < pendingFiles.length; i += BATCH) {
    const batch = pendingFiles.slice(i, i + BATCH);
    const results = await Promise.all(
      batch.map(async (rel) => {
        const abs = path.join(treeDir, ...rel.split('/'));
        try {
          const info = await lstat(abs);
          if (!info.isFile()) return `${rel} is not a regular file`;
          return (await hashFile(abs)) === expected.get(rel) ? undefined : `changed file ${rel}`;
        } catch (error) {
          return `cannot read ${rel}: ${(error as Error).message}`;
        }
      }),
    );
    const problem = results.find((r) => r !== undefined);
    if (problem !== undefined) return problem;
    for (const rel of batch) seen.add(rel);
  }
  for (const rel of expected.keys()) {
    if (!seen.has(rel)) return `missing file ${rel}`;
  }
  return undefined;
}
