import { describe, expect, it } from '@jest/globals';
import { ActionInputError, parseActionInputs } from '../src/index.js';

describe('parseActionInputs', () => {
  describe('when only the server command is given', () => {
    it('defaults to check mode, mcp-lock.json and fail_on critical', () => {
      expect(parseActionInputs({ INPUT_SERVER_COMMAND: 'npx -y srv /tmp' })).toEqual({
        mode: 'check', lockfile: 'mcp-lock.json', failOn: 'critical', serverCommand: 'npx -y srv /tmp',
      });
    });
  });
  describe('when an input is invalid', () => {
    it.each([
      [{ INPUT_MODE: 'deploy', INPUT_SERVER_COMMAND: 'x' }, 'mode'],
      [{ INPUT_FAIL_ON: 'high', INPUT_SERVER_COMMAND: 'x' }, 'fail_on'],
      [{ INPUT_MODE: 'lock' }, 'server_command'],
    ])('throws ActionInputError naming the input (%j)', (env, input) => {
      expect(() => parseActionInputs(env)).toThrow(ActionInputError);
      try { parseActionInputs(env); } catch (e) { expect((e as ActionInputError).input).toBe(input); }
    });
  });
  it('keeps the policy input when given', () => {
    expect(parseActionInputs({ INPUT_SERVER_COMMAND: 'x', INPUT_POLICY: 'baseline', INPUT_MODE: 'policy' }).policy).toBe('baseline');
  });
});
