/**
 * Parsing and verified, minimal editing of host config files in every supported format.
 */
import { HostsError } from '../errors.js';
import type { ConfigFormat } from '../types.js';
import { deepEqual, setAtPath, splitBom } from './common.js';
import type { ValueEdit } from './common.js';
import { editJsonc, parseJsonc } from './jsonc.js';
import { editToml, parseTomlText } from './toml.js';
import { editYaml, parseYaml } from './yaml.js';

export type { ValueEdit } from './common.js';

/** Edits a text (without its byte-order mark) in one format; the result is verified by the caller. */
export type TextEditor = (text: string, edits: readonly ValueEdit[]) => string;

const EDITORS: Readonly<Record<ConfigFormat, TextEditor>> = {
  json: editJsonc,
  jsonc: editJsonc,
  yaml: editYaml,
  toml: editToml,
};

function parseBody(body: string, format: ConfigFormat, file: string): unknown {
  switch (format) {
    case 'json':
    case 'jsonc':
      return parseJsonc(body, file);
    case 'yaml':
      return parseYaml(body, file);
    case 'toml':
      return parseTomlText(body, file);
  }
}

/**
 * Parses a config file's text. JSON files are read like JSONC (comments and trailing
 * commas accepted), as the hosts read them; a leading byte-order mark is ignored.
 *
 * @param text - the file's text
 * @param format - its syntax
 * @param file - its path, for messages
 * @returns the document as plain data
 * @throws HostsError `CONFIG_PARSE` naming `file:line:col` and the error
 */
export function parseConfig(text: string, format: ConfigFormat, file: string): unknown {
  return parseBody(splitBom(text).body, format, file);
}

/**
 * Edits a text with the given editor, then checks the result: it must parse, and to
 * exactly the original document with the edits applied. Keeps a leading byte-order mark.
 *
 * @param text - the file's text
 * @param format - its syntax
 * @param edits - the values to set
 * @param file - its path, for messages
 * @param editor - the text editor of the format
 * @returns the edited text
 * @throws HostsError `CONFIG_PARSE` when the original does not parse; `EDIT_VERIFY` when the
 * edited text does not parse or differs from the intended document
 */
export function verifiedEdit(text: string, format: ConfigFormat, edits: readonly ValueEdit[], file: string, editor: TextEditor): string {
  const { bom, body } = splitBom(text);
  const original = parseBody(body, format, file);
  if (edits.length === 0) return text;
  let intended = original;
  for (const edit of edits) intended = setAtPath(intended, edit.path, edit.value);
  let edited: string;
  let actual: unknown;
  try {
    edited = editor(body, edits);
    actual = parseBody(edited, format, file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HostsError('EDIT_VERIFY', `the edit of ${file} does not parse (${reason}); nothing was written`, { file, cause: error });
  }
  if (!deepEqual(actual, intended)) {
    const paths = edits.map((edit) => edit.path.join('.')).join(', ');
    throw new HostsError('EDIT_VERIFY', `the edit of ${file} (${paths}) does not read back as intended; nothing was written`, { file });
  }
  return bom ? `\uFEFF${edited}` : edited;
}

/**
 * Sets values in a config file's text with minimal edits (comments, key order, unknown
 * keys and formatting elsewhere keep their bytes), then verifies the result by parsing it
 * again and comparing it with the original document with the edits applied. Keeps the
 * file's line endings and its byte-order mark (or its absence).
 *
 * @param text - the file's text
 * @param format - its syntax
 * @param edits - the values to set (keys are created when missing)
 * @param file - its path, for messages
 * @returns the edited text (the same text when there are no edits)
 * @throws HostsError `CONFIG_PARSE` when the text does not parse; `EDIT_VERIFY` when the
 * edited text would not read back as intended
 */
export function applyEdits(text: string, format: ConfigFormat, edits: readonly ValueEdit[], file: string): string {
  return verifiedEdit(text, format, edits, file, EDITORS[format]);
}
