// Proxy IDs: 128 bits from the CSPRNG each, written into JSON without escaping.
import { describe, expect, it } from '@jest/globals';
import { createRandomIdSource } from '../src/random-id.js';
import { createHarness, req } from './helpers/engine-harness.js';

describe('createRandomIdSource', () => {
  it('gives 22 base64url characters (16 bytes) per id', () => {
    const next = createRandomIdSource();
    for (let i = 0; i < 600; i++) {
      const id = next();
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });

  it('never repeats an id, across many refills of its pool', () => {
    const next = createRandomIdSource();
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(next());
    expect(seen.size).toBe(20_000);
  });

  it('gives independent sequences to independent sources', () => {
    const a = createRandomIdSource();
    const b = createRandomIdSource();
    const fromA = new Set(Array.from({ length: 300 }, () => a()));
    expect(Array.from({ length: 300 }, () => b()).some((id) => fromA.has(id))).toBe(false);
  });

  it('spreads its bits: each of the 128 bit positions is set in about half of the ids', () => {
    const next = createRandomIdSource();
    const ones = new Array<number>(128).fill(0);
    const n = 4096;
    for (let i = 0; i < n; i++) {
      const bytes = Buffer.from(next(), 'base64url');
      for (let bit = 0; bit < 128; bit++) if ((bytes[bit >> 3]! >> (bit & 7)) & 1) ones[bit]!++;
    }
    // Binomial(4096, 0.5): sd = 32; ±8 sd never happens by chance.
    for (const count of ones) expect(Math.abs(count - n / 2)).toBeLessThan(256);
  });
});

describe('the engine’s default proxy ids', () => {
  it('are fresh random ids, one per forwarded request', () => {
    const h = createHarness();
    h.initialize();
    const ids = new Set<string>();
    for (let i = 1; i <= 50; i++) {
      h.host(req(i, 'tools/call', { name: 'echo', arguments: { text: 'x' } }));
      const id = h.lastToServer()['id'];
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      ids.add(id as string);
    }
    expect(ids.size).toBe(50);
  });
});
