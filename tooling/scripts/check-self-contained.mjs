#!/usr/bin/env node
// @ts-check
// Keeps the repository self-contained: a fresh clone with nothing beside it must build
// and pass its tests. Every test vector, fixture and script input lives inside the
// repository; nothing may read a sibling folder of the checkout.
//
// Reads the text files under packages/, apps/, tooling/, bench/ and .ci/ (not
// node_modules, dist or other build output) and reports:
//   * a relative path (`../x`, `'../..'`) that, resolved from the folder of the file
//     that names it, lands outside the repository root;
//   * a run of path segments (`join(here, '..', '..', 'x')`) that does the same;
//   * an absolute path into the folder that holds the checkout (a sibling of it).
// Relative paths are resolved from the file's own folder, which is what
// `new URL(path, import.meta.url)` and `resolve(dirname(file), path)` do; a path meant
// relative to another folder that escapes from there is not seen (this is a guard,
// not a proof). A line that names such a path on purpose (a path inside a synthetic
// repository that a test writes to a temporary folder) says so with the marker
// `check-self-contained: allow` on that line or the line above it.
//
// Usage: node tooling/scripts/check-self-contained.mjs [--root DIR]
//   Violations go to stderr as `path:line: message`; exit 1 if there is any, else 0.

import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** Top-level folders whose files must not reach outside the repository. */
export const CHECKED_FOLDERS = Object.freeze(['packages', 'apps', 'tooling', 'bench', '.ci']);

/**
 * One reference to a path outside the repository.
 * @typedef {object} OutsideReference
 * @property {string} file path relative to the repository root, with `/` separators
 * @property {number} line 1-based line number
 * @property {string} reference the text as written
 * @property {string} message what is wrong
 */

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.turbo', '.git']);
const TEXT_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '.yaml', '.yml', '.sh', '.md', '']);
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const ALLOW_MARKER = 'check-self-contained: allow';
// `..` starting a path: not preceded by a character that would make it part of a longer
// word or path (`a..b`, `x/..`, `${dir}/..` are not paths starting here).
const RELATIVE_PATH = /(?<![\w.\/$}-])\.\.(?:\/[^\s'"`)\]},;|*<>]*)?(?=$|[\s'"`)\]},;|*<>])/g;
// '..', '..', 'next' as arguments of join()/resolve().
const SEGMENT_RUN = /(?:(['"])\.\.\1\s*,\s*)*(['"])\.\.\2(?:\s*,\s*(['"])([^'"\n]*)\3)?/g;

/**
 * @param {string} parent
 * @param {string} child
 */
function isInside(parent, child) {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Text files under the checked folders, sorted.
 * @param {string} root
 * @returns {string[]}
 */
function checkedFiles(root) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        // dist.build-* / dist.old-* are the CLI build's temporary folders.
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('dist.')) walk(path);
      } else if (entry.isFile() && TEXT_EXTENSIONS.has(extname(entry.name))) {
        files.push(path);
      }
    }
  };
  for (const folder of CHECKED_FOLDERS) {
    const dir = join(root, folder);
    if (existsSync(dir)) walk(dir);
  }
  return files.sort();
}

/**
 * Every reference to a path outside the repository at `rootDir` (empty when none).
 * @param {string} rootDir
 * @returns {OutsideReference[]}
 */
export function findOutsideReferences(rootDir) {
  const root = resolve(rootDir);
  // The folder holding the checkout, as it would appear in an absolute path. Computed,
  // so that no machine's path is written down anywhere.
  const parent = `${dirname(root)}${sep}`;
  const own = `${root}${sep}`;
  /** @type {OutsideReference[]} */
  const found = [];
  for (const path of checkedFiles(root)) {
    const buffer = readFileSync(path);
    if (buffer.length > MAX_FILE_BYTES || buffer.includes(0)) continue;
    const text = buffer.toString('utf8');
    const file = relative(root, path).split(sep).join('/');
    const here = dirname(path);
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      if (line.includes(ALLOW_MARKER) || (lines[index - 1] ?? '').includes(ALLOW_MARKER)) return;
      /** @param {string} reference @param {string} message */
      const report = (reference, message) => found.push({ file, line: index + 1, reference, message });
      for (const match of line.matchAll(RELATIVE_PATH)) {
        const target = resolve(here, match[0]);
        if (!isInside(root, target)) report(match[0], `"${match[0]}" resolves outside the repository`);
      }
      for (const match of line.matchAll(SEGMENT_RUN)) {
        const ups = (match[0].match(/(['"])\.\.\1/g) ?? []).length;
        const next = match[4] ?? '';
        const target = resolve(here, ...Array(ups).fill('..'), next);
        if (!isInside(root, target)) report(match[0], `the path segments ${match[0]} resolve outside the repository`);
      }
      let at = line.indexOf(parent);
      while (at !== -1) {
        if (!line.startsWith(own, at) && line.slice(at) !== root) {
          report(line.slice(at).split(/[\s'"`]/)[0] ?? parent, 'an absolute path next to the repository');
        }
        at = line.indexOf(parent, at + parent.length);
      }
    });
  }
  return found;
}

/**
 * Command-line entry point.
 * @param {string[]} args
 * @returns {number} the exit code
 */
function main(args) {
  let root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  if (args[0] === '--root' && args[1] !== undefined) root = resolve(args[1]);
  else if (args.length > 0) {
    process.stderr.write('usage: check-self-contained.mjs [--root DIR]\n');
    return 2;
  }
  const found = findOutsideReferences(root);
  for (const ref of found) process.stderr.write(`${ref.file}:${ref.line}: ${ref.message}\n`);
  if (found.length > 0) {
    process.stderr.write(`check-self-contained: ${found.length} reference${found.length === 1 ? '' : 's'} outside ${basename(root)}\n`);
    return 1;
  }
  process.stdout.write('check-self-contained: every path stays inside the repository\n');
  return 0;
}

/** Whether this module is the script node was started with (not an import). */
function isEntryPoint() {
  const invokedAs = process.argv[1];
  if (invokedAs === undefined) return false;
  try {
    return realpathSync(resolve(invokedAs)) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = main(process.argv.slice(2));
