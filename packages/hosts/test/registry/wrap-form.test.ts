import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseWrappedArgv, wrapArgv } from '../../src/wrap-form.js';
import type { Argv, Launcher } from '../../src/types.js';

const launcher: Launcher = { node: '/usr/local/bin/node', cli: '/usr/local/lib/node_modules/mcptrust/dist/mcptrust.js' };

describe('wrapArgv', () => {
  it('writes <node> <cli> proxy --lock <lock> -- <original…>', () => {
    expect(wrapArgv(launcher, '/home/ann/.config/mcptrust/locks/cursor-fs.mcp-lock.json', { command: 'npx', args: ['-y', 'srv'] })).toEqual({
      command: '/usr/local/bin/node',
      args: ['/usr/local/lib/node_modules/mcptrust/dist/mcptrust.js', 'proxy', '--lock', '/home/ann/.config/mcptrust/locks/cursor-fs.mcp-lock.json', '--', 'npx', '-y', 'srv'],
    });
  });

  it('round-trips any original command line, including -- among its words (property)', () => {
    const word = fc.string({ maxLength: 12 });
    const pathLike = fc.array(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[\\/]/.test(s)), { maxLength: 4 }).map((parts) => `/${parts.join('/')}`);
    const launchers = fc.record({
      node: fc.oneof(pathLike.map((dir) => `${dir}/node`), fc.constant('C:\\Program Files\\nodejs\\node.exe')),
      cli: fc.oneof(pathLike.map((dir) => `${dir}/mcptrust.js`), pathLike.map((dir) => `${dir}/node_modules/mcptrust/dist/cli.js`)),
    });
    const originals = fc.record({ command: word, args: fc.array(fc.oneof(word, fc.constant('--'), fc.constant('--lock'), fc.constant('proxy')), { maxLength: 8 }) });
    const locks = fc.oneof(pathLike.map((dir) => `${dir}.mcp-lock.json`), fc.constant('C:\\locks\\a b.mcp-lock.json'));
    fc.assert(
      fc.property(launchers, locks, originals, (l, lock, original: Argv) => {
        expect(parseWrappedArgv(wrapArgv(l, lock, original))).toEqual({ lockPath: lock, original });
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseWrappedArgv: hand-written forms', () => {
  it.each<[string, Argv, string, Argv]>([
    ['mcptrust on PATH', { command: 'mcptrust', args: ['proxy', '--lock', 'l.json', '--', 'npx', 'srv'] }, 'l.json', { command: 'npx', args: ['srv'] }],
    ['mcptrust.cmd', { command: 'C:\\npm\\mcptrust.cmd', args: ['proxy', '--lock', 'l.json', '--', 'srv.exe'] }, 'l.json', { command: 'srv.exe', args: [] }],
    ['--lock=X and other flags', { command: 'mcptrust', args: ['proxy', '--fail-on', 'high', '--lock=/l.json', '--audit-log', 'a.log', '--', 'srv', '--', 'x'] }, '/l.json', { command: 'srv', args: ['--', 'x'] }],
    ['npx -y', { command: 'npx', args: ['-y', 'mcptrust', 'proxy', '--lock', 'l.json', '--', 'uvx', 'srv'] }, 'l.json', { command: 'uvx', args: ['srv'] }],
    ['npx --yes with version', { command: 'npx', args: ['--yes', 'mcptrust@0.1.0', 'proxy', '--lock', 'l.json', '--', 'srv'] }, 'l.json', { command: 'srv', args: [] }],
    ['npx --package', { command: 'npx', args: ['--package', 'x', 'mcptrust', 'proxy', '--lock', 'l.json', '--', 'srv'] }, 'l.json', { command: 'srv', args: [] }],
    ['npx.cmd', { command: 'npx.cmd', args: ['mcptrust', 'proxy', '--lock', 'l.json', '--', 'srv'] }, 'l.json', { command: 'srv', args: [] }],
    ['node …/mcptrust.js', { command: 'node', args: ['/opt/mcptrust/dist/mcptrust.js', 'proxy', '--lock', 'l.json', '--', 'srv'] }, 'l.json', { command: 'srv', args: [] }],
    ['bun with a mcptrust package script', { command: 'bun', args: ['/x/node_modules/mcptrust/dist/mcptrust.js', 'proxy', '--lock', 'l', '--', 's'] }, 'l', { command: 's', args: [] }],
  ])('%s', (_label, argv, lockPath, original) => {
    expect(parseWrappedArgv(argv)).toEqual({ lockPath, original });
  });

  it.each<[string, Argv]>([
    ['a plain server', { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] }],
    ['no --', { command: 'mcptrust', args: ['proxy', '--lock', 'l.json', 'srv'] }],
    ['no --lock', { command: 'mcptrust', args: ['proxy', '--', 'srv'] }],
    ['--lock without value', { command: 'mcptrust', args: ['proxy', '--lock', '--', 'srv'] }],
    ['empty --lock=', { command: 'mcptrust', args: ['proxy', '--lock=', '--', 'srv'] }],
    ['nothing after --', { command: 'mcptrust', args: ['proxy', '--lock', 'l.json', '--'] }],
    ['another subcommand', { command: 'mcptrust', args: ['lock', '--', 'srv'] }],
    ['npx of another package', { command: 'npx', args: ['-y', 'other', 'proxy', '--lock', 'l', '--', 'srv'] }],
    ['python script named proxy', { command: 'python', args: ['server.py', 'proxy', '--lock', 'l', '--', 'srv'] }],
    ['--lock after --', { command: 'mcptrust', args: ['proxy', '--', 'srv', '--lock', 'l'] }],
  ])('not wrapped: %s', (_label, argv) => {
    expect(parseWrappedArgv(argv)).toBeUndefined();
  });
});
