/**
 * Pins the npm package an `npx`/`npm exec`/`pnpm dlx` command runs: resolves the spec to
 * one exact version on the configured registry, downloads the tarball (HTTPS only,
 * through the guarded client), checks its bytes against the registry's SHA-512
 * integrity, chooses the bin the launcher would run, and records the whole dependency
 * tree as npm resolves it.
 */
import type { NpmArtifactPin } from '../artifact.types.js';
import { ArtifactError } from '../errors.js';
import type { GuardedClient } from '../net/guarded-client.types.js';
import { checkDependencySpecs, resolveDependencyTree } from './dependency-tree.js';
import type { NpmLaunch } from './launch-command.js';
import type { NpmConfig } from './npm-config.js';
import { fetchPackument, pickVersion } from './registry.js';
import type { Manifest, Packument } from './registry.js';
import { digestTarball, sha512Of } from './tarball-digest.js';

/** Options of `pinNpmPackage`. */
export interface PinNpmOptions {
  /** The HTTPS client every download goes through. */
  client: GuardedClient;
  /** Registry and credentials. */
  config: NpmConfig;
  /** Environment of the npm run that resolves the dependency tree. */
  env: NodeJS.ProcessEnv;
  /** Project directory (kept for callers; the tree is resolved in a private temp dir). */
  cwd?: string;
  /** Resolve and record the dependency tree (default true). */
  tree?: boolean;
  /** npm to run for the tree (see `resolveDependencyTree`). */
  npmCommand?: string;
  /** Deadline of the tree resolution (ms). */
  treeTimeoutMs?: number;
}

/** What pinning produced: the pin, and the metadata and bytes it was made from. */
export interface PinNpmResult {
  pin: NpmArtifactPin;
  manifest: Manifest;
  packument: Packument;
  tarball: Uint8Array;
}

/** The unscoped part of a package name. */
function unscoped(name: string): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}

/**
 * The bin the launcher runs, and whether the pin must record it (only when it is not the
 * one `run` chooses by itself: the bin named like the package, else the only bin).
 *
 * @throws ArtifactError `BIN_INVALID` (no bin, the asked bin missing, several without a choice)
 */
export function chooseBin(manifest: Pick<Manifest, 'name' | 'version' | 'bin'>, launchBin: string | undefined): { bin: string; record: boolean } {
  const id = `${manifest.name}@${manifest.version}`;
  const own = unscoped(manifest.name);
  const bins: Record<string, string> =
    typeof manifest.bin === 'string' ? { [own]: manifest.bin } : manifest.bin !== null && typeof manifest.bin === 'object' ? { ...manifest.bin } : {};
  const names = Object.keys(bins).filter((k) => typeof bins[k] === 'string' && bins[k] !== '').sort();
  if (names.length === 0) throw new ArtifactError('BIN_INVALID', `${id} has no bin: there is nothing for the launcher to run`, { field: 'bin' });
  if (launchBin !== undefined) {
    if (!names.includes(launchBin)) {
      throw new ArtifactError('BIN_INVALID', `${id} has no bin ${JSON.stringify(launchBin)} (it has ${names.join(', ')})`, { field: 'bin' });
    }
  }
  const fallback = names.includes(own) ? own : names.length === 1 ? names[0] : undefined;
  if (launchBin !== undefined) return { bin: launchBin, record: launchBin !== fallback };
  if (fallback !== undefined) return { bin: fallback, record: false };
  throw new ArtifactError('BIN_INVALID', `${id} has several bins (${names.join(', ')}) and none is named ${own}: choose one with --package ${manifest.name} <bin>`, {
    field: 'bin',
  });
}

/**
 * Pins the package of an npm launch command.
 *
 * @throws ArtifactError `RESOLVE_FAILED` (no such package/version, no sha512 integrity),
 *   `INSECURE_URL` (tarball URL not https), `DOWNLOAD_FAILED`, `INTEGRITY_MISMATCH`
 *   (field `dist.integrity`), `BIN_INVALID`, `TREE_UNPINNABLE`, `TOOL_MISSING`
 */
export async function pinNpmPackage(launch: NpmLaunch, options: PinNpmOptions): Promise<PinNpmResult> {
  const { client, config } = options;
  const registry = config.registryFor(launch.name);
  const packument = await fetchPackument(client, registry, launch.name, config.authHeadersFor(registry));
  const manifest = pickVersion(packument, launch.fetchSpec, launch.name);
  const id = `${launch.name}@${manifest.version}`;

  const expected = sha512Of(manifest.dist.integrity);
  if (expected === undefined) {
    throw new ArtifactError('RESOLVE_FAILED', `${id} has no sha512 integrity in the registry metadata (only ${manifest.dist.integrity ?? (manifest.dist.shasum ? 'a sha1 shasum' : 'nothing')}); it cannot be pinned`);
  }
  const tarballUrl = manifest.dist.tarball;
  let parsed: URL;
  try {
    parsed = new URL(tarballUrl);
  } catch {
    throw new ArtifactError('RESOLVE_FAILED', `${id} has a dist.tarball that is not a URL: ${JSON.stringify(tarballUrl)}`);
  }
  if (parsed.protocol !== 'https:') {
    throw new ArtifactError('INSECURE_URL', `${id} dist.tarball ${tarballUrl} is not https`, { field: 'dist.tarball' });
  }

  const { bin, record } = chooseBin({ name: launch.name, version: manifest.version, bin: manifest.bin }, launch.bin);

  const response = await client.get(tarballUrl, { headers: config.authHeadersFor(tarballUrl) });
  const tarball = new Uint8Array(response.body.buffer, response.body.byteOffset, response.body.byteLength);
  const digest = digestTarball(tarball);
  if (digest.integrity !== expected) {
    throw new ArtifactError('INTEGRITY_MISMATCH', `${id}: the tarball downloaded from ${tarballUrl} has integrity ${digest.integrity}, the registry lists ${expected}`, {
      field: 'dist.integrity',
      expected,
      found: digest.integrity,
    });
  }

  const pin: NpmArtifactPin = {
    type: 'npm',
    name: launch.name,
    version: manifest.version,
    registry: registry.replace(/\/+$/, ''),
    integrity: digest.integrity,
    tarball_url: tarballUrl,
    tarball_sha256: digest.sha256,
    tarball_size: digest.size,
  };
  if (record) pin.bin = bin;
  pin.argv = [...launch.args];
  if (options.tree !== false) {
    checkDependencySpecs(manifest, id);
    pin.tree = await resolveDependencyTree({
      name: launch.name,
      version: manifest.version,
      integrity: digest.integrity,
      registry,
      env: options.env,
      ...(options.npmCommand === undefined ? {} : { npmCommand: options.npmCommand }),
      ...(options.treeTimeoutMs === undefined ? {} : { timeoutMs: options.treeTimeoutMs }),
    });
  }
  return { pin, manifest, packument, tarball };
}
