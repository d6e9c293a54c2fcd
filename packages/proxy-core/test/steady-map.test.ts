import { describe, expect, it } from '@jest/globals';
import { SteadyMap } from '../src/engine/steady-map.js';

describe('SteadyMap', () => {
  it('behaves as a Map of its real entries only', () => {
    const m = new SteadyMap<number>();
    expect(m.size).toBe(0);
    expect([...m.values()]).toEqual([]);
    m.set('a', 1).set('b', 2);
    expect(m.size).toBe(2);
    expect(m.get('a')).toBe(1);
    expect(m.has('b')).toBe(true);
    expect(m.has('c')).toBe(false);
    expect(m.get('c')).toBeUndefined();
    expect(m.delete('a')).toBe(true);
    expect(m.delete('a')).toBe(false);
    expect(m.size).toBe(1);
    expect([...m.values()]).toEqual([2]);
  });

  it('keeps its entries through many additions and removals', () => {
    const m = new SteadyMap<string>();
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k < 16; k++) m.set(`k${round}-${k}`, `v${round}-${k}`);
      for (let k = 0; k < 15; k++) m.delete(`k${round}-${k}`);
    }
    expect(m.size).toBe(200);
    expect(m.get('k199-15')).toBe('v199-15');
    expect([...m.values()]).toHaveLength(200);
  });
});
