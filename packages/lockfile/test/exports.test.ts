import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import * as lockfile from '@mcptrust/lockfile';

describe('@mcptrust/lockfile export surface', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(lockfile).sort()).toEqual([
      'DEFAULT_GENERATOR',
      'LOCKFILE_VERSION',
      'LockfileError',
      'SELECTOR_EXPECTED',
      'approveItems',
      'approvedItems',
      'artifactPinIdentity',
      'buildLockfile',
      'canonicalize',
      'canonicalizeV1',
      'compareLockfiles',
      'deniedItems',
      'denyItems',
      'describeLockfileChange',
      'formatExcludeFlags',
      'formatItemSelector',
      'hashBytes',
      'hashJson',
      'hashText',
      'hashesMatch',
      'isDenied',
      'isHashString',
      'matchesGlob',
      'normalizeText',
      'parseItemSelector',
      'parseLockfile',
      'promptHashes',
      'readLockfile',
      'resourceTemplateHashes',
      'selectorMatches',
      'serializeLockfile',
      'staticResourceHashes',
      'toolHashes',
      'verifySnapshots',
      'writeFileAtomic',
      'writeLockfile',
    ]);
  });

  it('names the format version it writes and the generator of this package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(lockfile.LOCKFILE_VERSION).toBe('3.0');
    expect(lockfile.DEFAULT_GENERATOR).toBe(`mcptrust ${pkg.version}`);
  });
});

describe('LockfileError', () => {
  it('carries its code, details and cause', () => {
    const cause = new Error('inner');
    const error = new lockfile.LockfileError('SCHEMA_INVALID', 'bad', { cause, file: 'f.json', jsonPath: 'tools.x', expected: 'a', found: 'b' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('LockfileError');
    expect(error).toMatchObject({ code: 'SCHEMA_INVALID', message: 'bad', cause, file: 'f.json', jsonPath: 'tools.x', expected: 'a', found: 'b' });
  });

  it('leaves out details that were not given', () => {
    const error = new lockfile.LockfileError('NOT_FOUND', 'gone');
    expect(Object.keys(error).sort()).toEqual(['code', 'name']);
    expect(error.cause).toBeUndefined();
  });
});
