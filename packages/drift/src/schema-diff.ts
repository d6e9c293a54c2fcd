/**
 * Semantic diff of two JSON Schemas (a tool's pinned input or output schema and the
 * live one). Each difference is classified as widening (the schema now accepts inputs
 * it rejected), narrowing (it rejects inputs it accepted), neutral (text only) or
 * undecidable. Undecidable changes are reported as such and counted as widening by the
 * caller: a schema change nobody can reason about must not pass a gate.
 *
 * Both schemas are attacker-controlled: the walk is bounded in depth, `$ref` cycles
 * are cut, and nothing from a schema is ever turned into a pattern.
 */
import type { JsonObject, JsonValue } from '@mcptrust/lockfile';
import type { SchemaChange } from './drift.types.js';
import { compareAlternatives } from './schema-alternative-rules.js';
import { compareBounds, compareOthers, compareStringRule, compareText, compareUniqueItems } from './schema-keyword-rules.js';
import { MAX_CHANGES, MAX_DEPTH } from './schema-keywords.js';
import { compareAdditional, compareProperties } from './schema-object-rules.js';
import { resolve } from './schema-refs.js';
import { compareTypes, compareValueSets } from './schema-type-rules.js';
import { formatValue, isObject, same } from './schema-values.js';
import type { Schema } from './schema-values.js';
import { push, undecidable, where } from './schema-walk.js';
import type { Walk } from './schema-walk.js';

/** Options of {@link diffJsonSchemas}. */
export interface SchemaDiffOptions {
  /** What a property is called in phrases: `parameter` (input schemas, default) or `output property`. */
  noun?: string;
  /** What the whole schema is called in phrases: `input schema` (default) or `output schema`. */
  rootLabel?: string;
}

function walkSchemas(walk: Walk, rawBefore: Schema, rawAfter: Schema, at: readonly string[], depth: number): void {
  if (walk.changes.length >= MAX_CHANGES) return;
  const before = resolve(walk.before, rawBefore);
  const after = resolve(walk.after, rawAfter);
  if (before.unresolved !== undefined || after.unresolved !== undefined) {
    if (!same(rawBefore, rawAfter)) undecidable(walk, at, '$ref', rawBefore, rawAfter, `a \`$ref\` that cannot be followed (${formatValue(before.unresolved ?? after.unresolved)}) changed`);
    return;
  }
  const refBefore = isObject(rawBefore) ? rawBefore['$ref'] : undefined;
  const refAfter = isObject(rawAfter) ? rawAfter['$ref'] : undefined;
  let key: string | undefined;
  if (typeof refBefore === 'string' || typeof refAfter === 'string') {
    key = `${String(refBefore)}\u0000${String(refAfter)}`;
    // Recursive schemas: a pair of references already being compared further up
    // this branch is not entered again (its changes are reported there).
    if (walk.refs.has(key)) return;
    walk.refs.add(key);
  }
  try {
    walkResolved(walk, before.schema, after.schema, at, depth);
  } finally {
    if (key !== undefined) walk.refs.delete(key);
  }
}

function walkResolved(walk: Walk, a: Schema, b: Schema, at: readonly string[], depth: number): void {
  if (same(a, b)) return;
  if (depth > MAX_DEPTH) {
    undecidable(walk, at, 'schema', a, b, 'a change nested too deep to compare');
    return;
  }
  const aAny = a === undefined || a === true || (isObject(a) && Object.keys(a).length === 0);
  const bAny = b === undefined || b === true || (isObject(b) && Object.keys(b).length === 0);
  if (aAny && bAny) return;
  if (!isObject(a) || !isObject(b)) {
    if (bAny) push(walk, 'schema-replaced', 'widening', at, 'schema', a, b, `${where(walk, at)} now accepts any value`);
    else if (b === false) push(walk, 'schema-replaced', 'narrowing', at, 'schema', a, b, `${where(walk, at)} no longer accepts any value`);
    else if (a === false) push(walk, 'schema-replaced', 'widening', at, 'schema', a, b, `${where(walk, at)} now accepts values (it accepted none)`);
    else if (aAny && isObject(b)) compareObjects(walk, {}, b, at, depth);
    else undecidable(walk, at, 'schema', a, b, 'the schema was replaced by something that is not a schema object');
    return;
  }
  compareObjects(walk, a, b, at, depth);
}

function compareObjects(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[], depth: number): void {
  compareTypes(walk, a, b, at);
  compareValueSets(walk, a, b, at);
  compareProperties(walk, a, b, at, depth);
  compareAdditional(walk, a, b, at, depth);
  compareBounds(walk, a, b, at);
  compareStringRule(walk, a, b, at, 'pattern');
  compareStringRule(walk, a, b, at, 'format');
  compareUniqueItems(walk, a, b, at);
  if (!same(a['items'], b['items'])) {
    if (Array.isArray(a['items']) || Array.isArray(b['items'])) undecidable(walk, at, 'items', a['items'], b['items'], 'tuple `items` changed');
    else walkSchemas(walk, a['items'] ?? true, b['items'] ?? true, [...at, '[]'], depth + 1);
  }
  compareAlternatives(walk, a, b, at, depth, 'anyOf');
  compareAlternatives(walk, a, b, at, depth, 'oneOf');
  compareText(walk, a, b, at);
  compareOthers(walk, a, b, at);
}

/**
 * Compares two JSON Schemas and lists every semantic difference, classified and
 * phrased (`gained optional parameter \`recursive\` (boolean)`, `no longer requires
 * \`limit\``, `parameter \`n\` maximum raised from 10 to 100`).
 *
 * Rules: a new property, a property no longer required, enum values added, a type
 * broadened, `additionalProperties` opened, a bound loosened or removed, a pattern or
 * format removed, `uniqueItems` dropped and an `anyOf`/`oneOf` alternative added are
 * widening; the reverse of each is narrowing. Nested objects, array `items`, local
 * `$ref`s (`#/$defs/...`, `#/definitions/...`) and `anyOf`/`oneOf` are followed.
 * A changed pattern or format, `allOf`, `not`, conditionals, tuple items, unknown
 * keywords and unresolvable references cannot be decided and are reported as
 * `undecidable`. Text keywords (description, title, default, examples) are `neutral`.
 *
 * @param before - the pinned schema (untrusted)
 * @param after - the live schema (untrusted)
 * @returns the changes in a stable order; empty when the schemas are equivalent
 */
export function diffJsonSchemas(before: JsonValue, after: JsonValue, options: SchemaDiffOptions = {}): SchemaChange[] {
  const walk: Walk = {
    noun: options.noun ?? 'parameter',
    rootLabel: options.rootLabel ?? 'input schema',
    before: { root: before },
    after: { root: after },
    changes: [],
    refs: new Set(),
    descend: (rawBefore, rawAfter, at, depth) => walkSchemas(walk, rawBefore, rawAfter, at, depth),
  };
  walkSchemas(walk, before, after, [], 0);
  return walk.changes;
}
