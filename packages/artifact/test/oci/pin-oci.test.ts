import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ArtifactError } from '../../src/errors.js';
import { createGuardedClient } from '../../src/net/guarded-client.js';
import type { GuardedClient } from '../../src/net/guarded-client.types.js';
import { dockerRunArgv, parseDockerRun } from '../../src/oci/docker-command.js';
import type { DockerRun } from '../../src/oci/docker-command.js';
import { pinOciImage, verifyOciPin } from '../../src/oci/pin-oci.js';
import { imageManifest, startFakeOciRegistry } from '../support/fake-oci-registry.js';
import type { FakeOciRegistry } from '../support/fake-oci-registry.js';
import { loopbackTls } from '../support/tls.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };

let registry: FakeOciRegistry;
let client: GuardedClient;

beforeEach(async () => {
  registry = await startFakeOciRegistry();
  client = createGuardedClient({ ca: loopbackTls().cert, allowPrivateHosts: true, onWarning: () => undefined });
});

afterEach(async () => {
  await registry.close();
});

function run(...argv: string[]): DockerRun {
  const parsed = parseDockerRun(argv);
  if (parsed === undefined) throw new Error('not docker run');
  return parsed;
}

describe('pinOciImage', () => {
  it('pins a tag by the manifest digest, with options and arguments, and starts it by digest', async () => {
    const digest = registry.putManifest('o/s', '1.2', imageManifest('1.2'));
    const pin = await pinOciImage(run('docker', 'run', '-i', '--rm', '-e', 'TOKEN', `${registry.host}/o/s:1.2`, '--stdio'), { client, platform: AMD64 });
    expect(pin).toEqual({ type: 'oci', image: `${registry.host}/o/s`, tag: '1.2', digest, docker_args: ['-i', '--rm', '-e', 'TOKEN'], argv: ['--stdio'] });
    expect(dockerRunArgv(pin)).toEqual(['run', '-i', '--rm', '-e', 'TOKEN', `${registry.host}/o/s@${digest}`, '--stdio']);
  });

  it('pins the index digest and the platform manifest of a multi-platform image', async () => {
    const index = registry.putIndex('o/s', '2', { 'linux/amd64': imageManifest('a'), 'linux/arm64': imageManifest('b') });
    const pin = await pinOciImage(run('docker', 'run', '-i', `${registry.host}/o/s:2`), { client, platform: { os: 'linux', architecture: 'arm64' } });
    expect(pin).toMatchObject({ digest: index.digest, platform: 'linux/arm64', platform_digest: index.platforms['linux/arm64'] });
  });

  it('uses the command --platform, and refuses one contradicting the platform asked for', async () => {
    const index = registry.putIndex('o/s', '2', { 'linux/amd64': imageManifest('a'), 'linux/arm64': imageManifest('b') });
    const command = run('docker', 'run', '-i', '--platform=linux/arm64', `${registry.host}/o/s:2`);
    expect(await pinOciImage(command, { client })).toMatchObject({ platform: 'linux/arm64', platform_digest: index.platforms['linux/arm64'] });
    await expect(pinOciImage(command, { client, platform: AMD64 })).rejects.toThrow(/asks for --platform linux\/arm64, but the platform to pin is linux\/amd64/);
  });

  it('records no tag when the command names a digest', async () => {
    const digest = registry.putManifest('o/s', '1', imageManifest('1'));
    const pin = await pinOciImage(run('podman', 'run', '-i', `${registry.host}/o/s:1@${digest}`), { client, platform: AMD64 });
    expect(pin.tag).toBeUndefined();
    expect(pin.digest).toBe(digest);
  });
});

describe('verifyOciPin', () => {
  it('accepts a pin whose digest is served and whose tag has not moved', async () => {
    registry.putIndex('o/s', '2', { 'linux/amd64': imageManifest('a') });
    const pin = await pinOciImage(run('docker', 'run', `${registry.host}/o/s:2`), { client, platform: AMD64 });
    expect(await verifyOciPin(pin, { client })).toEqual({ ok: true, digestServed: true, tagDigest: pin.digest, problems: [] });
  });

  it('reports a moved tag with both digests', async () => {
    const pinned = registry.putManifest('o/s', '1.2', imageManifest('old'));
    const pin = await pinOciImage(run('docker', 'run', `${registry.host}/o/s:1.2`), { client, platform: AMD64 });
    const now = registry.moveTag('o/s', '1.2', imageManifest('new'));
    const result = await verifyOciPin(pin, { client, platform: AMD64 });
    expect(result.ok).toBe(false);
    expect(result.digestServed).toBe(true);
    expect(result.tagDigest).toBe(now);
    expect(result.problems).toEqual([{ field: 'server.artifact.tag', expected: pinned, found: now, message: `tag 1.2 of ${registry.host}/o/s moved: pinned ${pinned}, now ${now}` }]);
  });

  it('reports a digest no longer served and a deleted tag', async () => {
    const pinned = registry.putManifest('o/s', '1', imageManifest('1'));
    registry.putManifest('o/s', 'other', imageManifest('keeps the repository known'));
    const pin = await pinOciImage(run('docker', 'run', `${registry.host}/o/s:1`), { client, platform: AMD64 });
    registry.deleteDigest('o/s', pinned);
    registry.deleteTag('o/s', '1');
    const result = await verifyOciPin(pin, { client, platform: AMD64 });
    expect(result).toMatchObject({ ok: false, digestServed: false });
    expect(result.tagDigest).toBeUndefined();
    expect(result.problems.map((p) => [p.field, p.found])).toEqual([
      ['server.artifact.digest', '(not served)'],
      ['server.artifact.tag', '(not served)'],
    ]);
    expect(result.problems[0]?.message).toMatch(/MANIFEST_UNKNOWN/);
  });

  it('reports other bytes served under the pinned digest', async () => {
    const pinned = registry.putManifest('o/s', '1', imageManifest('1'));
    const pin = await pinOciImage(run('docker', 'run', `${registry.host}/o/s@${pinned}`), { client, platform: AMD64 });
    registry.serveWrongBytes('o/s', pinned, imageManifest('evil'));
    const result = await verifyOciPin(pin, { client, platform: AMD64 });
    expect(result.digestServed).toBe(false);
    expect(result.problems[0]).toMatchObject({ field: 'server.artifact.digest', expected: pinned });
    expect(result.problems[0]?.found).toMatch(/^sha256:/);
  });

  it('refuses a malformed pin naming the field', async () => {
    const base = { type: 'oci' as const, image: `${registry.host}/o/s`, digest: `sha256:${'a'.repeat(64)}` };
    const field = async (pin: Parameters<typeof verifyOciPin>[0]): Promise<string | undefined> => {
      const error = await verifyOciPin(pin, { client }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ArtifactError);
      expect((error as ArtifactError).code).toBe('INVALID_PIN');
      return (error as ArtifactError).field;
    };
    expect(await field({ ...base, digest: 'sha256:nothex' })).toBe('server.artifact.digest');
    expect(await field({ ...base, image: `${registry.host}/o/s:1` })).toBe('server.artifact.image');
    expect(await field({ ...base, image: 'Bad/Name' })).toBe('server.artifact.image');
    expect(await field({ ...base, platform: 'linux' })).toBe('server.artifact.platform');
    expect(registry.requests).toEqual([]);
  });
});
