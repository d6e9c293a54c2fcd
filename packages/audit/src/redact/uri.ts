import { checkMaxLength, sanitizeText } from './text.js';

/** Options of {@link redactUri}. */
export interface RedactUriOptions {
  /** Bound of the result in UTF-16 code units before the trailing `…` (default 256). */
  maxLength?: number;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

// Index of the first `?` or `#` outside a URI-template expression (`{?fields}` and
// `{#frag}` are template operators, not values), or -1.
function queryStart(rest: string): number {
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if ((c === '?' || c === '#') && depth === 0) return i;
  }
  return -1;
}

/**
 * Reduces an attacker-controlled resource URI (or URI template) to what a log may hold:
 * scheme, host and path. Userinfo (`user:pass@`), the query and the fragment are removed
 * (`https://u:p@h/a?token=x#f` → `https://h/a`, `file:///a/b?x=1#f` → `file:///a/b`;
 * without `//`, as in `user:pass@host`, the part before the first `/` is treated alike).
 * The text is parsed as written, never normalized, so `..` segments and percent escapes
 * stay visible. Text that is not a URI is kept as text. In every case the result goes
 * through {@link sanitizeText}: escaped and bounded to `maxLength` plus `…`.
 *
 * @param uri - the URI as received
 * @param options - {@link RedactUriOptions}
 * @returns the reduced, escaped URI
 * @throws AuditError `INVALID_OPTIONS` when `maxLength` is not an integer ≥ 1
 */
export function redactUri(uri: string, options: RedactUriOptions = {}): string {
  const max = checkMaxLength(options.maxLength ?? 256, 'redactUri maxLength');
  const text = String(uri);
  const scheme = SCHEME.exec(text);
  if (scheme === null) return sanitizeText(text, max);
  let rest = text.slice(scheme[0].length);
  const cut = queryStart(rest);
  if (cut >= 0) rest = rest.slice(0, cut);
  // The authority (after `//`), or for a scheme-less `user:pass@host` the part before
  // the first `/`: everything up to its last `@` is userinfo.
  const start = rest.startsWith('//') ? 2 : 0;
  const end = rest.indexOf('/', start);
  const authority = end < 0 ? rest.slice(start) : rest.slice(start, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(0, start) + authority.slice(at + 1) + (end < 0 ? '' : rest.slice(end));
  return sanitizeText(scheme[0] + rest, max);
}
