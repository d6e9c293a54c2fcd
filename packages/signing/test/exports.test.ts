import { describe, expect, it } from '@jest/globals';
import * as api from '../src/index.js';
import { SigningError } from '../src/index.js';

describe('@mcptrust/signing', () => {
  it('exports exactly the documented surface', () => {
    expect(Object.keys(api).sort()).toEqual([
      'BUNDLE_ENTRIES',
      'BUNDLE_LIMITS',
      'DEFAULT_CANON_VERSION',
      'GITHUB_ACTIONS_ISSUER',
      'MAX_LOCKFILE_BYTES',
      'SigningError',
      'canonicalLockfileBytes',
      'encodePrivateKey',
      'encodePublicKey',
      'exportApprovalBundle',
      'formatSignatureFile',
      'generateKeyPair',
      'loadTrustedRoot',
      'parseCanonVersion',
      'parsePrivateKey',
      'parsePublicKey',
      'parseSignatureFile',
      'readLockfileText',
      'readPrivateKey',
      'readPublicKey',
      'renderBundleReadme',
      'resolveIdentityToken',
      'signLockfile',
      'signLockfileSigstore',
      'signLockfileText',
      'verifyApprovalBundle',
      'verifyLockfileSignature',
      'verifyLockfileText',
      'verifySigstoreBundle',
      'writeApprovalBundle',
      'writeKeyPair',
    ]);
  });

  describe('SigningError', () => {
    it('carries its code, name, file and cause', () => {
      const cause = new Error('root cause');
      const error = new SigningError('KEY_INVALID', 'something failed', { cause, file: 'k.pem' });
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('SigningError');
      expect(error.code).toBe('KEY_INVALID');
      expect(error.message).toBe('something failed');
      expect(error.cause).toBe(cause);
      expect(error.file).toBe('k.pem');
    });
  });
});
