import type { AuditEvent } from './audit-event.types.js';

// Field order of the line form (direction is implied by the method and kept only in
// structured sinks); `action` always comes first so that a reader can
// grep for `action=blocked` regardless of which optional fields are present.
const FIELDS = [
  'action',
  'method',
  'tool',
  'prompt',
  'uri',
  'code',
  'errorCode',
  'count',
  'reason',
] as const;

// Values made only of these characters are printed bare; anything else is quoted.
// The set excludes space, quote, backslash, `=` and every control character, so an
// attacker-controlled name can never start a new key=value pair or a new line.
function isBare(value: string): boolean {
  if (value.length === 0 || value.length > 256) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok =
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x5f || // _
      c === 0x2d || // -
      c === 0x2e || // .
      c === 0x2f || // /
      c === 0x3a || // :
      c === 0x40; // @
    if (!ok) return false;
  }
  return true;
}

// Quotes a value: backslash and quote are escaped, and every character outside
// printable ASCII (controls, line/paragraph separators, bidi overrides, invisible
// characters) is written as \uXXXX so that logs cannot be visually spoofed either.
function quote(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += value[i];
  }
  return out + '"';
}

function render(key: string, value: string): string {
  // `reason` is always quoted: it is prose, and the brief's form quotes it.
  return `${key}=${key !== 'reason' && isBare(value) ? value : quote(value)}`;
}

/**
 * Formats one event as a single `mcptrust: key=value …` line (no trailing newline),
 * for example `mcptrust: action=blocked method=tools/call tool=exec_shell reason="not in allowlist"`.
 *
 * Values are attacker-controlled (tool names, URIs): they are printed bare only when
 * made of a conservative character set, otherwise quoted with every non-printable or
 * non-ASCII character escaped, so the output is always exactly one line and a value
 * can never forge another field.
 */
export function formatAuditLine(event: AuditEvent): string {
  let line = 'mcptrust:';
  for (const key of FIELDS) {
    const value = event[key];
    if (value === undefined) continue;
    line += ' ' + render(key, String(value));
  }
  if (event.items !== undefined && event.items.length > 0) {
    line += ' ' + render('items', event.items.join(','));
  }
  return line;
}
