import { describe, expect, it } from '@jest/globals';
import * as api from '../src/index.js';
import { PolicyError } from '../src/index.js';

describe('@mcptrust/policy', () => {
  it('exports exactly the documented surface', () => {
    expect(Object.keys(api).sort()).toEqual(['PRESET_NAMES', 'PolicyError']);
  });

  describe('PolicyError', () => {
    it('carries its code, name and cause', () => {
      const cause = new Error('root cause');
      const error = new PolicyError('RULE_SYNTAX_ERROR', 'something failed', { cause });
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('PolicyError');
      expect(error.code).toBe('RULE_SYNTAX_ERROR');
      expect(error.message).toBe('something failed');
      expect(error.cause).toBe(cause);
    });
  });
});
