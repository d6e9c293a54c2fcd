import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AuditError } from '../../src/errors.js';
import { envNames, sanitizeText } from '../../src/redact/index.js';

describe('sanitizeText', () => {
  describe('when the text holds characters a log viewer would act on or hide', () => {
    it.each([
      ['\n', '\\u{000A}'],
      ['\r', '\\u{000D}'],
      ['\u0000', '\\u{0000}'],
      ['\u001b', '\\u{001B}'],
      ['\u007f', '\\u{007F}'],
      ['\u0085', '\\u{0085}'],
      ['\u009b', '\\u{009B}'],
      ['\u2028', '\\u{2028}'],
      ['\u2029', '\\u{2029}'],
      ['\u202a', '\\u{202A}'],
      ['\u202e', '\\u{202E}'],
      ['\u2066', '\\u{2066}'],
      ['\u2069', '\\u{2069}'],
      ['\u200b', '\\u{200B}'],
      ['\u200f', '\\u{200F}'],
      ['\ufeff', '\\u{FEFF}'],
      ['\u00ad', '\\u{00AD}'],
      ['\u2060', '\\u{2060}'],
      ['\u2064', '\\u{2064}'],
      ['\u{E0041}', '\\u{E0041}'],
      ['\ud800', '\\u{D800}'],
    ])('escapes %j as %s', (ch, escaped) => {
      expect(sanitizeText(`a${ch}b`)).toBe(`a${escaped}b`);
    });
  });

  describe('when the text is ordinary', () => {
    it('keeps ASCII, accented letters, CJK and emoji', () => {
      const text = 'read_file café 読み込み 😀 /tmp/x';
      expect(sanitizeText(text)).toBe(text);
    });
  });

  describe('when the text is long', () => {
    it('cuts at 256 UTF-16 units and adds …', () => {
      const out = sanitizeText('x'.repeat(300));
      expect(out).toBe('x'.repeat(256) + '…');
    });

    it('keeps text of exactly maxLength untouched', () => {
      expect(sanitizeText('abc', 3)).toBe('abc');
    });

    it('never splits a surrogate pair', () => {
      expect(sanitizeText('ab😀', 3)).toBe('ab…');
    });

    it('never splits an escape', () => {
      expect(sanitizeText('ab\n', 5)).toBe('ab…');
    });

    it('refuses a maxLength that is not a positive integer, naming it', () => {
      expect(() => sanitizeText('x', -1)).toThrow(AuditError);
      expect(() => sanitizeText('x', Number.NaN)).toThrow(/sanitizeText maxLength/);
    });
  });

  it('always produces a bounded single line with no hidden characters (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 1, max: 300 }), (s, max) => {
        const out = sanitizeText(s, max);
        expect(out.length).toBeLessThanOrEqual(max + 1);
        expect(out).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
      }),
    );
  });
});

describe('sanitizeText (property)', () => {
  const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115F\u1160\u3164\uFFA0]/u;
  it('returns printable ASCII within the bound unchanged, and never a hidden character for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 }), (ascii) => {
        const out = sanitizeText(ascii);
        if (ascii.length <= 256) expect(out).toBe(ascii);
        else expect(out).toBe(`${ascii.slice(0, 256)}…`);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(HIDDEN.test(sanitizeText(text))).toBe(false);
      }),
    );
  });
});

describe('envNames', () => {
  it('returns the sorted names without values', () => {
    const names = envNames({ PATH: '/bin', GITHUB_TOKEN: 'ghp_secret', A: '', B: undefined });
    expect(names).toEqual(['A', 'GITHUB_TOKEN', 'PATH']);
    expect(JSON.stringify(names)).not.toContain('ghp_secret');
  });

  it('escapes a hostile name', () => {
    expect(envNames({ 'X\nY': '1' })).toEqual(['X\\u{000A}Y']);
  });
});
