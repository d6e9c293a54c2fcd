import { describe, expect, it } from '@jest/globals';
import * as api from '../src/index.js';
import { ArtifactError } from '../src/index.js';

describe('@mcptrust/artifact', () => {
  it('exports exactly the documented surface', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ArtifactError',
      'artifactCacheRoot',
      'assertAddressAllowed',
      'classifyAddress',
      'createGuardedClient',
      'describePin',
      'describeProvenance',
      'dockerRunArgv',
      'fetchAttestations',
      'fetchRegistryKeys',
      'installPinnedTree',
      'npmLaunchSpec',
      'parseArtifactPin',
      'parseDockerRun',
      'parseExpectedSource',
      'parseImageReference',
      'parseNpmLaunch',
      'pinNpmPackage',
      'pinOciImage',
      'pinServerCommand',
      'prepareServerLaunch',
      'readNpmConfig',
      'recognizeServerCommand',
      'resolveDependencyTree',
      'verifyNpmPin',
      'verifyNpmProvenance',
      'verifyOciPin',
      'verifyPinnedProvenance',
      'verifyRegistrySignature',
      'verifyTarball',
    ]);
  });

  describe('ArtifactError', () => {
    it('carries its code, name and cause', () => {
      const cause = new Error('root cause');
      const error = new ArtifactError('INTEGRITY_MISMATCH', 'something failed', { cause });
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('ArtifactError');
      expect(error.code).toBe('INTEGRITY_MISMATCH');
      expect(error.message).toBe('something failed');
      expect(error.cause).toBe(cause);
    });
  });
});

describe('ArtifactError for an integrity mismatch', () => {
  it('keeps the expected and found digests', () => {
    const error = new ArtifactError('INTEGRITY_MISMATCH', 'tarball changed', { expected: 'sha512-a', found: 'sha512-b' });
    expect([error.expected, error.found]).toEqual(['sha512-a', 'sha512-b']);
  });
});
