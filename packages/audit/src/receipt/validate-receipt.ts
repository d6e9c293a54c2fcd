import { AuditError } from '../errors.js';
import type { Receipt, ReceiptArtifact, ReceiptRuleHit } from './receipt.types.js';

/** Longest `result.error` a receipt may hold. */
export const MAX_ERROR_LENGTH = 2048;

type Obj = Record<string, unknown>;

function fail(field: string, expected: string): never {
  throw new AuditError('INVALID_EVENT', `receipt field "${field}" must be ${expected}`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, field: string): Obj {
  return isObj(v) ? v : fail(field, 'an object');
}

function str(o: Obj, key: string, field: string): string {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : fail(field, 'a non-empty string');
}

function optStr(o: Obj, key: string, field: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, field);
}

function time(o: Obj, key: string, field: string): string {
  const v = str(o, key, field);
  return Number.isNaN(Date.parse(v)) ? fail(field, 'an ISO 8601 time') : v;
}

function count(o: Obj, key: string, field: string): number {
  const v = o[key];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fail(field, 'an integer ≥ 0');
}

function bool(o: Obj, key: string, field: string): boolean {
  const v = o[key];
  return typeof v === 'boolean' ? v : fail(field, 'a boolean');
}

function oneOf<T extends string>(o: Obj, key: string, field: string, values: readonly T[]): T {
  const v = o[key];
  return values.includes(v as T) ? (v as T) : fail(field, `one of ${values.join(', ')}`);
}

function strings(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) fail(field, 'an array of strings');
  return v.map((s, i) => (typeof s === 'string' ? s : fail(`${field}[${i}]`, 'a string')));
}

// Builds a copy holding only the known keys, in serialization order, dropping undefined.
function ordered<T>(entries: Array<[string, unknown]>): T {
  const out: Obj = {};
  for (const [k, v] of entries) if (v !== undefined) out[k] = v;
  return out as T;
}

function artifact(v: unknown): ReceiptArtifact {
  const a = obj(v, 'artifact');
  let provenance: ReceiptArtifact['provenance'];
  if (a.provenance !== undefined) {
    const p = obj(a.provenance, 'artifact.provenance');
    provenance = ordered([
      ['method', str(p, 'method', 'artifact.provenance.method')],
      ['verified', bool(p, 'verified', 'artifact.provenance.verified')],
      ['source_repo', optStr(p, 'source_repo', 'artifact.provenance.source_repo')],
      ['builder_id', optStr(p, 'builder_id', 'artifact.provenance.builder_id')],
      ['verified_at', p.verified_at !== undefined ? time(p, 'verified_at', 'artifact.provenance.verified_at') : undefined],
    ]);
  }
  return ordered([
    ['type', oneOf(a, 'type', 'artifact.type', ['npm', 'oci'] as const)],
    ['name', str(a, 'name', 'artifact.name')],
    ['version', optStr(a, 'version', 'artifact.version')],
    ['registry', optStr(a, 'registry', 'artifact.registry')],
    ['integrity', optStr(a, 'integrity', 'artifact.integrity')],
    ['tarball_sha256', optStr(a, 'tarball_sha256', 'artifact.tarball_sha256')],
    ['digest', optStr(a, 'digest', 'artifact.digest')],
    ['provenance', provenance],
  ]);
}

function rulesHit(v: unknown): ReceiptRuleHit[] {
  if (!Array.isArray(v)) fail('policy.rules_hit', 'an array');
  return v.map((item, i) => {
    const field = `policy.rules_hit[${i}]`;
    const r = obj(item, field);
    return ordered<ReceiptRuleHit>([
      ['name', str(r, 'name', `${field}.name`)],
      ['severity', str(r, 'severity', `${field}.severity`)],
      ['control_refs', r.control_refs === undefined ? undefined : strings(r.control_refs, `${field}.control_refs`)],
    ]);
  });
}

function decisions(v: unknown): Record<string, number> {
  const d = obj(v, 'proxy.decisions');
  const out: Record<string, number> = {};
  for (const key of Object.keys(d).sort()) out[key] = count(d, key, `proxy.decisions.${key}`);
  return out;
}

function section<T>(o: Obj, key: string, read: (s: Obj) => T): T | undefined {
  return o[key] === undefined ? undefined : read(obj(o[key], key));
}

/**
 * Checks that a value is a schema 2.0 {@link Receipt} and returns a normalized copy: only
 * the documented fields, in the serialization order (`schema_version` first), with
 * `proxy.decisions` keys sorted. Required fields must be present with the right type;
 * `op_id` must equal `run_id`; times must parse as ISO 8601; counts are integers ≥ 0;
 * `result.error` is at most 2048 characters.
 *
 * @param value - a parsed receipt (from a file, or built by a command)
 * @returns the normalized receipt
 * @throws AuditError `INVALID_EVENT` naming the first offending field (`result.exit_code`)
 */
export function validateReceipt(value: unknown): Receipt {
  const r = obj(value, '(receipt)');
  if (r.schema_version !== '2.0') fail('schema_version', '"2.0"');
  const runId = str(r, 'run_id', 'run_id');
  if (str(r, 'op_id', 'op_id') !== runId) fail('op_id', 'equal to run_id');
  const durationMs = r.duration_ms;
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) {
    fail('duration_ms', 'a finite number ≥ 0');
  }
  const res = obj(r.result, 'result');
  const exitCode = res.exit_code;
  if (typeof exitCode !== 'number' || !Number.isInteger(exitCode)) fail('result.exit_code', 'an integer');
  if (res.error !== undefined && (typeof res.error !== 'string' || res.error.length > MAX_ERROR_LENGTH)) {
    fail('result.error', `a string of at most ${MAX_ERROR_LENGTH} characters`);
  }
  return ordered<Receipt>([
    ['schema_version', '2.0'],
    ['op_id', runId],
    ['run_id', runId],
    ['mcptrust_version', str(r, 'mcptrust_version', 'mcptrust_version')],
    ['ts_start', time(r, 'ts_start', 'ts_start')],
    ['ts_end', time(r, 'ts_end', 'ts_end')],
    ['duration_ms', durationMs],
    ['command', str(r, 'command', 'command')],
    ['args', strings(r.args, 'args')],
    ['args_redacted', bool(r, 'args_redacted', 'args_redacted')],
    [
      'result',
      ordered([
        ['status', oneOf(res, 'status', 'result.status', ['success', 'fail'] as const)],
        ['exit_code', exitCode],
        ['error', res.error],
      ]),
    ],
    [
      'lockfile',
      section(r, 'lockfile', (l) =>
        ordered([
          ['path', str(l, 'path', 'lockfile.path')],
          ['sha256', str(l, 'sha256', 'lockfile.sha256')],
        ]),
      ),
    ],
    ['artifact', r.artifact === undefined ? undefined : artifact(r.artifact)],
    [
      'drift',
      section(r, 'drift', (d) =>
        ordered([
          ['critical', count(d, 'critical', 'drift.critical')],
          ['moderate', count(d, 'moderate', 'drift.moderate')],
          ['benign', count(d, 'benign', 'drift.benign')],
          ['summary', d.summary === undefined || typeof d.summary === 'string' ? d.summary : fail('drift.summary', 'a string')],
        ]),
      ),
    ],
    [
      'policy',
      section(r, 'policy', (p) =>
        ordered([
          ['preset', optStr(p, 'preset', 'policy.preset')],
          ['status', oneOf(p, 'status', 'policy.status', ['pass', 'warn', 'fail'] as const)],
          ['rules_hit', rulesHit(p.rules_hit)],
        ]),
      ),
    ],
    [
      'proxy',
      section(r, 'proxy', (p) =>
        ordered([
          ['mode', str(p, 'mode', 'proxy.mode')],
          ['decisions', decisions(p.decisions)],
        ]),
      ),
    ],
    [
      'chain',
      section(r, 'chain', (c) =>
        ordered([
          ['file', str(c, 'file', 'chain.file')],
          ['id', str(c, 'id', 'chain.id')],
          ['seq', count(c, 'seq', 'chain.seq')],
          ['head', str(c, 'head', 'chain.head')],
        ]),
      ),
    ],
  ]);
}
