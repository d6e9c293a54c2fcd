import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ArtifactError } from '../../src/errors.js';
import { createGuardedClient } from '../../src/net/guarded-client.js';
import type { GuardedClient, GuardedRequest, GuardedResponse } from '../../src/net/guarded-client.types.js';
import { parseImageReference, registryApiBase } from '../../src/oci/image-reference.js';
import { formatPlatform, hostPlatform, parsePlatform, resolveManifest } from '../../src/oci/registry-client.js';
import { imageManifest, ociDigest, startFakeOciRegistry } from '../support/fake-oci-registry.js';
import type { FakeOciRegistry } from '../support/fake-oci-registry.js';
import { loopbackTls } from '../support/tls.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64' };

let registry: FakeOciRegistry;
let client: GuardedClient;

beforeEach(async () => {
  registry = await startFakeOciRegistry();
  client = createGuardedClient({ ca: loopbackTls().cert, allowPrivateHosts: true, onWarning: () => undefined });
});

afterEach(async () => {
  await registry.close();
});

async function rejection(promise: Promise<unknown>): Promise<ArtifactError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArtifactError);
  return error as ArtifactError;
}

describe('resolveManifest against the loopback registry', () => {
  it('resolves a tag to the sha256 of the manifest bytes, sending the four manifest media types', async () => {
    const body = imageManifest('server 1.2');
    registry.putManifest('o/s', '1.2', body);
    const resolved = await resolveManifest(client, parseImageReference(`${registry.host}/o/s:1.2`), { platform: AMD64 });
    expect(resolved).toEqual({ digest: ociDigest(body), mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: body.length });
    const accept = registry.requests.at(-1)?.accept ?? '';
    for (const type of ['oci.image.index.v1', 'docker.distribution.manifest.list.v2', 'oci.image.manifest.v1', 'docker.distribution.manifest.v2']) expect(accept).toContain(type);
  });

  it('resolves the default tag latest and a digest reference', async () => {
    const digest = registry.putManifest('o/s', 'latest', imageManifest('latest'));
    expect((await resolveManifest(client, parseImageReference(`${registry.host}/o/s`), { platform: AMD64 })).digest).toBe(digest);
    expect((await resolveManifest(client, parseImageReference(`${registry.host}/o/s@${digest}`), { platform: AMD64 })).digest).toBe(digest);
    expect(registry.requests.at(-1)?.path).toBe(`/v2/o/s/manifests/${digest}`);
  });

  it('refuses a Docker-Content-Digest header that is not the hash of the body', async () => {
    registry.putManifest('o/s', '1.2', imageManifest('x'));
    registry.lieAboutDigest('o/s', '1.2');
    const error = await rejection(resolveManifest(client, parseImageReference(`${registry.host}/o/s:1.2`), { platform: AMD64 }));
    expect(error.code).toBe('OCI_FAILED');
    expect(error.message).toMatch(/Docker-Content-Digest header sha256:[0-9a-f]{64} does not match the manifest it sent/);
  });

  it('refuses bytes served under a digest they do not hash to', async () => {
    const digest = registry.putManifest('o/s', '1', imageManifest('real'));
    registry.serveWrongBytes('o/s', digest, imageManifest('evil'));
    const error = await rejection(resolveManifest(client, parseImageReference(`${registry.host}/o/s@${digest}`), { platform: AMD64 }));
    expect(error.code).toBe('INTEGRITY_MISMATCH');
    expect(error.expected).toBe(digest);
    expect(error.found).toBe(ociDigest(imageManifest('evil')));
  });

  it('picks and verifies the platform manifest of an index', async () => {
    const index = registry.putIndex('o/s', '2', { 'linux/amd64': imageManifest('amd64'), 'linux/arm64/v8': imageManifest('arm64') });
    const ref = parseImageReference(`${registry.host}/o/s:2`);
    const amd = await resolveManifest(client, ref, { platform: AMD64 });
    expect(amd).toMatchObject({ digest: index.digest, mediaType: 'application/vnd.oci.image.index.v1+json', platform: 'linux/amd64', platformDigest: index.platforms['linux/amd64'] });
    expect(registry.requests.at(-1)?.path).toBe(`/v2/o/s/manifests/${index.platforms['linux/amd64']!}`);
    const arm = await resolveManifest(client, ref, { platform: { ...ARM64, variant: 'v8' } });
    expect(arm).toMatchObject({ digest: index.digest, platform: 'linux/arm64/v8', platformDigest: index.platforms['linux/arm64/v8'] });
  });

  it('refuses an index whose platform manifest does not hash to its entry', async () => {
    const index = registry.putIndex('o/s', '2', { 'linux/amd64': imageManifest('amd64') });
    registry.serveWrongBytes('o/s', index.platforms['linux/amd64']!, imageManifest('swapped'));
    const error = await rejection(resolveManifest(client, parseImageReference(`${registry.host}/o/s:2`), { platform: AMD64 }));
    expect(error.code).toBe('INTEGRITY_MISMATCH');
  });

  it('names the platforms offered when the index has none for this one', async () => {
    registry.putIndex('o/s', '2', { 'linux/amd64': imageManifest('amd64'), 'linux/arm/v7': imageManifest('arm') });
    const error = await rejection(resolveManifest(client, parseImageReference(`${registry.host}/o/s:2`), { platform: { os: 'linux', architecture: 's390x' } }));
    expect(error.code).toBe('OCI_FAILED');
    expect(error.message).toMatch(/no manifest for linux\/s390x \(offered: linux\/amd64, linux\/arm\/v7\)$/);
  });

  it('maps unknown tags and repositories to OCI_FAILED naming the image', async () => {
    registry.putManifest('o/s', '1', imageManifest('1'));
    const tag = await rejection(resolveManifest(client, parseImageReference(`${registry.host}/o/s:9`), { platform: AMD64 }));
    expect(tag.code).toBe('OCI_FAILED');
    expect(tag.message).toBe(`${registry.host}/o/s:9 is not served: the registry has no such manifest (HTTP 404, MANIFEST_UNKNOWN)`);
    const repo = await rejection(resolveManifest(client, parseImageReference(`${registry.host}/o/none:1`), { platform: AMD64 }));
    expect(repo.message).toMatch(/o\/none:1 is not served: the registry has no repository o\/none \(HTTP 404, NAME_UNKNOWN\)/);
  });

  it.each([false, true])('answers a bearer challenge with an anonymous token (access_token field: %s)', async (accessTokenField) => {
    const digest = registry.putManifest('o/s', '1', imageManifest('1'));
    registry.requireToken({ accessTokenField });
    const resolved = await resolveManifest(client, parseImageReference(`${registry.host}/o/s:1`), { platform: AMD64 });
    expect(resolved.digest).toBe(digest);
    expect(registry.requests.map((r) => [r.path, r.authorization ?? ''])).toEqual([
      ['/v2/o/s/manifests/1', ''],
      ['/token', ''],
      ['/v2/o/s/manifests/1', 'Bearer anon-token'],
    ]);
  });
});

/** A client that records URLs and answers from a table (no socket at all). */
function tableClient(answers: Record<string, GuardedResponse | unknown>, seen: Array<{ url: string; init?: GuardedRequest }>): GuardedClient {
  const answer = (url: string): GuardedResponse => {
    const a = answers[url];
    if (a === undefined) throw new ArtifactError('DOWNLOAD_FAILED', `unexpected ${url}`);
    return a as GuardedResponse;
  };
  return {
    request: async (url, init) => {
      seen.push({ url, ...(init === undefined ? {} : { init }) });
      return answer(url);
    },
    get: async (url) => answer(url),
    getJson: async (url, init) => {
      seen.push({ url, ...(init === undefined ? {} : { init }) });
      return answers[url];
    },
  };
}

describe('resolveManifest URLs and token service', () => {
  const body = imageManifest('hub');
  const ok = (url: string): GuardedResponse => ({ status: 200, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body, url });

  it('reaches docker.io at registry-1.docker.io, asks the realm for the challenge scope, and caps manifests at 4 MiB', async () => {
    const url = 'https://registry-1.docker.io/v2/library/alpine/manifests/3.20';
    const realm = 'https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Falpine%3Apull';
    let calls = 0;
    const seen: Array<{ url: string; init?: GuardedRequest }> = [];
    const base = tableClient({ [realm]: { token: 't0k' } }, seen);
    const client: GuardedClient = {
      ...base,
      request: async (u, init) => {
        seen.push({ url: u, ...(init === undefined ? {} : { init }) });
        calls += 1;
        if (calls === 1) return { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"' }, body: Buffer.from('{}'), url: u };
        return ok(u);
      },
    };
    const resolved = await resolveManifest(client, parseImageReference('alpine:3.20'), { platform: AMD64 });
    expect(resolved.digest).toBe(ociDigest(body));
    expect(seen.map((s) => s.url)).toEqual([url, realm, url]);
    expect(seen[0]?.init?.maxBytes).toBe(4 * 1024 * 1024);
    expect(seen[1]?.init?.headers?.['authorization']).toBeUndefined();
    expect(seen[2]?.init?.headers?.['authorization']).toBe('Bearer t0k');
  });

  it('refuses a challenge that is not Bearer, a realm that is not a URL, and a token service giving no token', async () => {
    const challenge = (header: string): GuardedClient => ({
      ...tableClient({ 'https://r.example/token?scope=repository%3Ao%2Fs%3Apull': {} }, []),
      request: async (u) => ({ status: 401, headers: { 'www-authenticate': header }, body: Buffer.alloc(0), url: u }),
    });
    const ref = parseImageReference('r.example/o/s:1');
    expect((await rejection(resolveManifest(challenge('Basic realm="x"'), ref, { platform: AMD64 }))).message).toMatch(/asks for credentials .*only anonymous pulls are supported/);
    expect((await rejection(resolveManifest(challenge('Bearer realm="not a url"'), ref, { platform: AMD64 }))).message).toMatch(/token service "not a url" that is not a URL/);
    expect((await rejection(resolveManifest(challenge('Bearer realm="https://r.example/token"'), ref, { platform: AMD64 }))).message).toMatch(/gave no token/);
  });

  it('refuses media types that are not v2 manifests or indexes', async () => {
    const v1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'o/s' }));
    const client = tableClient({ 'https://r.example/v2/o/s/manifests/1': { status: 200, headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' }, body: v1, url: 'x' } }, []);
    const error = await rejection(resolveManifest(client, parseImageReference('r.example/o/s:1'), { platform: AMD64 }));
    expect(error.message).toMatch(/media type "application\/vnd.docker.distribution.manifest.v1\+prettyjws" is not an OCI or Docker v2 manifest/);
  });
});

describe('platforms and API base', () => {
  it('maps registries to their API base', () => {
    expect(registryApiBase(parseImageReference('alpine'))).toBe('https://registry-1.docker.io');
    expect(registryApiBase(parseImageReference('localhost:5000/x'))).toBe('https://localhost:5000');
  });

  it('parses and formats platforms; this machine is a linux platform', () => {
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('linux')).toBeUndefined();
    expect(parsePlatform('linux/amd64/x/y')).toBeUndefined();
    expect(formatPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe('linux/arm64/v8');
    const here = hostPlatform();
    expect(here.os).toBe('linux');
    expect(here.architecture).toBe({ x64: 'amd64', arm64: 'arm64', arm: 'arm' }[process.arch as string] ?? here.architecture);
    expect(here.architecture).not.toBe('x64');
  });
});
