#!/usr/bin/env node
// @ts-check
// Keeps the release path true: every published package's package.json carries what npm
// needs, every third-party action is pinned by commit SHA, and the release workflow
// publishes with provenance without interpolating expressions into its scripts. Run by
// test/release-readiness.test.ts, so `pnpm test` enforces it; the release workflow and
// scripts/release-dry-run.sh run it too.
//
// Usage: node tooling/scripts/release-checks.mjs [--root DIR]
//          problems go to stderr, one a line; exit 1 if there is any, else 0
//        node tooling/scripts/release-checks.mjs --list [--root DIR]
//          prints `name@version<TAB>folder` for every package that is published
//        node tooling/scripts/release-checks.mjs --packed DIR
//          checks an unpacked tarball (the folder holding its package.json)
// Exit 2 on bad usage.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node versions every package supports (the root package.json says the same). */
export const ENGINES_NODE = '^20.19.0 || >=22.12.0';
export const LICENSE = 'Apache-2.0';

const NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const GIT_URL = /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/;
// npm puts these in every tarball, whatever `files` says.
const ALWAYS_PACKED = /^(package\.json|readme(\.[^/]*)?|license(\.[^/]*)?|licence(\.[^/]*)?)$/i;
const DEPENDENCY_SECTIONS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/** @typedef {Record<string, any>} Manifest */

/** @param {string} path */
const readJson = (path) => /** @type {Manifest} */ (JSON.parse(readFileSync(path, 'utf8')));

/**
 * The workspace packages, from the `packages:` list of pnpm-workspace.yaml (`dir` or `dir/*`).
 * @param {string} root
 * @returns {{ dir: string, manifest: Manifest }[]} dir relative to root, with `/`
 */
export function workspacePackages(root) {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\s*\n((?:[ \t]+-.*\n?)+)/m.exec(yaml)?.[1] ?? '';
  const patterns = [...block.matchAll(/-\s*['"]?([^'"\s#]+)/g)].map((m) => /** @type {string} */ (m[1]));
  /** @type {string[]} */
  const dirs = [];
  for (const pattern of patterns) {
    if (!pattern.endsWith('/*')) dirs.push(pattern);
    else {
      const parent = pattern.slice(0, -2);
      if (!statSync(join(root, parent), { throwIfNoEntry: false })?.isDirectory()) continue;
      for (const e of readdirSync(join(root, parent), { withFileTypes: true })) if (e.isDirectory()) dirs.push(`${parent}/${e.name}`);
    }
  }
  return dirs
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .sort()
    .map((dir) => ({ dir, manifest: readJson(join(root, dir, 'package.json')) }));
}

/** The packages that are published (not `private`). @param {string} root */
export const publishedPackages = (root) => workspacePackages(root).filter((p) => p.manifest.private !== true);

/**
 * Every file path a manifest points to: `exports` targets, `types`/`typings`, `main`,
 * `module` and `bin`, as written (`./dist/index.js`).
 * @param {Manifest} manifest
 * @returns {{ field: string, path: string }[]}
 */
export function entryTargets(manifest) {
  /** @type {{ field: string, path: string }[]} */
  const out = [];
  /** @param {unknown} value @param {string} field */
  const walk = (value, field) => {
    if (typeof value === 'string') out.push({ field, path: value });
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${field}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${field}[${JSON.stringify(k)}]`);
  };
  walk(manifest.exports, 'exports');
  for (const field of ['types', 'typings', 'main', 'module']) walk(manifest[field], field);
  walk(manifest.bin, 'bin');
  return out;
}

/** @param {string} glob */
function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = /** @type {string} */ (glob[i]);
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(/.*)?$`);
}

/**
 * Whether npm packs `target` (a path relative to the package, `./` or not) given the
 * package's `files` list: a listed file, a file under a listed folder, or a glob match;
 * a later `!pattern` excludes. A `*` in an exports pattern stands for any file name.
 * @param {string} target
 * @param {unknown} files
 */
export function coveredByFiles(target, files) {
  const path = posix.normalize(target.replace(/\*/g, 'x')).replace(/^\.\//, '');
  if (path.startsWith('../') || path === '..' || posix.isAbsolute(path)) return false;
  if (ALWAYS_PACKED.test(path)) return true;
  if (!Array.isArray(files)) return false;
  let included = false;
  for (const entry of files) {
    if (typeof entry !== 'string') continue;
    const negated = entry.startsWith('!');
    const pattern = posix.normalize((negated ? entry.slice(1) : entry).replace(/^\.\//, '')).replace(/\/$/, '');
    if (globToRegExp(pattern).test(path)) included = !negated;
  }
  return included;
}

/**
 * What npm needs from a published package's package.json.
 * @param {Manifest} manifest
 * @param {string} dir the package folder relative to the repository root, with `/`
 * @returns {string[]} problems, each naming the field
 */
export function checkManifest(manifest, dir) {
  /** @type {string[]} */
  const problems = [];
  const bad = (/** @type {string} */ message) => problems.push(`${dir}/package.json: ${message}`);
  if (typeof manifest.name !== 'string' || !NAME.test(manifest.name)) bad('name: missing or not a valid npm package name');
  if (typeof manifest.version !== 'string' || !SEMVER.test(manifest.version)) bad('version: missing or not semver');
  if (typeof manifest.description !== 'string' || manifest.description.trim() === '') bad('description: missing');
  if (manifest.license !== LICENSE) bad(`license: must be "${LICENSE}"`);
  const repo = manifest.repository;
  if (!repo || typeof repo !== 'object') bad('repository: missing (an object with type, url and directory)');
  else {
    if (repo.type !== 'git') bad('repository.type: must be "git"');
    if (typeof repo.url !== 'string' || !GIT_URL.test(repo.url)) bad('repository.url: must be git+https://github.com/OWNER/REPO.git');
    if (repo.directory !== dir) bad(`repository.directory: must be "${dir}"`);
  }
  if (manifest.engines?.node !== ENGINES_NODE) bad(`engines.node: must be "${ENGINES_NODE}"`);
  const files = manifest.files;
  if (!Array.isArray(files) || files.length === 0 || !files.every((f) => typeof f === 'string')) bad('files: missing (a list of what is published)');
  if (manifest.publishConfig?.access !== 'public') bad('publishConfig.access: must be "public"');
  if (manifest.publishConfig?.provenance !== true) bad('publishConfig.provenance: must be true');
  const exp = manifest.exports;
  if (!exp || typeof exp !== 'object' || Array.isArray(exp)) bad('exports: missing (an object of subpaths)');
  else {
    for (const [subpath, target] of Object.entries(exp)) {
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        const keys = Object.keys(target);
        if (keys[0] !== 'types') bad(`exports["${subpath}"]: "types" must be its first condition`);
      }
    }
    const isLibrary = manifest.bin === undefined;
    if (isLibrary) {
      const main = exp['.'];
      if (!main || typeof main !== 'object' || typeof main.types !== 'string') bad('exports["."]: missing, or without a "types" condition');
      if (typeof manifest.types !== 'string') bad('types: missing');
      else if (main && typeof main === 'object' && main.types !== manifest.types) bad('types: differs from exports["."].types');
    }
  }
  if (manifest.bin !== undefined && !(typeof manifest.bin === 'string' || (typeof manifest.bin === 'object' && Object.keys(manifest.bin).length > 0))) bad('bin: empty');
  for (const { field, path } of entryTargets(manifest)) {
    if (!path.startsWith('./')) bad(`${field}: "${path}" must start with ./`);
    if (!coveredByFiles(path, files)) bad(`${field}: "${path}" is not inside "files", so it would not be published`);
  }
  return problems;
}

/**
 * Repository-wide rules between packages: one repository URL, and no published package
 * depends on a private workspace package (npm could not install it).
 * @param {{ dir: string, manifest: Manifest }[]} packages every workspace package
 * @returns {string[]}
 */
export function checkAcrossPackages(packages) {
  /** @type {string[]} */
  const problems = [];
  const published = packages.filter((p) => p.manifest.private !== true);
  const urls = new Set(published.map((p) => p.manifest.repository?.url));
  if (urls.size > 1) problems.push(`repository.url differs between published packages: ${[...urls].join(', ')}`);
  const privateNames = new Set(packages.filter((p) => p.manifest.private === true).map((p) => p.manifest.name));
  for (const { dir, manifest } of published) {
    for (const section of DEPENDENCY_SECTIONS) {
      for (const name of Object.keys(manifest[section] ?? {})) {
        if (privateNames.has(name)) problems.push(`${dir}/package.json: ${section}: "${name}" is private and never published`);
      }
    }
  }
  return problems;
}

/**
 * Every `uses:` that is not a local path must be `owner/repo[/path]@<40-hex SHA>` with a
 * `# vX.Y.Z` comment (Docker images: `docker://…@sha256:<digest>`).
 * @param {string} text a workflow or action.yml
 * @returns {{ line: number, message: string }[]}
 */
export function checkUsesPins(text) {
  /** @type {{ line: number, message: string }[]} */
  const problems = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const code = raw.replace(/(^|\s)#.*$/, '');
    if (!/(^|[\s{,-])uses\s*:/.test(code)) return;
    const m = /^\s*(?:-\s+)?uses\s*:\s*(['"]?)([^'"\s#]+)\1\s*(?:#\s*(.*))?$/.exec(raw);
    if (!m) return void problems.push({ line, message: `a "uses:" this check cannot read: ${raw.trim()}` });
    const ref = /** @type {string} */ (m[2]);
    const comment = (m[3] ?? '').trim();
    if (ref.startsWith('./')) return;
    if (ref.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(ref)) problems.push({ line, message: `${ref}: a Docker image must be pinned by @sha256 digest` });
      return;
    }
    if (!/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/.test(ref)) problems.push({ line, message: `${ref}: must be pinned to a full 40-hex commit SHA` });
    else if (!/^v\d+\.\d+\.\d+\b/.test(comment)) problems.push({ line, message: `${ref}: needs a "# vX.Y.Z" comment naming the version of that SHA` });
  });
  return problems;
}

/**
 * Every `${{ … }}` expression inside a `run:` script (inline or block scalar).
 * @param {string} text
 * @returns {{ line: number, expression: string }[]}
 */
export function runExpressions(text) {
  const lines = text.split('\n');
  /** @type {{ line: number, expression: string }[]} */
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*(?:-\s+)?)run\s*:(.*)$/.exec(/** @type {string} */ (lines[i]));
    if (!m) continue;
    const keyColumn = /** @type {string} */ (m[1]).length;
    /** @type {[number, string][]} */
    const body = [[i + 1, /** @type {string} */ (m[2])]];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const next = /** @type {string} */ (lines[j]);
      if (next.trim() !== '' && next.length - next.trimStart().length <= keyColumn) break;
      body.push([j + 1, next]);
    }
    for (const [line, content] of body) for (const e of content.matchAll(/\$\{\{(.*?)\}\}/g)) found.push({ line, expression: /** @type {string} */ (e[1]).trim() });
    i = j - 1;
  }
  return found;
}

/** Expressions whose value an outsider can choose (event payloads, branch names, inputs). */
export const isUntrusted = (/** @type {string} */ expression) => /\bgithub\.event\b|\bgithub\.head_ref\b|\binputs\./.test(expression);

/**
 * The release workflow: least privilege by default, `id-token: write` for provenance,
 * provenance on, the action's dist compared with the rebuilt one, and no expression
 * interpolated into a script (values reach scripts through `env:`).
 * @param {string} text
 * @returns {string[]}
 */
export function checkReleaseWorkflow(text) {
  /** @type {string[]} */
  const problems = [];
  const top = /^permissions:(.*)\n((?:[ \t]+.*\n?)*)/m.exec(text);
  if (!top) problems.push('release.yml: no top-level "permissions:" (jobs would get the default token scope)');
  else if (/write/.test(`${top[1]}\n${top[2]}`)) problems.push('release.yml: top-level "permissions:" grants write; grant it per job');
  if (!/^\s*id-token\s*:\s*write\b/m.test(text)) problems.push('release.yml: no job has "id-token: write", which npm provenance needs');
  if (!/NPM_CONFIG_PROVENANCE\s*:\s*['"]?true\b/i.test(text) && !/--provenance\b/.test(text)) problems.push('release.yml: does not publish with provenance (NPM_CONFIG_PROVENANCE: true or --provenance)');
  if (!text.includes('git diff --exit-code -- apps/action/dist')) problems.push('release.yml: does not compare the committed apps/action/dist with the rebuilt one');
  for (const { line, expression } of runExpressions(text)) {
    problems.push(`release.yml:${line}: "\${{ ${expression} }}" is interpolated into a run: script${isUntrusted(expression) ? ' (untrusted input)' : ''}; pass it through env:`);
  }
  return problems;
}

/** Workflows and action definitions whose `uses:` are checked. @param {string} root */
export function actionFiles(root) {
  /** @type {string[]} */
  const out = [];
  const yml = (/** @type {string} */ name) => /\.ya?ml$/.test(name);
  const wf = join(root, '.github', 'workflows');
  if (existsSync(wf)) for (const f of readdirSync(wf)) if (yml(f)) out.push(join(wf, f));
  /** @param {string} dir */
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/^action\.ya?ml$/.test(e.name)) out.push(join(dir, e.name));
    }
  };
  walk(join(root, '.github', 'actions'));
  for (const { dir } of workspacePackages(root)) for (const f of ['action.yml', 'action.yaml']) if (existsSync(join(root, dir, f))) out.push(join(root, dir, f));
  return out.sort();
}

/** @param {string} root @param {string} path */
const rel = (root, path) => relative(root, path).split(sep).join('/');

/**
 * Every check above, on a repository.
 * @param {string} root
 * @returns {string[]}
 */
export function checkRepository(root) {
  const packages = workspacePackages(root);
  const problems = packages.filter((p) => p.manifest.private !== true).flatMap((p) => checkManifest(p.manifest, p.dir));
  problems.push(...checkAcrossPackages(packages));
  for (const file of actionFiles(root)) {
    const text = readFileSync(file, 'utf8');
    for (const p of checkUsesPins(text)) problems.push(`${rel(root, file)}:${p.line}: ${p.message}`);
    for (const e of runExpressions(text)) {
      if (isUntrusted(e.expression)) problems.push(`${rel(root, file)}:${e.line}: "\${{ ${e.expression} }}" puts untrusted input into a run: script; pass it through env:`);
    }
  }
  const release = join(root, '.github', 'workflows', 'release.yml');
  if (!existsSync(release)) problems.push('.github/workflows/release.yml: missing');
  else problems.push(...checkReleaseWorkflow(readFileSync(release, 'utf8')));
  return [...new Set(problems)];
}

/**
 * A package as packed (the folder a tarball unpacks to): no `workspace:` specifier is
 * left, and every file the manifest points to is in it.
 * @param {string} dir
 * @returns {string[]}
 */
export function checkPackedPackage(dir) {
  const manifest = readJson(join(dir, 'package.json'));
  const name = `${manifest.name}@${manifest.version}`;
  /** @type {string[]} */
  const problems = [];
  for (const section of [...DEPENDENCY_SECTIONS, 'devDependencies']) {
    for (const [dep, spec] of Object.entries(manifest[section] ?? {})) {
      if (String(spec).startsWith('workspace:')) problems.push(`${name}: ${section}.${dep} is still "${spec}"`);
    }
  }
  for (const { field, path } of entryTargets(manifest)) {
    if (path.includes('*')) {
      const folder = join(dir, posix.dirname(path));
      if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) problems.push(`${name}: ${field} "${path}": no such folder in the tarball`);
    } else if (!statSync(join(dir, path), { throwIfNoEntry: false })?.isFile()) problems.push(`${name}: ${field} "${path}" is not in the tarball`);
  }
  if (manifest.publishConfig?.provenance !== true) problems.push(`${name}: publishConfig.provenance is not true in the packed manifest`);
  return problems;
}

function main() {
  const args = process.argv.slice(2);
  let root = fileURLToPath(new URL('../..', import.meta.url));
  let mode = 'check';
  /** @type {string | undefined} */
  let packed;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--root' && args[i + 1]) root = /** @type {string} */ (args[++i]);
    else if (a === '--list') mode = 'list';
    else if (a === '--packed' && args[i + 1]) [mode, packed] = ['packed', args[++i]];
    else {
      process.stderr.write('usage: release-checks.mjs [--root DIR] [--list] | --packed DIR\n');
      process.exit(2);
    }
  }
  if (mode === 'list') {
    for (const { dir, manifest } of publishedPackages(root)) process.stdout.write(`${manifest.name}@${manifest.version}\t${dir}\n`);
    return;
  }
  const problems = mode === 'packed' ? checkPackedPackage(/** @type {string} */ (packed)) : checkRepository(root);
  for (const p of problems) process.stderr.write(`${p}\n`);
  if (problems.length > 0) process.exit(1);
  process.stdout.write(mode === 'packed' ? `release-checks: ${packed} is complete\n` : `release-checks: ${publishedPackages(root).length} published packages ready, every action pinned\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
