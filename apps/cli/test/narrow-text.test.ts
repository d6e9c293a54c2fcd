/**
 * The bundle measures "narrow" text by its length instead of loading string-width
 * (narrow-text.mjs). That is only correct if every such text has exactly that width
 * in the string-width versions yargs and cliui use: checked here against both.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { runCli } from './helpers.js';

type StringWidth = (text: string) => number;

// A path held in a variable: the build helper is plain JavaScript outside src.
const HELPER = '../narrow-text.mjs';
const { NARROW_TEXT } = (await import(HELPER)) as { NARROW_TEXT: RegExp };

async function stringWidthOf(from: string): Promise<StringWidth> {
  const path = createRequire(from).resolve('string-width');
  return ((await import(pathToFileURL(path).href)) as { default: StringWidth }).default;
}

const require = createRequire(import.meta.url);
const yargsEntry = require.resolve('yargs');
const versions: [string, StringWidth][] = [
  ['string-width of yargs', await stringWidthOf(yargsEntry)],
  ['string-width of cliui', await stringWidthOf(createRequire(yargsEntry).resolve('cliui'))],
];

/** Every code point the pattern accepts (it is a single character class). */
function narrowCharacters(): string[] {
  const out: string[] = [];
  for (let cp = 0; cp <= 0x2fff; cp++) {
    const ch = String.fromCodePoint(cp);
    if (NARROW_TEXT.test(ch)) out.push(ch);
  }
  return out;
}

describe('NARROW_TEXT', () => {
  it('accepts printable ASCII and the punctuation of the help text only', () => {
    const chars = narrowCharacters();
    expect(chars.length).toBe(95 + 11);
    expect(NARROW_TEXT.test('\u001b[31mred')).toBe(false);
    expect(NARROW_TEXT.test('界')).toBe(false);
    expect(NARROW_TEXT.test('e\u0301')).toBe(false);
    expect(NARROW_TEXT.test('a\tb')).toBe(false);
  });

  describe.each(versions)('against the real %s', (_label, stringWidth) => {
    it('gives every accepted character a width of one column', () => {
      for (const ch of narrowCharacters()) expect([ch, stringWidth(ch)]).toEqual([ch, 1]);
    });

    it('gives accepted text a width equal to its length', () => {
      const all = narrowCharacters().join('');
      for (const text of ['', all, `${all}${all}`, 'mcptrust — deny-by-default firewall', '“quoted” ‘x’ … → ←', '#*0123456789']) {
        expect(NARROW_TEXT.test(text)).toBe(true);
        expect(stringWidth(text)).toBe(text.length);
      }
    });
  });

  it('covers every line of the built CLI\'s --help, so help never loads string-width', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((line) => !NARROW_TEXT.test(line))).toEqual([]);
  });
});
