import { describe, expect, it } from '@jest/globals';
import { ArtifactError } from '../../src/errors.js';
import { dockerRunArgv, parseDockerRun } from '../../src/oci/docker-command.js';
import { parseImageReference } from '../../src/oci/image-reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseDockerRun', () => {
  it.each([
    [['docker', 'run', '-i', '--rm', 'ghcr.io/o/s:1.2'], { options: ['-i', '--rm'], image: 'ghcr.io/o/s:1.2', args: [] }],
    [['docker', 'run', '-it', '-e', 'TOKEN', '--env=A=1', 'mcp/fetch', '--flag', 'x'], { options: ['-it', '-e', 'TOKEN', '--env=A=1'], image: 'mcp/fetch', args: ['--flag', 'x'] }],
    [['/usr/bin/docker', 'container', 'run', '-v', '/a:/b', '--', 'localhost:5000/x@' + D], { options: ['-v', '/a:/b'], image: `localhost:5000/x@${D}`, args: [] }],
    [['podman', 'run', '-i', '--network', 'none', 'quay.io/o/s'], { options: ['-i', '--network', 'none'], image: 'quay.io/o/s', args: [] }],
  ])('%j', (argv, expected) => {
    expect(parseDockerRun(argv)).toMatchObject(expected);
  });

  it('ignores commands that are not docker/podman run', () => {
    expect(parseDockerRun(['docker', 'exec', 'x'])).toBeUndefined();
    expect(parseDockerRun(['npx', '-y', 'pkg'])).toBeUndefined();
  });

  it('refuses a detached container, unknown options and a missing image', () => {
    expect(() => parseDockerRun(['docker', 'run', '-d', 'img'])).toThrow(/-d is refused: a detached container is not a stdio server/);
    expect(() => parseDockerRun(['docker', 'run', '-id', 'img'])).toThrow(/-d is refused/);
    expect(() => parseDockerRun(['docker', 'run', '--frobnicate', 'x', 'img'])).toThrow(/--frobnicate is not one mcptrust knows/);
    expect(() => parseDockerRun(['docker', 'run', '-i'])).toThrow(ArtifactError);
    expect(() => parseDockerRun(['docker', 'run', '-e'])).toThrow(/needs a value/);
  });
});

describe('dockerRunArgv', () => {
  const pin = { type: 'oci' as const, image: 'ghcr.io/o/s', tag: '1.2', digest: D, platform: 'linux/amd64', docker_args: ['-i', '--rm'], argv: ['--port', '0'] };

  it('starts the image by digest with the pinned options and arguments', () => {
    expect(dockerRunArgv(pin)).toEqual(['run', '-i', '--rm', `ghcr.io/o/s@${D}`, '--port', '0']);
    expect(dockerRunArgv(pin, { args: ['other'] })).toEqual(['run', '-i', '--rm', `ghcr.io/o/s@${D}`, 'other']);
  });

  it('refuses pinned options that no longer parse or ask for another platform', () => {
    expect(() => dockerRunArgv({ ...pin, docker_args: ['--frobnicate'] })).toThrow(/docker_args/);
    expect(() => dockerRunArgv({ ...pin, docker_args: ['--platform', 'linux/arm64'] })).toThrow(/asks for platform linux\/arm64, the pin is for linux\/amd64/);
  });
});

describe('parseImageReference', () => {
  it.each([
    ['alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest', name: 'docker.io/library/alpine' }],
    ['mcp/fetch:1.0', { registry: 'docker.io', repository: 'mcp/fetch', tag: '1.0', name: 'docker.io/mcp/fetch' }],
    ['localhost/x', { registry: 'localhost', repository: 'x', tag: 'latest' }],
    ['localhost:5000/x:1', { registry: 'localhost:5000', repository: 'x', tag: '1' }],
    [`ghcr.io/o/s@${D}`, { registry: 'ghcr.io', repository: 'o/s', digest: D, name: 'ghcr.io/o/s' }],
    [`ghcr.io/o/s:1.2@${D}`, { registry: 'ghcr.io', repository: 'o/s', tag: '1.2', digest: D }],
  ])('%s', (text, expected) => {
    expect(parseImageReference(text)).toMatchObject(expected);
  });

  it.each(['Upper/case', 'ghcr.io/o/s@sha256:short', 'ghcr.io/o/s:bad tag', 'ghcr.io//s'])('refuses %s', (text) => {
    expect(() => parseImageReference(text)).toThrow(/image reference .* is invalid/);
  });
});
