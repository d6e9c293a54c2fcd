/**
 * The rule of the schema diff on alternatives (`anyOf`, `oneOf`), matched by their
 * canonical text.
 */
import type { JsonObject } from '@mcptrust/lockfile';
import { describeSchemaType } from './schema-type-rules.js';
import { canon, same } from './schema-values.js';
import { push, undecidable, where } from './schema-walk.js';
import type { Walk } from './schema-walk.js';

/**
 * `anyOf` or `oneOf`: an alternative added widens, one removed narrows, one replaced by one
 * is compared as a schema; anything else cannot be decided.
 */
export function compareAlternatives(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[], depth: number, keyword: 'anyOf' | 'oneOf'): void {
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
    walk.descend(gone[0], fresh[0], at, depth + 1);
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
