/**
 * JSON-RPC ids as text: validating the host's ids, writing proxy ids and method names
 * as JSON tokens, and finding the id of an answer in its original text. Pure functions;
 * the pending table and the ID-translation stage use them on every message.
 */
import { HOST_REQUEST_METHODS } from '../protocol.js';
import { findTopLevelId } from '../raw-json.js';
import { has, type Json } from './json.js';

/** The start of every envelope the engine writes, up to the id's value. */
export const ENVELOPE_HEAD = '{"jsonrpc":"2.0","id":';

/** Longest host (or server) id accepted, in bytes of its text (PROTOCOL 7). */
export const MAX_ID_BYTES = 256;

/**
 * Answers at least this long are forwarded from their bytes (`toHostBytes`): below it,
 * replacing the id in the text is cheaper than handling buffers. The stdio bridge hands
 * the engine the bytes of lines from this length on only.
 */
export const MIN_BYTE_FORWARD_CHARS = 16 * 1024;

/** Proxy ids are short; this bounds the search for the id's closing quote. */
export const MAX_PROXY_ID_CHARS = 256;

// JSON string tokens of the method names the engine forwards, built once.
const QUOTED = new Map<string, string>(HOST_REQUEST_METHODS.map((m) => [m, JSON.stringify(m)]));

/** `JSON.stringify` of a string, remembered for method names and plain proxy IDs. */
export function jsonString(s: string): string {
  const known = QUOTED.get(s);
  if (known !== undefined) return known;
  // A proxy ID of letters, digits, `-` and `_` needs no escaping (and is never reused,
  // so it is not remembered).
  if (s.length <= MAX_PROXY_ID_CHARS && isPlainIdText(s)) return '"' + s + '"';
  return JSON.stringify(s);
}

/** Whether `t` is letters, digits, `-` and `_` only: a JSON string token of these has no escapes. */
export function isPlainIdText(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f)) return false;
  }
  return true;
}

/** Whether the first `n` UTF-16 units of `s` are ASCII (so they are `n` UTF-8 bytes). */
export function isAscii(s: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Whether `t` is the text of a JSON integer (optional `-`, no leading zero, digits only). */
export function isIntegerText(t: string): boolean {
  let i = t.charCodeAt(0) === 0x2d ? 1 : 0;
  if (i >= t.length) return false;
  if (t.charCodeAt(i) === 0x30 && t.length > i + 1) return false;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Table key of a request ID found inside params (cancellation): same scheme as IDs. */
export function requestKey(id: unknown): string | undefined {
  if (typeof id === 'string') return 's' + id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return 'n' + String(id);
  return undefined;
}

/**
 * Where the top-level id of a server answer ends, when the answer has the usual
 * envelope `{"jsonrpc":"2.0","id":"<proxy id>",…` and that member is certainly the only
 * top-level `id`: the rest of the text contains neither `"id"` nor a `\u` escape of `i`
 * or `d` (the only way a key can spell `id` other than literally). The text was validated by
 * JSON.parse, whose result carries this same proxy id. Returns -1 otherwise, and the
 * caller scans the whole text (`findTopLevelId`).
 */
export function leadingIdEnd(raw: string, proxyIdJson: string): number {
  if (!raw.startsWith(ENVELOPE_HEAD) || !raw.startsWith(proxyIdJson, ENVELOPE_HEAD.length)) return -1;
  const end = ENVELOPE_HEAD.length + proxyIdJson.length;
  const next = raw.charCodeAt(end);
  if (next !== 0x2c && next !== 0x7d) return -1;
  if (raw.indexOf('"id"', end) !== -1 || escapesIdLetter(raw, end)) return -1;
  return end;
}

/**
 * Whether `raw` from `from` on may contain `\u0069` or `\u0064` (`i`, `d`): the only
 * escapes that spell a letter of `id`, as their hex digits are all decimal. Searched
 * as `006` first, which is rare in text; a backslash is not (every escaped quote,
 * newline or backslash of an embedded source file starts with one), and scanning for
 * `\u` stopped at each of them.
 */
function escapesIdLetter(raw: string, from: number): boolean {
  if (raw.indexOf('006', from) === -1) return false;
  return raw.indexOf('\\u0069', from) !== -1 || raw.indexOf('\\u0064', from) !== -1;
}

/**
 * The common case of a numeric host id, without scanning the whole message: the line
 * starts with the usual envelope and the id written there is exactly the canonical
 * text of the parsed (safe integer) id. That text is what the full scan returns when
 * the member is unique, and what the fallback for a duplicated `id` member returns
 * too, so the answer is the same either way. Anything else returns undefined and the
 * caller scans.
 */
export function leadingSafeIntegerId(raw: string, id: number): string | undefined {
  if (!Number.isSafeInteger(id) || !raw.startsWith(ENVELOPE_HEAD)) return undefined;
  const text = String(id);
  const end = ENVELOPE_HEAD.length + text.length;
  if (!raw.startsWith(text, ENVELOPE_HEAD.length)) return undefined;
  const next = raw.charCodeAt(end);
  // The number must end there (`,` `}` or whitespace), not continue (`1` of `12`, `1.0`).
  return next === 0x2c || next === 0x7d || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d ? text : undefined;
}

/** A valid host id: its JSON text (as written, for integers) and its table key. */
export interface HostId {
  /** The id as a JSON token, echoed in every answer to the host. */
  json: string;
  /** `s` + string id, or `n` + integer text: distinct for `1` and `"1"`. */
  key: string;
}

/**
 * Validates a host ID (PROTOCOL 7): string or integer, at most 256 bytes. Integers
 * keep the exact text they were written with (PROTOCOL 8), read from `raw` (the line
 * the message was parsed from, when it is the whole line). Returns undefined when the
 * message has no id, an error reason as a string, or the ID's JSON text and table key.
 */
export function hostIdOf(msg: Json, raw: string | undefined): HostId | string | undefined {
  if (!has(msg, 'id')) return undefined;
  const id = msg['id'];
  if (typeof id === 'string') {
    if (id.length * 3 > MAX_ID_BYTES && Buffer.byteLength(id) > MAX_ID_BYTES) return 'Invalid Request: id is longer than 256 bytes';
    return { json: JSON.stringify(id), key: 's' + id };
  }
  if (typeof id === 'number') {
    let text: string | undefined;
    if (raw !== undefined) {
      text = leadingSafeIntegerId(raw, id);
      if (text === undefined) {
        const span = findTopLevelId(raw);
        if (span !== undefined) text = raw.slice(span.start, span.end);
      }
    }
    if (text === undefined) {
      if (!Number.isSafeInteger(id)) return 'Invalid Request: id must be a string or an integer';
      text = String(id);
    }
    if (text.length > MAX_ID_BYTES || !isIntegerText(text)) return 'Invalid Request: id must be a string or an integer';
    return { json: text, key: 'n' + text };
  }
  return `Invalid Request: id must be a string or an integer, not ${id === null ? 'null' : Array.isArray(id) ? 'an array' : typeof id}`;
}
