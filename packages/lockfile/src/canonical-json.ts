/**
 * Canonical JSON. `canonicalize` is RFC 8785 (JSON Canonicalization Scheme): the form
 * every JSON hash of the lockfile is taken over. `canonicalizeV1` is the older form
 * the Go mcptrust signed lockfiles with, kept so that its signatures still verify.
 */
import { LockfileError } from './errors.js';
import { describeValue, formatJsonPath } from './json-path.js';
import type { PathSegment } from './json-path.js';

interface Flavour {
  /** Serializes a finite number. */
  readonly number: (value: number) => string;
  /** Serializes a string, quotes included. */
  readonly string: (value: string) => string;
  /** Sorts object keys in place. */
  readonly sortKeys: (keys: string[]) => void;
}

const encoder = new TextEncoder();

function compareUtf8(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] as number) - (y[i] as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

// RFC 8785 §3.2.2: strings and numbers are serialized exactly as ECMAScript's
// JSON.stringify does (well-formed since ES2019, so a lone surrogate becomes \udxxx),
// and keys are sorted by UTF-16 code units, which is what the default sort compares.
const JCS: Flavour = {
  number: (value) => JSON.stringify(value),
  string: (value) => JSON.stringify(value),
  sortKeys: (keys) => keys.sort(),
};

const HEX = '0123456789abcdef';

// What Go's encoding/json (1.22+) writes for a string: HTML-sensitive characters and
// U+2028/U+2029 escaped, short escapes for \b \f \n \r \t, invalid UTF-16 replaced
// (Go holds UTF-8, in which a lone surrogate decodes to U+FFFD).
function goString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value[i]! + value[i + 1]!;
        i++;
      } else {
        out += '\\ufffd';
      }
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      out += '\\ufffd';
      continue;
    }
    switch (unit) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      default:
        if (unit < 0x20 || unit === 0x3c || unit === 0x3e || unit === 0x26 || unit === 0x2028 || unit === 0x2029) {
          out += `\\u${HEX[(unit >> 12) & 15]}${HEX[(unit >> 8) & 15]}${HEX[(unit >> 4) & 15]}${HEX[unit & 15]}`;
        } else {
          out += value[i];
        }
    }
  }
  return `${out}"`;
}

const GO_V1: Flavour = {
  // Go formats float64 like ECMAScript (shortest round trip, exponent below 1e-6 and
  // from 1e21) except that it keeps the sign of negative zero.
  number: (value) => (Object.is(value, -0) ? '-0' : JSON.stringify(value)),
  string: goString,
  sortKeys: (keys) => keys.sort(compareUtf8),
};

/**
 * A plain object: its prototype is null or a realm's `Object.prototype` (so objects
 * made in another realm, such as a `vm` context or `structuredClone`, qualify), never
 * a class instance (Date, Map, Buffer...).
 */
export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function fail(path: readonly PathSegment[], what: string, value: unknown): never {
  const where = formatJsonPath(path);
  throw new LockfileError('CANONICALIZE_FAILED', `cannot canonicalize the value at ${where}: ${what}`, {
    jsonPath: where,
    expected: 'a JSON value (null, boolean, finite number, string, array or plain object)',
    found: describeValue(value),
  });
}

function serialize(value: unknown, flavour: Flavour): string {
  const path: PathSegment[] = [];
  const ancestors = new Set<object>();

  const walk = (node: unknown): string => {
    switch (typeof node) {
      case 'string':
        return flavour.string(node);
      case 'boolean':
        return node ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(node)) fail(path, `${String(node)} is not a JSON number`, node);
        return flavour.number(node);
      case 'object': {
        if (node === null) return 'null';
        if (ancestors.has(node)) fail(path, 'the value contains itself (a cycle)', node);
        ancestors.add(node);
        let out: string;
        if (Array.isArray(node)) {
          const parts: string[] = [];
          for (let i = 0; i < node.length; i++) {
            path.push(i);
            if (!(i in node)) fail(path, 'sparse arrays have no JSON form', undefined);
            parts.push(walk(node[i]));
            path.pop();
          }
          out = `[${parts.join(',')}]`;
        } else {
          if (!isPlainObject(node)) fail(path, `a ${node.constructor?.name ?? 'class instance'} is not a plain object`, node);
          const record = node as Record<string, unknown>;
          const keys = Object.keys(record);
          flavour.sortKeys(keys);
          const parts: string[] = [];
          for (const key of keys) {
            path.push(key);
            parts.push(`${flavour.string(key)}:${walk(record[key])}`);
            path.pop();
          }
          out = `{${parts.join(',')}}`;
        }
        ancestors.delete(node);
        return out;
      }
      case 'undefined':
        return fail(path, 'undefined has no JSON form', node);
      default:
        return fail(path, `a ${typeof node} has no JSON form`, node);
    }
  };

  try {
    return walk(value);
  } catch (error) {
    if (error instanceof RangeError) {
      // Attacker-controlled JSON can nest deeper than the stack; refuse it cleanly.
      throw new LockfileError('CANONICALIZE_FAILED', 'cannot canonicalize the value: it is nested too deeply', {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * RFC 8785 (JCS) canonical form of a JSON value: object keys sorted by UTF-16 code
 * units, no whitespace, numbers and strings serialized as ECMAScript does
 * (`-0` becomes `0`, `1e21` becomes `1e+21`).
 *
 * @throws LockfileError `CANONICALIZE_FAILED` for anything JSON cannot hold
 * (undefined, functions, symbols, bigint, NaN/Infinity, cycles, sparse arrays, class
 * instances), naming the JSON path of the offending value.
 */
export function canonicalize(value: unknown): string {
  return serialize(value, JCS);
}

/**
 * The Go mcptrust's "v1" canonical form: keys sorted by UTF-8 bytes, compact, strings
 * escaped as Go's `encoding/json` does (`<`, `>`, `&`, U+2028 and U+2029 escaped).
 * Only for verifying signatures the Go tool made; new hashes use {@link canonicalize}.
 *
 * @throws LockfileError `CANONICALIZE_FAILED` as {@link canonicalize} does.
 */
export function canonicalizeV1(value: unknown): string {
  return serialize(value, GO_V1);
}
