/** A JSON object as the engine reads it (after `JSON.parse`). */
export type Json = Record<string, unknown>;

/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether `o` has its own member `k` (a member named `__proto__` or `toString` included). */
export function has(o: Json, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}
