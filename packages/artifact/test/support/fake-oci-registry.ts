/**
 * A loopback OCI registry (Distribution API v2) over HTTPS with the fixture
 * certificate: manifests and indexes by tag or digest, optional anonymous bearer
 * tokens, and fault switches (a lying Docker-Content-Digest header, a moved tag).
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loopbackTls } from './tls.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** sha256 digest of bytes. */
export function ociDigest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A single-platform image manifest (its config digest makes it unique). */
export function imageManifest(seed: string): Buffer {
  const config = ociDigest(Buffer.from(seed));
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: seed.length }, layers: [] }));
}

/** The running registry. */
export interface FakeOciRegistry {
  /** `127.0.0.1:PORT`, the registry part of image references. */
  host: string;
  /** Requests seen (method and path). */
  requests: Array<{ method: string; path: string; authorization?: string }>;
  /** Serves a manifest under a tag of a repository; returns its digest. */
  putManifest(repository: string, tag: string, body: Buffer): string;
  /** Serves an index of two platform manifests under a tag; returns the index digest and the platform digests. */
  putIndex(repository: string, tag: string, platforms: Record<string, Buffer>): { digest: string; platforms: Record<string, string> };
  /** The tag's answers carry a Docker-Content-Digest header that is not the body's. */
  lieAboutDigest(repository: string, tag: string): void;
  /** Require an anonymous bearer token from /token. */
  requireToken(): void;
  close(): Promise<void>;
}

/** Starts the registry. */
export async function startFakeOciRegistry(): Promise<FakeOciRegistry> {
  const blobs = new Map<string, { body: Buffer; type: string }>();
  const tags = new Map<string, string>();
  const liars = new Set<string>();
  const requests: FakeOciRegistry['requests'] = [];
  let tokenRequired = false;
  let server: Server | undefined;
  server = createServer(loopbackTls(), (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ method: req.method ?? 'GET', path, ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }) });
    const port = (server?.address() as AddressInfo).port;
    if (path === '/token') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'anon-token' }));
      return;
    }
    if (tokenRequired && req.headers.authorization !== 'Bearer anon-token') {
      res
        .writeHead(401, { 'www-authenticate': `Bearer realm="https://127.0.0.1:${port}/token",service="fake",scope="repository:x:pull"`, 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED' }] }));
      return;
    }
    if (path === '/v2/') {
      res.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0' }).end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (m === null) {
      res.writeHead(404).end();
      return;
    }
    const [, repository, reference] = m as unknown as [string, string, string];
    const digest = reference.startsWith('sha256:') ? reference : tags.get(`${repository}:${reference}`);
    const blob = digest === undefined ? undefined : blobs.get(`${repository}@${digest}`);
    if (blob === undefined || digest === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
      return;
    }
    const header = liars.has(`${repository}:${reference}`) ? ociDigest(Buffer.from('something else')) : digest;
    res.writeHead(200, { 'content-type': blob.type, 'content-length': blob.body.length, 'docker-content-digest': header }).end(req.method === 'HEAD' ? undefined : blob.body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
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
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
      const digest = put(repository, index, OCI_INDEX);
      tags.set(`${repository}:${tag}`, digest);
      return { digest, platforms: digests };
    },
    lieAboutDigest(repository, tag) {
      liars.add(`${repository}:${tag}`);
    },
    requireToken() {
      tokenRequired = true;
    },
    close: () => new Promise<void>((resolve) => server!.close(() => resolve())),
  };
}
