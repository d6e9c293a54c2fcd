import { describe, expect, it } from '@jest/globals';
import * as api from '../src/index.js';
import { SigningError } from '../src/index.js';

describe('@mcptrust/signing', () => {
  it('exports exactly the documented surface', () => {
    expect(Object.keys(api).sort()).toEqual(['DEFAULT_CANON_VERSION', 'SigningError']);
  });

  describe('SigningError', () => {
    it('carries its code, name and cause', () => {
      const cause = new Error('root cause');
      const error = new SigningError('KEY_INVALID', 'something failed', { cause });
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('SigningError');
      expect(error.code).toBe('KEY_INVALID');
      expect(error.message).toBe('something failed');
      expect(error.cause).toBe(cause);
    });
  });
});
