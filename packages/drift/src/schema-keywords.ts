/**
 * The keyword tables of the schema diff: which JSON Schema keywords are bounds, which only
 * document, which only name or hold other schemas, which have a rule of their own (every
 * other keyword is compared as an unknown one), and the limits of one comparison.
 */

/** Deepest nesting compared; deeper differences are reported as undecidable. */
export const MAX_DEPTH = 32;
/** Most changes reported for one pair of schemas (a hostile schema can be huge). */
export const MAX_CHANGES = 200;

/** Keywords that set a lower bound: a smaller value accepts more. */
export const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties', 'minContains'] as const;
/** Keywords that set an upper bound: a larger value accepts more. */
export const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties', 'maxContains'] as const;
/** Keywords that only document (they never change what validates). */
export const TEXT_KEYWORDS = ['description', 'title', 'examples', 'default', '$comment', 'deprecated', 'readOnly', 'writeOnly'] as const;
/** Keywords that only name or hold other schemas; differences are seen through `$ref`. */
export const SKIPPED_KEYWORDS = new Set(['$schema', '$id', 'id', '$defs', 'definitions', '$anchor', '$dynamicAnchor', '$vocabulary']);
/** Keywords compared by dedicated rules (the others are compared as unknown keywords). */
export const HANDLED_KEYWORDS = new Set<string>([
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
