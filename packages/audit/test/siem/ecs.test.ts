import { describe, expect, it } from '@jest/globals';
import { ECS_VERSION, toEcsEvent } from '../../src/siem/index.js';
import type { SiemContext } from '../../src/siem/index.js';
import type { AuditEvent } from '../../src/audit-event.types.js';
import { AuditError } from '../../src/errors.js';

const SHA = 'CD'.repeat(32);
const CONTEXT: SiemContext = { productVersion: '1.2.3', runId: '7b0c1a52-8f0a-4a53-9a55-2c1b8d0e6f11', lockfile: { path: 'mcp-lock.json', sha256: SHA }, hostname: 'build-7' };
const TIME = '2026-01-02T03:04:05.678Z';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

const EVENTS: Record<string, AuditEvent> = {
  allowed: { time: TIME, action: 'allowed', direction: 'host_to_server', method: 'tools/call', tool: 'read_file', requestId: '7', durationMs: 12.5, mode: 'enforce', traceParent: TRACE_PARENT },
  blocked: { time: TIME, action: 'blocked', direction: 'host_to_server', method: 'tools/call', tool: 'exec_shell', code: 'ITEM_DENIED', errorCode: -32001, reason: 'not in allowlist', requestId: '8', mode: 'enforce' },
  dropped: { time: TIME, action: 'dropped', direction: 'host_to_server', method: 'notifications/evil', code: 'METHOD_NOT_ALLOWED', reason: 'notification not allowed' },
  filtered: { time: TIME, action: 'filtered', direction: 'server_to_host', method: 'tools/list', reason: 'unpinned items removed', count: 2, items: ['new_tool', 'other'], mode: 'filter-only' },
  audit_only: { time: TIME, action: 'audit_only', direction: 'host_to_server', method: 'tools/call', tool: 'exec_shell', code: 'ITEM_DENIED', reason: 'not in allowlist', requestId: 'abc', mode: 'audit-only' },
  timeout: { time: TIME, action: 'timeout', direction: 'host_to_server', method: 'tools/call', code: 'REQUEST_TIMEOUT', errorCode: -32003, requestId: '9', durationMs: 30000 },
  server_gone: { time: TIME, action: 'dropped', direction: 'internal', method: 'tools/call', code: 'SERVER_UNAVAILABLE', errorCode: -32004, reason: 'server exited', requestId: '10' },
  session_opened: { time: TIME, action: 'session', direction: 'internal', method: 'initialize', reason: 'session opened' },
  session_refused: { time: TIME, action: 'session', direction: 'internal', method: 'initialize', code: 'SESSION_REFUSED', errorCode: -32005, reason: 'preflight found drift', requestId: '0' },
};

// [event.type, event.outcome, event.severity]
const CATEGORIZATION: [string, string[], string, number][] = [
  ['allowed', ['allowed'], 'success', 1],
  ['blocked', ['denied'], 'failure', 3],
  ['dropped', ['denied'], 'failure', 3],
  ['filtered', ['change'], 'success', 2],
  ['audit_only', ['info'], 'success', 3],
  ['timeout', ['info'], 'failure', 2],
  ['server_gone', ['info'], 'failure', 2],
  ['session_opened', ['start'], 'success', 1],
  ['session_refused', ['denied'], 'failure', 4],
];

// ECS 8.17.0: the event.type values allowed with event.category "api".
const API_TYPES = ['access', 'admin', 'allowed', 'change', 'creation', 'deletion', 'denied', 'end', 'info', 'start', 'user'];

function obj(value: unknown): Record<string, unknown> {
  expect(value !== null && typeof value === 'object' && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

describe('toEcsEvent', () => {
  it.each(CATEGORIZATION)('%s: event.type %j, outcome %s, severity %i', (name, type, outcome, severity) => {
    const d = toEcsEvent(EVENTS[name]!, CONTEXT);
    const event = obj(d['event']);
    expect(event).toMatchObject({ kind: 'event', category: ['api'], type, action: EVENTS[name]!.method, outcome, severity });
    for (const t of event['type'] as string[]) expect(API_TYPES).toContain(t);
    expect(d['@timestamp']).toBe(TIME);
    expect(d['ecs']).toEqual({ version: ECS_VERSION });
    expect(d['observer']).toEqual({ product: 'MCPTrust', vendor: 'MCPTrust', version: '1.2.3', hostname: 'build-7' });
    expect(obj(d['rule'])['ruleset']).toBe('mcp-lock.json');
    expect(obj(d['mcptrust'])).toMatchObject({ decision: EVENTS[name]!.action, direction: EVENTS[name]!.direction, run_id: CONTEXT.runId, lockfile_sha256: SHA.toLowerCase() });
  });

  it('puts the reason, reason code, duration in nanoseconds, mode and request fields where ECS has them', () => {
    const blocked = toEcsEvent(EVENTS['blocked']!, { ...CONTEXT, eventId: 'run:4' });
    expect(obj(blocked['event'])).toMatchObject({ reason: 'not in allowlist', id: 'run:4' });
    expect(blocked['rule']).toEqual({ id: 'ITEM_DENIED', ruleset: 'mcp-lock.json' });
    expect(blocked['message']).toBe('not in allowlist');
    expect(blocked['labels']).toEqual({ mode: 'enforce' });
    expect(obj(blocked['mcptrust'])).toMatchObject({ tool: 'exec_shell', request_id: '8', error_code: -32001 });
    const allowed = toEcsEvent(EVENTS['allowed']!, CONTEXT);
    expect(obj(allowed['event'])['duration']).toBe(12_500_000);
    expect(allowed['message']).toBe('allowed tools/call');
    const filtered = toEcsEvent(EVENTS['filtered']!, CONTEXT);
    expect(obj(filtered['mcptrust'])).toMatchObject({ count: 2, items: ['new_tool', 'other'] });
    const minimal = toEcsEvent(EVENTS['dropped']!, { productVersion: '1', runId: 'r' });
    expect(minimal['rule']).toEqual({ id: 'METHOD_NOT_ALLOWED' });
    expect(obj(minimal['observer'])['hostname']).toBeUndefined();
    expect(obj(minimal['mcptrust'])['lockfile_sha256']).toBeUndefined();
  });

  it('takes trace.id from a version-00 traceparent only', () => {
    expect(toEcsEvent(EVENTS['allowed']!, CONTEXT)['trace']).toEqual({ id: TRACE_ID });
    expect(toEcsEvent({ ...EVENTS['allowed']!, traceParent: `ff-${TRACE_ID}-00f067aa0ba902b7-01` }, CONTEXT)['trace']).toBeUndefined();
    expect(toEcsEvent({ ...EVENTS['allowed']!, traceParent: undefined }, CONTEXT)['trace']).toBeUndefined();
  });

  it('passes hostile names as data, cut to 256 characters, URIs without userinfo, query or fragment', () => {
    const d = toEcsEvent(
      { ...EVENTS['blocked']!, tool: 'y'.repeat(1000), method: 'tools/call\r\nX-Forged: 1', uri: 'postgres://admin:pw@db.internal:5432/prod?sslkey=k#x', items: Array.from({ length: 60 }, (_, i) => `i${i}`) },
      CONTEXT,
    );
    const m = obj(d['mcptrust']);
    expect(String(m['tool'])).toHaveLength(256);
    expect(m['uri']).toBe('postgres://db.internal:5432/prod');
    expect(m['items'] as string[]).toHaveLength(50);
    expect(m['items_omitted']).toBe(10);
    expect(m['truncated']).toBe(true);
    expect(obj(d['event'])['action']).toBe('tools/call\r\nX-Forged: 1');
    const line = JSON.stringify(d);
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).not.toMatch(/admin|pw@|sslkey/);
    expect(obj(toEcsEvent(EVENTS['blocked']!, CONTEXT)['mcptrust'])['truncated']).toBeUndefined();
  });

  it('never carries more than the audit event holds', () => {
    const withExtras = { ...EVENTS['allowed']!, arguments: { password: 'hunter2' }, result: 'SECRET-RESULT', _meta: { token: 'META-TOKEN' } } as AuditEvent;
    expect(JSON.stringify(toEcsEvent(withExtras, CONTEXT))).not.toMatch(/hunter2|SECRET-RESULT|META-TOKEN/);
  });

  it('fails closed on an invalid event or context, naming the field', () => {
    expect(() => toEcsEvent({ ...EVENTS['allowed']!, time: '' }, CONTEXT)).toThrow(/toEcsEvent: event\.time/);
    expect(() => toEcsEvent(EVENTS['allowed']!, { ...CONTEXT, productVersion: 3 as unknown as string })).toThrow(/context\.productVersion/);
    expect(() => toEcsEvent(EVENTS['allowed']!, { ...CONTEXT, lockfile: { path: '', sha256: SHA } })).toThrow(AuditError);
  });
});
