import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compileUriTemplate } from '../src/uri-template.js';

function matcher(t: string) {
  const m = compileUriTemplate(t);
  if (m === undefined) throw new Error(`template ${t} did not compile`);
  return m;
}

describe('compileUriTemplate', () => {
  describe('PROTOCOL 24: strict template matching', () => {
    const project = matcher('file:///project/{path}');

    it('matches one segment for {var}', () => {
      expect(project.matches('file:///project/readme.md')).toBe(true);
      expect(project.matches('file:///project/a/b')).toBe(false);
      expect(project.matches('file:///project/')).toBe(false);
    });

    it.each([
      'file:///project/../../etc/passwd',
      'file:///project/..',
      'file:///project/.',
      'file:///project/%2e%2e/etc/passwd',
      'file:///project/%2E%2E',
      'file:///project/..%2fetc%2fpasswd',
      'file:///project/..%5cwindows',
      'file:///project/a\\..\\b',
      'file:///project/a?x=1',
      'file:///project/a#frag',
      'file:///project/a b',
      'file:///project/a%0a',
      'file:///project/%zz',
      'file:///other/readme.md',
    ])('denies %s', (uri) => {
      expect(project.matches(uri)).toBe(false);
    });

    it('allows several segments for {+var} but refuses dot segments', () => {
      const m = matcher('file:///project/{+path}');
      expect(m.matches('file:///project/src/index.ts')).toBe(true);
      expect(m.matches('file:///project/src/../../etc/passwd')).toBe(false);
      expect(m.matches('file:///project/./x')).toBe(false);
      expect(m.matches('file:///project/src/%2e%2e/x')).toBe(false);
    });

    it('matches {/var*} path segments without dot segments', () => {
      const m = matcher('repo://r{/path*}');
      expect(m.matches('repo://r/a/b/c')).toBe(true);
      expect(m.matches('repo://r/a/../b')).toBe(false);
      expect(m.matches('repo://r/a//b')).toBe(false);
    });

    it('allows a query only when the template has one', () => {
      const m = matcher('db://table/{name}{?limit}');
      expect(m.matches('db://table/users?limit=5')).toBe(true);
      expect(m.matches('db://table/users')).toBe(false);
      expect(matcher('db://table/{name}').matches('db://table/users?limit=5')).toBe(false);
    });

    it('compares literal parts exactly (case-sensitive)', () => {
      expect(project.matches('FILE:///project/readme.md')).toBe(false);
    });

    it('refuses templates that cannot be parsed', () => {
      expect(compileUriTemplate('file:///{path')).toBeUndefined();
      expect(compileUriTemplate('file:///{a}{b}')).toBeUndefined();
    });
  });

  describe('property: no traversal form matches', () => {
    const templates = ['file:///project/{path}', 'file:///project/{+path}', 'repo://r{/path*}', 'x://{a}/y/{b}'];
    const traversal = fc.constantFrom('..', '.', '%2e%2e', '%2E%2e', '.%2e', '%2e', '..%2f', '%2f', '%5c', '..\\', '\\');
    const safe = fc.stringMatching(/^[a-z0-9_-]{1,6}$/);
    it('denies every URI that contains a traversal segment or encoded separator', () => {
      fc.assert(
        fc.property(fc.constantFrom(...templates), fc.array(safe, { maxLength: 3 }), traversal, fc.array(safe, { maxLength: 3 }), (t, before, bad, after) => {
          const m = matcher(t);
          const prefix = t.startsWith('repo') ? 'repo://r/' : t.startsWith('x://') ? 'x://' : 'file:///project/';
          const uri = prefix + [...before, bad, ...after].join('/');
          expect(m.matches(uri)).toBe(false);
        }),
        { numRuns: 500 },
      );
    });
  });
});
