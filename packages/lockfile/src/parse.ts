/**
 * Parsing a lockfile: attacker-controlled text (a lockfile arrives in pull requests)
 * becomes a validated {@link Lockfile} or a {@link LockfileError}, never anything else.
 */
import { LockfileError } from './errors.js';
import { convertGoLockfile } from './go-compat.js';
import { describeValue, escapeText, formatJsonPath } from './json-path.js';
import type { PathSegment } from './json-path.js';
import type { ParsedLockfile } from './lockfile.types.js';
import { throwProblems } from './problems.js';
import { isJsonObject, validateNativeLockfile } from './schema.js';
import { verifySnapshots } from './verify.js';

/** Options of {@link parseLockfile}. */
export interface ParseLockfileOptions {
  /** The file the text came from, named in every error and notice. */
  file?: string;
}

type Frame = { kind: 'object'; keys: Set<string>; key: string; expectKey: boolean } | { kind: 'array'; index: number };

/**
 * Finds a key repeated inside one object of (already valid) JSON text. `JSON.parse`
 * keeps the last one silently, while a reviewer reading the diff may see the first:
 * a lockfile must mean one thing.
 */
function findDuplicateKey(text: string): PathSegment[] | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // The closing quote: the next one not escaped by an odd run of backslashes.
      let j = text.indexOf('"', i + 1);
      for (;;) {
        let slashes = 0;
        while (text.charCodeAt(j - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        // Only a key with an escape needs decoding.
        const raw = text.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) {
          return [...stack.slice(0, -1).map((frame) => (frame.kind === 'object' ? frame.key : frame.index)), key];
        }
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */) stack.push({ kind: 'object', keys: new Set(), key: '', expectKey: true });
    else if (c === 0x5b /* [ */) stack.push({ kind: 'array', index: 0 });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') top.expectKey = true;
      else if (top?.kind === 'array') top.index++;
    }
    i++;
  }
  return undefined;
}

// Keys only this project writes. The Go v3 format has a server with a name (and an
// artifact) and items without snapshots; anything more means the file is ours and
// must pass the strict schema.
const NATIVE_SERVER_KEYS = ['version', 'protocolVersion', 'capabilities', 'instructionsHash', 'instructions', 'title', 'url'];

function valuesOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return isJsonObject(value) ? Object.values(value) : [];
}

function isNativeV3(root: Record<string, unknown>): boolean {
  const { server, resources, prompts } = root;
  // The Go mcptrust never wrote denied items.
  if ('denied' in root) return true;
  if (isJsonObject(server) && NATIVE_SERVER_KEYS.some((key) => key in server)) return true;
  if (isJsonObject(resources) && 'static' in resources) return true;
  const items = [
    ...valuesOf(root['tools']),
    ...valuesOf(isJsonObject(prompts) ? prompts['definitions'] : undefined),
    ...valuesOf(isJsonObject(resources) ? resources['templates'] : undefined),
  ];
  return items.some((item) => isJsonObject(item) && 'snapshot' in item);
}

function fileOption(file: string | undefined): { file?: string } {
  return file === undefined ? {} : { file };
}

/**
 * Parses lockfile text: lockfile v3 as this project writes it (strict schema, then
 * {@link verifySnapshots}), or a lockfile of the Go mcptrust (v1, v2, v3) converted to
 * v3 with `notices` saying what the conversion did.
 *
 * @throws LockfileError `JSON_INVALID` (not JSON, or a key repeated in one object),
 * `UNSUPPORTED_VERSION`, `SCHEMA_INVALID` (every problem with its JSON path, what was
 * expected and what was found), `DUPLICATE_ITEM`, `SNAPSHOT_MISMATCH`.
 */
export function parseLockfile(text: string, options: ParseLockfileOptions = {}): ParsedLockfile {
  const { file } = options;
  const subject = file ?? 'the lockfile';
  if (typeof text !== 'string') {
    throw new LockfileError('INVALID_INPUT', `${subject}: parseLockfile expects the file's text as a string`, fileOption(file));
  }
  // Editors on some systems prepend a byte order mark; it carries no meaning.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LockfileError('JSON_INVALID', `${subject} is not valid JSON: ${escapeText(reason)}`, { cause: error, ...fileOption(file) });
  }
  const duplicate = findDuplicateKey(body);
  if (duplicate !== undefined) {
    const where = formatJsonPath(duplicate);
    throw new LockfileError(
      'JSON_INVALID',
      `${subject} repeats the key at ${where}: JSON parsers keep only one of them, so the file is ambiguous`,
      { ...fileOption(file), jsonPath: where, expected: 'each key once per object', found: 'the key twice' },
    );
  }

  const context = { ...fileOption(file), subject };
  if (!isJsonObject(root)) {
    return throwProblems([{ path: [], expected: 'a JSON object', found: describeValue(root) }], {
      code: 'SCHEMA_INVALID',
      subject,
      summary: 'is not a lockfile',
      ...fileOption(file),
    });
  }
  if ('lockFileVersion' in root) {
    const version = root['lockFileVersion'];
    if (typeof version === 'string' && version !== '3.0') {
      throw new LockfileError(
        'UNSUPPORTED_VERSION',
        `${subject} has lockFileVersion ${describeValue(version)}, which this mcptrust cannot read (it reads "3.0"); upgrade mcptrust`,
        { ...fileOption(file), jsonPath: 'lockFileVersion', expected: '"3.0"', found: describeValue(version) },
      );
    }
    if (version === '3.0' && !isNativeV3(root)) return convertGoLockfile(root, 'go-v3', context);
    const lockfile = validateNativeLockfile(root, context);
    verifySnapshots(lockfile, fileOption(file));
    return { lockfile, format: 'v3', notices: [] };
  }
  if ('version' in root) {
    const version = root['version'];
    if (version === '1.0') return convertGoLockfile(root, 'go-v1', context);
    if (version === '2.0') return convertGoLockfile(root, 'go-v2', context);
    throw new LockfileError(
      'UNSUPPORTED_VERSION',
      `${subject} has version ${describeValue(version)}, which is no lockfile version this mcptrust reads (lockFileVersion "3.0", or the Go mcptrust's version "1.0" and "2.0")`,
      { ...fileOption(file), jsonPath: 'version', expected: '"1.0" or "2.0"', found: describeValue(version) },
    );
  }
  return throwProblems([{ path: ['lockFileVersion'], expected: '"3.0"', found: describeValue(undefined) }], {
    code: 'SCHEMA_INVALID',
    subject,
    summary: 'is not an mcptrust lockfile',
    ...fileOption(file),
  });
}
