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
    [['podman', 'run', '-i', '--network', 'none', 'quay.io/o/s'], { engine: 'podman', options: ['-i', '--network', 'none'], image: 'quay.io/o/s', args: [] }],
    [['docker', 'run', '-ti', '-eA=1', '-e=B=2', '-ite', 'C', 'img'], { engine: 'docker', options: ['-ti', '-eA=1', '-e=B=2', '-ite', 'C'], image: 'img', args: [] }],
    [['docker', 'run', '-i', '-t', '--rm=false', '--init=true', '-w/app', 'img', '-d'], { options: ['-i', '-t', '--rm=false', '--init=true', '-w/app'], image: 'img', args: ['-d'] }],
    [['docker', 'run', '-u', '1000', '--read-only', '--cap-drop', 'ALL', '--security-opt=no-new-privileges', '--pull', 'always', 'img'], { options: ['-u', '1000', '--read-only', '--cap-drop', 'ALL', '--security-opt=no-new-privileges', '--pull', 'always'], image: 'img' }],
    [['docker', 'run', '-i', '--', '-weird'], { options: ['-i'], image: '-weird', args: [] }],
    [['docker.exe', 'run', 'localhost:5000/x:1', '--', 'a'], { image: 'localhost:5000/x:1', args: ['--', 'a'] }],
    [['docker', 'run', '-e', '--rm', 'img'], { options: ['-e', '--rm'], image: 'img' }],
  ])('%j', (argv, expected) => {
    expect(parseDockerRun(argv)).toMatchObject(expected);
  });

  it('ignores commands that are not docker/podman run', () => {
    expect(parseDockerRun(['docker', 'exec', 'x'])).toBeUndefined();
    expect(parseDockerRun(['npx', '-y', 'pkg'])).toBeUndefined();
    expect(parseDockerRun(['docker', 'container', 'ls'])).toBeUndefined();
    expect(parseDockerRun(['nerdctl', 'run', 'img'])).toBeUndefined();
    expect(parseDockerRun([])).toBeUndefined();
  });

  it('refuses a detached container, unknown options and a missing image', () => {
    expect(() => parseDockerRun(['docker', 'run', '-d', 'img'])).toThrow(/-d is refused: a detached container is not a stdio server/);
    expect(() => parseDockerRun(['docker', 'run', '-id', 'img'])).toThrow(/-d is refused/);
    expect(() => parseDockerRun(['docker', 'run', '--frobnicate', 'x', 'img'])).toThrow(/--frobnicate is not one mcptrust knows/);
    expect(() => parseDockerRun(['docker', 'run', '-i'])).toThrow(ArtifactError);
    expect(() => parseDockerRun(['docker', 'run', '-e'])).toThrow(/needs a value/);
    expect(() => parseDockerRun(['docker', 'run', '--detach=false', 'img'])).toThrow(/--detach is refused/);
    expect(() => parseDockerRun(['docker', 'run', '-iz', 'img'])).toThrow(/option -z \(in -iz\) is not one mcptrust knows/);
    expect(() => parseDockerRun(['docker', 'run', '-z', 'img'])).toThrow(/option -z is not one mcptrust knows/);
    expect(() => parseDockerRun(['docker', 'run', '--rm=yes', 'img'])).toThrow(/--rm is a flag/);
    const error = (() => {
      try {
        parseDockerRun(['docker', 'run', '--frobnicate=1', 'img']);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as ArtifactError).code).toBe('INVALID_COMMAND');
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
    expect(() => dockerRunArgv(pin, { options: ['--platform=linux/arm64'] })).toThrow(/asks for platform linux\/arm64/);
    expect(dockerRunArgv({ ...pin, docker_args: ['--platform', 'linux/amd64'] })).toEqual(['run', '--platform', 'linux/amd64', `ghcr.io/o/s@${D}`, '--port', '0']);
    expect(() => dockerRunArgv({ ...pin, docker_args: ['-i', 'other-image'] })).toThrow(/do not end right before the image/);
    expect(() => dockerRunArgv({ ...pin, docker_args: ['-e'] })).toThrow(/server.artifact.docker_args: docker run names no image/);
    expect(() => dockerRunArgv({ ...pin, docker_args: ['-d'] })).toThrow(/-d is refused/);
  });

  it('takes override options through the same parser', () => {
    expect(dockerRunArgv(pin, { options: ['-i', '-e', 'X=1'] })).toEqual(['run', '-i', '-e', 'X=1', `ghcr.io/o/s@${D}`, '--port', '0']);
    expect(() => dockerRunArgv(pin, { options: ['--frobnicate'] })).toThrow(/--frobnicate is not one mcptrust knows/);
  });

  it('refuses a pin whose image or digest is malformed', () => {
    expect(() => dockerRunArgv({ ...pin, image: 'ghcr.io/o/s:1.2' })).toThrow(/carries a tag/);
    expect(() => dockerRunArgv({ ...pin, digest: 'sha256:abc' })).toThrow(/server.artifact.digest/);
    expect(() => dockerRunArgv({ ...pin, image: 'Bad' })).toThrow(/server.artifact.image/);
    // Go lockfiles write the repository as the command named it: docker normalises it.
    expect(dockerRunArgv({ ...pin, image: 'mcp/fetch', docker_args: [], argv: [] })).toEqual(['run', `mcp/fetch@${D}`]);
  });
});

describe('parseImageReference', () => {
  it.each([
    ['alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest', name: 'docker.io/library/alpine' }],
    ['mcp/fetch:1.0', { registry: 'docker.io', repository: 'mcp/fetch', tag: '1.0', name: 'docker.io/mcp/fetch' }],
    ['localhost/x', { registry: 'localhost', repository: 'x', tag: 'latest' }],
    ['localhost:5000/x:1', { registry: 'localhost:5000', repository: 'x', tag: '1' }],
    [`ghcr.io/o/s@${D}`, { registry: 'ghcr.io', repository: 'o/s', digest: D, name: 'ghcr.io/o/s' }],
    ['docker.io/alpine', { name: 'docker.io/library/alpine', tag: 'latest' }],
    ['index.docker.io/o/s', { name: 'docker.io/o/s' }],
    ['localhost:5000', { name: 'docker.io/library/localhost', tag: '5000' }],
    ['127.0.0.1:5000/a/b/c:v1.0_rc-1', { registry: '127.0.0.1:5000', repository: 'a/b/c', tag: 'v1.0_rc-1', name: '127.0.0.1:5000/a/b/c' }],
    ['my.registry/x__y.z-w', { registry: 'my.registry', repository: 'x__y.z-w' }],
    [`ghcr.io/o/s:1.2@${D}`, { registry: 'ghcr.io', repository: 'o/s', tag: '1.2', digest: D }],
  ])('%s', (text, expected) => {
    expect(parseImageReference(text)).toMatchObject(expected);
  });

  it.each(['Upper/case', '', 'a@sha256:' + 'A'.repeat(64), 'x:' + 'a'.repeat(129), `${'a'.repeat(250)}/bcdefg`, 'ghcr.io/o/-s', 'bad host!/x', 'ghcr.io/o/s@sha256:short', 'ghcr.io/o/s:bad tag', 'ghcr.io//s'])('refuses %s', (text) => {
    expect(() => parseImageReference(text)).toThrow(/image reference .* is invalid/);
  });
});
