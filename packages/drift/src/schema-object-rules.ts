/**
 * The rules of the schema diff on objects: properties gained or lost (the ones both sides
 * have are compared in turn), `required`, and `additionalProperties`.
 */
import type { JsonObject } from '@mcptrust/lockfile';
import { describeSchemaType } from './schema-type-rules.js';
import { isObject, same } from './schema-values.js';
import type { Schema } from './schema-values.js';
import { code, dotted, push, where } from './schema-walk.js';
import type { Walk } from './schema-walk.js';

function requiredSet(schema: JsonObject): string[] {
  const r = schema['required'];
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}

/** `properties` and `required`: a new property or one no longer required widens; the reverse narrows. */
export function compareProperties(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[], depth: number): void {
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
      walk.descend(before[name], after[name], path, depth + 1);
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

/** `additionalProperties`: opened widens, closed narrows, two schemas are compared. */
export function compareAdditional(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[], depth: number): void {
  const before = a['additionalProperties'];
  const after = b['additionalProperties'];
  if (same(before, after)) return;
  const from = openness(before);
  const to = openness(after);
  const subject = at.length === 0 && walk.rootLabel === 'input schema' ? 'now accepts additional parameters' : `${where(walk, at)} now accepts additional properties`;
  if (from === to && from === 'schema') {
    walk.descend(before, after, [...at, '*'], depth + 1);
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
