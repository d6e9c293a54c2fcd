import { describe, expect, it } from '@jest/globals';
import { confusableSkeleton, detectConfusableNames } from '../src/index.js';

// Look-alikes are written as escapes: typed as characters they would be unreadable here.
const CYRILLIC_A = '\u0430';
const CYRILLIC_O = '\u043E';
const GREEK_O = '\u03BF';

describe('confusableSkeleton', () => {
  it.each<[string, string, string]>([
    [`re${CYRILLIC_A}d_file`, 'read_file', 'Cyrillic а'],
    [`ech${GREEK_O}`, 'echo', 'Greek omicron'],
    ['\uFF52\uFF45\uFF41\uFF44', 'read', 'fullwidth letters'],
    ['\u{1D42B}\u{1D41E}\u{1D41A}\u{1D41D}', 'read', 'mathematical bold letters'],
    ['ré\u0301ad', 'read', 'diacritics'],
    ['read\u200B_file', 'read_file', 'a zero-width space'],
    ['Is', 'ls', 'capital I'],
    ['l1st', 'llst', 'digit one'],
    ['0pen', 'Open', 'digit zero'],
    ['modeI', 'rnodel', 'rn and m'],
    ['list\u2010files', 'list-files', 'a Unicode hyphen'],
  ])('maps %j and %j to the same skeleton (%s)', (a, b) => {
    expect(confusableSkeleton(a)).toBe(confusableSkeleton(b));
  });

  it.each<[string, string]>([
    ['read_file', 'Read_file'],
    ['read_file', 'read-file'],
    ['read_file', 'read_files'],
    ['list', 'last'],
  ])('keeps %j and %j apart', (a, b) => {
    expect(confusableSkeleton(a)).not.toBe(confusableSkeleton(b));
  });
});

describe('detectConfusableNames', () => {
  describe('when a name imitates another with a Cyrillic letter', () => {
    const findings = detectConfusableNames(['read_file', `re${CYRILLIC_A}d_file`]);

    it('reports MIXED_SCRIPT_NAME and CONFUSABLE_NAME on the non-ASCII name only', () => {
      expect(findings.map((f) => [f.code, f.severity, f.name])).toEqual([
        ['MIXED_SCRIPT_NAME', 'high', `re${CYRILLIC_A}d_file`],
        ['CONFUSABLE_NAME', 'high', `re${CYRILLIC_A}d_file`],
      ]);
    });

    it('shows the code points of both names', () => {
      const confusable = findings.find((f) => f.code === 'CONFUSABLE_NAME');
      expect(confusable?.similarTo).toEqual(['read_file']);
      expect(confusable?.evidence).toBe('r e U+0430 d _ f i l e vs r e a d _ f i l e');
      expect(confusable?.message).toBe('name `r e U+0430 d _ f i l e` looks like `read_file`');
    });

    it('names the mixed scripts', () => {
      expect(findings[0]?.scripts).toEqual(['Latin', 'Cyrillic']);
    });
  });

  describe('when two ASCII names look alike (`ls` and `Is`)', () => {
    it('reports one CONFUSABLE_NAME warning, on the later name', () => {
      expect(detectConfusableNames(['ls', 'Is', 'cat'])).toEqual([
        {
          code: 'CONFUSABLE_NAME',
          severity: 'warning',
          name: 'Is',
          similarTo: ['ls'],
          message: 'name `Is` looks like `ls`',
          evidence: 'I s vs l s',
        },
      ]);
    });
  });

  describe('when a name mixes scripts without imitating anything listed', () => {
    it('reports MIXED_SCRIPT_NAME', () => {
      const findings = detectConfusableNames([`l${CYRILLIC_O}gin`]);
      expect(findings.map((f) => f.code)).toEqual(['MIXED_SCRIPT_NAME']);
    });
  });

  describe('when a name is non-ASCII but in one script', () => {
    it('reports an informational CONFUSABLE_NAME', () => {
      const findings = detectConfusableNames(['\u0447\u0442\u0435\u043D\u0438\u0435']);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ code: 'CONFUSABLE_NAME', severity: 'info' });
      expect(findings[0]?.message).toContain('non-ASCII');
    });

    it('accepts Japanese script mixes as one identifier', () => {
      const findings = detectConfusableNames(['\u691C\u7D22\u30C4\u30FC\u30EB']);
      expect(findings.map((f) => f.severity)).toEqual(['info']);
    });
  });

  describe('when the names are plain distinct ASCII', () => {
    it('reports nothing', () => {
      expect(detectConfusableNames(['read_file', 'write_file', 'list_directory', 'read_text_file'])).toEqual([]);
    });

    it('ignores exact duplicates', () => {
      expect(detectConfusableNames(['echo', 'echo'])).toEqual([]);
    });
  });
});
