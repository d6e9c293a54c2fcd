/**
 * A string-keyed map for tables whose entries come and go all the time (requests in
 * flight): a `Map` that never shrinks below a floor of placeholder entries.
 *
 * Why: V8 reallocates a `Map`'s backing table whenever it grows, shrinks or is
 * compacted, and a replaced table keeps a pointer to its successor. A table that
 * lived long enough to be promoted to the old generation then keeps its successor
 * (and the entries it still held) alive through the next young-generation collection,
 * which promotes it too, and so on: with 16 requests in flight the proxy promoted
 * ~1.5 MB of dead tables and entries per collection, which only a full collection
 * reclaimed (peak RSS +40 MiB, and every young collection copied them). Placeholder
 * entries keep the table at a steady size, so it is rarely reallocated.
 */

/** Placeholder keys: symbols, so no string key can ever collide with them. */
const FLOOR: readonly symbol[] = Array.from({ length: 64 }, () => Symbol('steady-map floor'));

/** The subset of `Map<string, V>` the engine's tables use, with a steady backing table. */
export class SteadyMap<V> {
  private readonly map = new Map<string | symbol, V | undefined>();

  constructor() {
    for (const key of FLOOR) this.map.set(key, undefined);
  }

  /** Number of real entries. */
  get size(): number {
    return this.map.size - FLOOR.length;
  }

  /** The value of `key`, if any. */
  get(key: string): V | undefined {
    return this.map.get(key);
  }

  /** Whether `key` has an entry. */
  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Sets the value of `key`. */
  set(key: string, value: V): this {
    this.map.set(key, value);
    return this;
  }

  /** Removes `key`; true when it had an entry. */
  delete(key: string): boolean {
    return this.map.delete(key);
  }

  /** The values of the real entries, in insertion order. */
  *values(): IterableIterator<V> {
    for (const [key, value] of this.map) if (typeof key === 'string') yield value as V;
  }
}
