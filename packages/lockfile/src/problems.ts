/**
 * Validation problems and the multi-line error they become. Every problem names the
 * JSON path, what was expected there and what was received, so that a hand-edited
 * lockfile can be fixed from the message alone.
 */
import * as v from 'valibot';
import { LockfileError } from './errors.js';
import type { LockfileErrorCode } from './errors.js';
import { describeValue, escapeText, formatJsonPath } from './json-path.js';
import type { PathSegment } from './json-path.js';

/** One thing wrong at one place. */
export interface Problem {
  /** Where. */
  path: PathSegment[];
  /** What was expected there. */
  expected: string;
  /** What was found there (already escaped for printing). */
  found: string;
}

/** At most this many problems are listed in one message. */
const MAX_LISTED = 20;

/** Marks the message of a strict-object issue about an unexpected key. */
const UNKNOWN_KEY = 'never';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A strict object schema whose issues read well: a missing key says so, and an
 * unknown key lists the keys that are allowed (a misspelt key would silently drop a
 * pin, so it is an error rather than ignored).
 */
export function strictShape<const E extends v.ObjectEntries>(entries: E, what: string) {
  const known = Object.keys(entries).join(', ');
  return v.strictObject(entries, (issue) => {
    if (issue.expected === UNKNOWN_KEY) return `one of the keys ${known}`;
    if (issue.received === 'undefined' && issue.path !== undefined) return 'a value (the key is required)';
    return what;
  });
}

/** Converts valibot issues into problems under `prefix`. */
export function problemsFromIssues(issues: readonly v.BaseIssue<unknown>[], prefix: readonly PathSegment[]): Problem[] {
  return issues.map((issue) => {
    const path: PathSegment[] = [...prefix];
    for (const item of issue.path ?? []) {
      if (typeof item.key === 'string' || typeof item.key === 'number') path.push(item.key);
    }
    const unknownKey = issue.expected === UNKNOWN_KEY && typeof issue.input === 'string';
    return {
      path,
      expected: issue.message,
      found: unknownKey ? `an unknown key "${escapeText(issue.input as string)}"` : describeValue(issue.input),
    };
  });
}

/**
 * Validates `value` against `schema`, appending problems (under `prefix`) to
 * `problems`. Returns the output, or `undefined` when the value is invalid.
 */
export function validateInto<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  prefix: readonly PathSegment[],
  problems: Problem[],
): v.InferOutput<S> | undefined {
  const result = v.safeParse(schema, value, { abortEarly: false });
  if (result.success) return result.output;
  problems.push(...problemsFromIssues(result.issues, prefix));
  return undefined;
}

/** Checks that the value at `path` is a plain object; records a problem if not. */
export function expectObject(value: unknown, path: readonly PathSegment[], what: string, problems: Problem[]): value is Record<string, unknown> {
  if (isObject(value)) return true;
  problems.push({ path: [...path], expected: what, found: describeValue(value) });
  return false;
}

/** Options of {@link throwProblems}. */
export interface ThrowProblemsOptions {
  /** The error code. */
  code: LockfileErrorCode;
  /** What the file or value is, e.g. `mcp-lock.json`. */
  subject: string;
  /** What is wrong with it as a whole, e.g. `is not a valid lockfile`. */
  summary: string;
  /** The file, for the error's `file` field. */
  file?: string;
}

/**
 * Throws one {@link LockfileError} listing every problem (the first one also fills the
 * error's `jsonPath`, `expected` and `found`).
 */
export function throwProblems(problems: readonly Problem[], options: ThrowProblemsOptions): never {
  const first = problems[0] ?? { path: [], expected: 'a valid value', found: 'an invalid one' };
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = [`${options.subject} ${options.summary} (${count}):`];
  for (const problem of problems.slice(0, MAX_LISTED)) {
    lines.push(`  ${formatJsonPath(problem.path)}`, `    expected: ${problem.expected}`, `    received: ${problem.found}`);
  }
  if (problems.length > MAX_LISTED) lines.push(`  ...and ${problems.length - MAX_LISTED} more`);
  const errorOptions = {
    jsonPath: formatJsonPath(first.path),
    expected: first.expected,
    found: first.found,
    ...(options.file === undefined ? {} : { file: options.file }),
  };
  throw new LockfileError(options.code, lines.join('\n'), errorOptions);
}

/** Options of {@link refuseDuplicates}. */
export interface RefuseDuplicatesOptions {
  /** What lists the items, e.g. `the scan` or the lockfile's path. */
  subject: string;
  /** JSON path of the array, e.g. `resources.templates`. */
  section: string;
  /** What an item is, e.g. `resource template`. */
  what: string;
  /** Why that is refused. */
  reason: string;
  /** The key holding the identity, appended to the error's `jsonPath`. */
  idKey?: string;
  /** The file, for the error's `file` field. */
  file?: string;
}

/**
 * Throws `DUPLICATE_ITEM` when two items share an identity: two definitions for one
 * name or URI are ambiguous (which one would a call reach, which one is approved?),
 * so neither is taken.
 */
export function refuseDuplicates(ids: readonly string[], options: RefuseDuplicatesOptions): void {
  const seen = new Map<string, number>();
  ids.forEach((id, index) => {
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, index);
      return;
    }
    const { section, idKey } = options;
    throw new LockfileError(
      'DUPLICATE_ITEM',
      `${options.subject} lists ${options.what} \`${escapeText(id)}\` twice (${section}[${first}] and ${section}[${index}]): ${options.reason}`,
      {
        ...(options.file === undefined ? {} : { file: options.file }),
        jsonPath: `${section}[${index}]${idKey === undefined ? '' : `.${idKey}`}`,
        found: `"${escapeText(id)}"`,
      },
    );
  });
}
