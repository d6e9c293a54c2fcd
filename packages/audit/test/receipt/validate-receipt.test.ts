import { describe, expect, it } from '@jest/globals';
import { AuditError } from '../../src/errors.js';
import { truncateError, validateReceipt } from '../../src/receipt/index.js';

const RUN_ID = '0b9e0a1c-3f4d-4e5a-8b6c-7d8e9f0a1b2c';

function full(): Record<string, unknown> {
  return {
    schema_version: '2.0',
    op_id: RUN_ID,
    run_id: RUN_ID,
    mcptrust_version: '0.1.0',
    ts_start: '2025-01-01T00:00:00.000Z',
    ts_end: '2025-01-01T00:00:01.000Z',
    duration_ms: 1000,
    command: 'mcptrust artifact verify',
    args: ['artifact', 'verify'],
    args_redacted: true,
    result: { status: 'fail', exit_code: 1, error: 'provenance mismatch' },
    lockfile: { path: 'mcp-lock.json', sha256: 'ab'.repeat(32) },
    artifact: {
      type: 'oci',
      name: 'ghcr.io/org/srv',
      version: '1.2.3',
      registry: 'ghcr.io',
      digest: 'sha256:' + 'cd'.repeat(32),
      provenance: { method: 'sigstore', verified: false, source_repo: 'github.com/org/srv', builder_id: 'b', verified_at: '2025-01-01T00:00:00Z' },
    },
    drift: { critical: 1, moderate: 0, benign: 2, summary: '1 tool changed' },
    policy: { preset: 'strict', status: 'warn', rules_hit: [{ name: 'no-exec', severity: 'warn', control_refs: ['SOC2-CC6.1'] }] },
    proxy: { mode: 'audit-only', decisions: { audit_only: 3 } },
    chain: { file: '.mcptrust/audit.jsonl', id: 'c-1', seq: 42, head: 'ef'.repeat(32) },
  };
}

function set(path: string, value: unknown): Record<string, unknown> {
  const receipt = full();
  const keys = path.split('.');
  let target: Record<string, unknown> = receipt;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return receipt;
}

describe('validateReceipt', () => {
  it('accepts a receipt with every section and returns it unchanged in content', () => {
    expect(validateReceipt(full())).toEqual(full());
  });

  it('accepts the minimal receipt (no optional section)', () => {
    const minimal = full();
    for (const key of ['lockfile', 'artifact', 'drift', 'policy', 'proxy', 'chain']) delete minimal[key];
    delete (minimal.result as Record<string, unknown>).error;
    expect(validateReceipt(minimal)).toEqual(minimal);
  });

  it.each([
    ['schema_version', '1.0', 'schema_version'],
    ['schema_version', undefined, 'schema_version'],
    ['op_id', 'other', 'op_id'],
    ['run_id', undefined, 'run_id'],
    ['run_id', '', 'run_id'],
    ['mcptrust_version', 3, 'mcptrust_version'],
    ['ts_start', 'yesterday', 'ts_start'],
    ['ts_end', undefined, 'ts_end'],
    ['duration_ms', -5, 'duration_ms'],
    ['duration_ms', Number.POSITIVE_INFINITY, 'duration_ms'],
    ['command', undefined, 'command'],
    ['args', 'lock', 'args'],
    ['args', ['ok', 7], 'args[1]'],
    ['args_redacted', 'yes', 'args_redacted'],
    ['result', undefined, 'result'],
    ['result.status', 'ok', 'result.status'],
    ['result.exit_code', 1.5, 'result.exit_code'],
    ['result.exit_code', undefined, 'result.exit_code'],
    ['result.error', 'x'.repeat(2049), 'result.error'],
    ['lockfile', 'mcp-lock.json', 'lockfile'],
    ['lockfile.sha256', undefined, 'lockfile.sha256'],
    ['artifact.type', 'pypi', 'artifact.type'],
    ['artifact.name', undefined, 'artifact.name'],
    ['artifact.digest', 5, 'artifact.digest'],
    ['artifact.provenance.verified', 'true', 'artifact.provenance.verified'],
    ['artifact.provenance.verified_at', 'soon', 'artifact.provenance.verified_at'],
    ['drift.moderate', undefined, 'drift.moderate'],
    ['drift.critical', -1, 'drift.critical'],
    ['drift.summary', 3, 'drift.summary'],
    ['policy.status', 'ok', 'policy.status'],
    ['policy.rules_hit', {}, 'policy.rules_hit'],
    ['policy.rules_hit', [{ name: 'r' }], 'policy.rules_hit[0].severity'],
    ['policy.rules_hit', [{ name: 'r', severity: 'warn', control_refs: [1] }], 'policy.rules_hit[0].control_refs[0]'],
    ['proxy.mode', undefined, 'proxy.mode'],
    ['proxy.decisions', { blocked: 'two' }, 'proxy.decisions.blocked'],
    ['chain.seq', 1.5, 'chain.seq'],
    ['chain.head', undefined, 'chain.head'],
  ])('rejects %s = %j, naming %s', (path, value, field) => {
    let caught: unknown;
    try {
      validateReceipt(set(path, value));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AuditError);
    expect((caught as AuditError).code).toBe('INVALID_EVENT');
    expect((caught as AuditError).message).toContain(`"${field}"`);
  });

  it.each([[null], [[]], ['receipt'], [42]])('rejects a non-object %j', (value) => {
    expect(() => validateReceipt(value)).toThrow(AuditError);
  });
});

describe('truncateError', () => {
  it('keeps a short message as it is', () => {
    expect(truncateError('lockfile not found: mcp-lock.json')).toBe('lockfile not found: mcp-lock.json');
  });

  it('bounds a long message to 2048 characters ending in …', () => {
    const out = truncateError('cannot read file '.repeat(300));
    expect(out).toHaveLength(2048);
    expect(out.endsWith('…')).toBe(true);
  });

  it('escapes newlines and bidi controls', () => {
    expect(truncateError('a\nb\u202ec')).toBe('a\\u{000A}b\\u{202E}c');
  });

  it('hides secrets an error message may quote', () => {
    const out = truncateError(
      'GET https://user:pw@registry.example.com/pkg?token=abc failed; Authorization: Bearer xyz123; password=hunter2 ghp_abcdefghijklmnop0123',
    );
    for (const secret of ['user:pw', 'token=abc', 'xyz123', 'hunter2', 'ghp_abcdefghijklmnop0123']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('https://[REDACTED]@registry.example.com/pkg?[REDACTED]');
  });
});
