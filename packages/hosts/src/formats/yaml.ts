/**
 * YAML: parsed with the `yaml` Document API and edited in place. A value that already
 * exists (a scalar, a flow list or a block list) has exactly its source range replaced;
 * a missing `args` is inserted on the line after the command. Anything else falls back to
 * `setIn` and re-stringifying the document with the file's indentation (comments kept).
 */
import YAML from 'yaml';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node as YamlNode, YAMLMap } from 'yaml';
import { allCrlf, parseError } from './common.js';
import type { ValueEdit } from './common.js';

function parseDocument(text: string): Document.Parsed {
  return YAML.parseDocument(text, { keepSourceTokens: false, prettyErrors: true });
}

/**
 * Parses YAML text to plain data.
 *
 * @param text - the text, without a byte-order mark
 * @param file - the file's path, for messages
 * @throws HostsError `CONFIG_PARSE` naming `file:line:col` and the parser's error code
 */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0];
    throw parseError(file, pos?.line ?? 1, pos?.col ?? 1, `${first.code}: ${first.message.split('\n')[0] ?? ''}`, first);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

/** A string as a YAML scalar, in the style of the scalar it replaces when possible. */
function scalarText(value: string, style: unknown, inFlow: boolean): string {
  const json = JSON.stringify(value);
  if (style === 'QUOTE_DOUBLE' || value.includes('\n')) return json;
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  const plain = YAML.stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
  if (plain.includes('\n')) return json;
  if (inFlow && !/^["']/.test(plain) && /[,[\]{}#]|: /.test(plain)) return json;
  return plain;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The replacement text of one existing node, or undefined when it cannot be done in place. */
function replaceNode(text: string, node: YamlNode, value: unknown, parentFlow: boolean): string | undefined {
  const range = node.range;
  if (range === undefined || range === null) return undefined;
  const [start, end] = range;
  if (isScalar(node) && typeof value === 'string') {
    return text.slice(0, start) + scalarText(value, node.type, parentFlow) + text.slice(end);
  }
  if (!isSeq(node) || !isStringList(value)) return undefined;
  const original = text.slice(start, end);
  if (node.flow === true || original.startsWith('[')) {
    const body = value.map((item) => scalarText(item, 'PLAIN', true)).join(', ');
    const padded = /^\[\s/.test(original) && value.length > 0;
    return text.slice(0, start) + (padded ? `[ ${body} ]` : `[${body}]`) + text.slice(end);
  }
  const prefix = text.slice(lineStartOf(text, start), start);
  if (!/^ *$/.test(prefix) || value.length === 0) return undefined;
  const items = value.map((item, index) => `${index === 0 ? '' : prefix}- ${scalarText(item, 'PLAIN', false)}`);
  const trailing = original.endsWith('\n') ? '\n' : '';
  return text.slice(0, start) + items.join('\n') + trailing + text.slice(end);
}

/** Inserts a missing key of a block map on the line after its `command`/`cmd` key. */
function insertKey(text: string, map: YAMLMap, key: string, value: unknown): string | undefined {
  if (map.flow === true || !isStringList(value)) return undefined;
  const anchor = map.items.find((pair) => isScalar(pair.key) && (pair.key.value === 'command' || pair.key.value === 'cmd'));
  const keyRange = anchor !== undefined && isScalar(anchor.key) ? anchor.key.range : undefined;
  const valueRange = anchor !== undefined && isScalar(anchor.value) ? anchor.value.range : undefined;
  if (keyRange === undefined || keyRange === null || valueRange === undefined || valueRange === null) return undefined;
  const lineEnd = text.indexOf('\n', valueRange[1]);
  const rest = text.slice(valueRange[1], lineEnd === -1 ? text.length : lineEnd);
  if (!/^\s*(#.*)?$/.test(rest)) return undefined;
  const indent = ' '.repeat(keyRange[0] - lineStartOf(text, keyRange[0]));
  const keyText = scalarText(key, 'PLAIN', false);
  const lines =
    value.length === 0
      ? [`${indent}${keyText}: []`]
      : [`${indent}${keyText}:`, ...value.map((item) => `${indent}  - ${scalarText(item, 'PLAIN', false)}`)];
  const at = lineEnd === -1 ? text.length : lineEnd;
  return `${text.slice(0, at)}\n${lines.join('\n')}${text.slice(at)}`;
}

/** The indentation options of `toString` that match the file. */
function indentOptions(text: string): { indent: number; indentSeq: boolean } {
  const indent = /\n( +)\S/.exec(text)?.[1]?.length ?? 2;
  const seqUnderKey = /^( *)[^\s#-][^\n]*:[ \t]*\n( *)- /m.exec(text);
  const indentSeq = seqUnderKey === null ? true : (seqUnderKey[2]?.length ?? 0) > (seqUnderKey[1]?.length ?? 0);
  return { indent, indentSeq };
}

/** One edit through the Document API (the fallback). */
function setThroughDocument(text: string, doc: Document.Parsed, edit: ValueEdit): string {
  const existing = doc.getIn([...edit.path], true);
  const flow = isSeq(existing) && existing.flow === true;
  doc.setIn([...edit.path], doc.createNode(edit.value, { flow }));
  return doc.toString({ ...indentOptions(text), lineWidth: 0 });
}

function editOne(text: string, edit: ValueEdit): string {
  const doc = parseDocument(text);
  const path = [...edit.path];
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const node = doc.getIn(path, true);
  const parentFlow = (isMap(parent) || isSeq(parent)) && parent.flow === true;
  let edited: string | undefined;
  if (node !== undefined && node !== null && typeof node === 'object' && 'range' in (node as object)) {
    edited = replaceNode(text, node as YamlNode, edit.value, parentFlow);
  } else if (node === undefined && isMap(parent) && typeof path[path.length - 1] === 'string') {
    edited = insertKey(text, parent, path[path.length - 1] as string, edit.value);
  }
  return edited ?? setThroughDocument(text, doc, edit);
}

/**
 * Applies the edits one at a time, each on the text the previous one produced. CRLF
 * files are edited as LF and converted back.
 *
 * @param text - the text, without a byte-order mark
 * @param edits - the values to set
 * @returns the edited text (not yet verified)
 */
export function editYaml(text: string, edits: readonly ValueEdit[]): string {
  const crlf = allCrlf(text);
  let current = crlf ? text.replace(/\r\n/g, '\n') : text;
  for (const edit of edits) current = editOne(current, edit);
  return crlf ? current.replace(/\n/g, '\r\n') : current;
}
