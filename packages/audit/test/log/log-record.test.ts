import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decisionFields, decisionLevel, formatDecisionRecord, formatLogRecord, LOG_SCHEMA_VERSION, traceIdOf } from '../../src/log/index.js';
import type { AuditEvent } from '../../src/audit-event.types.js';

const ENVELOPE = { runId: '7b0c1a52-8f0a-4a53-9a55-2c1b8d0e6f11', version: '1.2.3', command: 'proxy' };

describe('formatLogRecord', () => {
  it('writes the envelope first, in the documented order, then the fields', () => {
    const line = formatLogRecord(ENVELOPE, 'warn', 'proxy.decision', { action: 'blocked', tool: 'x' }, new Date('2026-01-02T03:04:05.678Z'));
    expect(line).toBe(
      `{"ts":"2026-01-02T03:04:05.678Z","level":"warn","event":"mcptrust.proxy.decision","run_id":"${ENVELOPE.runId}","schema_version":"${LOG_SCHEMA_VERSION}","mcptrust_version":"1.2.3","command":"proxy","action":"blocked","tool":"x"}`,
    );
  });

  it('never lets a field replace an envelope field, and leaves out undefined values', () => {
    const record = JSON.parse(formatLogRecord(ENVELOPE, 'info', 'mcptrust.x', { level: 'error', run_id: 'forged', ts: 'then', a: undefined, b: 1 })) as Record<string, unknown>;
    expect(record['level']).toBe('info');
    expect(record['run_id']).toBe(ENVELOPE.runId);
    expect(record['event']).toBe('mcptrust.x');
    expect('a' in record).toBe(false);
    expect(record['b']).toBe(1);
  });

  it('is always exactly one line, whatever the fields hold', () => {
    const line = formatLogRecord(ENVELOPE, 'info', 'message', { msg: 'a\nb\r\u2028c' });
    expect(line).not.toMatch(/[\n\r]/);
    expect(JSON.parse(line)).toMatchObject({ msg: 'a\nb\r\u2028c' });
  });

  it('is the JSON text of the envelope followed by that of the fields, for any fields', () => {
    const reserved = fc.constantFrom('ts', 'level', 'event', 'run_id', 'schema_version', 'mcptrust_version', 'command');
    const key = fc.oneof(fc.string(), reserved);
    const value = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    fc.assert(
      fc.property(fc.dictionary(key, value), fc.string(), fc.string(), (fields, runId, event) => {
        const envelope = { runId, version: '1.0.0', command: 'proxy' };
        const now = new Date('2026-01-02T03:04:05.678Z');
        const record: Record<string, unknown> = {
          ts: now.toISOString(),
          level: 'info',
          event: event.startsWith('mcptrust.') ? event : `mcptrust.${event}`,
          run_id: runId,
          schema_version: LOG_SCHEMA_VERSION,
          mcptrust_version: '1.0.0',
          command: 'proxy',
        };
        // Only the envelope's own keys are reserved (not `valueOf` and the like); a
        // null-prototype object keeps a field named `__proto__` as a field.
        const own: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        for (const k of Object.keys(fields)) if (fields[k] !== undefined && !Object.prototype.hasOwnProperty.call(record, k)) own[k] = fields[k];
        const line = formatLogRecord(envelope, 'info', event, fields, now);
        // The envelope comes first even when a field's name is an integer (which JSON.stringify
        // of one object would put first).
        const ownText = JSON.stringify(own);
        expect(line).toBe(JSON.stringify(record).slice(0, -1) + (ownText === '{}' ? '}' : ',' + ownText.slice(1)));
        // Compared as JSON values (-0 is written as 0).
        expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify({ ...own, ...record })));
      }),
    );
  });
});

describe('decisionLevel', () => {
  it.each([
    ['blocked', 'warn'],
    ['dropped', 'warn'],
    ['audit_only', 'warn'],
    ['timeout', 'warn'],
    ['allowed', 'info'],
    ['filtered', 'info'],
    ['session', 'info'],
  ] as const)('logs %s at %s', (action, level) => {
    expect(decisionLevel(action)).toBe(level);
  });
});

describe('traceIdOf', () => {
  it('reads the trace id of a version-00 traceparent only', () => {
    expect(traceIdOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(traceIdOf('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBeUndefined();
    expect(traceIdOf('00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01')).toBeUndefined();
    expect(traceIdOf(undefined)).toBeUndefined();
  });
});

describe('decisionFields', () => {
  const base: AuditEvent = { time: '2026-01-02T03:04:05.678Z', action: 'blocked', direction: 'host_to_server' };

  it('maps every field to its snake_case name', () => {
    const fields = decisionFields({
      ...base,
      method: 'tools/call',
      tool: 'exec_shell',
      code: 'ITEM_DENIED',
      reason: 'not in allowlist',
      errorCode: -32050,
      mode: 'enforce',
      protocolVersion: '2025-06-18',
      requestId: '7',
      durationMs: 0.123,
      traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(fields).toEqual({
      action: 'blocked',
      direction: 'host_to_server',
      method: 'tools/call',
      tool: 'exec_shell',
      reason_code: 'ITEM_DENIED',
      reason: 'not in allowlist',
      error_code: -32050,
      mode: 'enforce',
      protocol_version: '2025-06-18',
      request_id: '7',
      duration_ms: 0.123,
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      decided_at: base.time,
    });
  });

  it('sanitizes attacker-controlled names and strips URIs of credentials and queries', () => {
    const fields = decisionFields({ ...base, tool: 'a\u202Eb' + 'x'.repeat(400), uri: 'https://user:pw@host.example/p?token=abc#frag', items: ['i\u200Bj'] });
    expect(String(fields['tool']).length).toBeLessThanOrEqual(257);
    expect(String(fields['tool'])).not.toContain('\u202E');
    expect(fields['uri']).not.toMatch(/pw|token|frag/);
    expect(String((fields['items'] as string[])[0])).not.toContain('\u200B');
  });
});

describe('formatDecisionRecord', () => {
  const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('tools/call', 'exec_shell', 'file:///etc/passwd?x=1', 'https://u:p@h/p#f', 'a\u202Eb', '7'));
  const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
  const event: fc.Arbitrary<AuditEvent> = fc.record({
    time: fc.constantFrom('2026-01-02T03:04:05.678Z', undefined as unknown as string),
    action: fc.constantFrom('allowed', 'blocked', 'dropped', 'filtered', 'audit_only', 'timeout', 'session'),
    direction: fc.constantFrom('host_to_server', 'server_to_host', 'internal'),
    method: maybe(text),
    tool: maybe(text),
    prompt: maybe(text),
    uri: maybe(text),
    code: maybe(fc.constantFrom('TOOL_NOT_ALLOWED', 'ARGUMENTS_INVALID')),
    reason: maybe(text),
    errorCode: maybe(fc.integer()),
    toolError: maybe(fc.boolean()),
    count: maybe(fc.nat()),
    items: maybe(fc.array(text, { maxLength: 60 })),
    mode: maybe(fc.constantFrom('enforce', 'audit-only', 'filter-only')),
    protocolVersion: maybe(text),
    requestId: maybe(text),
    durationMs: maybe(fc.double({ min: 0, max: 1e6, noNaN: true })),
    traceParent: maybe(fc.constantFrom('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'junk')),
    arguments: maybe(fc.jsonValue()),
  }) as fc.Arbitrary<AuditEvent>;

  it('is formatLogRecord of decisionFields, byte for byte, for any event (property)', () => {
    const now = new Date('2026-01-02T03:04:05.999Z');
    fc.assert(
      fc.property(event, (e) => {
        expect(formatDecisionRecord(ENVELOPE, e, now)).toBe(formatLogRecord(ENVELOPE, decisionLevel(e.action), 'proxy.decision', decisionFields(e), now));
      }),
      { numRuns: 500 },
    );
  });
});
