/**
 * The bytes of `mcp-lock.json`: keys sorted at every level, 2-space indentation and a
 * final newline, so that a lockfile diff in a pull request shows only what changed.
 */
import { LockfileError } from './errors.js';
import type { Lockfile } from './lockfile.types.js';
import { validateNativeLockfile } from './schema.js';
import { verifySnapshots } from './verify.js';

function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedCopy);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  // Null prototype: a key named "__proto__" stays an ordinary key.
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) out[key] = sortedCopy(record[key]);
  }
  return out;
}

/**
 * Serializes a lockfile: object keys sorted by UTF-16 code units at every level, arrays
 * in their order, 2-space indentation, trailing newline. `parseLockfile` followed by
 * `serializeLockfile` gives the same bytes back.
 *
 * The lockfile is validated first (strict schema, then {@link verifySnapshots}), so
 * that nothing is ever written that would not load again.
 *
 * @throws LockfileError `SCHEMA_INVALID` (including for a lockfile converted from the Go
 * format, whose items have no snapshot: build it again instead), `SNAPSHOT_MISMATCH`,
 * `DUPLICATE_ITEM`.
 */
export function serializeLockfile(lockfile: Lockfile): string {
  const subject = 'the lockfile to serialize';
  if (lockfile.meta?.convertedFrom !== undefined) {
    throw new LockfileError(
      'SCHEMA_INVALID',
      `${subject} was converted from the Go format (${lockfile.meta.convertedFrom}) and has no snapshots; build it again from a scan (\`mcptrust lock\`) instead of writing it back`,
      { jsonPath: 'meta.convertedFrom', expected: 'a lockfile built by this version', found: `"${lockfile.meta.convertedFrom}"` },
    );
  }
  // Serialize what passed validation, not the input: it holds the known keys only.
  const validated = validateNativeLockfile(lockfile, { subject });
  verifySnapshots(validated);
  return `${JSON.stringify(sortedCopy(validated), null, 2)}\n`;
}
