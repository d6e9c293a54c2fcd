/**
 * TOML: read and verified with smol-toml, edited with @decimalturn/toml-patch, which
 * patches the document in place and keeps comments, whitespace and the form of every
 * table (`[mcp_servers.x]` sections, dotted keys, inline tables).
 */
import { parse as parseForPatch, patch } from '@decimalturn/toml-patch';
import { parse as parseToml, TomlError } from 'smol-toml';
import { parseError, setAtPath } from './common.js';
import type { ValueEdit } from './common.js';

/**
 * Parses TOML text.
 *
 * @param text - the text, without a byte-order mark
 * @param file - the file's path, for messages
 * @throws HostsError `CONFIG_PARSE` naming `file:line:col` and the parser's message
 */
export function parseTomlText(text: string, file: string): unknown {
  try {
    return parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const what = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
      throw parseError(file, error.line, error.column, what, error);
    }
    throw parseError(file, 1, 1, error instanceof Error ? error.message : String(error), error);
  }
}

/**
 * Applies the edits to the document as toml-patch reads it and patches the text with
 * the result, so that only the changed values are rewritten.
 *
 * @param text - the text, without a byte-order mark
 * @param edits - the values to set
 * @returns the edited text (not yet verified)
 */
export function editToml(text: string, edits: readonly ValueEdit[]): string {
  let updated: unknown = parseForPatch(text);
  for (const edit of edits) updated = setAtPath(updated, edit.path, edit.value);
  return patch(text, updated);
}
