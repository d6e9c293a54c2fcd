#!/usr/bin/env node
// @ts-check
// Keeps source files small enough to read: no file in a package's or an app's `src`, or
// among the fixture servers, is longer than MAX_LINES. A file that grows past it is a
// sign that it holds more than one responsibility (split it; docs/ARCHITECTURE.md says
// where things go). Run by test/file-size.test.ts, so `pnpm test` enforces it.
//
// Usage: node tooling/scripts/check-file-size.mjs [--root DIR]
//   Long files go to stderr as `path: N lines (limit 400)`; exit 1 if there is any, else
//   exit 0 with a one-line summary on stdout. Exit 2 on bad usage.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The longest a checked file may be, in lines. */
export const MAX_LINES = 400;

/** Folders checked (relative to the root; `*` is one level of folders). */
export const CHECKED = ['packages/*/src', 'apps/*/src', 'tooling/servers'];

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** @param {string} dir @returns {string[]} */
function filesUnder(dir) {
  /** @type {string[]} */
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** @param {string} root @param {string} pattern @returns {string[]} */
function folders(root, pattern) {
  const [first, star, ...rest] = pattern.split('/');
  if (star !== '*') {
    const dir = join(root, pattern);
    return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? [dir] : [];
  }
  const parent = join(root, /** @type {string} */ (first));
  if (!statSync(parent, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(parent, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(parent, e.name, ...rest))
    .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory());
}

/**
 * Every checked file longer than {@link MAX_LINES} lines, with its line count.
 * @param {string} root the repository
 * @returns {{ file: string, lines: number }[]} paths relative to root, sorted
 */
export function findLongFiles(root) {
  /** @type {{ file: string, lines: number }[]} */
  const long = [];
  for (const pattern of CHECKED) {
    for (const dir of folders(root, pattern)) {
      for (const path of filesUnder(dir)) {
        const text = readFileSync(path, 'utf8');
        const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
        if (lines > MAX_LINES) long.push({ file: relative(root, path), lines });
      }
    }
  }
  return long.sort((a, b) => a.file.localeCompare(b.file));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let root = fileURLToPath(new URL('../..', import.meta.url));
  if (args[0] === '--root' && args[1] !== undefined && args.length === 2) root = args[1];
  else if (args.length > 0) {
    process.stderr.write('usage: check-file-size.mjs [--root DIR]\n');
    process.exit(2);
  }
  const long = findLongFiles(root);
  for (const { file, lines } of long) process.stderr.write(`${file}: ${lines} lines (limit ${MAX_LINES})\n`);
  if (long.length > 0) process.exit(1);
  process.stdout.write(`check-file-size: every file within ${MAX_LINES} lines (${CHECKED.join(', ')})\n`);
}
