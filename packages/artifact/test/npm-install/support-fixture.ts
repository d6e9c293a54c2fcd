/**
 * The demo tree the install tests pin: a server package with a bin and a nested dependency,
 * a dependency whose lifecycle scripts would write a marker file, and an optional
 * dependency for another OS, all served by a loopback HTTPS server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NpmArtifactPin } from '../../src/artifact.types.js';
import { integrityOf, packageTarball, sha256Of } from './support-tarballs.js';
import { startServer, type TestServer } from './support-registry.js';

/** A served demo tree, its pin, and a private cache directory. */
export interface Fixture {
  server: TestServer;
  pin: NpmArtifactPin;
  /** Tarball bytes by package name. */
  tarballs: Record<string, Buffer>;
  /** URL path of each package's tarball. */
  tarballPath: Record<string, string>;
  /** Where the dependency's lifecycle scripts would write (must never exist). */
  markerPath: string;
  /** A fresh temp directory (the cache root lives at `<dir>/cache`). */
  dir: string;
  cacheRoot: string;
  cleanup(): Promise<void>;
}

/** The OS the optional dependency is for: never the one the tests install for. */
export const OTHER_OS = 'win32';
/** The platform the tests install for. */
export const TEST_PLATFORM: NodeJS.Platform = 'linux';

/** Starts a server with the demo tree and returns its pin. */
export async function makeFixture(): Promise<Fixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcptrust-install-'));
  const markerPath = path.join(dir, 'postinstall-ran');
  const server = await startServer();
  const script = `node -e "require('fs').writeFileSync(${JSON.stringify(markerPath).replace(/"/g, "'")}, 'ran')"`;
  const tarballs: Record<string, Buffer> = {
    'demo-server': packageTarball(
      { name: 'demo-server', version: '1.0.0', bin: 'bin/server.js', dependencies: { 'dep-a': '^1.0.0', 'dep-b': '2.0.0' } },
      {
        'bin/server.js': [
          '#!/usr/bin/env node',
          "const a = require('dep-a');",
          "const b = require('dep-b');",
          'process.stdout.write(JSON.stringify({ greet: a.greet(), b: b.name, args: process.argv.slice(2), nodeOptions: process.env.NODE_OPTIONS ?? null }));',
          '',
        ].join('\n'),
        'README.md': '# demo\n',
      },
    ),
    'dep-a': packageTarball(
      { name: 'dep-a', version: '1.0.0', main: 'index.js', scripts: { preinstall: script, install: script, postinstall: script } },
      { 'index.js': "exports.greet = () => 'hello from dep-a';\n", 'lib/util.js': 'module.exports = 1;\n' },
    ),
    'dep-b': packageTarball({ name: 'dep-b', version: '2.0.0', main: 'index.js' }, { 'index.js': "exports.name = 'dep-b';\n" }),
    'opt-native': packageTarball({ name: 'opt-native', version: '1.0.0', os: [OTHER_OS], scripts: { install: script } }, { 'index.js': '' }),
  };
  const versions: Record<string, string> = { 'demo-server': '1.0.0', 'dep-a': '1.0.0', 'dep-b': '2.0.0', 'opt-native': '1.0.0' };
  const tarballPath: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(tarballs)) {
    const version = versions[name] as string;
    const p = `/${name}/-/${name}-${version}.tgz`;
    tarballPath[name] = p;
    server.set(p, bytes);
    server.set(`/${name}`, JSON.stringify({ name, versions: { [version]: { name, version, dist: { integrity: integrityOf(bytes), tarball: `${server.url}${p}` } } } }));
  }
  const entry = (name: string, installPath: string, extra: Record<string, unknown> = {}) => ({
    path: installPath,
    name,
    version: versions[name] as string,
    resolved: `${server.url}${tarballPath[name]}`,
    integrity: integrityOf(tarballs[name] as Buffer),
    ...extra,
  });
  const root = tarballs['demo-server'] as Buffer;
  const pin: NpmArtifactPin = {
    type: 'npm',
    name: 'demo-server',
    version: '1.0.0',
    registry: `${server.url}/`,
    integrity: integrityOf(root),
    tarball_url: `${server.url}${tarballPath['demo-server']}`,
    tarball_sha256: sha256Of(root),
    tarball_size: root.length,
    argv: ['--root', '/srv/data'],
    tree: [
      entry('dep-a', 'node_modules/dep-a'),
      entry('dep-b', 'node_modules/demo-server/node_modules/dep-b'),
      entry('opt-native', 'node_modules/opt-native', { optional: true, os: [OTHER_OS] }),
    ],
  };
  return {
    server,
    pin,
    tarballs,
    tarballPath,
    markerPath,
    dir,
    cacheRoot: path.join(dir, 'cache'),
    cleanup: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
