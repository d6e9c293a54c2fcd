import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalize, canonicalizeV1, hashBytes, hashJson, LockfileError } from '@mcptrust/lockfile';
import { GO_VECTORS, RFC8785_VECTORS, readVector, readVectorBytes } from './fixtures.js';

const utf8 = new TextEncoder();

/** Serializes JSON with every object's keys reversed and the given indentation. */
function reorderedText(value: unknown, indent: number): string {
  const walk = (node: unknown, depth: number): string => {
    const pad = indent === 0 ? '' : `\n${' '.repeat(indent * (depth + 1))}`;
    const end = indent === 0 ? '' : `\n${' '.repeat(indent * depth)}`;
    if (Array.isArray(node)) return node.length === 0 ? '[ ]' : `[${node.map((item) => pad + walk(item, depth + 1)).join(',')}${end}]`;
    if (typeof node === 'object' && node !== null) {
      const keys = Object.keys(node).reverse();
      const record = node as Record<string, unknown>;
      return `{${keys.map((key) => `${pad}${JSON.stringify(key)} :  ${walk(record[key], depth + 1)}`).join(',')}${end}}`;
    }
    return JSON.stringify(node);
  };
  return walk(value, 0);
}

/** A copy with every object's keys in sorted order. */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, sortedDeep(record[key])]));
}

/** Every path to a leaf (a non-container, or an empty container). */
function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value) && value.length > 0) return value.flatMap((item, i) => leafPaths(item, [...path, i]));
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...path, key]));
  }
  return [path];
}

function replaceAt(value: unknown, path: readonly (string | number)[], leaf: unknown): unknown {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : Object.assign(Object.create(null), value)) as Record<string | number, unknown>;
  copy[head as string | number] = replaceAt(copy[head as string | number], rest, leaf);
  return copy;
}

const leafValue = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.integer());

describe('canonicalize', () => {
  describe('with the RFC 8785 reference vectors', () => {
    // Source: the JCS reference implementation's testdata (input/, output/, outhex/).
    const names = readdirSync(new URL('input/', RFC8785_VECTORS)).filter((name) => name.endsWith('.json'));

    it('has vectors to run', () => {
      expect(names.sort()).toEqual(['arrays.json', 'french.json', 'structures.json', 'unicode.json', 'values.json', 'weird.json']);
    });

    it.each(names)('turns input/%s into exactly the bytes of output/', (name) => {
      const input: unknown = JSON.parse(readVector(RFC8785_VECTORS, `input/${name}`));
      const expected = readVectorBytes(RFC8785_VECTORS, `output/${name}`);
      expect(Buffer.from(utf8.encode(canonicalize(input))).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
    });

    it.each(names)('agrees with outhex/ for %s', (name) => {
      const input: unknown = JSON.parse(readVector(RFC8785_VECTORS, `input/${name}`));
      const hex = readVector(RFC8785_VECTORS, `outhex/${name.replace(/\.json$/, '.txt')}`).replace(/\s+/g, '').toLowerCase();
      expect(Buffer.from(utf8.encode(canonicalize(input))).toString('hex')).toBe(hex);
    });
  });

  describe('when given numbers', () => {
    it.each([
      [0.5, '0.5'],
      [1e21, '1e+21'],
      [1e20, '100000000000000000000'],
      [-0, '0'],
      [1e-7, '1e-7'],
      [0.000001, '0.000001'],
      [333333333.33333329, '333333333.3333333'],
      [-1.5e-300, '-1.5e-300'],
      [Number.MAX_SAFE_INTEGER + 2, '9007199254740992'],
      [5e-324, '5e-324'],
    ])('serializes %p as %s', (value, expected) => {
      expect(canonicalize(value)).toBe(expected);
    });
  });

  describe('when given strings and keys', () => {
    it('escapes control characters with lowercase hex and keeps / and non-ASCII as they are', () => {
      expect(canonicalize('\u0000\u001f\b\f\n\r\t"\\/é\u2028')).toBe('"\\u0000\\u001f\\b\\f\\n\\r\\t\\"\\\\/é\u2028"');
    });

    it('escapes a lone surrogate instead of dropping it', () => {
      expect(canonicalize('a\ud800b')).toBe('"a\\ud800b"');
    });

    it('sorts keys by UTF-16 code units (an astral character before U+FFFF)', () => {
      expect(canonicalize({ '\uffff': 1, '\u{1f600}': 2, a: 3, B: 4 })).toBe('{"B":4,"a":3,"😀":2,"\uffff":1}');
    });

    it('keeps a key named __proto__ as an ordinary key', () => {
      expect(canonicalize(JSON.parse('{"__proto__":{"x":1},"a":[]}'))).toBe('{"__proto__":{"x":1},"a":[]}');
    });
  });

  describe('when given something JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = { back: cyclic };
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays

    it.each<[string, unknown, string]>([
      ['undefined', undefined, '(root)'],
      ['a function', { f: () => 1 }, 'f'],
      ['a symbol', [Symbol('s')], '[0]'],
      ['a bigint', { n: 10n }, 'n'],
      ['NaN', { a: { b: [0, NaN] } }, 'a.b[1]'],
      ['Infinity', Infinity, '(root)'],
      ['-Infinity', { x: -Infinity }, 'x'],
      ['a nested undefined', { a: { b: undefined } }, 'a.b'],
      ['a cycle', cyclic, 'self.back'],
      ['a Date', { when: new Date(0) }, 'when'],
      ['a Map', { m: new Map() }, 'm'],
      ['a sparse array', sparse, '[1]'],
      ['a key that needs quoting', { 'a b': undefined }, '["a b"]'],
    ])('throws CANONICALIZE_FAILED naming the path of %s', (_label, value, path) => {
      let caught: unknown;
      try {
        canonicalize(value);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(LockfileError);
      expect((caught as LockfileError).code).toBe('CANONICALIZE_FAILED');
      expect((caught as LockfileError).jsonPath).toBe(path);
      expect((caught as LockfileError).message).toContain(path);
    });

    it('accepts plain objects made in another realm', () => {
      expect(canonicalize(runInNewContext('({ b: [1, { c: null }], a: "x" })'))).toBe('{"a":"x","b":[1,{"c":null}]}');
      expect(canonicalize(Object.assign(Object.create(null), { z: 1, y: 2 }))).toBe('{"y":2,"z":1}');
    });

    it('accepts a shared (non-cyclic) reference', () => {
      const shared = { x: 1 };
      expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    });

    it('throws CANONICALIZE_FAILED for nesting deeper than the stack', () => {
      let deep: unknown = 0;
      for (let i = 0; i < 200_000; i++) deep = [deep];
      expect(() => canonicalize(deep)).toThrow(expect.objectContaining({ code: 'CANONICALIZE_FAILED' }) as unknown as Error);
    });
  });

  describe('properties', () => {
    it('never depends on the key order or whitespace of the source JSON', () => {
      fc.assert(
        fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 4 }), (value, indent) => {
          const text = JSON.stringify(value);
          const reordered = reorderedText(JSON.parse(text), indent);
          expect(canonicalize(JSON.parse(reordered))).toBe(canonicalize(JSON.parse(text)));
          expect(hashJson(JSON.parse(reordered))).toBe(hashJson(JSON.parse(text)));
        }),
        { numRuns: 200 },
      );
    });

    it('changes the hash when any leaf value changes', () => {
      fc.assert(
        fc.property(fc.jsonValue(), fc.nat(), leafValue, (value, pick, leaf) => {
          const parsed: unknown = JSON.parse(JSON.stringify(value));
          const paths = leafPaths(parsed);
          const path = paths[pick % paths.length] ?? [];
          const before = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], parsed);
          fc.pre(canonicalize(before) !== canonicalize(leaf));
          expect(hashJson(replaceAt(parsed, path, leaf))).not.toBe(hashJson(parsed));
        }),
        { numRuns: 200 },
      );
    });

    it('is idempotent: canonicalize(JSON.parse(canonicalize(x))) is canonicalize(x)', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          const once = canonicalize(value);
          expect(canonicalize(JSON.parse(once))).toBe(once);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('with the Go mcptrust vectors', () => {
    // Source: canon_input.json / canon_v2.json / canon_sha256_v2.txt written by the Go mcptrust.
    it('canonicalizes canon_input.json to the bytes of canon_v2.json', () => {
      const input: unknown = JSON.parse(readVector(GO_VECTORS, 'canon_input.json'));
      expect(canonicalize(input)).toBe(readVector(GO_VECTORS, 'canon_v2.json'));
    });

    it('hashes canon_input.json to the SHA-256 of the bytes of canon_v2.json', () => {
      const input: unknown = JSON.parse(readVector(GO_VECTORS, 'canon_input.json'));
      const independent = createHash('sha256').update(readVectorBytes(GO_VECTORS, 'canon_v2.json')).digest('hex');
      expect(hashJson(input)).toBe(`sha256:${independent}`);
    });

    // canon_sha256_v2.txt is NOT the SHA-256 of canon_v2.json (its README says it is):
    // it is the SHA-256 of the input with sorted keys and 4-space indentation. This
    // pins down what the vector really holds, so that nobody "fixes" the hashing to match it.
    it('finds canon_sha256_v2.txt to be the SHA-256 of the sorted, 4-space-indented input', () => {
      const input: unknown = JSON.parse(readVector(GO_VECTORS, 'canon_input.json'));
      const vector = `sha256:${readVector(GO_VECTORS, 'canon_sha256_v2.txt').trim()}`;
      expect(hashJson(input)).not.toBe(vector);
      expect(hashBytes(utf8.encode(JSON.stringify(sortedDeep(input), null, 4)))).toBe(vector);
    });
  });
});

describe('canonicalizeV1', () => {
  describe('with the Go mcptrust vectors', () => {
    // Source: canon_input.json / canon_v1.json / canon_sha256_v1.txt written by the Go mcptrust.
    it('canonicalizes canon_input.json to the bytes of canon_v1.json', () => {
      const input: unknown = JSON.parse(readVector(GO_VECTORS, 'canon_input.json'));
      expect(Buffer.from(utf8.encode(canonicalizeV1(input)))).toEqual(Buffer.from(readVectorBytes(GO_VECTORS, 'canon_v1.json')));
    });

    // As for v2: canon_sha256_v1.txt hashes the sorted, 4-space-indented input, not canon_v1.json.
    it('finds canon_sha256_v1.txt to be the SHA-256 of the sorted, 4-space-indented input', () => {
      const input: unknown = JSON.parse(readVector(GO_VECTORS, 'canon_input.json'));
      const vector = `sha256:${readVector(GO_VECTORS, 'canon_sha256_v1.txt').trim()}`;
      expect(hashBytes(utf8.encode(canonicalizeV1(input)))).not.toBe(vector);
      expect(hashBytes(utf8.encode(JSON.stringify(sortedDeep(input), null, 4)))).toBe(vector);
    });
  });

  describe('when strings hold characters Go escapes', () => {
    it('escapes <, >, &, U+2028 and U+2029 and uses short escapes for \\b and \\f', () => {
      expect(canonicalizeV1('<a&b>\u2028\u2029\b\f\u0001')).toBe('"\\u003ca\\u0026b\\u003e\\u2028\\u2029\\b\\f\\u0001"');
    });

    it('replaces a lone surrogate with \\ufffd as Go does', () => {
      expect(canonicalizeV1('x\udc00')).toBe('"x\\ufffd"');
    });
  });

  describe('when keys are not ASCII', () => {
    it('sorts keys by UTF-8 bytes (U+FFFF before an astral character)', () => {
      expect(canonicalizeV1({ '\u{1f600}': 2, '\uffff': 1 })).toBe('{"\uffff":1,"😀":2}');
    });
  });

  describe('when given negative zero', () => {
    it('keeps its sign, as Go does', () => {
      expect(canonicalizeV1([-0, 1e21, 0.5])).toBe('[-0,1e+21,0.5]');
    });
  });

  describe('when given something JSON cannot hold', () => {
    it('throws CANONICALIZE_FAILED naming the path', () => {
      expect(() => canonicalizeV1({ a: [NaN] })).toThrow(expect.objectContaining({ code: 'CANONICALIZE_FAILED', jsonPath: 'a[0]' }) as unknown as Error);
    });
  });
});
