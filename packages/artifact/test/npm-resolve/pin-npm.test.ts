import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ArtifactError } from '../../src/errors.js';
import type { GuardedClient, GuardedResponse } from '../../src/net/guarded-client.types.js';
import { resolveDependencyTree } from '../../src/npm/dependency-tree.js';
import { parseNpmLaunch } from '../../src/npm/launch-command.js';
import type { NpmLaunch } from '../../src/npm/launch-command.js';
import { readNpmConfig } from '../../src/npm/npm-config.js';
import { chooseBin, pinNpmPackage } from '../../src/npm/pin-npm.js';
import { fetchPackument, pickVersion } from '../../src/npm/registry.js';
import { startFakeRegistry } from '../support/fake-npm-registry.js';
import type { FakeRegistry } from '../support/fake-npm-registry.js';
import { buildPackage, fixtureDepPackage, fixtureServerPackage } from '../support/fixture-packages.js';
import type { BuiltPackage } from '../support/fixture-packages.js';
import { LOOPBACK_CERT_PATH, loopbackTls } from '../support/tls.js';

/** A minimal loopback-only client honouring the GuardedClient contract (the fixture CA trusted). */
function testClient(): GuardedClient {
  const ca = loopbackTls().cert;
  const client: GuardedClient = {
    request(url, init = {}) {
      return new Promise<GuardedResponse>((resolve, reject) => {
        const req = request(url, { method: init.method ?? 'GET', ca, headers: init.headers ?? {} }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks), url }));
        });
        req.on('error', reject);
        req.end();
      });
    },
    async get(url, init) {
      const res = await client.request(url, init);
      if (res.status !== 200) throw new ArtifactError('DOWNLOAD_FAILED', `${url} answered HTTP ${res.status}`);
      return res;
    },
    async getJson(url, init) {
      return JSON.parse((await client.get(url, init)).body.toString()) as unknown;
    },
  };
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<ArtifactError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    return error as ArtifactError;
  }
  throw new Error('expected a rejection');
}

describe('npm resolution against a loopback registry', () => {
  let registry: FakeRegistry;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let server100: BuiltPackage;
  const client = testClient();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mcptrust-pin-npm-'));
    await writeFile(join(work, 'empty.npmrc'), '');
    server100 = await fixtureServerPackage('1.0.0');
    registry = await startFakeRegistry({
      packages: [
        server100,
        await fixtureServerPackage('1.2.0'),
        await fixtureServerPackage('2.0.0-beta.1'),
        await fixtureDepPackage('1.0.0'),
        await fixtureDepPackage('1.3.0'),
        await buildPackage({ name: 'multi-bin', version: '1.0.0', files: { 'a.js': '', 'b.js': '' }, packageJson: { bin: { a: 'a.js', b: 'b.js' } } }),
        await buildPackage({ name: '@scope/single', version: '1.0.0', files: { 'cli.js': '' }, packageJson: { bin: 'cli.js' } }),
        await buildPackage({ name: 'git-dep', version: '1.0.0', files: { 'i.js': '' }, packageJson: { bin: 'i.js', dependencies: { 'fixture-dep': 'git+https://127.0.0.1:9/fixture-dep.git' } } }),
      ],
    });
    registry.publish(
      await buildPackage({
        name: 'url-dep',
        version: '1.0.0',
        files: { 'i.js': '' },
        packageJson: { bin: 'i.js', dependencies: { 'fixture-dep': `${registry.url}fixture-dep/-/fixture-dep-1.0.0.tgz` } },
      }),
    );
    env = {
      PATH: process.env.PATH,
      HOME: work,
      NODE_EXTRA_CA_CERTS: LOOPBACK_CERT_PATH,
      // A global npmrc may set `cafile` (which replaces the CA list): trust the fixture explicitly.
      npm_config_cafile: LOOPBACK_CERT_PATH,
      npm_config_fetch_retries: '0',
      npm_config_userconfig: join(work, 'empty.npmrc'),
      npm_config_cache: join(work, 'cache'),
      npm_config_update_notifier: 'false',
      MCPTRUST_TEST_MARKER: join(work, 'postinstall-ran'),
    };
  });
  afterAll(async () => {
    await registry.close();
    await rm(work, { recursive: true, force: true });
  });

  const config = () => readNpmConfig({ env: { npm_config_registry: registry.url }, cwd: work, home: work });

  it('fetches packuments and picks one exact version', async () => {
    const packument = await fetchPackument(client, registry.url, 'fixture-mcp-server', {});
    expect(pickVersion(packument, '^1.0.0', 'fixture-mcp-server').version).toBe('1.2.0');
    expect(pickVersion(packument, '1.0.0', 'fixture-mcp-server').version).toBe('1.0.0');
    expect(pickVersion(packument, 'latest', 'fixture-mcp-server').version).toBe('2.0.0-beta.1');
    expect(pickVersion(packument, '~1.0', 'fixture-mcp-server').version).toBe('1.0.0');
    const none = (() => {
      try {
        pickVersion(packument, '^3', 'fixture-mcp-server');
      } catch (error) {
        return error as ArtifactError;
      }
      throw new Error('expected an error');
    })();
    expect(none.code).toBe('RESOLVE_FAILED');
    expect(none.message).toContain('fixture-mcp-server@^3');
    const missing = await rejection(fetchPackument(client, registry.url, 'no-such-pkg', {}));
    expect(missing.code).toBe('RESOLVE_FAILED');
    expect(missing.message).toContain('no-such-pkg');
    expect(missing.message).toContain(registry.url);
    await fetchPackument(client, registry.url, '@scope/single', {});
    expect(registry.requests.some((r) => r.url === '/@scope%2fsingle')).toBe(true);
  });

  it('chooses the bin the launcher runs', () => {
    const m = (bin: unknown) => ({ name: '@s/tool', version: '1.0.0', bin: bin as Record<string, string> });
    expect(chooseBin(m('cli.js'), undefined)).toEqual({ bin: 'tool', record: false });
    expect(chooseBin(m({ tool: 'a.js', other: 'b.js' }), undefined)).toEqual({ bin: 'tool', record: false });
    expect(chooseBin(m({ only: 'a.js' }), undefined)).toEqual({ bin: 'only', record: false });
    expect(chooseBin(m({ a: 'a.js', b: 'b.js' }), 'b')).toEqual({ bin: 'b', record: true });
    // Naming the bin `run` would choose anyway records nothing.
    expect(chooseBin(m({ tool: 'a.js', other: 'b.js' }), 'tool')).toEqual({ bin: 'tool', record: false });
    expect(chooseBin(m({ tool: 'a.js', other: 'b.js' }), 'other')).toEqual({ bin: 'other', record: true });
    expect(chooseBin(m({ only: 'a.js' }), 'only')).toEqual({ bin: 'only', record: false });
    expect(chooseBin(m('cli.js'), 'tool')).toEqual({ bin: 'tool', record: false });
    expect(() => chooseBin(m({ a: 'a.js', b: 'b.js' }), undefined)).toThrow(/several bins \(a, b\)/);
    expect(() => chooseBin(m({ a: 'a.js' }), 'c')).toThrow(/no bin "c"/);
    expect(() => chooseBin(m(undefined), undefined)).toThrow(/has no bin/);
  });

  it('pins an exact version end to end, with the dependency tree and no install script run', async () => {
    const { pin, tarball } = await pinNpmPackage(parseNpmLaunch(['npx', '-y', 'fixture-mcp-server@1.0.0', '--flag'])!, { client, config: config(), env });
    expect(Buffer.from(tarball).equals(server100.tarball)).toBe(true);
    expect(pin).toEqual({
      type: 'npm',
      name: 'fixture-mcp-server',
      version: '1.0.0',
      registry: registry.url.replace(/\/$/, ''),
      integrity: server100.integrity,
      tarball_url: `${registry.url}fixture-mcp-server/-/fixture-mcp-server-1.0.0.tgz`,
      tarball_sha256: server100.sha256,
      tarball_size: server100.tarball.length,
      argv: ['--flag'],
      tree: [
        {
          path: 'node_modules/fixture-dep',
          name: 'fixture-dep',
          version: '1.3.0',
          resolved: `${registry.url}fixture-dep/-/fixture-dep-1.3.0.tgz`,
          integrity: (await fixtureDepPackage('1.3.0')).integrity,
        },
      ],
    });
    expect(Object.values(pin).includes(undefined)).toBe(false);
    expect(existsSync(join(work, 'postinstall-ran'))).toBe(false);
  });

  it('pins a range to its highest version, and the bin only when chosen', async () => {
    const { pin } = await pinNpmPackage(parseNpmLaunch(['npx', '-y', 'fixture-mcp-server@^1'])!, { client, config: config(), env, tree: false });
    expect(pin.version).toBe('1.2.0');
    expect(pin.tree).toBeUndefined();
    expect(pin.bin).toBeUndefined();
    const chosen = await pinNpmPackage(parseNpmLaunch(['npx', '-p', 'multi-bin', 'b', 'x'])!, { client, config: config(), env, tree: false });
    expect(chosen.pin.bin).toBe('b');
    expect(chosen.pin.argv).toEqual(['x']);
    const several = await rejection(pinNpmPackage(parseNpmLaunch(['npx', 'multi-bin'])!, { client, config: config(), env, tree: false }));
    expect(several.code).toBe('BIN_INVALID');
    expect((await pinNpmPackage(parseNpmLaunch(['npx', '@scope/single'])!, { client, config: config(), env, tree: false })).pin.bin).toBeUndefined();
  });

  it('refuses a tarball whose bytes do not match the registry integrity', async () => {
    const local = await startFakeRegistry({ packages: [server100] });
    try {
      local.swapTarball('fixture-mcp-server', '1.0.0', Buffer.from('not the package'));
      const cfg = readNpmConfig({ env: { npm_config_registry: local.url }, cwd: work, home: work });
      const error = await rejection(pinNpmPackage(parseNpmLaunch(['npx', 'fixture-mcp-server@1.0.0'])!, { client, config: cfg, env, tree: false }));
      expect(error.code).toBe('INTEGRITY_MISMATCH');
      expect(error.field).toBe('dist.integrity');
      expect(error.expected).toBe(server100.integrity);
      expect(error.found).toMatch(/^sha512-/);
      expect(error.found).not.toBe(server100.integrity);
      local.setIntegrity('fixture-mcp-server', '1.0.0', 'sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      const sha1 = await rejection(pinNpmPackage(parseNpmLaunch(['npx', 'fixture-mcp-server@1.0.0'])!, { client, config: cfg, env, tree: false }));
      expect(sha1.code).toBe('RESOLVE_FAILED');
      expect(sha1.message).toContain('no sha512 integrity');
    } finally {
      await local.close();
    }
  });

  it('refuses a non-https tarball URL', async () => {
    const fake: GuardedClient = {
      ...client,
      request: async (url, init) => {
        const res = await client.request(url, init);
        const doc = JSON.parse(res.body.toString()) as { versions: Record<string, { dist: { tarball: string } }> };
        for (const v of Object.values(doc.versions)) v.dist.tarball = v.dist.tarball.replace('https:', 'http:');
        return { ...res, body: Buffer.from(JSON.stringify(doc)) };
      },
    };
    const error = await rejection(pinNpmPackage(parseNpmLaunch(['npx', 'fixture-mcp-server@1.0.0'])!, { client: fake, config: config(), env, tree: false }));
    expect(error.code).toBe('INSECURE_URL');
  });

  it('refuses dependencies given as a git URL or a tarball URL', async () => {
    const git = await rejection(pinNpmPackage(parseNpmLaunch(['npx', 'git-dep@1.0.0'])!, { client, config: config(), env }));
    expect(git.code).toBe('TREE_UNPINNABLE');
    expect(git.message).toContain('git+https://127.0.0.1:9/fixture-dep.git');
    // Resolved by npm: the lock's declared spec is refused.
    const url = await rejection(
      resolveDependencyTree({ name: 'url-dep', version: '1.0.0', integrity: (await fetchPackument(client, registry.url, 'url-dep', {})).versions['1.0.0']!.dist.integrity!, registry: registry.url, env }),
    );
    expect(url.code).toBe('TREE_UNPINNABLE');
    expect(url.message).toContain('remote spec');
  });

  it('refuses a lock whose root is not the pinned integrity, with npm failures named', async () => {
    const wrong = await rejection(resolveDependencyTree({ name: 'fixture-dep', version: '1.0.0', integrity: server100.integrity, registry: registry.url, env }));
    expect(wrong.code).toBe('TREE_UNPINNABLE');
    expect(wrong.field).toContain('integrity');
    const failed = await rejection(resolveDependencyTree({ name: 'no-such-pkg', version: '1.0.0', integrity: server100.integrity, registry: registry.url, env }));
    expect(failed.code).toBe('TREE_UNPINNABLE');
    expect(failed.message).toMatch(/404|E404|Not found/i);
    const missing = await rejection(resolveDependencyTree({ name: 'fixture-dep', version: '1.0.0', integrity: server100.integrity, registry: registry.url, env, npmCommand: join(work, 'no-npm-here') }));
    expect(missing.code).toBe('TOOL_MISSING');
  });
});
