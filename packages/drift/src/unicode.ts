/**
 * Code point classification shared by the indicator detector, the confusable check and
 * the display of untrusted text (evidence, stderr tails).
 */

/** Why a code point is invisible or misleading when displayed. */
export type InvisibleKind = 'hidden' | 'bidi' | 'tag';

const FORMAT_CHARACTER = /^\p{Cf}$/u;
const EXTENDED_PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const EMOJI = /^\p{Emoji}$/u;

/** Code points that change the direction of the text around them (Trojan Source). */
function isBidiControl(cp: number): boolean {
  return (
    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x200e || cp === 0x200f || cp === 0x061c
  );
}

/** Variation selectors: invisible, and long runs of them can carry hidden bytes. */
function isVariationSelector(cp: number): boolean {
  return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef) || (cp >= 0x180b && cp <= 0x180f);
}

/**
 * Characters that render as nothing (or as blank space) without being format
 * characters: combining grapheme joiner, Hangul and Khmer fillers, braille blank.
 */
const BLANK_LETTERS = new Set([0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x2800, 0x3164, 0xffa0]);

/**
 * Classifies one code point: `tag` for U+E0000–U+E007F, `bidi` for direction
 * controls, `hidden` for other format characters (zero-width space and joiners, word
 * joiner, BOM, soft hyphen...), variation selectors, blank letters and control
 * characters other than tab, line feed and carriage return.
 *
 * @param cp - a Unicode code point
 * @returns the kind, or `undefined` for an ordinary visible character
 */
export function classifyCodePoint(cp: number): InvisibleKind | undefined {
  if (cp >= 0x20 && cp < 0x7f) return undefined; // printable ASCII: the common case, kept cheap
  if (cp >= 0xe0000 && cp <= 0xe007f) return 'tag';
  if (isBidiControl(cp)) return 'bidi';
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return undefined;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'hidden';
  if (isVariationSelector(cp) || BLANK_LETTERS.has(cp)) return 'hidden';
  if (FORMAT_CHARACTER.test(String.fromCodePoint(cp))) return 'hidden';
  return undefined;
}

/** `U+200B`, `U+E0041`: the conventional way to name a code point. */
export function formatCodePoint(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** One invisible or misleading code point found in a text. */
export interface InvisibleOccurrence {
  /** The code point. */
  cp: number;
  /** Its kind. */
  kind: InvisibleKind;
  /** UTF-16 index in the text. */
  index: number;
}

/**
 * Printable ASCII, tab, line feed and carriage return only: nothing to find, strip or
 * escape. The common case, answered without a per-character walk (which on a 10 MiB
 * description costs seconds and hundreds of megabytes).
 */
const PLAIN_ASCII = /^[\t\n\r\x20-\x7e]*$/;

const SKIN_TONE_FIRST = 0x1f3fb;
const SKIN_TONE_LAST = 0x1f3ff;

/**
 * Lists the invisible and misleading code points of a text, except the ones ordinary
 * emoji need: a zero-width joiner between two pictographs (family and profession
 * emoji) and one variation selector 15/16 right after an emoji. Those carry no
 * hidden text; flagging them would make every emoji in a description a finding.
 */
export function findInvisible(text: string): InvisibleOccurrence[] {
  if (PLAIN_ASCII.test(text)) return [];
  const cps: number[] = [];
  const indexes: number[] = [];
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    cps.push(cp);
    indexes.push(index);
    index += ch.length;
  }
  const found: InvisibleOccurrence[] = [];
  for (let i = 0; i < cps.length; i += 1) {
    const cp = cps[i] ?? 0;
    const kind = classifyCodePoint(cp);
    if (kind === undefined) continue;
    if (cp === 0x200d && isEmojiJoin(cps, i)) continue;
    if ((cp === 0xfe0e || cp === 0xfe0f) && i > 0 && EMOJI.test(String.fromCodePoint(cps[i - 1] ?? 0))) continue;
    found.push({ cp, kind, index: indexes[i] ?? 0 });
  }
  return found;
}

function isEmojiJoin(cps: readonly number[], at: number): boolean {
  let before = at - 1;
  while (before >= 0) {
    const cp = cps[before] ?? 0;
    if (cp === 0xfe0f || (cp >= SKIN_TONE_FIRST && cp <= SKIN_TONE_LAST)) before -= 1;
    else break;
  }
  const prev = cps[before];
  const next = cps[at + 1];
  return (
    prev !== undefined &&
    next !== undefined &&
    EXTENDED_PICTOGRAPHIC.test(String.fromCodePoint(prev)) &&
    EXTENDED_PICTOGRAPHIC.test(String.fromCodePoint(next))
  );
}

/**
 * Makes untrusted text safe to print: every invisible, direction-changing, tag or
 * control code point becomes `<U+XXXX>` (tab, line feed and carriage return are kept),
 * so a terminal or a review UI shows exactly what is there.
 *
 * @param text - untrusted text
 * @returns the same text with invisible code points spelled out
 */
export function escapeInvisible(text: string): string {
  if (PLAIN_ASCII.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    out += classifyCodePoint(cp) === undefined ? ch : `<${formatCodePoint(cp)}>`;
  }
  return out;
}

/** Removes every invisible code point (for matching words and phrases, not for display). */
export function stripInvisible(text: string): string {
  if (PLAIN_ASCII.test(text)) return text;
  let out = '';
  for (const ch of text) {
    if (classifyCodePoint(ch.codePointAt(0) ?? 0) === undefined) out += ch;
  }
  return out;
}

/**
 * Escapes and shortens untrusted text for one line of evidence: whitespace runs become
 * one space and the result is cut (on a code point boundary) to `max` characters.
 */
export function toEvidence(text: string, max = 160): string {
  const escaped = escapeInvisible(text).replace(/\s+/g, ' ').trim();
  if (escaped.length <= max) return escaped;
  // A cut in the middle of a surrogate pair leaves a lone high surrogate; drop it.
  return `${escaped.slice(0, max).replace(/[\uD800-\uDBFF]$/, '')}…`;
}
