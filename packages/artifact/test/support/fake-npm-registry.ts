/**
 * A loopback npm registry over HTTPS (fixture certificate, 127.0.0.1, random port) for
 * the tests. `startFakeRegistry({ packages })` serves:
 *
 * - `GET /<name>` (scoped as `@scope%2fname`, `@scope%2Fname` or `@scope/name`): the full
 *   packument `{ _id, name, dist-tags: { latest: highest }, versions, time }`, each
 *   version being its package.json plus `_id` and `dist { tarball, integrity, shasum,
 *   signatures: [{ keyid, sig }], attestations? }`;
 * - `GET /<name>/-/<unscoped>-<version>.tgz`: the tarball;
 * - `GET /-/npm/v1/keys`: the registry's P-256 key (generated per registry; keyid
 *   `SHA256:<base64 sha256 of the SPKI DER>`); `dist.signatures` are ECDSA-SHA256 (DER,
 *   base64) over `${name}@${version}:${integrity}` of the published tarball;
 * - `GET /-/npm/v1/attestations/<name>@<version>` (name possibly `%2f`-encoded): what
 *   `setAttestations` set (404 otherwise); a version with attestations gets
 *   `dist.attestations = { url, provenance: { predicateType: 'https://slsa.dev/provenance/v1' } }`.
 *
 * Fault switches: `swapTarball` (other bytes, packument unchanged), `setIntegrity`
 * (served `dist.integrity` changed; the signature stays over the published integrity
 * unless `{ resign: true }`), `redirectTarball` (302), `publish` (a new version later),
 * `stripAttestations`, `setSignature` (other or no signature), `removeKeys` (keys 404),
 * `requireToken` (401 on every path without `authorization: Bearer <token>`).
 * Every request is recorded in `requests`. Always `close()` it.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { BuiltPackage } from './fixture-packages.js';
import { loopbackTls } from './tls.js';

/** A recorded request. */
export interface FakeRegistryRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The running registry. */
export interface FakeRegistry {
  /** `https://127.0.0.1:PORT/` (trailing slash). */
  url: string;
  /** Every request seen, in order. */
  requests: FakeRegistryRequest[];
  /** The registry's signing key (P-256) and its keyid. */
  privateKey: KeyObject;
  keyid: string;
  /** Serves other bytes for a version's tarball (packument unchanged). */
  swapTarball(name: string, version: string, bytes: Uint8Array): void;
  /** Serves another `dist.integrity` for a version. */
  setIntegrity(name: string, version: string, sri: string, options?: { resign?: boolean }): void;
  /** The version's tarball answers 302 to `location`. */
  redirectTarball(name: string, version: string, location: string): void;
  /** Adds a package version (dist-tags.latest follows the highest version). */
  publish(pkg: BuiltPackage): void;
  /** Serves an attestations document for a version (and advertises it in the packument). */
  setAttestations(name: string, version: string, json: unknown): void;
  /** Forgets every attestation. */
  stripAttestations(): void;
  /** Replaces the version's signature (`undefined`: no `signatures` at all). */
  setSignature(name: string, version: string, sig: string | undefined): void;
  /** `/-/npm/v1/keys` answers 404. */
  removeKeys(): void;
  /** Every request needs `authorization: Bearer <token>` (401 otherwise). */
  requireToken(token: string): void;
  close(): Promise<void>;
}

interface VersionState {
  pkg: BuiltPackage;
  tarball: Buffer;
  integrity: string;
  signedIntegrity: string;
  signature: string | undefined | null;
  redirect?: string;
  attestations?: unknown;
  published: string;
}

/** Compares two semver versions (enough for fixtures: numeric core, prerelease sorts lower). */
function compareVersions(a: string, b: string): number {
  const [coreA = '', preA] = a.split('-', 2);
  const [coreB = '', preB] = b.split('-', 2);
  const na = coreA.split('.').map(Number);
  const nb = coreB.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (na[i] ?? 0) - (nb[i] ?? 0);
    if (d !== 0) return d;
  }
  if (preA === preB) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  return preA < preB ? -1 : 1;
}

/** Starts the registry with the given package versions. */
export async function startFakeRegistry(options: { packages: BuiltPackage[] }): Promise<FakeRegistry> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyid = `SHA256:${createHash('sha256').update(spki).digest('base64')}`;
  const packages = new Map<string, Map<string, VersionState>>();
  const requests: FakeRegistryRequest[] = [];
  let keysRemoved = false;
  let token: string | undefined;
  let clock = Date.parse('2024-01-01T00:00:00.000Z');

  const signFor = (name: string, version: string, integrity: string): string =>
    sign('sha256', Buffer.from(`${name}@${version}:${integrity}`), privateKey).toString('base64');

  const state = (name: string, version: string): VersionState => {
    const found = packages.get(name)?.get(version);
    if (found === undefined) throw new Error(`fake registry: no ${name}@${version}`);
    return found;
  };

  const publish = (pkg: BuiltPackage): void => {
    let versions = packages.get(pkg.name);
    if (versions === undefined) packages.set(pkg.name, (versions = new Map()));
    clock += 60_000;
    versions.set(pkg.version, {
      pkg,
      tarball: pkg.tarball,
      integrity: pkg.integrity,
      signedIntegrity: pkg.integrity,
      signature: null,
      published: new Date(clock).toISOString(),
    });
  };
  for (const pkg of options.packages) publish(pkg);

  let server: Server | undefined;
  const base = (): string => `https://127.0.0.1:${(server!.address() as AddressInfo).port}/`;
  const unscoped = (name: string): string => name.slice(name.lastIndexOf('/') + 1);
  const tarballUrl = (name: string, version: string): string => `${base()}${name}/-/${unscoped(name)}-${version}.tgz`;
  const attestationsUrl = (name: string, version: string): string => `${base()}-/npm/v1/attestations/${name}@${version}`;

  const packument = (name: string, versions: Map<string, VersionState>): unknown => {
    const sorted = [...versions.keys()].sort(compareVersions);
    const doc: Record<string, unknown> = { _id: name, name, 'dist-tags': { latest: sorted[sorted.length - 1] } };
    const out: Record<string, unknown> = {};
    const time: Record<string, string> = {};
    for (const version of sorted) {
      const v = versions.get(version)!;
      const signature = v.signature === null ? signFor(name, version, v.signedIntegrity) : v.signature;
      const dist: Record<string, unknown> = {
        tarball: tarballUrl(name, version),
        integrity: v.integrity,
        shasum: createHash('sha1').update(v.pkg.tarball).digest('hex'),
      };
      if (signature !== undefined) dist.signatures = [{ keyid, sig: signature }];
      if (v.attestations !== undefined) {
        dist.attestations = { url: attestationsUrl(name, version), provenance: { predicateType: 'https://slsa.dev/provenance/v1' } };
      }
      out[version] = { ...v.pkg.packageJson, _id: `${name}@${version}`, dist };
      time[version] = v.published;
    }
    doc.versions = out;
    doc.time = time;
    return doc;
  };

  const json = (res: import('node:http').ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  server = createServer(loopbackTls(), (req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers } });
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      json(res, 401, { error: 'authentication required' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: 'method not allowed' });
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    } catch {
      json(res, 400, { error: 'bad path' });
      return;
    }
    if (path === '/-/npm/v1/keys') {
      if (keysRemoved) json(res, 404, { error: 'not found' });
      else json(res, 200, { keys: [{ keyid, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: spki.toString('base64'), expires: null }] });
      return;
    }
    const att = /^\/-\/npm\/v1\/attestations\/((?:@[^/]+\/)?[^/@]+)@([^/]+)$/.exec(path);
    if (att !== null) {
      const v = packages.get(att[1]!)?.get(att[2]!);
      if (v?.attestations === undefined) json(res, 404, { error: 'not found' });
      else json(res, 200, v.attestations);
      return;
    }
    const tgz = /^\/((?:@[^/]+\/)?[^/]+)\/-\/([^/]+)\.tgz$/.exec(path);
    if (tgz !== null) {
      const name = tgz[1]!;
      const versions = packages.get(name);
      const prefix = `${unscoped(name)}-`;
      const version = tgz[2]!.startsWith(prefix) ? tgz[2]!.slice(prefix.length) : undefined;
      const v = version === undefined ? undefined : versions?.get(version);
      if (v === undefined) {
        json(res, 404, { error: 'not found' });
      } else if (v.redirect !== undefined) {
        res.writeHead(302, { location: v.redirect }).end();
      } else {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(v.tarball.length) }).end(v.tarball);
      }
      return;
    }
    const name = path.slice(1);
    const versions = packages.get(name);
    if (versions === undefined) json(res, 404, { error: 'Not found' });
    else json(res, 200, packument(name, versions));
  });
  await new Promise<void>((resolve, reject) => {
    server!.once('error', reject);
    server!.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    url: base(),
    requests,
    privateKey,
    keyid,
    swapTarball(name, version, bytes) {
      state(name, version).tarball = Buffer.from(bytes);
    },
    setIntegrity(name, version, sri, opts) {
      const v = state(name, version);
      v.integrity = sri;
      if (opts?.resign === true) v.signedIntegrity = sri;
    },
    redirectTarball(name, version, location) {
      state(name, version).redirect = location;
    },
    publish,
    setAttestations(name, version, body) {
      state(name, version).attestations = body;
    },
    stripAttestations() {
      for (const versions of packages.values()) for (const v of versions.values()) delete v.attestations;
    },
    setSignature(name, version, sig) {
      state(name, version).signature = sig;
    },
    removeKeys() {
      keysRemoved = true;
    },
    requireToken(value) {
      token = value;
    },
    close() {
      return new Promise<void>((resolve) => {
        server!.closeAllConnections();
        server!.close(() => resolve());
      });
    },
  };
}
