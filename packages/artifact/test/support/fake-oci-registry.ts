/**
 * A loopback OCI registry (Distribution API v2) over HTTPS with the fixture
 * certificate: manifests and indexes by tag or digest, optional anonymous bearer
 * tokens, and fault switches (a lying Docker-Content-Digest header, a moved or deleted
 * tag, other bytes served under a digest).
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loopbackTls } from './tls.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** sha256 digest of bytes. */
export function ociDigest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A single-platform image manifest (its config digest, from the seed, makes it unique). */
export function imageManifest(seed: string): Buffer {
  const config = ociDigest(Buffer.from(seed));
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: seed.length }, layers: [] }));
}

/** One request the registry saw. */
export interface SeenRequest {
  method: string;
  path: string;
  accept?: string;
  authorization?: string;
}

/** The running registry. */
export interface FakeOciRegistry {
  /** `127.0.0.1:PORT`, the registry part of image references. */
  host: string;
  /** Requests seen. */
  requests: SeenRequest[];
  /** Serves a manifest under a tag of a repository; returns its digest. */
  putManifest(repository: string, tag: string, body: Buffer): string;
  /**
   * Serves an index of platform manifests (`{'linux/amd64': bytes}`) under a tag, plus an
   * attestation entry for `unknown/unknown`; returns the index digest and the platform digests.
   */
  putIndex(repository: string, tag: string, platforms: Record<string, Buffer>): { digest: string; platforms: Record<string, string> };
  /** The tag's answers carry a Docker-Content-Digest header that is not the body's. */
  lieAboutDigest(repository: string, tag: string): void;
  /** Points a tag at a new manifest (the old digest stays served); returns the new digest. */
  moveTag(repository: string, tag: string, body: Buffer): string;
  /** Forgets a tag (404 MANIFEST_UNKNOWN). */
  deleteTag(repository: string, tag: string): void;
  /** Forgets a manifest by digest (404 MANIFEST_UNKNOWN). */
  deleteDigest(repository: string, digest: string): void;
  /** Serves these bytes for a digest (whose hash they are not). */
  serveWrongBytes(repository: string, digest: string, body: Buffer): void;
  /** Require an anonymous bearer token from `/token` (answered as `access_token` when asked). */
  requireToken(options?: { accessTokenField?: boolean }): void;
  close(): Promise<void>;
}

/** Starts the registry on 127.0.0.1 (a free port). */
export async function startFakeOciRegistry(): Promise<FakeOciRegistry> {
  const blobs = new Map<string, { body: Buffer; type: string }>();
  const tags = new Map<string, string>();
  const liars = new Set<string>();
  const requests: SeenRequest[] = [];
  let token: { field: 'token' | 'access_token' } | undefined;
  const server: Server = createServer(loopbackTls(), (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({
      method: req.method ?? 'GET',
      path,
      ...(req.headers.accept === undefined ? {} : { accept: req.headers.accept }),
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
    });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (path === '/token') {
      json(200, { [token?.field ?? 'token']: 'anon-token' });
      return;
    }
    if (token !== undefined && req.headers.authorization !== 'Bearer anon-token') {
      const { port } = server.address() as AddressInfo;
      json(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': `Bearer realm="https://127.0.0.1:${port}/token",service="fake",scope="repository:o/s:pull"` });
      return;
    }
    if (path === '/v2/') {
      json(200, {}, { 'docker-distribution-api-version': 'registry/2.0' });
      return;
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (m === null) {
      json(404, { errors: [{ code: 'NOT_FOUND' }] });
      return;
    }
    const [, repository, reference] = m as unknown as [string, string, string];
    if (![...tags.keys(), ...blobs.keys()].some((k) => k.startsWith(`${repository}:`) || k.startsWith(`${repository}@`))) {
      json(404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
      return;
    }
    const digest = reference.startsWith('sha256:') ? reference : tags.get(`${repository}:${reference}`);
    const blob = digest === undefined ? undefined : blobs.get(`${repository}@${digest}`);
    if (blob === undefined || digest === undefined) {
      json(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      return;
    }
    const header = liars.has(`${repository}:${reference}`) ? ociDigest(Buffer.from('something else')) : digest;
    res.writeHead(200, { 'content-type': blob.type, 'content-length': blob.body.length, 'docker-content-digest': header, 'docker-distribution-api-version': 'registry/2.0' });
    res.end(req.method === 'HEAD' ? undefined : blob.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const put = (repository: string, body: Buffer, type: string): string => {
    const digest = ociDigest(body);
    blobs.set(`${repository}@${digest}`, { body, type });
    return digest;
  };
  return {
    host,
    requests,
    putManifest(repository, tag, body) {
      const digest = put(repository, body, OCI_MANIFEST);
      tags.set(`${repository}:${tag}`, digest);
      return digest;
    },
    putIndex(repository, tag, platforms) {
      const digests: Record<string, string> = {};
      const manifests = Object.entries(platforms).map(([platform, body]) => {
        const digest = put(repository, body, OCI_MANIFEST);
        digests[platform] = digest;
        const [os, architecture, variant] = platform.split('/');
        return { mediaType: OCI_MANIFEST, digest, size: body.length, platform: { os, architecture, ...(variant === undefined ? {} : { variant }) } };
      });
      const attestation = imageManifest(`attestation of ${tag}`);
      manifests.push({ mediaType: OCI_MANIFEST, digest: put(repository, attestation, OCI_MANIFEST), size: attestation.length, platform: { os: 'unknown', architecture: 'unknown' } });
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
      const digest = put(repository, index, OCI_INDEX);
      tags.set(`${repository}:${tag}`, digest);
      return { digest, platforms: digests };
    },
    lieAboutDigest(repository, tag) {
      liars.add(`${repository}:${tag}`);
    },
    moveTag(repository, tag, body) {
      const digest = put(repository, body, OCI_MANIFEST);
      tags.set(`${repository}:${tag}`, digest);
      return digest;
    },
    deleteTag(repository, tag) {
      tags.delete(`${repository}:${tag}`);
    },
    deleteDigest(repository, digest) {
      blobs.delete(`${repository}@${digest}`);
    },
    serveWrongBytes(repository, digest, body) {
      blobs.set(`${repository}@${digest}`, { body, type: OCI_MANIFEST });
    },
    requireToken(options) {
      token = { field: options?.accessTokenField === true ? 'access_token' : 'token' };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
