/**
 * The state of one schema comparison and how the rules record what they find: each
 * change with its rule, direction, path, keyword and one phrase naming where it is.
 */
import type { JsonValue } from '@mcptrust/lockfile';
import type { SchemaChange, SchemaDirection, SchemaRule } from './drift.types.js';
import { MAX_CHANGES } from './schema-keywords.js';
import type { Schema } from './schema-values.js';
import { toEvidence } from './unicode.js';

/** One side of the comparison: the whole schema, which local `$ref`s point into. */
export interface Side {
  root: JsonValue;
}

/** The state of one comparison, shared by every rule. */
export interface Walk {
  noun: string;
  rootLabel: string;
  before: Side;
  after: Side;
  changes: SchemaChange[];
  /** `$ref` pairs being compared (cycle guard). */
  refs: Set<string>;
  /**
   * Compares two sub-schemas at `at` (the walker itself, handed to the rules so that
   * rules on nested schemas do not import the walker back).
   */
  descend: (before: Schema, after: Schema, at: readonly string[], depth: number) => void;
}

/** A name or path as inline code, escaped and cut short. */
export function code(text: string): string {
  return `\`${toEvidence(text, 80).replace(/`/g, "'")}\``;
}

/** `a.b[]`: a property path as shown in phrases (`[]` stands for array items). */
export function dotted(at: readonly string[]): string {
  let out = '';
  for (const part of at) {
    if (part === '[]') out += '[]';
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** What a phrase is about: the whole schema, or the property at `at`. */
export function where(walk: Walk, at: readonly string[]): string {
  return at.length === 0 ? walk.rootLabel : `${walk.noun} ${code(dotted(at))}`;
}

/** Records one change (nothing once {@link MAX_CHANGES} have been recorded). */
export function push(
  walk: Walk,
  rule: SchemaRule,
  direction: SchemaDirection,
  at: readonly string[],
  keyword: string,
  before: Schema,
  after: Schema,
  phrase: string,
): void {
  if (walk.changes.length >= MAX_CHANGES) return;
  const change: SchemaChange = { rule, direction, at: [...at], keyword, phrase };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  walk.changes.push(change);
}

/** Records a change that cannot be classified; the caller treats it as widening. */
export function undecidable(walk: Walk, at: readonly string[], keyword: string, before: Schema, after: Schema, what: string): void {
  push(
    walk,
    keyword === '$ref' || keyword === 'schema' ? 'schema-replaced' : 'keyword-changed',
    'undecidable',
    at,
    keyword,
    before,
    after,
    `${where(walk, at)}: ${what}; cannot tell whether this widens the schema, treated as widening`,
  );
}
