/**
 * Local `$ref`s of a schema (`#/$defs/x`, `#/definitions/x`, any `#/...` pointer),
 * followed a bounded number of times: both schemas are untrusted.
 */
import type { JsonValue } from '@mcptrust/lockfile';
import { isObject } from './schema-values.js';
import type { Schema } from './schema-values.js';
import type { Side } from './schema-walk.js';

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

/**
 * The schema with its `$ref` replaced by the target (siblings of `$ref` kept on top);
 * `unresolved` names a reference that cannot be followed (not local, missing, or too deep).
 */
export function resolve(side: Side, schema: Schema, seen = 0): { schema: Schema; unresolved?: string } {
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
