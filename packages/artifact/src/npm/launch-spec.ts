/**
 * How a pinned, installed npm package is started: its bin file run directly by the Node
 * running mcptrust (`process.execPath`) — no shell, no `.bin` shim, no PATH lookup — with
 * an environment stripped of what could inject code or redirect module resolution.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { ArtifactError } from '../errors.js';
import type { NpmArtifactPin } from '../artifact.types.js';

/** Options of `npmLaunchSpec`. */
export interface NpmLaunchOptions {
  /** Bin to run (a key of the package's `bin` map); overrides `pin.bin`. */
  bin?: string;
  /** Server arguments; default `pin.argv` (else none). */
  args?: string[];
  /** Environment to start from (default `process.env`); it is copied, never modified. */
  env?: NodeJS.ProcessEnv;
  /** Keep `NODE_OPTIONS`, `NODE_PATH` and `npm_config_*` (default: removed). */
  keepEnv?: boolean;
}

/** What to spawn (with `shell: false`). */
export interface NpmLaunchSpec {
  /** `process.execPath`. */
  command: string;
  /** `[absolute bin file, ...server arguments]`. */
  args: string[];
  /** The child's environment. */
  env: NodeJS.ProcessEnv;
  /** The bin chosen. */
  binName: string;
  /** Absolute real path of the bin file (inside the package directory). */
  binPath: string;
}

/** The package name without its scope (`@scope/x` → `x`). */
function unscoped(name: string): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}

/**
 * Removes the variables that change what the child runs: `NODE_OPTIONS` (can `--require`
 * or `--import` arbitrary code), `NODE_PATH` (lets modules missing from the pinned tree
 * resolve from elsewhere) and every `npm_config_*` (matched case-insensitively, as are the
 * other names, since Windows environments are case-insensitive).
 */
export function stripLaunchEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    const lower = key.toLowerCase();
    if (lower === 'node_options' || lower === 'node_path' || lower.startsWith('npm_config_')) continue;
    out[key] = value;
  }
  return out;
}

/** Chooses the bin entry: `[name, relative path]`. */
function chooseBin(bin: unknown, pin: NpmArtifactPin, requested: string | undefined, manifestPath: string): [string, string] {
  const name = unscoped(pin.name);
  if (typeof bin === 'string') {
    if (requested !== undefined && requested !== name) {
      throw new ArtifactError('BIN_INVALID', `${pin.name}@${pin.version} has one bin, ${JSON.stringify(name)}; there is no bin ${JSON.stringify(requested)}`, { field: 'server.artifact.bin' });
    }
    return [name, bin];
  }
  if (bin === null || typeof bin !== 'object' || Array.isArray(bin)) {
    throw new ArtifactError('BIN_INVALID', `${pin.name}@${pin.version} has no bin in ${manifestPath}: nothing to run`, { field: 'server.artifact.bin' });
  }
  const entries = Object.entries(bin as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
  if (entries.length === 0) {
    throw new ArtifactError('BIN_INVALID', `${pin.name}@${pin.version} has no bin in ${manifestPath}: nothing to run`, { field: 'server.artifact.bin' });
  }
  const keys = entries.map(([k]) => k);
  const wanted = requested ?? pin.bin;
  if (wanted !== undefined) {
    const hit = entries.find(([k]) => k === wanted);
    if (!hit) {
      throw new ArtifactError('BIN_INVALID', `${pin.name}@${pin.version} has no bin ${JSON.stringify(wanted)}; its bins are ${keys.join(', ')}`, { field: 'server.artifact.bin' });
    }
    return hit;
  }
  const same = entries.find(([k]) => k === name);
  if (same) return same;
  if (entries.length === 1) return entries[0] as [string, string];
  throw new ArtifactError('BIN_INVALID', `${pin.name}@${pin.version} has several bins (${keys.join(', ')}); choose one with --bin`, { field: 'server.artifact.bin' });
}

/**
 * The command that starts a pinned package installed in `packageDir`: the bin chosen from
 * its package.json (`options.bin`, else `pin.bin`, else the bin named like the package,
 * else the only one), resolved with realpath and required to stay inside the package
 * directory, run by `process.execPath`. Throws `BIN_INVALID` (no bin, several without a
 * choice, an unknown choice, a bin leaving the package, a missing bin file).
 */
export function npmLaunchSpec(pin: NpmArtifactPin, packageDir: string, options: NpmLaunchOptions = {}): NpmLaunchSpec {
  const manifestPath = path.join(packageDir, 'package.json');
  let manifest: { bin?: unknown };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: unknown };
  } catch (error) {
    throw new ArtifactError('BIN_INVALID', `cannot read ${manifestPath}: ${(error as Error).message}`, { cause: error });
  }
  const [binName, binRel] = chooseBin(manifest.bin, pin, options.bin, manifestPath);
  let realDir: string;
  let binPath: string;
  try {
    realDir = realpathSync(packageDir);
  } catch (error) {
    throw new ArtifactError('BIN_INVALID', `the package directory ${packageDir} cannot be resolved: ${(error as Error).message}`, { cause: error });
  }
  const candidate = path.resolve(realDir, binRel);
  const escapes = (p: string): boolean => {
    const rel = path.relative(realDir, p);
    return rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  };
  if (path.isAbsolute(binRel) || escapes(candidate)) {
    throw new ArtifactError('BIN_INVALID', `bin ${JSON.stringify(binName)} of ${pin.name}@${pin.version} points outside the package (${JSON.stringify(binRel)}); refused`, { field: 'server.artifact.bin' });
  }
  try {
    binPath = realpathSync(candidate);
  } catch (error) {
    throw new ArtifactError('BIN_INVALID', `bin ${JSON.stringify(binName)} of ${pin.name}@${pin.version} does not exist (${candidate})`, { field: 'server.artifact.bin', cause: error });
  }
  if (escapes(binPath)) {
    throw new ArtifactError('BIN_INVALID', `bin ${JSON.stringify(binName)} of ${pin.name}@${pin.version} resolves outside the package (${binPath}); refused`, { field: 'server.artifact.bin' });
  }
  if (!statSync(binPath).isFile()) {
    throw new ArtifactError('BIN_INVALID', `bin ${JSON.stringify(binName)} of ${pin.name}@${pin.version} is not a file (${binPath})`, { field: 'server.artifact.bin' });
  }
  const base = options.env ?? process.env;
  const env = options.keepEnv ? { ...base } : stripLaunchEnv(base);
  return { command: process.execPath, args: [binPath, ...(options.args ?? pin.argv ?? [])], env, binName, binPath };
}
