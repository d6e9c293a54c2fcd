// Signatures written by the Go mcptrust (vectors/mcptrust-go, see SOURCE.md there).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePrivateKey, parsePublicKey, signLockfileText, verifyLockfileText } from '../src/index.js';
import type { SigningError } from '../src/index.js';

const vector = (name: string): string => readFileSync(fileURLToPath(new URL(`./vectors/mcptrust-go/${name}`, import.meta.url)), 'utf8');
const lock = vector('legacy-lock.v1.json');
const publicKey = parsePublicKey(vector('compat_test_public.key'));
const signatures = ['compat_new_v1_sig.txt', 'compat_new_v2_sig.txt', 'compat_legacy_v1_sig.hex'] as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as SigningError).code;
  }
  return undefined;
}

describe('verifyLockfileText', () => {
  describe('with the Go compat vectors', () => {
    it.each(signatures)('accepts %s', (name) => {
      const result = verifyLockfileText(lock, vector(name), publicKey);
      expect(result.canonVersion).toBe(name.includes('v2') ? 'v2' : 'v1');
      expect(result.legacy).toBe(name.endsWith('.hex'));
    });

    it.each(signatures)('rejects %s over a lockfile with one byte flipped, with code SIGNATURE_INVALID', (name) => {
      const tampered = lock.replace('"LOW"', '"LOX"');
      expect(tampered).not.toBe(lock);
      expect(codeOf(() => verifyLockfileText(tampered, vector(name), publicKey))).toBe('SIGNATURE_INVALID');
    });

    it.each(signatures)('rejects %s with one signature digit changed, with code SIGNATURE_INVALID', (name) => {
      const text = vector(name);
      const at = text.lastIndexOf('0d');
      const flipped = `${text.slice(0, at)}0e${text.slice(at + 2)}`;
      expect(codeOf(() => verifyLockfileText(lock, flipped, publicKey))).toBe('SIGNATURE_INVALID');
    });
  });

  describe('with the Go test private key', () => {
    it('derives the published public key and reproduces the Go signature (Ed25519 is deterministic)', () => {
      const pair = parsePrivateKey(vector('compat_test_private.key'));
      expect(Buffer.from(pair.publicKey).equals(Buffer.from(publicKey))).toBe(true);
      const hexOf = (text: string): string => text.trim().split('\n').pop() ?? '';
      expect(hexOf(signLockfileText(lock, pair, 'v1'))).toBe(hexOf(vector('compat_new_v1_sig.txt')));
      expect(signLockfileText(lock, pair, 'v2').startsWith('{"canon_version":"v2"}\n')).toBe(true);
    });
  });
});
