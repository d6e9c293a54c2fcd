import { describe, expect, it } from '@jest/globals';
import { ArtifactError } from '../../src/errors.js';
import { normalizeRepositoryUrl, parseExpectedSource, sourceMatches } from '../../src/provenance/expected-source.js';

describe('parseExpectedSource', () => {
  it('compares an exact URL after removing git+, .git and trailing slashes', () => {
    const expected = parseExpectedSource('git+https://github.com/o/r.git');
    expect(expected).toEqual({ kind: 'exact', url: 'https://github.com/o/r' });
    expect(sourceMatches(expected, 'https://github.com/o/r/')).toBe(true);
    expect(sourceMatches(expected, 'git+https://github.com/o/r.git')).toBe(true);
    expect(sourceMatches(expected, 'https://github.com/o/r-fork')).toBe(false);
    expect(normalizeRepositoryUrl(' git+https://gitlab.com/g/p.git/ ')).toBe('https://gitlab.com/g/p');
  });

  it('matches an anchored regular expression against the whole URL', () => {
    const expected = parseExpectedSource('^https://github\\.com/o/[a-z-]+$');
    expect(sourceMatches(expected, 'https://github.com/o/mcp-server')).toBe(true);
    expect(sourceMatches(expected, 'https://github.com/evil/mcp-server')).toBe(false);
  });

  it('keeps every branch of an alternation anchored', () => {
    const expected = parseExpectedSource('^https://github\\.com/o/r|https://github\\.com/o/s$');
    expect(sourceMatches(expected, 'https://github.com/o/s')).toBe(true);
    expect(sourceMatches(expected, 'https://github.com/o/r')).toBe(true);
    expect(sourceMatches(expected, 'https://github.com/o/r-evil')).toBe(false);
    expect(sourceMatches(expected, 'https://evil.example/https://github.com/o/s')).toBe(false);
  });

  it('refuses an unanchored or invalid pattern as a usage error', () => {
    for (const text of ['github.com/o/r', '^https://github\\.com/o/', 'https?://github\\.com/o/r$', '^(unclosed$']) {
      let error: unknown;
      try {
        parseExpectedSource(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ArtifactError);
      expect((error as ArtifactError).code).toBe('INVALID_COMMAND');
      expect((error as ArtifactError).message).toContain(text);
    }
  });
});
