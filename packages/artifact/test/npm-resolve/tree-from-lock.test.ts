import { describe, expect, it } from '@jest/globals';
import { treeFromLock } from '../../src/npm/dependency-tree.js';
import { digestTarball } from '../../src/npm/tarball-digest.js';

const I = (s: string) => digestTarball(Buffer.from(s)).integrity;
const pin = { name: 'root', version: '1.0.0', integrity: I('root') };
const base = (extra: Record<string, unknown>) => ({
  lockfileVersion: 3,
  packages: { '': { name: 'x' }, 'node_modules/root': { version: '1.0.0', integrity: pin.integrity, resolved: 'https://r/root.tgz' }, ...extra },
});

describe('treeFromLock', () => {
  it('keeps registry entries sorted, picks sha512 from multi-hash SRI, skips bundled ones', () => {
    const tree = treeFromLock(
      base({
        'node_modules/b': { version: '2.0.0', resolved: 'https://r/b.tgz', integrity: `sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA= ${I('b')}`, optional: true, os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
        'node_modules/@s/a': { version: '1.0.0', resolved: 'https://r/a.tgz', integrity: I('a') },
        'node_modules/b/node_modules/c': { inBundle: true, version: '1.0.0' },
      }),
      pin,
    );
    expect(tree).toEqual([
      { path: 'node_modules/@s/a', name: '@s/a', version: '1.0.0', resolved: 'https://r/a.tgz', integrity: I('a') },
      { path: 'node_modules/b', name: 'b', version: '2.0.0', resolved: 'https://r/b.tgz', integrity: I('b'), optional: true, os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
    ]);
  });

  it.each([
    [{ 'node_modules/l': { link: true, resolved: '../l' } }, /link/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'http://r/l.tgz', integrity: I('l') } }, /not https/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'git+ssh://git@github.com/o/l.git#abc', integrity: I('l') } }, /git/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'file:../l.tgz', integrity: I('l') } }, /local file/],
    [{ 'node_modules/l': { name: 'other', version: '1.0.0', resolved: 'https://r/o.tgz', integrity: I('l') } }, /alias of other/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'https://r/l.tgz', integrity: 'sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=' } }, /no sha512 integrity/],
    [{ 'node_modules/l': { version: '1.0.0', integrity: I('l') } }, /no resolved URL/],
    [{ 'node_modules/l': { version: '1.0.0', resolved: 'https://r/l.tgz', integrity: I('l'), dependencies: { m: 'github:o/m' } } }, /dependencies\.m .*git spec/],
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
