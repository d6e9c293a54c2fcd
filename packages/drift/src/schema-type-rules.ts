/**
 * The rules of the schema diff on what kind of value is accepted: `type` (with `integer`
 * inside `number`), `enum` and `const`; and the short description of a schema's type used
 * in phrases (`boolean`, `array of string`, `one of "a", "b"`).
 */
import type { JsonObject, JsonValue } from '@mcptrust/lockfile';
import { resolve } from './schema-refs.js';
import { canon, formatValue, isObject } from './schema-values.js';
import type { Schema } from './schema-values.js';
import { push, where } from './schema-walk.js';
import type { Walk } from './schema-walk.js';
import { toEvidence } from './unicode.js';

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

function valueSet(schema: JsonObject): JsonValue[] | undefined {
  if (Object.prototype.hasOwnProperty.call(schema, 'const')) return [schema['const'] as JsonValue];
  const e = schema['enum'];
  return Array.isArray(e) ? e : undefined;
}

/** `enum` and `const`: values added widen, values removed narrow, a changed constant widens. */
export function compareValueSets(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
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

/** `type`: broadened, narrowed, or changed (counted as widening); `integer` is within `number`. */
export function compareTypes(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
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
