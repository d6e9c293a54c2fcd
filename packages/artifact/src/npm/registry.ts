/**
 * npm registry metadata: the full packument of a package (through the guarded client)
 * and the one exact version a version, range or dist-tag resolves to (npm's own
 * `npm-pick-manifest`, so the choice is the one `npx` makes).
 */
import pickManifestUntyped from 'npm-pick-manifest';
import { ArtifactError } from '../errors.js';
import type { GuardedClient } from '../net/guarded-client.types.js';

/** `dist` of a version manifest. */
export interface ManifestDist {
  tarball: string;
  integrity?: string;
  shasum?: string;
  signatures?: Array<{ keyid: string; sig: string }>;
  attestations?: { url: string; provenance?: { predicateType?: string } };
  [key: string]: unknown;
}

/** One version of a packument (its package.json plus `dist`). */
export interface Manifest {
  name: string;
  version: string;
  bin?: string | Record<string, string>;
  dist: ManifestDist;
  [key: string]: unknown;
}

/** A package document as the registry serves it (full JSON). */
export interface Packument {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, Manifest>;
  time?: Record<string, string>;
  [key: string]: unknown;
}

type PickManifest = (packument: unknown, wanted: string, opts?: Record<string, unknown>) => Manifest;
// A static import, so that bundlers (the CLI is one file) carry it.
const pickManifest = pickManifestUntyped as PickManifest;

/** Largest packument accepted (some popular packages have tens of MiB of metadata). */
export const MAX_PACKUMENT_BYTES = 64 * 1024 * 1024;

/** The registry URL of a package document (`@scope%2fname` for scoped names). */
export function packumentUrl(registry: string, name: string): string {
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  return `${base}${name.startsWith('@') ? name.replace('/', '%2f') : encodeURIComponent(name)}`;
}

/**
 * Fetches the full packument of a package.
 *
 * @param headers - request headers (the registry's `authorization`, if any)
 * @throws ArtifactError `RESOLVE_FAILED` when the registry has no such package (naming
 *   package and registry), refuses access, or answers something that is not a
 *   packument; the client's errors for network, TLS, address and size failures
 */
export async function fetchPackument(client: GuardedClient, registry: string, name: string, headers: Record<string, string>): Promise<Packument> {
  const url = packumentUrl(registry, name);
  const response = await client.request(url, {
    headers: { accept: 'application/json', ...headers },
    maxBytes: MAX_PACKUMENT_BYTES,
  });
  if (response.status === 404) {
    throw new ArtifactError('RESOLVE_FAILED', `package ${name} not found on registry ${registry}`);
  }
  if (response.status === 401 || response.status === 403) {
    throw new ArtifactError('RESOLVE_FAILED', `registry ${registry} refused access to package ${name} (HTTP ${response.status}): check the registry credentials in .npmrc`);
  }
  if (response.status !== 200) {
    throw new ArtifactError('RESOLVE_FAILED', `registry ${registry} answered HTTP ${response.status} for package ${name} (${url})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    throw new ArtifactError('RESOLVE_FAILED', `registry ${registry} answered something that is not JSON for package ${name} (${url})`, { cause: error });
  }
  const record = doc as Partial<Packument> | null;
  if (record === null || typeof record !== 'object' || Array.isArray(record) || typeof record.versions !== 'object' || record.versions === null) {
    throw new ArtifactError('RESOLVE_FAILED', `registry ${registry} answered a document without versions for package ${name} (${url})`);
  }
  if (record.name !== undefined && record.name !== name) {
    throw new ArtifactError('RESOLVE_FAILED', `registry ${registry} answered the packument of ${String(record.name)} when asked for ${name} (${url})`);
  }
  return { ...record, name, 'dist-tags': record['dist-tags'] ?? {}, versions: record.versions } as Packument;
}

/**
 * Resolves a version, range or dist-tag to one exact version, as npm does.
 *
 * @throws ArtifactError `RESOLVE_FAILED` naming package and spec when nothing matches,
 *   or the chosen version has no tarball URL
 */
export function pickVersion(packument: Packument, fetchSpec: string, name: string): Manifest {
  let manifest: Manifest;
  try {
    manifest = pickManifest(packument, fetchSpec);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOVERSIONS' ? 'the package has no versions' : 'no version matches';
    throw new ArtifactError('RESOLVE_FAILED', `cannot resolve ${name}@${fetchSpec}: ${why}`, { cause: error });
  }
  if (manifest === null || manifest === undefined || typeof manifest.version !== 'string') {
    throw new ArtifactError('RESOLVE_FAILED', `cannot resolve ${name}@${fetchSpec}: no version matches`);
  }
  if (manifest.name !== undefined && manifest.name !== name) {
    throw new ArtifactError('RESOLVE_FAILED', `${name}@${manifest.version} of the registry calls itself ${String(manifest.name)}`);
  }
  if (manifest.dist === null || typeof manifest.dist !== 'object' || typeof manifest.dist.tarball !== 'string' || manifest.dist.tarball === '') {
    throw new ArtifactError('RESOLVE_FAILED', `${name}@${manifest.version} has no dist.tarball in the registry metadata`);
  }
  return { ...manifest, name };
}
