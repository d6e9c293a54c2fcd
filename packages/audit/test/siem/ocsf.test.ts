import { describe, expect, it } from '@jest/globals';
import { OCSF_REQUIRED_ATTRIBUTES, OCSF_SCHEMA_VERSION, toOcsfApiActivity } from '../../src/siem/index.js';
import type { SiemContext } from '../../src/siem/index.js';
import type { AuditEvent } from '../../src/audit-event.types.js';
import { AuditError } from '../../src/errors.js';

const SHA = 'ab'.repeat(32);
const CONTEXT: SiemContext = { productVersion: '1.2.3', runId: '7b0c1a52-8f0a-4a53-9a55-2c1b8d0e6f11', lockfile: { path: 'mcp-lock.json', sha256: SHA }, hostname: 'build-7' };
const TIME = '2026-01-02T03:04:05.678Z';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/** One decision of each kind the engine takes. */
const EVENTS: Record<string, AuditEvent> = {
  allowed: { time: TIME, action: 'allowed', direction: 'host_to_server', method: 'tools/call', tool: 'read_file', requestId: '7', durationMs: 12.5, mode: 'enforce', traceParent: TRACE_PARENT },
  blocked: { time: TIME, action: 'blocked', direction: 'host_to_server', method: 'tools/call', tool: 'exec_shell', code: 'ITEM_DENIED', errorCode: -32001, reason: 'not in allowlist', requestId: '8', durationMs: 0.4, mode: 'enforce' },
  dropped: { time: TIME, action: 'dropped', direction: 'host_to_server', method: 'notifications/evil', code: 'METHOD_NOT_ALLOWED', reason: 'notification not allowed' },
  filtered: { time: TIME, action: 'filtered', direction: 'server_to_host', method: 'tools/list', reason: 'unpinned items removed', code: 'ITEM_DENIED', count: 2, items: ['new_tool', 'other'], mode: 'filter-only' },
  audit_only: { time: TIME, action: 'audit_only', direction: 'host_to_server', method: 'tools/call', tool: 'exec_shell', code: 'ITEM_DENIED', reason: 'not in allowlist', requestId: 'abc', mode: 'audit-only' },
  timeout: { time: TIME, action: 'timeout', direction: 'host_to_server', method: 'tools/call', code: 'REQUEST_TIMEOUT', errorCode: -32003, requestId: '9', durationMs: 30000 },
  server_gone: { time: TIME, action: 'dropped', direction: 'internal', method: 'tools/call', code: 'SERVER_UNAVAILABLE', errorCode: -32004, reason: 'server exited', requestId: '10' },
  session_opened: { time: TIME, action: 'session', direction: 'internal', method: 'initialize', reason: 'session opened' },
  session_refused: { time: TIME, action: 'session', direction: 'internal', method: 'initialize', code: 'SESSION_REFUSED', errorCode: -32005, reason: 'preflight found drift', requestId: '0' },
};

// [action_id, disposition_id, status_id, severity_id, is_alert]
const OUTCOMES: [string, number, number, number, number, boolean][] = [
  ['allowed', 1, 1, 1, 1, false],
  ['blocked', 2, 2, 2, 3, true],
  ['dropped', 2, 6, 2, 3, true],
  ['filtered', 4, 7, 1, 2, false],
  ['audit_only', 3, 19, 1, 3, true],
  ['timeout', 1, 27, 2, 2, false],
  ['server_gone', 1, 27, 2, 2, false],
  ['session_opened', 1, 1, 1, 1, false],
  ['session_refused', 2, 2, 2, 4, true],
];

// Enum captions of OCSF 1.8.0 for the ids the mapping uses.
const ACTION = { 1: 'Allowed', 2: 'Denied', 3: 'Observed', 4: 'Modified' } as Record<number, string>;
const DISPOSITION = { 1: 'Allowed', 2: 'Blocked', 6: 'Dropped', 7: 'Custom Action', 19: 'Alert', 27: 'Error' } as Record<number, string>;
const STATUS = { 1: 'Success', 2: 'Failure' } as Record<number, string>;
const SEVERITY = { 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High' } as Record<number, string>;

// Attribute names OCSF 1.8.0 defines for API Activity (base event, class, and the
// cloud, datetime, host, osint, security_control, trace and ai_operation profiles)
// and for the objects the mapping writes. Anything else must sit under `unmapped`.
const SCHEMA: Record<string, string[]> = {
  event: ['action', 'action_id', 'activity_id', 'activity_name', 'actor', 'ai_model', 'api', 'attacks', 'authorizations', 'category_name', 'category_uid', 'class_name', 'class_uid', 'cloud', 'confidence', 'confidence_id', 'confidence_score', 'count', 'device', 'disposition', 'disposition_id', 'dst_endpoint', 'duration', 'end_time', 'enrichments', 'firewall_rule', 'http_request', 'http_response', 'is_alert', 'malware', 'malware_scan_info', 'message', 'message_context', 'metadata', 'observables', 'osint', 'policy', 'raw_data', 'raw_data_hash', 'raw_data_size', 'resources', 'risk_details', 'risk_level', 'risk_level_id', 'risk_score', 'severity', 'severity_id', 'src_endpoint', 'start_time', 'status', 'status_code', 'status_detail', 'status_id', 'time', 'timezone_offset', 'trace', 'type_name', 'type_uid', 'unmapped'],
  metadata: ['correlation_uid', 'data_classification', 'data_classifications', 'debug', 'event_code', 'extension', 'extensions', 'is_truncated', 'labels', 'log_format', 'log_level', 'log_name', 'log_provider', 'log_source', 'log_version', 'logged_time', 'loggers', 'modified_time', 'original_event_uid', 'original_time', 'processed_time', 'product', 'profiles', 'reporter', 'sequence', 'source', 'tags', 'tenant_uid', 'total_queued_duration', 'transformation_info_list', 'transmit_time', 'type', 'uid', 'untruncated_size', 'version'],
  product: ['cpe_name', 'data_classification', 'data_classifications', 'feature', 'lang', 'name', 'path', 'uid', 'url_string', 'vendor_name', 'version'],
  api: ['group', 'operation', 'request', 'response', 'service', 'token', 'version'],
  request: ['containers', 'data', 'flags', 'uid'],
  response: ['code', 'containers', 'data', 'error', 'error_message', 'flags', 'message'],
  actor: ['app_name', 'app_uid', 'authorizations', 'idp', 'invoked_by', 'process', 'session', 'user'],
  network_endpoint: ['agent_list', 'autonomous_system', 'container', 'domain', 'fingerprints', 'hostname', 'hw_info', 'instance_uid', 'interface_name', 'interface_uid', 'intermediate_ips', 'ip', 'isp', 'isp_org', 'location', 'mac', 'mac_vendor', 'name', 'namespace_pid', 'network_scope', 'network_scope_id', 'os', 'owner', 'pool', 'port', 'proxy_endpoint', 'subnet_uid', 'svc_name', 'type', 'type_id', 'uid', 'vlan_uid', 'vpc_uid', 'zone'],
  resource_details: ['agent_list', 'cloud_partition', 'created_time', 'criticality', 'data', 'data_classification', 'data_classifications', 'group', 'hostname', 'ip', 'is_backed_up', 'labels', 'modified_time', 'name', 'namespace', 'owner', 'provider', 'region', 'resource_relationship', 'role', 'role_id', 'tags', 'type', 'uid', 'uid_alt', 'version', 'zone'],
  policy: ['data', 'desc', 'group', 'is_applied', 'name', 'type', 'uid', 'version'],
  trace: ['duration', 'end_time', 'flags', 'service', 'span', 'start_time', 'uid'],
};

function obj(value: unknown): Record<string, unknown> {
  expect(value !== null && typeof value === 'object' && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

function at(record: Record<string, unknown>, path: string): unknown {
  let cur: unknown = record;
  for (const part of path.split('.')) cur = cur === undefined ? undefined : obj(cur)[part];
  return cur;
}

function keysWithin(value: unknown, allowed: string[], where: string): void {
  for (const key of Object.keys(obj(value))) expect(`${where}.${key}:${allowed.includes(key)}`).toBe(`${where}.${key}:true`);
}

describe('toOcsfApiActivity', () => {
  it.each(OUTCOMES)('%s: action %i, disposition %i, status %i, severity %i, alert %s', (name, actionId, dispositionId, statusId, severityId, alert) => {
    const o = toOcsfApiActivity(EVENTS[name]!, CONTEXT);
    expect(o).toMatchObject({
      class_uid: 6003,
      category_uid: 6,
      activity_id: 99,
      type_uid: 600399,
      action_id: actionId,
      action: ACTION[actionId],
      disposition_id: dispositionId,
      disposition: DISPOSITION[dispositionId],
      status_id: statusId,
      status: STATUS[statusId],
      severity_id: severityId,
      severity: SEVERITY[severityId],
      is_alert: alert,
      time: Date.parse(TIME),
    });
    expect(o['activity_name']).toBe(EVENTS[name]!.method);
    expect(at(o, 'api.operation')).toBe(EVENTS[name]!.method);
    expect(at(o, 'metadata.version')).toBe(OCSF_SCHEMA_VERSION);
    expect(at(o, 'metadata.correlation_uid')).toBe(CONTEXT.runId);
    expect(at(o, 'metadata.profiles')).toContain('security_control');
    expect(at(o, 'policy')).toEqual({ name: 'mcp-lock.json', uid: SHA });
  });

  it('carries the request id, reason, reason code, JSON-RPC error code, mode and duration where OCSF puts them', () => {
    const o = toOcsfApiActivity(EVENTS['blocked']!, CONTEXT);
    expect(o['api']).toEqual({ operation: 'tools/call', request: { uid: '8' }, response: { code: -32001, error: 'ITEM_DENIED' } });
    expect(o['message']).toBe('not in allowlist');
    expect(o['status_code']).toBe('-32001');
    expect(o['status_detail']).toBe('ITEM_DENIED');
    expect(o['resources']).toEqual([{ type: 'mcp.tool', name: 'exec_shell' }]);
    expect(o['unmapped']).toEqual({ direction: 'host_to_server', reason_code: 'ITEM_DENIED', mode: 'enforce', duration_ms: 0.4 });
    expect(o['duration']).toBe(0);
    expect(o['actor']).toEqual({ app_name: 'mcp-host' });
    expect(o['src_endpoint']).toEqual({ svc_name: 'mcp-host', hostname: 'build-7' });
    expect(o['dst_endpoint']).toEqual({ svc_name: 'mcp-server', hostname: 'build-7' });
  });

  it('lists the items a list filter removed as resources of the listed kind', () => {
    const o = toOcsfApiActivity(EVENTS['filtered']!, CONTEXT);
    expect(o['resources']).toEqual([{ type: 'mcp.tool', name: 'new_tool' }, { type: 'mcp.tool', name: 'other' }]);
    expect(at(o, 'unmapped.count')).toBe(2);
    expect(o['actor']).toEqual({ app_name: 'mcp-server' });
    const prompts = toOcsfApiActivity({ ...EVENTS['filtered']!, method: 'prompts/list' }, CONTEXT);
    expect(prompts['resources']).toEqual([{ type: 'mcp.prompt', name: 'new_tool' }, { type: 'mcp.prompt', name: 'other' }]);
    const unknown = toOcsfApiActivity({ ...EVENTS['filtered']!, method: 'sampling/createMessage' }, CONTEXT);
    expect(unknown['resources']).toBeUndefined();
    expect(at(unknown, 'unmapped.items')).toEqual(['new_tool', 'other']);
  });

  it('has every attribute OCSF 1.8.0 requires of API Activity, for every kind of decision and a minimal context', () => {
    expect([...OCSF_REQUIRED_ATTRIBUTES].sort()).toEqual(
      ['activity_id', 'category_uid', 'class_uid', 'type_uid', 'severity_id', 'time', 'metadata', 'metadata.product', 'metadata.product.name', 'metadata.version', 'actor', 'actor.app_name', 'api', 'api.operation', 'src_endpoint', 'src_endpoint.svc_name'].sort(),
    );
    const minimal: SiemContext = { productVersion: '1.2.3', runId: 'r' };
    const bare: AuditEvent = { time: TIME, action: 'dropped', direction: 'host_to_server', reason: 'response to an unknown server request' };
    for (const event of [...Object.values(EVENTS), bare]) {
      for (const context of [CONTEXT, minimal]) {
        const o = toOcsfApiActivity(event, context);
        for (const path of OCSF_REQUIRED_ATTRIBUTES) {
          const v = at(o, path);
          expect(`${path}=${v === undefined || v === '' ? 'missing' : 'present'}`).toBe(`${path}=present`);
        }
        expect(typeof o['time']).toBe('number');
        // Objects the schema constrains: api.request and trace need uid; policy and resources need name or uid.
        const req = at(o, 'api.request');
        if (req !== undefined) expect(typeof obj(req)['uid']).toBe('string');
        const trace = o['trace'];
        if (trace !== undefined) expect(obj(trace)['uid']).toMatch(/^[0-9a-f]{32}$/);
        for (const r of (o['resources'] as Record<string, unknown>[] | undefined) ?? []) expect(typeof r['name']).toBe('string');
      }
    }
    expect(toOcsfApiActivity(bare, minimal)['api']).toEqual({ operation: 'unknown' });
  });

  it('writes no attribute outside OCSF 1.8.0 except under unmapped', () => {
    for (const event of Object.values(EVENTS)) {
      const o = toOcsfApiActivity(event, { ...CONTEXT, eventId: 'r:1' });
      keysWithin(o, SCHEMA['event']!, 'event');
      keysWithin(o['metadata'], SCHEMA['metadata']!, 'metadata');
      keysWithin(at(o, 'metadata.product'), SCHEMA['product']!, 'product');
      keysWithin(o['api'], SCHEMA['api']!, 'api');
      if (at(o, 'api.request') !== undefined) keysWithin(at(o, 'api.request'), SCHEMA['request']!, 'request');
      if (at(o, 'api.response') !== undefined) keysWithin(at(o, 'api.response'), SCHEMA['response']!, 'response');
      keysWithin(o['actor'], SCHEMA['actor']!, 'actor');
      keysWithin(o['src_endpoint'], SCHEMA['network_endpoint']!, 'src_endpoint');
      if (o['dst_endpoint'] !== undefined) keysWithin(o['dst_endpoint'], SCHEMA['network_endpoint']!, 'dst_endpoint');
      for (const r of (o['resources'] as unknown[] | undefined) ?? []) keysWithin(r, SCHEMA['resource_details']!, 'resources[]');
      keysWithin(o['policy'], SCHEMA['policy']!, 'policy');
      if (o['trace'] !== undefined) keysWithin(o['trace'], SCHEMA['trace']!, 'trace');
    }
  });

  it('takes the trace id from a version-00 traceparent and declares the trace profile', () => {
    const o = toOcsfApiActivity(EVENTS['allowed']!, CONTEXT);
    expect(o['trace']).toEqual({ uid: TRACE_ID });
    expect(at(o, 'metadata.profiles')).toEqual(['security_control', 'trace']);
    for (const bad of ['01-' + TRACE_ID + '-00f067aa0ba902b7-01', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-${TRACE_ID}-${'0'.repeat(16)}-01`, 'garbage']) {
      const none = toOcsfApiActivity({ ...EVENTS['allowed']!, traceParent: bad }, CONTEXT);
      expect(none['trace']).toBeUndefined();
      expect(at(none, 'metadata.profiles')).toEqual(['security_control']);
    }
  });

  it('passes hostile names as data, cut to 256 characters, URIs without userinfo, query or fragment', () => {
    const long = 'x'.repeat(300) + '\n","forged":"1';
    const o = toOcsfApiActivity(
      { ...EVENTS['blocked']!, tool: long, prompt: 'p\u202Eevil', uri: 'https://user:secret@host.example/a/b?token=abc#frag', requestId: 'i'.repeat(400) },
      CONTEXT,
    );
    const resources = o['resources'] as { type: string; name: string }[];
    expect(resources[0]!.name).toHaveLength(256);
    expect(resources[0]!.name.endsWith('\u2026')).toBe(true);
    expect(resources[1]).toEqual({ type: 'mcp.prompt', name: 'p\u202Eevil' });
    expect(resources[2]).toEqual({ type: 'mcp.resource', name: 'https://host.example/a/b' });
    expect(String(at(o, 'api.request.uid'))).toHaveLength(256);
    expect(at(o, 'metadata.is_truncated')).toBe(true);
    const round = JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
    expect('forged' in round).toBe(false);
    expect(JSON.stringify(o)).not.toMatch(/secret|token=abc|frag/);
    expect(at(toOcsfApiActivity(EVENTS['blocked']!, CONTEXT), 'metadata.is_truncated')).toBeUndefined();
  });

  it('keeps a URI template expression and never splits a surrogate pair when cutting', () => {
    const t = toOcsfApiActivity({ ...EVENTS['blocked']!, tool: undefined, uri: 'file:///logs/{name}{?lines}?x=1' }, CONTEXT);
    expect(t['resources']).toEqual([{ type: 'mcp.resource', name: 'file:///logs/{name}{?lines}' }]);
    const emoji = '\u{1F600}'.repeat(200);
    const o = toOcsfApiActivity({ ...EVENTS['blocked']!, tool: emoji }, CONTEXT);
    const name = (o['resources'] as { name: string }[])[0]!.name;
    expect(name.length).toBeLessThanOrEqual(256);
    expect(name).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(name.endsWith('\u2026')).toBe(true);
  });

  it('never carries more than the audit event holds', () => {
    const withExtras = { ...EVENTS['allowed']!, arguments: { password: 'hunter2' }, result: 'SECRET-RESULT', _meta: { token: 'META-TOKEN' } } as AuditEvent;
    expect(JSON.stringify(toOcsfApiActivity(withExtras, CONTEXT))).not.toMatch(/hunter2|SECRET-RESULT|META-TOKEN/);
  });

  it('fails closed on an invalid event or context, naming the field', () => {
    expect(() => toOcsfApiActivity({ ...EVENTS['allowed']!, time: 'yesterday' }, CONTEXT)).toThrow(/event\.time/);
    expect(() => toOcsfApiActivity({ ...EVENTS['allowed']!, action: 'maybe' as AuditEvent['action'] }, CONTEXT)).toThrow(/event\.action/);
    expect(() => toOcsfApiActivity(EVENTS['allowed']!, { ...CONTEXT, runId: '' })).toThrow(/context\.runId/);
    expect(() => toOcsfApiActivity(EVENTS['allowed']!, { ...CONTEXT, lockfile: { path: 'l.json', sha256: 'nope' } })).toThrow(/context\.lockfile\.sha256/);
    try {
      toOcsfApiActivity(EVENTS['allowed']!, { ...CONTEXT, productVersion: '' });
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(AuditError);
      expect((err as AuditError).code).toBe('INVALID_OPTIONS');
    }
  });
});
