/**
 * Schema values as the schema diff sees them: any JSON value or nothing, compared by
 * canonical JSON text, and printed short (schemas are untrusted and may be huge).
 */
import { canonicalize } from '@mcptrust/lockfile';
import type { JsonObject, JsonValue } from '@mcptrust/lockfile';
import { toEvidence } from './unicode.js';

/** A schema or a keyword's value; undefined when the keyword is absent. */
export type Schema = JsonValue | undefined;

/** Whether a schema value is an object (not an array, not null). */
export function isObject(value: Schema): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The canonical JSON text of a value (`''` for nothing): equal texts mean equal values. */
export function canon(value: Schema): string {
  if (value === undefined) return '';
  try {
    return canonicalize(value);
  } catch {
    return `\u0000${String(value)}`;
  }
}

/** Whether two values are equal as JSON. */
export function same(a: Schema, b: Schema): boolean {
  return canon(a) === canon(b);
}

/** A short printable rendering of a JSON value. */
export function formatValue(value: Schema): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${toEvidence(value, 60)}"`;
  return toEvidence(canon(value), 60);
}
