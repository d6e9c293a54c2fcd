import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ArtifactError } from '../../src/errors.js';
import { packumentUrl, verifyNpmPin } from '../../src/npm/verify-npm-pin.js';
import { makeFixture, type Fixture } from './support-fixture.js';
import { testClient } from './support-registry.js';
import { integrityOf, packageTarball } from './support-tarballs.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await makeFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

describe('verifyNpmPin', () => {
  it('passes when the registry serves exactly the pinned bytes', async () => {
    const result = await verifyNpmPin(fx.pin, { client: testClient() });
    expect(result).toEqual({ ok: true, checked: 4, problems: [] });
    expect(fx.server.hits('/demo-server')).toBe(1);
    expect(fx.server.hits(fx.tarballPath['opt-native'] as string)).toBe(1);
    expect((await verifyNpmPin(fx.pin, { client: testClient(), tree: false })).checked).toBe(1);
  });

  it('reports a changed integrity and tarball URL in the packument', async () => {
    const other = integrityOf(Buffer.from('republished'));
    fx.server.set('/demo-server', JSON.stringify({ name: 'demo-server', versions: { '1.0.0': { dist: { integrity: other, tarball: `${fx.server.url}/elsewhere.tgz` } } } }));
    const result = await verifyNpmPin(fx.pin, { client: testClient() });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.field)).toEqual(['server.artifact.integrity', 'server.artifact.tarball_url']);
    expect(result.problems[0]).toMatchObject({ expected: fx.pin.integrity, found: other });
    expect(result.problems[1]?.found).toBe(`${fx.server.url}/elsewhere.tgz`);
  });

  it('reports a version no longer listed, and a package gone', async () => {
    fx.server.set('/demo-server', JSON.stringify({ name: 'demo-server', versions: {} }));
    expect((await verifyNpmPin(fx.pin, { client: testClient() })).problems.map((p) => p.field)).toEqual(['server.artifact.version']);
    fx.server.set('/demo-server', 'gone', 404);
    expect((await verifyNpmPin(fx.pin, { client: testClient() })).problems.map((p) => p.field)).toEqual(['server.artifact.name']);
  });

  it('collects every tarball whose bytes were swapped, root and tree', async () => {
    const swapped = packageTarball({ name: 'x', version: '1.0.0' }, { 'index.js': 'evil()' });
    fx.server.set(fx.tarballPath['demo-server'] as string, swapped);
    fx.server.set(fx.tarballPath['dep-b'] as string, swapped);
    fx.server.set(fx.tarballPath['dep-a'] as string, 'gone', 404);
    const result = await verifyNpmPin(fx.pin, { client: testClient() });
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(4);
    expect(result.problems.map((p) => p.field)).toEqual([
      'server.artifact.integrity',
      'server.artifact.tarball_sha256',
      'server.artifact.tarball_size',
      'server.artifact.tree[0].integrity',
      'server.artifact.tree[1].integrity',
    ]);
    expect(result.problems[0]).toMatchObject({ expected: fx.pin.integrity, found: integrityOf(swapped) });
    expect(result.problems[3]?.found).toBe('HTTP 404');
    expect(result.problems[4]?.message).toContain('node_modules/demo-server/node_modules/dep-b');
  });

  it('throws on a server error instead of reporting', async () => {
    fx.server.set(fx.tarballPath['dep-a'] as string, 'oops', 500);
    await expect(verifyNpmPin(fx.pin, { client: testClient() })).rejects.toBeInstanceOf(ArtifactError);
  });

  it('encodes scoped names as @scope%2fname and sends the auth headers', async () => {
    expect(packumentUrl('https://r.example/npm/', '@acme/server')).toBe('https://r.example/npm/@acme%2fserver');
    expect(packumentUrl('https://r.example', 'plain')).toBe('https://r.example/plain');
    const pin = { ...fx.pin, name: '@acme/demo', tree: [] };
    fx.server.set('/@acme%2fdemo', JSON.stringify({ versions: { '1.0.0': { dist: { integrity: fx.pin.integrity, tarball: fx.pin.tarball_url } } } }));
    const seen: string[] = [];
    const result = await verifyNpmPin(pin, { client: testClient(), headersFor: (url) => (seen.push(url), { authorization: 'Bearer t' }) });
    expect(result).toEqual({ ok: true, checked: 1, problems: [] });
    expect(fx.server.requests).toContain('/@acme%2fdemo');
    expect(seen).toContain(`${fx.server.url}/@acme%2fdemo`);
  });
});
