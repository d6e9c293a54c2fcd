/**
 * The whole dependency tree of a pinned npm package, as npm itself resolves it: npm is
 * run with `install --package-lock-only --ignore-scripts` in a fresh private temp dir
 * (nothing is installed, no script runs), and every package of the resulting
 * package-lock.json is checked to be a registry package with an HTTPS tarball URL and a
 * SHA-512 integrity. Anything that cannot be pinned that way (links, git, files,
 * aliases, plain http, sha1 only) is refused, naming the lock path and value.
 */
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import npa from 'npm-package-arg';
import type { NpmTreeEntry } from '../artifact.types.js';
import { ArtifactError } from '../errors.js';
import { sha512Of } from './tarball-digest.js';

/** Options of `resolveDependencyTree`. */
export interface ResolveTreeOptions {
  /** The pinned package. */
  name: string;
  version: string;
  /** Its pinned `sha512-…` integrity (the lock's root entry must have it). */
  integrity: string;
  /** Registry URL passed to npm (`--registry`). */
  registry: string;
  /** npm's environment (user config, cache, CA certificates, proxies...). */
  env: NodeJS.ProcessEnv;
  /** npm to run (a path to `npm-cli.js` runs with this Node); default: the npm next to this Node, else `npm` on PATH. */
  npmCommand?: string;
  /** Deadline of the npm run (default 180 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 180_000;
const OUTPUT_CAP = 64 * 1024;

/** How to run npm: the executable and the arguments before npm's own. */
export function locateNpm(npmCommand?: string): { command: string; prefix: string[] } {
  const runJs = (path: string): { command: string; prefix: string[] } => ({ command: process.execPath, prefix: [path] });
  if (npmCommand !== undefined) return /\.[cm]?js$/.test(npmCommand) ? runJs(npmCommand) : { command: npmCommand, prefix: [] };
  const dir = dirname(process.execPath);
  for (const candidate of [join(dir, 'node_modules', 'npm', 'bin', 'npm-cli.js'), join(dir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')]) {
    if (existsSync(candidate)) return runJs(candidate);
  }
  const next = join(dir, 'npm');
  if (existsSync(next)) {
    const real = realpathSync(next);
    return /\.[cm]?js$/.test(real) ? runJs(real) : { command: real, prefix: [] };
  }
  return { command: 'npm', prefix: [] };
}

/** Removes credentials from npm output before it is shown. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = {}): string {
  let out = text
    .replace(/(\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1***@')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 ***')
    .replace(/(_authToken|_auth|_password|token|password)(["']?\s*[=:]\s*["']?)[^\s"',]+/gi, '$1$2***')
    .replace(/\bnpm_[A-Za-z0-9]{20,}\b/g, '***');
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.length >= 8 && /token|secret|passw|auth|key|credential/i.test(name)) out = out.split(value).join('***');
  }
  return out;
}

/**
 * npm settings (in `npm_config_*` form, any case) that could change what the resolution
 * does: the flags it is run with (scripts off, lockfile only, registry URLs kept), and
 * anything that would install elsewhere, link, or skip writing the lockfile.
 */
const OVERRIDDEN_SETTINGS = new Set([
  'ignore_scripts',
  'package_lock',
  'package_lock_only',
  'lockfile_version',
  'omit_lockfile_registry_resolved',
  'registry',
  'dry_run',
  'global',
  'location',
  'prefix',
  'workspace',
  'workspaces',
  'include_workspace_root',
  'install_links',
  'install_strategy',
  'global_style',
  'legacy_bundling',
  'audit',
  'fund',
  'update_notifier',
]);

/** The environment npm runs with: the given one minus the settings the resolution fixes itself. */
export function npmEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    const match = /^npm_config_(.+)$/i.exec(key);
    if (match !== null && OVERRIDDEN_SETTINGS.has(match[1]!.toLowerCase().replace(/-/g, '_'))) continue;
    out[key] = value;
  }
  return out;
}

/** Runs npm, output captured (never inherited); resolves with the exit status and output tails. */
function runNpm(args: string[], cwd: string, options: ResolveTreeOptions): Promise<{ code: number | null; stderr: string; stdout: string; timedOut: boolean }> {
  const { command, prefix } = locateNpm(options.npmCommand);
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], { cwd, env: npmEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const keep = (buffer: string, chunk: Buffer): string => (buffer + chunk.toString('utf8')).slice(-OUTPUT_CAP);
    child.stdout.on('data', (chunk: Buffer) => (stdout = keep(stdout, chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = keep(stderr, chunk)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') reject(new ArtifactError('TOOL_MISSING', `npm is needed to resolve the dependency tree and was not found (${command})`, { cause: error }));
      else reject(new ArtifactError('TREE_UNPINNABLE', `cannot run npm (${command}): ${error.message}`, { cause: error }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout, timedOut });
    });
  });
}

/** Tail of npm's output for an error message, secrets removed. */
function tail(text: string, env: NodeJS.ProcessEnv): string {
  const lines = redactSecrets(text, env).trim().split('\n');
  return lines.slice(-15).join('\n');
}

/**
 * Resolves the dependency tree of `name@version` with npm (lockfile only, no scripts).
 *
 * @returns every package of the tree except the root package, sorted by path
 * @throws ArtifactError `TOOL_MISSING` (no npm), `TREE_UNPINNABLE` (npm failed or timed
 *   out, with its stderr tail; the lock's root is not the pinned version/integrity; an
 *   entry that cannot be pinned, naming its path and value)
 */
export async function resolveDependencyTree(options: ResolveTreeOptions): Promise<NpmTreeEntry[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mcptrust-tree-'));
  try {
    await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'mcptrust-pin-tree', version: '0.0.0', private: true })}\n`, { mode: 0o600 });
    const args = [
      'install',
      `${options.name}@${options.version}`,
      '--package-lock-only',
      '--package-lock=true',
      '--lockfile-version=3',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
      '--omit-lockfile-registry-resolved=false',
      '--registry',
      options.registry,
    ];
    const result = await runNpm(args, dir, options);
    if (result.timedOut) {
      throw new ArtifactError('TREE_UNPINNABLE', `npm did not resolve the dependency tree of ${options.name}@${options.version} within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`);
    }
    if (result.code !== 0) {
      throw new ArtifactError(
        'TREE_UNPINNABLE',
        `npm could not resolve the dependency tree of ${options.name}@${options.version} (exit ${String(result.code)}):\n${tail(result.stderr || result.stdout, options.env)}`,
      );
    }
    let lock: unknown;
    try {
      lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8'));
    } catch (error) {
      throw new ArtifactError('TREE_UNPINNABLE', `npm wrote no readable package-lock.json for ${options.name}@${options.version}`, { cause: error });
    }
    return treeFromLock(lock, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The package name a lock path installs (`node_modules/a/node_modules/@s/b` → `@s/b`). */
function nameOfPath(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  return at < 0 ? path : path.slice(at + 'node_modules/'.length);
}

/**
 * Whether a URL has the shape registries give a package's tarballs:
 * `…/<name>/-/<file>.tgz` (npmjs, Verdaccio, Nexus, Artifactory; the name possibly
 * `%2f`-encoded) or GitHub Packages' `…/download/<name>/<version>/…`. A remote tarball
 * dependency (`https://host/x.tgz`) does not have it.
 */
export function isRegistryTarballUrl(url: string, name: string, version: string): boolean {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return false;
  }
  if (path.includes(`/${name}/-/`) && path.endsWith('.tgz')) return true;
  return path.includes(`/download/${name}/${version}/`);
}

const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

/**
 * Refuses dependency specs that are not registry versions, ranges or tags (git, tarball
 * URLs, files, directories, aliases), naming `where` (a manifest or lock path).
 *
 * @throws ArtifactError `TREE_UNPINNABLE` naming the dependency, its spec and its type
 */
export function checkDependencySpecs(manifest: Record<string, unknown>, where: string): void {
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest[field];
    if (deps === null || typeof deps !== 'object') continue;
    for (const [dep, spec] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof spec !== 'string') continue;
      let type: string;
      try {
        type = npa.resolve(dep, spec, '/').type as string;
      } catch {
        type = 'invalid';
      }
      if (type !== 'version' && type !== 'range' && type !== 'tag') {
        throw new ArtifactError('TREE_UNPINNABLE', `${where} ${field}.${dep} is ${JSON.stringify(spec)}, a ${type} spec: only registry versions, ranges and tags can be pinned`, {
          field: `${field}.${dep}`,
        });
      }
    }
  }
}

const stringArray = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...(value as string[])] : undefined;

/**
 * Turns a package-lock.json (v2/v3 `packages`) into tree entries, checking the root.
 *
 * @throws ArtifactError `TREE_UNPINNABLE` naming the lock path and value concerned
 */
export function treeFromLock(lock: unknown, pin: Pick<ResolveTreeOptions, 'name' | 'version' | 'integrity'>): NpmTreeEntry[] {
  const packages = (lock as { packages?: unknown } | null)?.packages;
  if (packages === null || typeof packages !== 'object' || Array.isArray(packages)) {
    throw new ArtifactError('TREE_UNPINNABLE', 'package-lock.json has no "packages" (lockfile v2 or later is needed)');
  }
  const rootPath = `node_modules/${pin.name}`;
  const root = (packages as Record<string, Record<string, unknown> | undefined>)[rootPath];
  if (root === undefined || root === null || typeof root !== 'object') {
    throw new ArtifactError('TREE_UNPINNABLE', `package-lock.json has no ${rootPath} entry`);
  }
  if (root.version !== pin.version) {
    throw new ArtifactError('TREE_UNPINNABLE', `package-lock.json ${rootPath} is version ${String(root.version)}, not the pinned ${pin.version}`, {
      field: `packages["${rootPath}"].version`,
      expected: pin.version,
      found: String(root.version),
    });
  }
  const rootIntegrity = sha512Of(typeof root.integrity === 'string' ? root.integrity : undefined);
  if (rootIntegrity !== sha512Of(pin.integrity) || rootIntegrity === undefined) {
    throw new ArtifactError('TREE_UNPINNABLE', `package-lock.json ${rootPath} has integrity ${String(root.integrity)}, not the pinned ${pin.integrity}`, {
      field: `packages["${rootPath}"].integrity`,
      expected: pin.integrity,
      found: String(root.integrity),
    });
  }
  checkDependencySpecs(root, `package-lock.json ${rootPath}`);
  const entries: NpmTreeEntry[] = [];
  for (const [path, raw] of Object.entries(packages as Record<string, unknown>)) {
    if (path === '' || path === rootPath) continue;
    const entry = raw as Record<string, unknown>;
    if (entry === null || typeof entry !== 'object') throw new ArtifactError('TREE_UNPINNABLE', `package-lock.json ${path} is not an object`);
    if (entry.inBundle === true) continue;
    checkDependencySpecs(entry, `package-lock.json ${path}`);
    const refuse = (what: string): never => {
      throw new ArtifactError('TREE_UNPINNABLE', `dependency ${path} cannot be pinned: ${what}`, { field: `packages["${path}"]` });
    };
    if (entry.link === true) refuse(`it is a link to ${JSON.stringify(entry.resolved)}`);
    const pathName = nameOfPath(path);
    const name = typeof entry.name === 'string' ? entry.name : pathName;
    if (name !== pathName) refuse(`it is an alias of ${name} (installed as ${pathName})`);
    const resolved = entry.resolved;
    if (typeof resolved !== 'string' || resolved === '') refuse('it has no resolved URL');
    const url = resolved as string;
    if (/^git\+|^git:|^github:/i.test(url)) refuse(`it comes from git (${url})`);
    if (/^file:/i.test(url)) refuse(`it comes from a local file or directory (${url})`);
    if (!url.startsWith('https://')) refuse(`its resolved URL ${JSON.stringify(url)} is not https`);
    if (typeof entry.version !== 'string' || entry.version === '') refuse('it has no version');
    if (!isRegistryTarballUrl(url, name, entry.version as string)) refuse(`its resolved URL ${JSON.stringify(url)} is not a registry tarball URL of ${name}`);
    const integrity = sha512Of(typeof entry.integrity === 'string' ? entry.integrity : undefined);
    if (integrity === undefined) refuse(`it has no sha512 integrity (${JSON.stringify(entry.integrity ?? null)})`);
    const out: NpmTreeEntry = { path, name, version: entry.version as string, resolved: url, integrity: integrity! };
    if (entry.optional === true) out.optional = true;
    const os = stringArray(entry.os);
    const cpu = stringArray(entry.cpu);
    const libc = stringArray(entry.libc);
    if (os !== undefined) out.os = os;
    if (cpu !== undefined) out.cpu = cpu;
    if (libc !== undefined) out.libc = libc;
    entries.push(out);
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
