/**
 * Paths and values as they appear in error messages. Keys and values come from
 * attacker-controlled files and servers, so everything shown is escaped: a tool name
 * with a bidi override or an ANSI escape must not rewrite the terminal it is printed on.
 */

/** One step of a JSON path: an object key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Escapes everything outside printable ASCII as `\uXXXX` (plus `"` and `\`), so the
 * result is one visible line whatever the input holds.
 */
export function escapeText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0x22 || unit === 0x5c) out += `\\${text[i]}`;
    else if (unit >= 0x20 && unit < 0x7f) out += text[i];
    else out += `\\u${unit.toString(16).padStart(4, '0')}`;
  }
  return out;
}

/** `tools.read_file.inputSchemaHash`, `resources.templates[2].uriTemplate`, `tools["a.b"]`. */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `["${escapeText(segment)}"]`;
  }
  return out === '' ? '(root)' : out;
}

/** A short, escaped description of a value for "received …" in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return `"${escapeText(shown)}"`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
