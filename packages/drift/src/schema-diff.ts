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
import { canonicalize } from '@mcptrust/lockfile';
import type { JsonObject, JsonValue } from '@mcptrust/lockfile';
import type { SchemaChange, SchemaDirection, SchemaRule } from './drift.types.js';
import { toEvidence } from './unicode.js';

/** Options of {@link diffJsonSchemas}. */
export interface SchemaDiffOptions {
  /** What a property is called in phrases: `parameter` (input schemas, default) or `output property`. */
  noun?: string;
  /** What the whole schema is called in phrases: `input schema` (default) or `output schema`. */
  rootLabel?: string;
}

/** Deepest nesting compared; deeper differences are reported as undecidable. */
const MAX_DEPTH = 32;
/** Most changes reported for one pair of schemas (a hostile schema can be huge). */
const MAX_CHANGES = 200;

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties', 'minContains'] as const;
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties', 'maxContains'] as const;
/** Keywords that only document (they never change what validates). */
const TEXT_KEYWORDS = ['description', 'title', 'examples', 'default', '$comment', 'deprecated', 'readOnly', 'writeOnly'] as const;
/** Keywords that only name or hold other schemas; differences are seen through `$ref`. */
const SKIPPED_KEYWORDS = new Set(['$schema', '$id', 'id', '$defs', 'definitions', '$anchor', '$dynamicAnchor', '$vocabulary']);
/** Keywords compared by dedicated rules below. */
const HANDLED_KEYWORDS = new Set<string>([
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'pattern',
  'format',
  'uniqueItems',
  'multipleOf',
  'items',
  'anyOf',
  'oneOf',
  '$ref',
  ...LOWER_BOUNDS,
  ...UPPER_BOUNDS,
  ...TEXT_KEYWORDS,
]);

type Schema = JsonValue | undefined;

interface Side {
  root: JsonValue;
}

interface Walk {
  noun: string;
  rootLabel: string;
  before: Side;
  after: Side;
  changes: SchemaChange[];
  /** `$ref` pairs being compared (cycle guard). */
  refs: Set<string>;
}

function isObject(value: Schema): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function canon(value: Schema): string {
  if (value === undefined) return '';
  try {
    return canonicalize(value);
  } catch {
    return `\u0000${String(value)}`;
  }
}

function same(a: Schema, b: Schema): boolean {
  return canon(a) === canon(b);
}

function code(text: string): string {
  return `\`${toEvidence(text, 80).replace(/`/g, "'")}\``;
}

/** A short printable rendering of a JSON value. */
export function formatValue(value: Schema): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${toEvidence(value, 60)}"`;
  return toEvidence(canon(value), 60);
}

function dotted(at: readonly string[]): string {
  let out = '';
  for (const part of at) {
    if (part === '[]') out += '[]';
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

function where(walk: Walk, at: readonly string[]): string {
  return at.length === 0 ? walk.rootLabel : `${walk.noun} ${code(dotted(at))}`;
}

function push(
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

function undecidable(walk: Walk, at: readonly string[], keyword: string, before: Schema, after: Schema, what: string): void {
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

/** Follows a local `$ref` (`#/$defs/x`, `#/definitions/x`, any `#/...` pointer). */
function resolvePointer(root: JsonValue, ref: string): Schema {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: Schema = root;
  for (const raw of ref.slice(2).split('/')) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (isObject(node) && Object.prototype.hasOwnProperty.call(node, token)) node = node[token];
    else if (Array.isArray(node) && /^\d+$/.test(token)) node = node[Number(token)];
    else return undefined;
  }
  return node;
}

/** The schema with its `$ref` replaced by the target (siblings of `$ref` kept on top). */
function resolve(side: Side, schema: Schema, seen = 0): { schema: Schema; unresolved?: string } {
  if (!isObject(schema) || typeof schema['$ref'] !== 'string') return { schema };
  const ref = schema['$ref'];
  const target = resolvePointer(side.root, ref);
  if (target === undefined || seen > 8) return { schema, unresolved: ref };
  const { $ref: _ignored, ...siblings } = schema;
  void _ignored;
  const inner = resolve(side, target, seen + 1);
  if (inner.unresolved !== undefined) return inner;
  if (!isObject(inner.schema)) return Object.keys(siblings).length === 0 ? inner : { schema, unresolved: ref };
  return { schema: { ...inner.schema, ...siblings } };
}

function typeSet(schema: JsonObject): string[] | undefined {
  const t = schema['type'];
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return undefined;
}

function covers(types: readonly string[], t: string): boolean {
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

/** `boolean`, `string or number`, `array of string`, `one of "a", "b"`. */
export function describeSchemaType(schema: Schema, side?: { root: JsonValue }): string {
  const resolved = side === undefined ? schema : resolve(side, schema).schema;
  if (resolved === true || resolved === undefined) return 'any type';
  if (!isObject(resolved)) return 'no value accepted';
  if (resolved['const'] !== undefined) return `constant ${formatValue(resolved['const'])}`;
  const values = resolved['enum'];
  if (Array.isArray(values)) return `one of ${values.slice(0, 6).map(formatValue).join(', ')}${values.length > 6 ? ', …' : ''}`;
  const types = typeSet(resolved);
  if (types === undefined || types.length === 0) {
    if (Array.isArray(resolved['anyOf']) || Array.isArray(resolved['oneOf'])) return 'one of several schemas';
    return isObject(resolved['properties']) ? 'object' : 'any type';
  }
  if (types.length === 1 && types[0] === 'array' && resolved['items'] !== undefined && !Array.isArray(resolved['items'])) {
    return `array of ${describeSchemaType(resolved['items'], side)}`;
  }
  return types.map((t) => toEvidence(t, 30)).join(' or ');
}

function requiredSet(schema: JsonObject): string[] {
  const r = schema['required'];
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}

function valueSet(schema: JsonObject): JsonValue[] | undefined {
  if (Object.prototype.hasOwnProperty.call(schema, 'const')) return [schema['const'] as JsonValue];
  const e = schema['enum'];
  return Array.isArray(e) ? e : undefined;
}

function compareValueSets(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
  const before = valueSet(a);
  const after = valueSet(b);
  if (before === undefined && after === undefined) return;
  const keyword = Object.prototype.hasOwnProperty.call(b, 'const') || Object.prototype.hasOwnProperty.call(a, 'const') ? 'const' : 'enum';
  if (before !== undefined && after === undefined) {
    push(walk, 'enum-removed', 'widening', at, keyword, before, undefined, `${where(walk, at)} no longer restricts its values (was ${before.slice(0, 6).map(formatValue).join(', ')})`);
    return;
  }
  if (before === undefined && after !== undefined) {
    push(walk, 'enum-added', 'narrowing', at, keyword, undefined, after, `${where(walk, at)} now only accepts ${after.slice(0, 6).map(formatValue).join(', ')}`);
    return;
  }
  if (before === undefined || after === undefined) return;
  const beforeKeys = new Set(before.map(canon));
  const afterKeys = new Set(after.map(canon));
  const added = after.filter((v) => !beforeKeys.has(canon(v)));
  const removed = before.filter((v) => !afterKeys.has(canon(v)));
  if (keyword === 'const' && added.length > 0 && removed.length > 0 && after.length === 1 && before.length === 1) {
    push(walk, 'const-changed', 'widening', at, keyword, before[0], after[0], `${where(walk, at)} constant changed from ${formatValue(before[0])} to ${formatValue(after[0])}`);
    return;
  }
  if (added.length > 0) {
    push(walk, 'enum-values-added', 'widening', at, keyword, before, after, `${where(walk, at)} accepts new value${added.length === 1 ? '' : 's'} ${added.slice(0, 6).map(formatValue).join(', ')}${added.length > 6 ? ', …' : ''}`);
  }
  if (removed.length > 0) {
    push(walk, 'enum-values-removed', 'narrowing', at, keyword, before, after, `${where(walk, at)} no longer accepts ${removed.slice(0, 6).map(formatValue).join(', ')}${removed.length > 6 ? ', …' : ''}`);
  }
}

function compareTypes(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
  const before = typeSet(a);
  const after = typeSet(b);
  if (before === undefined && after === undefined) return;
  const show = (types: readonly string[]): string => types.map((t) => toEvidence(t, 30)).join(' or ');
  if (before !== undefined && after === undefined) {
    push(walk, 'type-broadened', 'widening', at, 'type', a['type'], undefined, `${where(walk, at)} no longer restricts its type (was ${show(before)})`);
    return;
  }
  if (before === undefined && after !== undefined) {
    push(walk, 'type-narrowed', 'narrowing', at, 'type', undefined, b['type'], `${where(walk, at)} must now be ${show(after)}`);
    return;
  }
  if (before === undefined || after === undefined) return;
  const afterCoversBefore = before.every((t) => covers(after, t));
  const beforeCoversAfter = after.every((t) => covers(before, t));
  if (afterCoversBefore && beforeCoversAfter) return;
  if (afterCoversBefore) {
    push(walk, 'type-broadened', 'widening', at, 'type', a['type'], b['type'], `${where(walk, at)} type broadened from ${show(before)} to ${show(after)}`);
  } else if (beforeCoversAfter) {
    push(walk, 'type-narrowed', 'narrowing', at, 'type', a['type'], b['type'], `${where(walk, at)} type narrowed from ${show(before)} to ${show(after)}`);
  } else {
    // Accepts values it rejected before (and the reverse): a widening for the gate.
    push(walk, 'type-changed', 'widening', at, 'type', a['type'], b['type'], `${where(walk, at)} type changed from ${show(before)} to ${show(after)}`);
  }
}

function compareBounds(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
  for (const [keywords, lower] of [
    [LOWER_BOUNDS, true],
    [UPPER_BOUNDS, false],
  ] as const) {
    for (const keyword of keywords) {
      const before = a[keyword];
      const after = b[keyword];
      if (same(before, after)) continue;
      if ((before !== undefined && typeof before !== 'number') || (after !== undefined && typeof after !== 'number')) {
        undecidable(walk, at, keyword, before, after, `\`${keyword}\` changed from ${formatValue(before)} to ${formatValue(after)}`);
        continue;
      }
      const subject = `${where(walk, at)} ${keyword}`;
      if (after === undefined) {
        push(walk, 'bound-loosened', 'widening', at, keyword, before, undefined, `${subject} removed (was ${formatValue(before)})`);
      } else if (before === undefined) {
        push(walk, 'bound-tightened', 'narrowing', at, keyword, undefined, after, `${where(walk, at)} now has a ${keyword} of ${formatValue(after)}`);
      } else {
        const loosened = lower ? after < before : after > before;
        push(
          walk,
          loosened ? 'bound-loosened' : 'bound-tightened',
          loosened ? 'widening' : 'narrowing',
          at,
          keyword,
          before,
          after,
          `${subject} ${after > before ? 'raised' : 'lowered'} from ${formatValue(before)} to ${formatValue(after)}`,
        );
      }
    }
  }
  const before = a['multipleOf'];
  const after = b['multipleOf'];
  if (!same(before, after)) {
    if (after === undefined) push(walk, 'bound-loosened', 'widening', at, 'multipleOf', before, undefined, `${where(walk, at)} multipleOf removed (was ${formatValue(before)})`);
    else if (before === undefined) push(walk, 'bound-tightened', 'narrowing', at, 'multipleOf', undefined, after, `${where(walk, at)} must now be a multiple of ${formatValue(after)}`);
    else if (typeof before === 'number' && typeof after === 'number' && after > 0 && Number.isInteger(before / after)) {
      push(walk, 'bound-loosened', 'widening', at, 'multipleOf', before, after, `${where(walk, at)} multipleOf loosened from ${before} to ${after}`);
    } else if (typeof before === 'number' && typeof after === 'number' && before > 0 && Number.isInteger(after / before)) {
      push(walk, 'bound-tightened', 'narrowing', at, 'multipleOf', before, after, `${where(walk, at)} multipleOf tightened from ${before} to ${after}`);
    } else undecidable(walk, at, 'multipleOf', before, after, `multipleOf changed from ${formatValue(before)} to ${formatValue(after)}`);
  }
}

function compareStringRule(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[], keyword: 'pattern' | 'format'): void {
  const before = a[keyword];
  const after = b[keyword];
  if (same(before, after)) return;
  if (after === undefined) {
    push(walk, keyword === 'pattern' ? 'pattern-removed' : 'format-removed', 'widening', at, keyword, before, undefined, `${where(walk, at)} ${keyword} removed (was ${formatValue(before)})`);
  } else if (before === undefined) {
    push(walk, keyword === 'pattern' ? 'pattern-added' : 'format-added', 'narrowing', at, keyword, undefined, after, `${where(walk, at)} now must match ${keyword} ${formatValue(after)}`);
  } else {
    push(
      walk,
      keyword === 'pattern' ? 'pattern-changed' : 'format-changed',
      'undecidable',
      at,
      keyword,
      before,
      after,
      `${where(walk, at)} ${keyword} changed from ${formatValue(before)} to ${formatValue(after)}; cannot tell whether this widens the schema, treated as widening`,
    );
  }
}

function compareUniqueItems(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
  const before = a['uniqueItems'] === true;
  const after = b['uniqueItems'] === true;
  if (before && !after) push(walk, 'unique-items-dropped', 'widening', at, 'uniqueItems', true, b['uniqueItems'], `${where(walk, at)} no longer requires unique items`);
  if (!before && after) push(walk, 'unique-items-added', 'narrowing', at, 'uniqueItems', a['uniqueItems'], true, `${where(walk, at)} now requires unique items`);
}

function compareProperties(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[], depth: number): void {
  const before = isObject(a['properties']) ? a['properties'] : {};
  const after = isObject(b['properties']) ? b['properties'] : {};
  const requiredBefore = requiredSet(a);
  const requiredAfter = requiredSet(b);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const name of names) {
    const inBefore = Object.prototype.hasOwnProperty.call(before, name);
    const inAfter = Object.prototype.hasOwnProperty.call(after, name);
    const path = [...at, name];
    if (inAfter && !inBefore) {
      const required = requiredAfter.includes(name);
      push(
        walk,
        'property-added',
        'widening',
        path,
        'properties',
        undefined,
        after[name],
        `gained ${required ? 'required' : 'optional'} ${walk.noun} ${code(dotted(path))} (${describeSchemaType(after[name], walk.after)})`,
      );
    } else if (inBefore && !inAfter) {
      push(walk, 'property-removed', 'narrowing', path, 'properties', before[name], undefined, `no longer declares ${walk.noun} ${code(dotted(path))}`);
    } else {
      walkSchemas(walk, before[name], after[name], path, depth + 1);
    }
  }
  const owner = at.length === 0 ? (walk.rootLabel === 'input schema' ? '' : `${walk.rootLabel} `) : `${where(walk, at)} `;
  for (const name of requiredBefore) {
    if (requiredAfter.includes(name)) continue;
    // A property that disappeared was reported as removed already.
    if (Object.prototype.hasOwnProperty.call(before, name) && !Object.prototype.hasOwnProperty.call(after, name)) continue;
    push(walk, 'required-removed', 'widening', [...at, name], 'required', a['required'], b['required'], `${owner}no longer requires ${code(name)}`);
  }
  for (const name of requiredAfter) {
    if (requiredBefore.includes(name)) continue;
    if (Object.prototype.hasOwnProperty.call(after, name) && !Object.prototype.hasOwnProperty.call(before, name)) continue;
    push(walk, 'required-added', 'narrowing', [...at, name], 'required', a['required'], b['required'], `${owner}now requires ${code(name)}`);
  }
}

type Openness = 'open' | 'closed' | 'schema';

function openness(value: Schema): Openness {
  if (value === undefined || value === true) return 'open';
  if (value === false) return 'closed';
  if (isObject(value) && Object.keys(value).length === 0) return 'open';
  return 'schema';
}

function compareAdditional(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[], depth: number): void {
  const before = a['additionalProperties'];
  const after = b['additionalProperties'];
  if (same(before, after)) return;
  const from = openness(before);
  const to = openness(after);
  const subject = at.length === 0 && walk.rootLabel === 'input schema' ? 'now accepts additional parameters' : `${where(walk, at)} now accepts additional properties`;
  if (from === to && from === 'schema') {
    walkSchemas(walk, before, after, [...at, '*'], depth + 1);
  } else if (from === to) {
    return;
  } else if (to === 'open' || (from === 'closed' && to === 'schema')) {
    push(walk, 'additional-properties-opened', 'widening', at, 'additionalProperties', before, after, to === 'open' ? subject : `${subject} matching a schema`);
  } else {
    push(
      walk,
      'additional-properties-closed',
      'narrowing',
      at,
      'additionalProperties',
      before,
      after,
      to === 'closed' ? `${where(walk, at)} no longer accepts additional properties` : `${where(walk, at)} now restricts additional properties to a schema`,
    );
  }
}

function compareAlternatives(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[], depth: number, keyword: 'anyOf' | 'oneOf'): void {
  const before = a[keyword];
  const after = b[keyword];
  if (same(before, after)) return;
  if (before === undefined) {
    push(walk, 'alternative-removed', 'narrowing', at, keyword, undefined, after, `${where(walk, at)} must now match \`${keyword}\` alternatives`);
    return;
  }
  if (after === undefined) {
    push(walk, 'alternative-added', 'widening', at, keyword, before, undefined, `${where(walk, at)} no longer restricts values to \`${keyword}\` alternatives`);
    return;
  }
  if (!Array.isArray(before) || !Array.isArray(after)) {
    undecidable(walk, at, keyword, before, after, `\`${keyword}\` changed`);
    return;
  }
  const afterKeys = after.map(canon);
  const beforeKeys = before.map(canon);
  const gone = before.filter((_, i) => !afterKeys.includes(beforeKeys[i] as string));
  const fresh = after.filter((_, i) => !beforeKeys.includes(afterKeys[i] as string));
  if (gone.length === 1 && fresh.length === 1) {
    walkSchemas(walk, gone[0], fresh[0], at, depth + 1);
    return;
  }
  if (gone.length === 0 && fresh.length > 0) {
    push(walk, 'alternative-added', 'widening', at, keyword, before, after, `${where(walk, at)} accepts ${fresh.length} new \`${keyword}\` alternative${fresh.length === 1 ? '' : 's'} (${fresh.slice(0, 3).map((s) => describeSchemaType(s, walk.after)).join('; ')})`);
    return;
  }
  if (fresh.length === 0 && gone.length > 0) {
    push(walk, 'alternative-removed', 'narrowing', at, keyword, before, after, `${where(walk, at)} no longer accepts ${gone.length} \`${keyword}\` alternative${gone.length === 1 ? '' : 's'}`);
    return;
  }
  undecidable(walk, at, keyword, before, after, `\`${keyword}\` alternatives were replaced`);
}

function compareText(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
  for (const keyword of TEXT_KEYWORDS) {
    const before = a[keyword];
    const after = b[keyword];
    if (same(before, after)) continue;
    const rule: SchemaRule = keyword === 'description' ? 'description-changed' : 'annotation-changed';
    const verb = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    push(walk, rule, 'neutral', at, keyword, before, after, `${where(walk, at)} ${keyword} ${verb}`);
  }
}

function compareOthers(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    if (HANDLED_KEYWORDS.has(key) || SKIPPED_KEYWORDS.has(key)) continue;
    if (same(a[key], b[key])) continue;
    const verb = a[key] === undefined ? 'added' : b[key] === undefined ? 'removed' : 'changed';
    undecidable(walk, at, key, a[key], b[key], `keyword ${code(key)} ${verb}`);
  }
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
  };
  walkSchemas(walk, before, after, [], 0);
  return walk.changes;
}
