import { describe, expect, it } from '@jest/globals';
import { isRegistryTarballUrl, npmEnv, treeFromLock } from '../../src/npm/dependency-tree.js';
import { digestTarball } from '../../src/npm/tarball-digest.js';

const I = (s: string) => digestTarball(Buffer.from(s)).integrity;
const pin = { name: 'root', version: '1.0.0', integrity: I('root') };
const base = (extra: Record<string, unknown>) => ({
  lockfileVersion: 3,
  packages: { '': { name: 'x' }, 'node_modules/root': { version: '1.0.0', integrity: pin.integrity, resolved: 'https://r/root/-/root-1.0.0.tgz' }, ...extra },
});

describe('treeFromLock', () => {
  it('keeps registry entries sorted, picks sha512 from multi-hash SRI, skips bundled ones', () => {
    const tree = treeFromLock(
      base({
        'node_modules/b': { version: '2.0.0', resolved: 'https://r/b/-/b-2.0.0.tgz', integrity: `sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA= ${I('b')}`, optional: true, os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
        'node_modules/@s/a': { version: '1.0.0', resolved: 'https://r/@s/a/-/a-1.0.0.tgz', integrity: I('a') },
        'node_modules/b/node_modules/c': { inBundle: true, version: '1.0.0' },
      }),
      pin,
    );
    expect(tree).toEqual([
      { path: 'node_modules/@s/a', name: '@s/a', version: '1.0.0', resolved: 'https://r/@s/a/-/a-1.0.0.tgz', integrity: I('a') },
      { path: 'node_modules/b', name: 'b', version: '2.0.0', resolved: 'https://r/b/-/b-2.0.0.tgz', integrity: I('b'), optional: true, os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
    ]);
  });

  it.each([
    [{ 'node_modules/l': { link: true, resolved: '../l' } }, /link/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'http://r/l/-/l-1.0.0.tgz', integrity: I('l') } }, /not https/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'git+ssh://git@github.com/o/l.git#abc', integrity: I('l') } }, /git/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'file:../l.tgz', integrity: I('l') } }, /local file/],
    [{ 'node_modules/l': { name: 'other', version: '1.0.0', resolved: 'https://r/other/-/other-1.0.0.tgz', integrity: I('l') } }, /alias of other/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'https://r/l/-/l-1.0.0.tgz', integrity: 'sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=' } }, /no sha512 integrity/],
    [{ 'node_modules/l': { version: '1.0.0', integrity: I('l') } }, /no resolved URL/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'https://host.example/downloads/l.tgz', integrity: I('l') } }, /not a registry tarball URL of l/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'https://r/other/-/other-1.0.0.tgz', integrity: I('l') } }, /not a registry tarball URL of l/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'https://r/l/-/l-1.0.0.tgz', integrity: I('l'), dependencies: { m: 'github:o/m' } } }, /dependencies\.m .*git spec/],
  ])('refuses %j naming the path', (extra, why) => {
    expect(() => treeFromLock(base(extra), pin)).toThrow(expect.objectContaining({ code: 'TREE_UNPINNABLE', message: expect.stringMatching(why) }) as unknown as Error);
    expect(() => treeFromLock(base(extra), pin)).toThrow(/node_modules\/l/);
  });

  it('refuses a root that is not the pinned version or integrity', () => {
    expect(() => treeFromLock(base({}), { ...pin, version: '1.0.1' })).toThrow(expect.objectContaining({ code: 'TREE_UNPINNABLE', expected: '1.0.1', found: '1.0.0' }) as unknown as Error);
    expect(() => treeFromLock(base({}), { ...pin, integrity: I('other') })).toThrow(expect.objectContaining({ code: 'TREE_UNPINNABLE', field: 'packages["node_modules/root"].integrity' }) as unknown as Error);
    expect(() => treeFromLock({ lockfileVersion: 1, dependencies: {} }, pin)).toThrow(/no "packages"/);
  });
});

describe('isRegistryTarballUrl', () => {
  it.each([
    ['https://registry.npmjs.org/pkg/-/pkg-1.0.0.tgz', 'pkg', true],
    ['https://registry.npmjs.org/@s/pkg/-/pkg-1.0.0.tgz', '@s/pkg', true],
    ['https://npm.corp.example/api/npm/npm/@s%2fpkg/-/@s/pkg-1.0.0.tgz', '@s/pkg', true],
    ['https://npm.pkg.github.com/download/@o/pkg/1.0.0/0123abcd', '@o/pkg', true],
    ['https://host.example/pkg.tgz', 'pkg', false],
    ['https://registry.npmjs.org/other/-/other-1.0.0.tgz', 'pkg', false],
    ['https://registry.npmjs.org/pkg/-/pkg-1.0.0.zip', 'pkg', false],
    ['not a url', 'pkg', false],
  ])('%s of %s: %s', (url, name, expected) => {
    expect(isRegistryTarballUrl(url, name, '1.0.0')).toBe(expected);
  });
});

describe('npmEnv', () => {
  it('drops the settings the resolution fixes itself, in any case, and keeps the rest', () => {
    const env = npmEnv({
      PATH: '/bin',
      npm_config_ignore_scripts: 'false',
      NPM_CONFIG_IGNORE_SCRIPTS: 'false',
      'npm_config_omit-lockfile-registry-resolved': 'true',
      npm_config_omit_lockfile_registry_resolved: 'true',
      npm_config_dry_run: 'true',
      npm_config_install_strategy: 'linked',
      npm_config_registry: 'https://elsewhere.example/',
      npm_config_cache: '/c',
      'npm_config_@s:registry': 'https://s.example/',
      NODE_EXTRA_CA_CERTS: '/ca.pem',
    });
    expect(env).toEqual({ PATH: '/bin', npm_config_cache: '/c', 'npm_config_@s:registry': 'https://s.example/', NODE_EXTRA_CA_CERTS: '/ca.pem' });
  });
});
