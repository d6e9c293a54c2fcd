import { describe, expect, it } from '@jest/globals';
import { ArtifactError } from '../../src/errors.js';
import { parseNpmLaunch } from '../../src/npm/launch-command.js';
import { recognizeServerCommand } from '../../src/server-command.js';

function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    return { code: (error as ArtifactError).code, message: (error as Error).message };
  }
  throw new Error('expected an ArtifactError');
}

describe('parseNpmLaunch', () => {
  it.each([
    [['npx', '-y', 'pkg'], { tool: 'npx', spec: 'pkg', name: 'pkg', fetchSpec: 'latest', specType: 'tag', args: [] }],
    [['npx', '--yes', '@s/p@1.2.3', 'a', 'b'], { tool: 'npx', spec: '@s/p@1.2.3', name: '@s/p', fetchSpec: '1.2.3', specType: 'version', args: ['a', 'b'] }],
    [['npx', '-p', 'pkg@^2', 'tool', '--x'], { tool: 'npx', spec: 'pkg@^2', name: 'pkg', fetchSpec: '^2', specType: 'range', bin: 'tool', args: ['--x'] }],
    [['npx', '--package=pkg@next', 'tool'], { tool: 'npx', spec: 'pkg@next', name: 'pkg', fetchSpec: 'next', specType: 'tag', bin: 'tool', args: [] }],
    [['npx', '--package', 'pkg', '--', 'tool', '-y'], { tool: 'npx', spec: 'pkg', name: 'pkg', fetchSpec: 'latest', specType: 'tag', bin: 'tool', args: ['-y'] }],
    [['npm', 'exec', '--', 'pkg@1.0.0', '--port', '1'], { tool: 'npm exec', spec: 'pkg@1.0.0', name: 'pkg', fetchSpec: '1.0.0', specType: 'version', args: ['--port', '1'] }],
    [['npm', 'x', '-y', 'pkg@~1.2'], { tool: 'npm exec', spec: 'pkg@~1.2', name: 'pkg', fetchSpec: '~1.2', specType: 'range', args: [] }],
    [['pnpm', 'dlx', 'pkg@latest', 'x'], { tool: 'pnpm dlx', spec: 'pkg@latest', name: 'pkg', fetchSpec: 'latest', specType: 'tag', args: ['x'] }],
    [['/usr/local/bin/npx', '-q', 'pkg@>=1 <3'], { tool: 'npx', spec: 'pkg@>=1 <3', name: 'pkg', fetchSpec: '>=1 <3', specType: 'range', args: [] }],
    [['C:\\Program Files\\nodejs\\npx.cmd', '--no', 'pkg'], { tool: 'npx', spec: 'pkg', name: 'pkg', fetchSpec: 'latest', specType: 'tag', args: [] }],
    [['npx', 'pkg', '-y', '--unknown-to-npx'], { tool: 'npx', spec: 'pkg', name: 'pkg', fetchSpec: 'latest', specType: 'tag', args: ['-y', '--unknown-to-npx'] }],
  ])('%j', (argv, expected) => {
    expect(parseNpmLaunch(argv)).toEqual(expected);
  });

  it('does not recognise other commands', () => {
    for (const argv of [[], ['npm', 'install', 'x'], ['npm', 'run', 'x'], ['pnpm', 'exec', 'x'], ['node', 'server.js'], ['uvx', 'pkg'], ['npxx', 'pkg']]) {
      expect(parseNpmLaunch(argv)).toBeUndefined();
    }
  });

  it.each([
    ['git+https://github.com/o/r.git', 'git'],
    ['github:o/r', 'git'],
    ['./server', 'directory'],
    ['file:../x.tgz', 'file'],
    ['https://example.com/x.tgz', 'remote'],
    ['x@npm:y@1', 'alias'],
  ])('refuses the %s spec (%s) as unpinnable', (spec, type) => {
    const { code, message } = codeOf(() => parseNpmLaunch(['npx', '-y', spec]));
    expect(code).toBe('UNPINNABLE_COMMAND');
    expect(message).toContain(spec);
    expect(message).toContain(`${type} spec`);
  });

  it('refuses -c/--call: a shell string cannot be pinned', () => {
    expect(codeOf(() => parseNpmLaunch(['npx', '-c', 'echo hi'])).code).toBe('UNPINNABLE_COMMAND');
    expect(codeOf(() => parseNpmLaunch(['npm', 'exec', '--call', 'echo hi'])).code).toBe('UNPINNABLE_COMMAND');
  });

  it('refuses unknown options, several packages and missing packages or bins', () => {
    const unknown = codeOf(() => parseNpmLaunch(['npx', '--registry', 'https://x', 'pkg']));
    expect(unknown.code).toBe('INVALID_COMMAND');
    expect(unknown.message).toContain('--registry');
    expect(codeOf(() => parseNpmLaunch(['npx', '-p', 'a', '-p', 'b', 'bin'])).code).toBe('INVALID_COMMAND');
    expect(codeOf(() => parseNpmLaunch(['npx', '-y'])).code).toBe('INVALID_COMMAND');
    expect(codeOf(() => parseNpmLaunch(['npx', '-p', 'pkg'])).code).toBe('INVALID_COMMAND');
    expect(codeOf(() => parseNpmLaunch(['npx', '-p'])).code).toBe('INVALID_COMMAND');
    expect(codeOf(() => parseNpmLaunch(['npx', 'bad name!'])).code).toBe('INVALID_COMMAND');
  });
});

describe('recognizeServerCommand', () => {
  it('recognises npm launchers and docker run', () => {
    expect(recognizeServerCommand(['npx', '-y', 'pkg@1.0.0'])).toMatchObject({ kind: 'npm', launch: { name: 'pkg', fetchSpec: '1.0.0' } });
    expect(recognizeServerCommand(['docker', 'run', '-i', '--rm', 'ghcr.io/o/s:1'])).toMatchObject({ kind: 'oci', run: { image: 'ghcr.io/o/s:1' } });
  });

  it.each([[['uvx', 'mcp-server-fetch']], [['python', '-m', 'server']], [['node', './server.js', '--token', 'sekrit']]])('refuses %j naming what can be pinned', (argv) => {
    const { code, message } = codeOf(() => recognizeServerCommand(argv));
    expect(code).toBe('UNPINNABLE_COMMAND');
    expect(message).toContain('npx, npm exec or pnpm dlx of a registry package, or docker run IMAGE');
    expect(message).toContain(argv[0]);
    expect(message).not.toContain('sekrit');
  });
});
