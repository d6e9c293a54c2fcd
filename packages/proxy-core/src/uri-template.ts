/**
 * Strict RFC 6570 matching of resource URIs against pinned URI templates
 * (PROTOCOL 24). Deny by default: a URI is allowed only when it can be produced by
 * the template with values that cannot escape the place the template pins.
 *
 * - `{var}` (simple expansion) matches exactly one non-empty segment: no `/`, `?`,
 *   `#`, `\`, and not `.` or `..`.
 * - `{+var}` / `{#var}` (reserved expansion) may span segments, but a value whose
 *   dot-segment normalization would change it (`.`/`..` segments) is refused.
 * - `{/var}` / `{/var*}` match one / several `/segment` parts, none `.` or `..`.
 * - `{.var}` / `{;var}` match a prefixed single segment; `{?a,b}` / `{&a}` match a
 *   query part.
 * - Everywhere: percent-encoded `.`, `/`, `\` (`%2e`, `%2f`, `%5c`, any case) and
 *   control characters, raw
 *   `\`, control characters, spaces and malformed percent escapes are refused; `?`
 *   and `#` only where the template has a query / fragment.
 *
 * Matching is a memoized backtracking walk over the template's parts, never a RegExp
 * built from the template (templates and URIs are untrusted text).
 */

/** Longest URI the matcher accepts; longer URIs are refused. */
export const MAX_URI_LENGTH = 8192;

type Operator = '' | '+' | '#' | '/' | '.' | ';' | '?' | '&';

type Part = { kind: 'literal'; text: string } | { kind: 'expr'; op: Operator; explode: boolean; vars: number };

/** A compiled template. */
export interface UriTemplateMatcher {
  /** The template text as pinned. */
  readonly template: string;
  /** Whether `uri` is an allowed expansion of the template. */
  matches(uri: string): boolean;
}

function parseTemplate(template: string): Part[] | undefined {
  const parts: Part[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open === -1) {
      parts.push({ kind: 'literal', text: template.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'literal', text: template.slice(i, open) });
    const close = template.indexOf('}', open);
    if (close === -1) return undefined;
    let body = template.slice(open + 1, close);
    if (body.length === 0 || body.includes('{')) return undefined;
    let op: Operator = '';
    const first = body[0];
    if (first === '+' || first === '#' || first === '/' || first === '.' || first === ';' || first === '?' || first === '&') {
      op = first;
      body = body.slice(1);
    }
    const names = body.split(',');
    let explode = false;
    for (const raw of names) {
      let name = raw;
      if (name.endsWith('*')) {
        explode = true;
        name = name.slice(0, -1);
      }
      const colon = name.indexOf(':');
      if (colon !== -1) name = name.slice(0, colon);
      if (name.length === 0) return undefined;
    }
    parts.push({ kind: 'expr', op, explode, vars: names.length });
    i = close + 1;
  }
  // Two adjacent expressions make matching ambiguous; refuse such templates.
  for (let k = 1; k < parts.length; k++) {
    if (parts[k]!.kind === 'expr' && parts[k - 1]!.kind === 'expr') {
      const op = (parts[k] as { op: string }).op;
      if (op === '' || op === '+' || op === '#') return undefined;
    }
  }
  return parts;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

// Checks characters that are refused anywhere in a URI, and percent escapes.
function uriCharsOk(uri: string): boolean {
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c) return false; // controls, space, backslash
    if (c >= 0x80 && c <= 0x9f) return false;
    if (c === 0x25) {
      const a = uri.charCodeAt(i + 1);
      const b = uri.charCodeAt(i + 2);
      if (!isHex(a) || !isHex(b)) return false;
      const byte = parseInt(uri.slice(i + 1, i + 3), 16);
      // %2e '.', %2f '/', %5c '\' can smuggle traversal past a naive check; encoded
      // control characters (NUL, CR, LF...) can truncate or split paths downstream.
      if (byte === 0x2e || byte === 0x2f || byte === 0x5c || byte < 0x20 || byte === 0x7f) return false;
      i += 2;
    }
  }
  return true;
}

function isDotSegment(seg: string): boolean {
  return seg === '.' || seg === '..';
}

// A single segment value for simple, label and path-parameter expansions.
function segmentOk(value: string): boolean {
  if (value.length === 0 || isDotSegment(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) return false; // / ? #
  }
  return true;
}

function valueOk(op: string, explode: boolean, value: string, allowQuery: boolean, allowFragment: boolean): boolean {
  switch (op) {
    case '':
      return segmentOk(value);
    case '+':
    case '#': {
      if (value.length === 0) return false;
      if (!allowFragment && value.includes('#') && op === '+') return false;
      if (!allowQuery && value.includes('?')) return false;
      // Normalizing dot segments must not change the value: no `.`/`..` segment at all.
      const pathPart = value.split(/[?#]/, 1)[0] ?? '';
      return !pathPart.split('/').some(isDotSegment);
    }
    case '/': {
      if (!value.startsWith('/')) return false;
      const segs = value.slice(1).split('/');
      if (!explode && segs.length !== 1) return false;
      return segs.every((s) => s.length > 0 && !isDotSegment(s) && !s.includes('?') && !s.includes('#'));
    }
    case '.':
    case ';': {
      if (value.charCodeAt(0) !== op.charCodeAt(0)) return false;
      const rest = value.slice(1);
      return rest.length > 0 && !rest.includes('/') && !rest.includes('?') && !rest.includes('#') && rest !== '.';
    }
    case '?':
    case '&':
      return value.charCodeAt(0) === op.charCodeAt(0) && !value.includes('#') && !value.includes('/..') && !value.includes('../');
    default:
      return false;
  }
}

/**
 * Compiles a URI template. Returns undefined for a template that cannot be parsed or
 * would match ambiguously (adjacent simple/reserved expressions); such a template
 * allows nothing.
 */
export function compileUriTemplate(template: string): UriTemplateMatcher | undefined {
  const parts = parseTemplate(template);
  if (parts === undefined) return undefined;
  const allowQuery = template.includes('?');
  const allowFragment = template.includes('#');
  return {
    template,
    matches(uri: string): boolean {
      if (typeof uri !== 'string' || uri.length === 0 || uri.length > MAX_URI_LENGTH) return false;
      if (uri === template && !template.includes('{')) return true;
      if (!uriCharsOk(uri)) return false;
      if (!allowQuery && uri.includes('?')) return false;
      if (!allowFragment && uri.includes('#')) return false;
      // Memo of (part index, position) pairs known to fail, so hostile URIs cannot
      // make the backtracking walk exponential.
      const failed = new Set<number>();
      const width = uri.length + 1;
      const walk = (p: number, pos: number): boolean => {
        if (p === parts.length) return pos === uri.length;
        const key = p * width + pos;
        if (failed.has(key)) return false;
        const part = parts[p]!;
        let ok = false;
        if (part.kind === 'literal') {
          ok = uri.startsWith(part.text, pos) && walk(p + 1, pos + part.text.length);
        } else {
          // Single-segment operators cannot run past the next `/`, `?` or `#`.
          let maxEnd = uri.length;
          if (part.op === '' || part.op === '.' || part.op === ';') {
            for (let k = pos; k < uri.length; k++) {
              const c = uri.charCodeAt(k);
              if (c === 0x2f || c === 0x3f || c === 0x23) {
                maxEnd = k;
                break;
              }
            }
          }
          for (let end = maxEnd; end > pos && !ok; end--) {
            const value = uri.slice(pos, end);
            if (valueOk(part.op, part.explode, value, allowQuery, allowFragment)) ok = walk(p + 1, end);
          }
        }
        if (!ok) failed.add(key);
        return ok;
      };
      return walk(0, 0);
    },
  };
}
