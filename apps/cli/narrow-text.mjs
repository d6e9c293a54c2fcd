// @ts-check
// `string-width` (used by yargs, cliui and wrap-ansi to lay out --help) creates an
// Intl.Segmenter and compiles Unicode-property regexes when it is first imported:
// ≈ 15–30 ms, a third of `mcptrust --help`. Nearly every string it measures for this
// CLI is made of the characters below, whose width is exactly one column each in every
// string-width version (test/narrow-text.test.ts checks this against the real ones),
// so the bundle answers those itself and loads the real string-width only for other
// text.

/**
 * Text whose width is its length: printable ASCII, and the punctuation the CLI's own
 * help uses (en and em dash, curly quotes, ellipsis, arrows). None of these combine
 * with a neighbour or are wide, so each is one grapheme of one column.
 */
export const NARROW_TEXT = /^[\x20-\x7E\u2013\u2014\u2018\u2019\u201C\u201D\u2026\u2190-\u2193]*$/;

/**
 * The source of the module that stands in for `string-width` in the bundle: narrow text
 * is measured by its length, anything else by the real string-width, required on first
 * use (esbuild evaluates a required ES module lazily) from the importer's own folder, so
 * each importer keeps the version it depends on.
 * @returns {string}
 */
export function stringWidthShim() {
  return [
    `const NARROW_TEXT = ${NARROW_TEXT};`,
    'let real;',
    'export default function stringWidth(string, options) {',
    "  if (typeof string === 'string' && NARROW_TEXT.test(string)) return string.length;",
    "  real ??= require('string-width').default;",
    '  return real(string, options);',
    '}',
  ].join('\n');
}
