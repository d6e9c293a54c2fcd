/**
 * Helpers shared by the format modules: byte-order mark and line-ending handling,
 * parse-error positions, the intended document after a set of edits, and the deep
 * comparison that verifies an edit.
 */
import { HostsError } from '../errors.js';

/** One value to set in a config document (the key is created when missing). */
export interface ValueEdit {
  /** Key path from the document root; numbers index lists (Continue's `mcpServers`). */
  path: readonly (string | number)[];
  /** The new value (a string, or a list of strings, for command lines). */
  value: unknown;
}

const BOM = '\uFEFF';

/**
 * Splits a leading UTF-8 byte-order mark from the text.
 *
 * @param text - the file's text, as decoded with the mark kept
 * @returns whether the mark was present, and the text without it
 */
export function splitBom(text: string): { bom: boolean; body: string } {
  return text.startsWith(BOM) ? { bom: true, body: text.slice(1) } : { bom: false, body: text };
}

/**
 * The line ending a file uses: CRLF when its first line break is CRLF, else LF.
 *
 * @param text - the file's text
 */
export function detectEol(text: string): '\n' | '\r\n' {
  const at = text.indexOf('\n');
  return at > 0 && text[at - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * Whether every line break of the text is CRLF (and there is at least one).
 *
 * @param text - the file's text
 */
export function allCrlf(text: string): boolean {
  const lf = (text.match(/\n/g) ?? []).length;
  return lf > 0 && lf === (text.match(/\r\n/g) ?? []).length;
}

/**
 * The 1-based line and column of a character offset.
 *
 * @param text - the text the offset is in
 * @param offset - 0-based UTF-16 offset
 */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: (before.match(/\n/g) ?? []).length + 1, column: before.length - lineStart + 1 };
}

/**
 * The `CONFIG_PARSE` error of a file: `file:line:col: what`.
 *
 * @param file - the file's path, for the message
 * @param line - 1-based line
 * @param column - 1-based column
 * @param what - the parser's name for the error
 * @param cause - the parser's error, when there is one
 */
export function parseError(file: string, line: number, column: number, what: string, cause?: unknown): HostsError {
  return new HostsError('CONFIG_PARSE', `${file}:${line}:${column}: ${what}`, { file, cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * A copy of `root` with `value` set at `path`, creating missing objects on the way.
 * Only the containers along the path are copied; everything else is shared.
 *
 * @param root - the parsed document
 * @param path - key path (numbers index lists)
 * @param value - the value to set
 */
export function setAtPath(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (typeof head === 'number') {
    const list = Array.isArray(root) ? [...(root as unknown[])] : [];
    list[head] = setAtPath(list[head], rest, value);
    return list;
  }
  const object: Record<string, unknown> = isRecord(root) ? { ...root } : {};
  object[head] = setAtPath(object[head], rest, value);
  return object;
}

/**
 * Deep structural equality of parsed documents: plain objects (key order ignored),
 * lists, dates (by their text form, which keeps TOML's local dates apart) and primitives.
 *
 * @param a - one value
 * @param b - the other value
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.constructor === b.constructor && a.toISOString() === b.toISOString();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => deepEqual(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}
