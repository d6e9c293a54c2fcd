import { describe, expect, it } from '@jest/globals';
import { printable } from '../src/output.js';

describe('printable', () => {
  describe('when text from a server carries terminal controls', () => {
    it.each([
      ['ESC sequences', 'evil\u001b[2J\u001b[Hname', 'evil<U+001B>[2J<U+001B>[Hname'],
      ['a newline that would forge a log line', 'a\nmcptrust: ok', 'a<U+000A>mcptrust: ok'],
      ['a bidi override', 'file\u202Etxt.exe', 'file<U+202E>txt.exe'],
      ['a zero-width space', 'read\u200Bfile', 'read<U+200B>file'],
      ['tag characters', 'x\u{E0041}', 'x<U+E0041>'],
      ['a C1 control', 'a\u009bb', 'a<U+009B>b'],
    ])('escapes %s', (_label, input, expected) => {
      expect(printable(input)).toBe(expected);
    });
  });

  it('leaves ordinary text, including non-Latin letters, unchanged', () => {
    expect(printable('read_file — Чтение ファイル')).toBe('read_file — Чтение ファイル');
  });
});
