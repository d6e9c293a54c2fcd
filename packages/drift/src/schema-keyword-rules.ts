/**
 * The rules of the schema diff on single keywords of one schema: numeric bounds,
 * `multipleOf`, `pattern`, `format`, `uniqueItems`, the text-only keywords, and every
 * keyword no rule knows (which cannot be decided).
 */
import type { JsonObject } from '@mcptrust/lockfile';
import type { SchemaRule } from './drift.types.js';
import { HANDLED_KEYWORDS, LOWER_BOUNDS, SKIPPED_KEYWORDS, TEXT_KEYWORDS, UPPER_BOUNDS } from './schema-keywords.js';
import { formatValue, same } from './schema-values.js';
import { code, push, undecidable, where } from './schema-walk.js';
import type { Walk } from './schema-walk.js';

/** Numeric bounds and `multipleOf`: loosened or removed widens, tightened or added narrows. */
export function compareBounds(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
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

/** `pattern` or `format`: removed widens, added narrows, changed cannot be decided. */
export function compareStringRule(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[], keyword: 'pattern' | 'format'): void {
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

/** `uniqueItems`: dropped widens, added narrows. */
export function compareUniqueItems(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
  const before = a['uniqueItems'] === true;
  const after = b['uniqueItems'] === true;
  if (before && !after) push(walk, 'unique-items-dropped', 'widening', at, 'uniqueItems', true, b['uniqueItems'], `${where(walk, at)} no longer requires unique items`);
  if (!before && after) push(walk, 'unique-items-added', 'narrowing', at, 'uniqueItems', a['uniqueItems'], true, `${where(walk, at)} now requires unique items`);
}

/** Keywords that only document: neutral changes. */
export function compareText(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
  for (const keyword of TEXT_KEYWORDS) {
    const before = a[keyword];
    const after = b[keyword];
    if (same(before, after)) continue;
    const rule: SchemaRule = keyword === 'description' ? 'description-changed' : 'annotation-changed';
    const verb = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    push(walk, rule, 'neutral', at, keyword, before, after, `${where(walk, at)} ${keyword} ${verb}`);
  }
}

/** Any keyword without a rule of its own (`allOf`, `not`, conditionals...): undecidable when it changed. */
export function compareOthers(walk: Walk, a: JsonObject, b: JsonObject, at: readonly string[]): void {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    if (HANDLED_KEYWORDS.has(key) || SKIPPED_KEYWORDS.has(key)) continue;
    if (same(a[key], b[key])) continue;
    const verb = a[key] === undefined ? 'added' : b[key] === undefined ? 'removed' : 'changed';
    undecidable(walk, at, key, a[key], b[key], `keyword ${code(key)} ${verb}`);
  }
}
