import { createHash, createPublicKey, verify } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeRegistry } from '../support/fake-npm-registry.js';
import type { FakeRegistry } from '../support/fake-npm-registry.js';
import { buildPackage, fixtureDepPackage, fixtureServerPackage } from '../support/fixture-packages.js';
import { loopbackTls } from '../support/tls.js';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: loopbackTls().cert, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('fixture packages', () => {
  it('are reproducible byte for byte', async () => {
    const a = await fixtureDepPackage('1.0.0');
    const b = await fixtureDepPackage('1.0.0');
    expect(a.tarball.equals(b.tarball)).toBe(true);
    expect(a.integrity).toBe(`sha512-${createHash('sha512').update(a.tarball).digest('base64')}`);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    const c = await fixtureDepPackage('1.0.1');
    expect(c.integrity).not.toBe(a.integrity);
  });
});

describe('fake npm registry', () => {
  let registry: FakeRegistry;
  beforeAll(async () => {
    registry = await startFakeRegistry({
      packages: [await fixtureServerPackage('1.0.0'), await fixtureServerPackage('1.2.0'), await fixtureDepPackage('1.0.0'), await buildPackage({ name: '@scope/pkg', version: '2.0.0', files: { 'index.js': '' } })],
    });
  });
  afterAll(() => registry.close());

  it('serves packuments, tarballs and signatures that verify with the served key', async () => {
    expect(registry.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await get(`${registry.url}fixture-mcp-server`);
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.body.toString()) as any;
    expect(doc['dist-tags'].latest).toBe('1.2.0');
    const dist = doc.versions['1.0.0'].dist;
    expect(dist.tarball).toBe(`${registry.url}fixture-mcp-server/-/fixture-mcp-server-1.0.0.tgz`);
    const tgz = await get(dist.tarball);
    expect(`sha512-${createHash('sha512').update(tgz.body).digest('base64')}`).toBe(dist.integrity);
    const keys = JSON.parse((await get(`${registry.url}-/npm/v1/keys`)).body.toString()) as any;
    const key = createPublicKey({ key: Buffer.from(keys.keys[0].key, 'base64'), format: 'der', type: 'spki' });
    expect(keys.keys[0].keyid).toBe(registry.keyid);
    expect(dist.signatures[0].keyid).toBe(registry.keyid);
    expect(verify('sha256', Buffer.from(`fixture-mcp-server@1.0.0:${dist.integrity}`), key, Buffer.from(dist.signatures[0].sig, 'base64'))).toBe(true);
  });

  it('accepts every spelling of a scoped name', async () => {
    for (const path of ['@scope%2fpkg', '@scope%2Fpkg', '@scope/pkg']) {
      const res = await get(`${registry.url}${path}`);
      expect(res.status).toBe(200);
    }
    expect((await get(`${registry.url}@scope/pkg/-/pkg-2.0.0.tgz`)).status).toBe(200);
    expect((await get(`${registry.url}nope`)).status).toBe(404);
  });

  it('switches faults on', async () => {
    registry.setAttestations('fixture-dep', '1.0.0', { attestations: [] });
    let doc = JSON.parse((await get(`${registry.url}fixture-dep`)).body.toString()) as any;
    expect(doc.versions['1.0.0'].dist.attestations.url).toBe(`${registry.url}-/npm/v1/attestations/fixture-dep@1.0.0`);
    expect((await get(doc.versions['1.0.0'].dist.attestations.url)).status).toBe(200);
    registry.stripAttestations();
    expect((await get(`${registry.url}-/npm/v1/attestations/fixture-dep@1.0.0`)).status).toBe(404);
    registry.setSignature('fixture-dep', '1.0.0', undefined);
    doc = JSON.parse((await get(`${registry.url}fixture-dep`)).body.toString()) as any;
    expect(doc.versions['1.0.0'].dist.signatures).toBeUndefined();
    registry.redirectTarball('fixture-dep', '1.0.0', 'https://127.0.0.1:1/x.tgz');
    const redirected = await get(`${registry.url}fixture-dep/-/fixture-dep-1.0.0.tgz`);
    expect(redirected.status).toBe(302);
    expect(redirected.headers.location).toBe('https://127.0.0.1:1/x.tgz');
    registry.removeKeys();
    expect((await get(`${registry.url}-/npm/v1/keys`)).status).toBe(404);
    registry.requireToken('s3cret');
    expect((await get(`${registry.url}fixture-dep`)).status).toBe(401);
    expect((await get(`${registry.url}fixture-dep`, { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect(registry.requests.some((r) => r.headers.authorization === 'Bearer s3cret')).toBe(true);
  });
});
