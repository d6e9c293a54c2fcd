import { AuditError } from '../errors.js';

/** Default bound of attacker-controlled text in logs and receipts, in UTF-16 code units. */
const DEFAULT_MAX_LENGTH = 256;

/** Appended when text was cut. */
const ELLIPSIS = '…';

// Characters a log viewer would act on or not show: C0/C1 controls and DEL (Cc), format
// characters such as bidi overrides, zero-width spaces, soft hyphen, word joiner and BOM
// (Cf), line and paragraph separators (Zl, Zp), lone surrogates (Cs), and the Hangul
// fillers that render as blank letters.
const HIDDEN = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115F\u1160\u3164\uFFA0]$/u;

function escapeCodePoint(cp: number): string {
  return `\\u{${cp.toString(16).toUpperCase().padStart(4, '0')}}`;
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Checks a length bound given by a caller.
 * @internal
 */
export function checkMaxLength(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new AuditError('INVALID_OPTIONS', `${option} must be an integer of at least 1, got ${String(value)}`);
  }
  return value;
}

/**
 * Makes attacker-controlled text (tool, prompt and resource names, error messages) safe
 * to put in a log or receipt: every control, line/paragraph separator, bidi control,
 * zero-width or other invisible format character, and every lone surrogate is replaced
 * by its escape text `\u{XXXX}` (U+202E becomes the 8 characters `\u{202E}`), so a log
 * viewer can neither be sent to a new line nor shown text that reads differently from
 * what was received. Ordinary non-ASCII letters stay as they are.
 *
 * The result is at most `maxLength` UTF-16 code units, plus a trailing `…` when the text
 * was cut; a cut never splits a surrogate pair or an escape.
 *
 * @param value - the text to make safe
 * @param maxLength - bound in UTF-16 code units before the `…` (default 256)
 * @returns the escaped, bounded text
 * @throws AuditError `INVALID_OPTIONS` when `maxLength` is not an integer ≥ 1
 */
export function sanitizeText(value: string, maxLength: number = DEFAULT_MAX_LENGTH): string {
  const max = checkMaxLength(maxLength, 'sanitizeText maxLength');
  const text = String(value);
  // Printable ASCII within the bound (most names, ids and methods) has nothing to escape
  // or cut: returned as is, without the per-character walk below.
  if (text.length <= max && isPrintableAscii(text)) return text;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const piece = HIDDEN.test(ch) ? escapeCodePoint(cp) : ch;
    if (out.length + piece.length > max) return out + ELLIPSIS;
    out += piece;
  }
  return out;
}

/**
 * The names of an environment, sorted, without any value: environment values are never
 * logged. Names whose value is `undefined` are left out; each name goes through
 * {@link sanitizeText}.
 *
 * @param env - an environment such as `process.env`
 * @returns the sorted variable names
 */
export function envNames(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.keys(env)
    .filter((name) => env[name] !== undefined)
    .map((name) => sanitizeText(name))
    .sort();
}
