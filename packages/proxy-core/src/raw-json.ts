/**
 * Top-level scanning of a JSON object text that has ALREADY been validated by
 * `JSON.parse`. Used for two things only: reading the exact text of a numeric `id`
 * (so big integers are echoed unchanged, PROTOCOL 8) and replacing the top-level `id`
 * of a server response whose content the proxy does not inspect, without a full
 * re-serialization. Both refuse (return undefined) on anything unusual, and callers
 * then fall back to re-serializing the parsed object.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

// s[i] is the opening quote; returns the index after the closing quote, or -1.
function skipString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const k = s.indexOf('"', j);
    if (k === -1) return -1;
    let b = 0;
    while (s.charCodeAt(k - 1 - b) === BACKSLASH) b++;
    if ((b & 1) === 0) return k + 1;
    j = k + 1;
  }
}

// s[i] is `{` or `[`; returns the index after the matching close, or -1. A plain loop
// over char codes: structural characters are dense in JSON, and strings (where long
// payloads live) are skipped with indexOf.
function skipContainer(s: string, i: number): number {
  let depth = 0;
  const len = s.length;
  for (let p = i; p < len; p++) {
    const c = s.charCodeAt(p);
    if (c === QUOTE) {
      const after = skipString(s, p);
      if (after === -1) return -1;
      p = after - 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return p + 1;
    }
  }
  return -1;
}

function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === QUOTE) return skipString(s, i);
  if (c === 0x7b || c === 0x5b) return skipContainer(s, i);
  let j = i;
  while (j < s.length) {
    const d = s.charCodeAt(j);
    if (d === 0x2c || d === 0x7d || d === 0x5d || isWs(d)) break;
    j++;
  }
  return j === i ? -1 : j;
}

/** Where the top-level `id` value sits in a JSON object text. */
export interface IdSpan {
  /** Index of the first character of the value. */
  start: number;
  /** Index after the last character of the value. */
  end: number;
}

/**
 * Finds the value of the single top-level `id` member. Returns undefined when the
 * text is not an object, when any top-level key is duplicated or escaped, or when
 * there is no `id` member.
 */
export function findTopLevelId(s: string): IdSpan | undefined {
  let i = skipWs(s, 0);
  if (s.charCodeAt(i) !== 0x7b) return undefined;
  i = skipWs(s, i + 1);
  const seen: string[] = [];
  let span: IdSpan | undefined;
  if (s.charCodeAt(i) === 0x7d) return undefined;
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = skipString(s, i);
    if (keyEnd === -1) return undefined;
    const key = s.slice(i + 1, keyEnd - 1);
    // An escaped key could spell `id` differently from how it is compared here.
    if (key.includes('\\')) return undefined;
    // A JSON-RPC envelope has a handful of members; many means hostile or unusual.
    if (seen.length >= 16 || seen.includes(key)) return undefined;
    seen.push(key);
    i = skipWs(s, keyEnd);
    if (s.charCodeAt(i) !== 0x3a) return undefined;
    i = skipWs(s, i + 1);
    const valueEnd = skipValue(s, i);
    if (valueEnd === -1) return undefined;
    if (key === 'id') span = { start: i, end: valueEnd };
    i = skipWs(s, valueEnd);
    const c = s.charCodeAt(i);
    if (c === 0x2c) {
      i = skipWs(s, i + 1);
      continue;
    }
    if (c !== 0x7d) return undefined;
    if (skipWs(s, i + 1) !== s.length) return undefined;
    return span;
  }
}

/**
 * Returns `s` with the value of its single top-level `id` replaced by `idJson`, or
 * undefined when that cannot be done safely (see {@link findTopLevelId}).
 */
export function replaceTopLevelId(s: string, idJson: string): string | undefined {
  const span = findTopLevelId(s);
  if (span === undefined) return undefined;
  return s.slice(0, span.start) + idJson + s.slice(span.end);
}
