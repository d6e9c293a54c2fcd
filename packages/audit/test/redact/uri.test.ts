import { describe, expect, it } from '@jest/globals';
import { AuditError } from '../../src/errors.js';
import { redactUri } from '../../src/redact/index.js';

describe('redactUri', () => {
  describe('when the text is a URI', () => {
    it.each([
      ['file:///a/b?x=1#f', 'file:///a/b'],
      ['https://user:pass@example.com/a?token=x#frag', 'https://example.com/a'],
      ['https://tok@example.com', 'https://example.com'],
      ['https://example.com:8443/p/q', 'https://example.com:8443/p/q'],
      ['s3://bucket/key?X-Amz-Signature=abc', 's3://bucket/key'],
      ['file:///a/../etc/passwd', 'file:///a/../etc/passwd'],
      ['file:///a%2Fb', 'file:///a%2Fb'],
      ['user:pass@host/x', 'user:host/x'],
      ['mailto:someone@example.com', 'mailto:example.com'],
      ['urn:isbn:0451450523', 'urn:isbn:0451450523'],
      ['users://{id}/profile{?fields}', 'users://{id}/profile{?fields}'],
      ['users://{id}/profile{?fields}?secret=1', 'users://{id}/profile{?fields}'],
    ])('%s → %s', (input, output) => {
      expect(redactUri(input)).toBe(output);
    });
  });

  describe('when the text is hostile', () => {
    it('escapes controls and bidi characters in what remains', () => {
      expect(redactUri('file:///a\nb\u202Ec?x=\n')).toBe('file:///a\\u{000A}b\\u{202E}c');
    });

    it('passes non-URI text through sanitizeText', () => {
      expect(redactUri('just\u0000text')).toBe('just\\u{0000}text');
    });

    it('bounds the result to 256 characters plus … by default', () => {
      const out = redactUri('file:///' + 'a'.repeat(1000));
      expect(out).toHaveLength(257);
      expect(out.endsWith('…')).toBe(true);
    });

    it('honours maxLength', () => {
      expect(redactUri('https://example.com/abcdef', { maxLength: 10 })).toBe('https://ex…');
    });

    it('refuses a maxLength that is not a positive integer, naming it', () => {
      expect(() => redactUri('x', { maxLength: 0 })).toThrow(AuditError);
      expect(() => redactUri('x', { maxLength: 1.5 })).toThrow(/redactUri maxLength/);
    });
  });
});
