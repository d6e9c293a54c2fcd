// @ts-check
// Builds THIRD_PARTY_NOTICES for the CLI bundle. The bundle inlines third-party code,
// so the package must carry the licence of each package it contains: esbuild's
// metafile says which source files went in, the package.json above each file names
// the package and its version, and the LICENSE/NOTICE files next to that package.json
// are copied in full. (esbuild's `legalComments` only keeps the `/*!`/`@license`
// comments found inside the code, which most packages do not have.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * One bundled package.
 * @typedef {object} BundledPackage
 * @property {string} name
 * @property {string} version
 * @property {string} license the package.json `license` field (or `UNKNOWN`)
 * @property {string} [repository] where its source lives, when package.json says
 * @property {Array<{ file: string, text: string }>} texts LICENSE / NOTICE files, in name order
 *   (or the text made from the SPDX template when the package ships none)
 */

const LICENSE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

// A few packages publish no licence file. For the licences below the text can be
// reproduced from the SPDX template and the package's author; any other licence
// without a file stops the build, so that someone looks at it.
/** @type {Record<string, (holder: string) => string>} */
const TEMPLATES = {
  ISC: (holder) =>
    [
      `Copyright (c) ${holder}`,
      '',
      'Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted, provided that the above copyright notice and this permission notice appear in all copies.',
      '',
      'THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.',
    ].join('\n'),
  'Apache-2.0': (holder) =>
    [
      `Copyright ${holder}`,
      '',
      'Licensed under the Apache License, Version 2.0; the full text of the licence is in',
      'LICENSE, next to this file (the same licence as MCPTrust itself).',
    ].join('\n'),
};

/**
 * @param {unknown} author package.json `author`
 * @param {string} name package name, when no author is given
 */
function holderOf(author, name) {
  if (typeof author === 'string' && author.trim() !== '') return author.replace(/\s*[<(].*$/, '').trim();
  if (typeof author === 'object' && author !== null && typeof (/** @type {{ name?: unknown }} */ (author).name) === 'string') {
    return /** @type {{ name: string }} */ (author).name;
  }
  return `the authors of ${name}`;
}
const NODE_MODULES = `${sep}node_modules${sep}`;

/**
 * The package folder that holds `file`: the nearest folder above it whose package.json
 * has a name (nested package.json files such as `dist/esm/package.json` often hold only
 * `{"type":"module"}`).
 * @param {string} file absolute path of a bundled source file
 * @returns {{ dir: string, manifest: Record<string, any> } | undefined}
 */
function packageOf(file) {
  let dir = dirname(file);
  while (dir.includes(NODE_MODULES)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const manifest = JSON.parse(readFileSync(path, 'utf8'));
      if (typeof manifest.name === 'string' && typeof manifest.version === 'string') return { dir, manifest };
    }
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * @param {unknown} repository package.json `repository`
 * @returns {string | undefined}
 */
function repositoryUrl(repository) {
  const url = typeof repository === 'string' ? repository : typeof repository === 'object' && repository !== null ? /** @type {{ url?: unknown }} */ (repository).url : undefined;
  if (typeof url !== 'string' || url === '') return undefined;
  return url.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^git:\/\//, 'https://').replace(/^github:/, 'https://github.com/');
}

/**
 * @param {unknown} license package.json `license` (or the old `licenses` list)
 * @returns {string}
 */
function licenseName(license) {
  if (typeof license === 'string') return license;
  if (Array.isArray(license)) return license.map((l) => (typeof l?.type === 'string' ? l.type : '?')).join(' OR ');
  if (typeof license === 'object' && license !== null && typeof (/** @type {{ type?: unknown }} */ (license).type) === 'string') {
    return /** @type {{ type: string }} */ (license).type;
  }
  return 'UNKNOWN';
}

/**
 * Every third-party package whose files are in the bundles described by `metafiles`.
 * Workspace packages (this repository's own code) are not listed: they are under the
 * CLI's own licence.
 * @param {Array<{ inputs: Record<string, unknown> }>} metafiles esbuild metafiles
 * @param {string} workingDir the `absWorkingDir` the builds ran with (input paths are relative to it)
 * @returns {BundledPackage[]} sorted by name, then version
 */
export function bundledPackages(metafiles, workingDir) {
  /** @type {Map<string, BundledPackage>} */
  const found = new Map();
  for (const metafile of metafiles) {
    for (const input of Object.keys(metafile.inputs)) {
      // Virtual modules (a plugin's namespace, stdin) are written as `ns:path`.
      if (/^[a-z-]+:/i.test(input) && !input.startsWith('file:')) continue;
      const file = resolve(workingDir, input);
      if (!file.includes(NODE_MODULES)) continue;
      const pkg = packageOf(file);
      if (pkg === undefined) throw new Error(`third-party notices: no package.json with a name and version above ${file}`);
      const key = `${pkg.manifest.name}@${pkg.manifest.version}`;
      if (found.has(key)) continue;
      const texts = readdirSync(pkg.dir)
        .filter((name) => LICENSE_FILE.test(name))
        .sort()
        .map((name) => ({ file: name, text: readFileSync(join(pkg.dir, name), 'utf8').trimEnd() }));
      const license = licenseName(pkg.manifest.license ?? pkg.manifest.licenses);
      if (texts.length === 0) {
        const template = TEMPLATES[license];
        if (template === undefined) throw new Error(`third-party notices: ${key} ships no licence file and its licence (${license}) has no template here; add its text by hand`);
        texts.push({ file: `${license} (from package.json; the package ships no licence file)`, text: template(holderOf(pkg.manifest.author, pkg.manifest.name)) });
      }
      const repository = repositoryUrl(pkg.manifest.repository);
      found.set(key, {
        name: pkg.manifest.name,
        version: pkg.manifest.version,
        license,
        ...(repository === undefined ? {} : { repository }),
        texts,
      });
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/**
 * The text of THIRD_PARTY_NOTICES.
 * @param {string} product the name of the package that ships the bundle
 * @param {readonly BundledPackage[]} packages
 * @returns {string}
 */
export function renderNotices(product, packages) {
  const rule = '='.repeat(78);
  const lines = [
    'THIRD-PARTY SOFTWARE NOTICES',
    '',
    `The ${product} bundle (the .js and .cjs files next to this one) contains code from`,
    `the ${packages.length} third-party packages listed below, each under its own licence,`,
    'reproduced in full after its name. The rest of the bundle is MCPTrust\'s own code,',
    'under the Apache License 2.0 (LICENSE).',
    '',
    ...packages.map((p) => `  ${p.name} ${p.version} (${p.license})`),
    '',
  ];
  for (const p of packages) {
    lines.push(rule, `${p.name} ${p.version}`, `License: ${p.license}`);
    if (p.repository !== undefined) lines.push(`Source: ${p.repository}`);
    lines.push(rule, '');
    for (const t of p.texts) {
      if (p.texts.length > 1 || !LICENSE_FILE.test(t.file)) lines.push(`--- ${t.file} ---`, '');
      lines.push(t.text, '');
    }
  }
  return `${lines.join('\n')}\n`;
}
