/**
 * JSON and JSONC: parsed leniently (comments, trailing commas), edited in place with
 * jsonc-parser so that everything outside the replaced values keeps its bytes.
 */
import * as jsoncModule from 'jsonc-parser';
import type { FormattingOptions, ParseError } from 'jsonc-parser';
import { detectEol, lineColumn, parseError } from './common.js';
import type { ValueEdit } from './common.js';

type JsoncApi = typeof jsoncModule;
// jsonc-parser ships a UMD build as `main` (no `exports`): Node loads it as CommonJS, so
// its API is the namespace's `default`. A bundler given its ESM build (the CLI's bundle
// is) exposes the API as the namespace itself.
const jsonc: JsoncApi = (jsoncModule as unknown as { default?: JsoncApi }).default ?? jsoncModule;

/**
 * Parses JSON or JSONC text (comments and trailing commas accepted, as the hosts do).
 *
 * @param text - the text, without a byte-order mark
 * @param file - the file's path, for messages
 * @throws HostsError `CONFIG_PARSE` naming `file:line:col` and the parser's error name
 */
export function parseJsonc(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = jsonc.parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = lineColumn(text, first.offset);
    throw parseError(file, line, column, jsonc.printParseErrorCode(first.error));
  }
  return value;
}

/**
 * The indentation a file uses: the first indented line's leading whitespace (a tab, or
 * its count of spaces); two spaces when no line is indented.
 *
 * @param text - the file's text
 */
export function detectIndent(text: string): { insertSpaces: boolean; tabSize: number } {
  const match = /\n([ \t]+)\S/.exec(text);
  const indent = match?.[1];
  if (indent === undefined) return { insertSpaces: true, tabSize: 2 };
  if (indent.startsWith('\t')) return { insertSpaces: false, tabSize: 1 };
  return { insertSpaces: true, tabSize: indent.length };
}

/** A list of strings on one line, spaced like the list it replaces. */
function inlineList(original: string, items: readonly unknown[]): string {
  const padded = /^\[\s/.test(original) && /\s\]$/.test(original) && items.length > 0;
  const separator = /,\S/.test(original) && !/,\s/.test(original) ? ',' : ', ';
  const body = items.map((item) => JSON.stringify(item)).join(separator);
  return padded ? `[ ${body} ]` : `[${body}]`;
}

/**
 * Applies the edits one at a time, each on the text the previous one produced, with the
 * file's own indentation and line ending. A list that was written on one line stays on
 * one line; other values are formatted by jsonc-parser.
 *
 * @param text - the text, without a byte-order mark
 * @param edits - the values to set
 * @returns the edited text (not yet verified)
 */
export function editJsonc(text: string, edits: readonly ValueEdit[]): string {
  const formattingOptions: FormattingOptions = { ...detectIndent(text), eol: detectEol(text) };
  let current = text;
  for (const edit of edits) {
    const path = [...edit.path];
    const tree = jsonc.parseTree(current, [], { allowTrailingComma: true });
    const node = tree === undefined ? undefined : jsonc.findNodeAtLocation(tree, path);
    if (node !== undefined && node.type === 'array' && Array.isArray(edit.value)) {
      const original = current.slice(node.offset, node.offset + node.length);
      if (!original.includes('\n')) {
        current = jsonc.applyEdits(current, [{ offset: node.offset, length: node.length, content: inlineList(original, edit.value) }]);
        continue;
      }
    }
    current = jsonc.applyEdits(current, jsonc.modify(current, path, edit.value, { formattingOptions }));
  }
  return current;
}
