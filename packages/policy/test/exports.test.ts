import { describe, expect, it } from '@jest/globals';
import * as api from '../src/index.js';
import { PolicyError } from '../src/index.js';

describe('@mcptrust/policy', () => {
  it('exports exactly the documented surface', () => {
    expect(Object.keys(api).sort()).toEqual([
      'MAX_POLICY_BYTES',
      'MAX_POLICY_RULES',
      'PRESET_NAMES',
      'PolicyError',
      'buildPolicyInput',
      'createRuntimeGuard',
      'evaluatePolicy',
      'loadPolicy',
      'loadPreset',
      'parsePolicy',
    ]);
  });

  describe('PolicyError', () => {
    it('carries its code, name, cause and location', () => {
      const cause = new Error('root cause');
      const error = new PolicyError('RULE_SYNTAX_ERROR', 'something failed', { cause, file: 'p.yaml', rule: 'r', position: { line: 1, column: 2 } });
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('PolicyError');
      expect(error.code).toBe('RULE_SYNTAX_ERROR');
      expect(error.message).toBe('something failed');
      expect(error.cause).toBe(cause);
      expect([error.file, error.rule, error.position]).toEqual(['p.yaml', 'r', { line: 1, column: 2 }]);
    });
  });
});
