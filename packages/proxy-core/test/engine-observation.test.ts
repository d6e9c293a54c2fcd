// The request-completed observation: every decision about a host request reaches the
// audit sink with the host's request id, how long the decision took and the W3C trace
// context the host sent; `auditAllowed` reports a forwarded request when its answer
// reaches the host. None of it changes the traffic.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createMemoryAuditSink, noopAuditSink } from '@mcptrust/audit';
import type { AuditEvent } from '@mcptrust/audit';
import fc from 'fast-check';
import { createProxyEngine } from '../src/engine.js';
import { DENIAL_CODES } from '../src/protocol.js';
import { createHarness, req, testLockfile, type Harness } from './helpers/engine-harness.js';

const TRACE_PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const ECHO = (text = 'hi'): Record<string, unknown> => ({ name: 'echo', arguments: { text } });

/** The events that carry the given request id. */
function about(h: Harness, requestId: string): AuditEvent[] {
  return h.sink.events.filter((e) => e.requestId === requestId);
}

/** Asserts the event's duration is a non-negative number rounded to 3 decimals. */
function expectDuration(e: AuditEvent | undefined): void {
  const d = e?.durationMs;
  expect(typeof d === 'number' && d >= 0 && Number.isFinite(d) && Math.round(d * 1000) / 1000 === d).toBe(true);
}

/** A proxy id source that is the same for every engine built with it. */
function counterIds(): () => string {
  let n = 0;
  return () => 'proxy-id-' + String(n++).padStart(12, '0');
}

/** A harness whose session is initialized. */
function ready(options: Parameters<typeof createHarness>[0] = {}): Harness {
  const h = createHarness(options);
  h.initialize();
  return h;
}

afterEach(() => void jest.useRealTimers());

describe('request id and duration on every decision about a host request', () => {
  it('blocked: a tool outside the allowlist, with a numeric, a string and a big integer id', () => {
    const h = ready();
    h.host(req(7, 'tools/call', { name: 'exec_shell', arguments: {} }));
    h.host(req('abc', 'tools/call', { name: 'exec_shell', arguments: {} }));
    const [numeric, text] = h.sink.events;
    expect(numeric).toMatchObject({ action: 'blocked', requestId: '7', code: 'TOOL_NOT_ALLOWED', errorCode: DENIAL_CODES.TOOL_NOT_ALLOWED });
    expect(text).toMatchObject({ action: 'blocked', requestId: 'abc', tool: 'exec_shell' });
    expectDuration(numeric);
    expectDuration(text);
    // A big integer id, exactly as the host wrote it.
    h.host('{"jsonrpc":"2.0","id":12345678901234567890,"method":"tools/call","params":{"name":"exec_shell"}}');
    expect(h.sink.events[2]).toMatchObject({ action: 'blocked', requestId: '12345678901234567890' });
  });

  it('blocked: policy denial, invalid arguments, LIMIT_EXCEEDED and an envelope error', () => {
    const h = ready({ maxPending: 1, callGuard: (c) => (c.tool === 'modern' ? { allow: false, reason: 'no' } : { allow: true }) });
    h.host(req(1, 'tools/call', { name: 'modern', arguments: { n: 2 } }));
    h.host(req(2, 'tools/call', { name: 'read_file', arguments: { path: 1 } }));
    h.host(req(3, 'tools/call', ECHO()));
    h.host(req(4, 'tools/call', ECHO()));
    h.host({ jsonrpc: '1.0', id: 5, method: 'ping' });
    expect(about(h, '1')).toEqual([expect.objectContaining({ action: 'blocked', code: 'POLICY_DENIED' })]);
    expect(about(h, '2')).toEqual([expect.objectContaining({ action: 'blocked', code: 'INVALID_ARGUMENTS' })]);
    expect(about(h, '3')).toEqual([]); // forwarded, still pending
    expect(about(h, '4')).toEqual([expect.objectContaining({ action: 'blocked', code: 'LIMIT_EXCEEDED' })]);
    expect(about(h, '5')).toEqual([expect.objectContaining({ action: 'blocked', code: 'INVALID_REQUEST' })]);
    for (const id of ['1', '2', '4', '5']) expectDuration(about(h, id)[0]);
    h.engine.close();
  });

  it('blocked: an unsupported protocol version in initialize', () => {
    const h = createHarness();
    h.host(req(0, 'initialize', { protocolVersion: '1999-01-01', capabilities: {} }));
    expect(h.sink.events).toEqual([expect.objectContaining({ action: 'blocked', requestId: '0', method: 'initialize', code: 'UNSUPPORTED_PROTOCOL_VERSION', errorCode: DENIAL_CODES.UNSUPPORTED_PROTOCOL_VERSION })]);
    expectDuration(h.sink.events[0]);
  });

  it('audit_only: a call the policy would refuse, in filter-only mode', () => {
    const h = ready({ mode: 'filter-only' });
    h.host(req(9, 'tools/call', { name: 'exec_shell', arguments: {} }));
    expect(h.lastToServer()['method']).toBe('tools/call');
    expect(h.sink.events).toEqual([expect.objectContaining({ action: 'audit_only', requestId: '9', code: 'TOOL_NOT_ALLOWED' })]);
    expectDuration(h.sink.events[0]);
    h.engine.close();
  });

  it('timeout: an unanswered request (timed from its arrival) and an unanswered initialize', () => {
    jest.useFakeTimers();
    const h = ready({ requestTimeoutMs: 1000 });
    h.host(req(11, 'tools/call', ECHO()));
    jest.advanceTimersByTime(1500);
    const events = about(h, '11');
    expect(events).toEqual([expect.objectContaining({ action: 'timeout', method: 'tools/call', tool: 'echo', code: 'REQUEST_TIMEOUT', errorCode: DENIAL_CODES.REQUEST_TIMEOUT })]);
    expectDuration(events[0]);
    expect(events[0]!.durationMs!).toBeGreaterThanOrEqual(1000);
    h.engine.close();
    // initialize the server never answers.
    const init = createHarness({ startupTimeoutMs: 200 });
    init.host(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {} }));
    jest.advanceTimersByTime(500);
    expect(about(init, '0')).toEqual([expect.objectContaining({ action: 'timeout', method: 'initialize', code: 'REQUEST_TIMEOUT' })]);
    init.engine.close();
  });

  it('dropped: pending requests answered SERVER_UNAVAILABLE when the server closes', () => {
    const h = ready();
    h.host(req(21, 'tools/call', ECHO()));
    h.host(req('s22', 'ping'));
    h.engine.serverClosed();
    for (const id of ['21', 's22']) {
      const events = about(h, id);
      expect(events).toEqual([expect.objectContaining({ action: 'dropped', code: 'SERVER_UNAVAILABLE', errorCode: DENIAL_CODES.SERVER_UNAVAILABLE })]);
      expectDuration(events[0]);
    }
    expect(about(h, '21')[0]!.tool).toBe('echo');
  });

  it('a request queued until the session is ready keeps its id when it is decided', () => {
    const h = createHarness();
    h.host(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {} }));
    const init = h.lastToServer();
    h.host(req(1, 'tools/call', { name: 'exec_shell', arguments: {} }));
    expect(about(h, '1')).toEqual([]);
    h.server({ jsonrpc: '2.0', id: init['id'], result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' } } });
    expect(about(h, '1')).toEqual([expect.objectContaining({ action: 'blocked', code: 'TOOL_NOT_ALLOWED' })]);
    expectDuration(about(h, '1')[0]);
  });

  it('does not put a request id on events about server messages or list filtering', () => {
    const h = ready({ auditAllowed: true });
    h.host(req(1, 'tools/list'));
    const proxyId = h.lastToServer()['id'];
    h.server({ jsonrpc: '2.0', id: proxyId, result: { tools: [{ name: 'exec_shell', description: 'x', inputSchema: { type: 'object' } }] } });
    h.server({ jsonrpc: '2.0', id: proxyId, result: { tools: [] } });
    const others = h.sink.events.filter((e) => e.action === 'filtered' || e.action === 'dropped');
    expect(others.map((e) => [e.action, e.requestId])).toEqual([['filtered', undefined], ['dropped', undefined]]);
    expect(about(h, '1')).toEqual([expect.objectContaining({ action: 'allowed', method: 'tools/list' })]);
  });
});

describe('auditAllowed: the allowed event comes with the answer', () => {
  it('reports nothing at forward time, then the round trip when the answer is forwarded', () => {
    const h = ready({ auditAllowed: true });
    h.host(req(1, 'tools/call', ECHO()));
    expect(h.sink.events).toEqual([]);
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { content: [{ type: 'text', text: 'hi' }] } });
    expect(h.lastToHost()).toMatchObject({ id: 1, result: { content: [{ text: 'hi' }] } });
    expect(h.sink.events).toEqual([expect.objectContaining({ action: 'allowed', direction: 'host_to_server', requestId: '1', method: 'tools/call', tool: 'echo' })]);
    expect([h.sink.events[0]!.errorCode, h.sink.events[0]!.toolError]).toEqual([undefined, undefined]);
    expectDuration(h.sink.events[0]);
  });

  it("carries the server's JSON-RPC error code when the answer is an error", () => {
    const h = ready({ auditAllowed: true });
    h.host(req('r1', 'prompts/get', { name: 'greet', arguments: { who: 'x' } }));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], error: { code: -32603, message: 'boom', data: { secret: 1 } } });
    expect(h.lastToHost()).toMatchObject({ id: 'r1', error: { code: -32603 } });
    expect(h.sink.events).toEqual([expect.objectContaining({ action: 'allowed', requestId: 'r1', method: 'prompts/get', errorCode: -32603 })]);
  });

  it('marks a tools/call the tool answered with isError: true', () => {
    const h = ready({ auditAllowed: true });
    h.host(req(1, 'tools/call', ECHO()));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { isError: true, content: [] } });
    expect(h.sink.events).toEqual([expect.objectContaining({ action: 'allowed', requestId: '1', toolError: true })]);
  });

  it('marks isError on a large answer forwarded from its bytes too', () => {
    const sink = createMemoryAuditSink();
    const toServer: string[] = [];
    const byteAnswers: string[] = [];
    const io = { toServer: (json: string) => toServer.push(json), toHost: () => undefined, toHostBytes: (parts: readonly Uint8Array[]) => byteAnswers.push(Buffer.concat(parts).toString('utf8')) };
    const engine = createProxyEngine(io, { lockfile: testLockfile(), preflight: false, audit: sink, auditAllowed: true });
    const lastId = (): string => JSON.parse(toServer.at(-1)!).id;
    engine.receiveFromHost(JSON.stringify(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {} })));
    engine.receiveFromServer(JSON.stringify({ jsonrpc: '2.0', id: lastId(), result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' } } }));
    sink.clear();
    engine.receiveFromHost(JSON.stringify(req(2, 'tools/call', ECHO())));
    const line = JSON.stringify({ jsonrpc: '2.0', id: lastId(), result: { isError: true, content: [{ type: 'text', text: 'x'.repeat(40_000) }] } });
    engine.receiveFromServer(line, true, Buffer.from(line));
    expect(byteAnswers).toHaveLength(1);
    expect(JSON.parse(byteAnswers[0]!)).toMatchObject({ id: 2, result: { isError: true } });
    expect(sink.events).toEqual([expect.objectContaining({ action: 'allowed', requestId: '2', toolError: true })]);
  });

  it('reports ping, initialize and answers served from the list page cache', () => {
    const h = createHarness({ auditAllowed: true });
    h.host(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {} }));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' } } });
    expect(about(h, '0')).toEqual([expect.objectContaining({ action: 'allowed', method: 'initialize' })]);
    h.host(req(1, 'ping'));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: {} });
    expect(about(h, '1')).toEqual([expect.objectContaining({ action: 'allowed', method: 'ping' })]);
    const page = (id: string): string => '{"jsonrpc":"2.0","id":' + JSON.stringify(id) + ',"result":{"tools":[]}}';
    h.host(req(2, 'tools/list'));
    h.engine.receiveFromServer(page(h.lastToServer()['id']));
    h.host(req(3, 'tools/list'));
    h.engine.receiveFromServer(page(h.lastToServer()['id'])); // the cached page
    expect(about(h, '2')).toEqual([expect.objectContaining({ action: 'allowed', method: 'tools/list' })]);
    expect(about(h, '3')).toEqual([expect.objectContaining({ action: 'allowed', method: 'tools/list' })]);
  });

  it('does not report an allowed event for a request already reported as audit_only', () => {
    const h = ready({ mode: 'audit-only', auditAllowed: true });
    h.host(req(1, 'tools/call', { name: 'exec_shell', arguments: {} }));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { content: [] } });
    expect(about(h, '1')).toEqual([expect.objectContaining({ action: 'audit_only' })]);
  });

  it('a request the host cancels yields one event, and its late answer none', () => {
    const h = ready({ auditAllowed: true });
    h.host(req(4, 'tools/call', ECHO()));
    const proxyId = h.lastToServer()['id'];
    h.host({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 4 } });
    h.server({ jsonrpc: '2.0', id: proxyId, result: { content: [] } });
    expect(about(h, '4')).toEqual([expect.objectContaining({ action: 'allowed', reason: 'cancelled by the host' })]);
    expect(h.toHost).toEqual([]);
  });

  it('without auditAllowed, allowed requests are not reported at all', () => {
    const h = ready();
    h.host(req(1, 'tools/call', ECHO()));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { content: [] } });
    expect([h.toHost.length, h.sink.events]).toEqual([1, []]);
  });
});

describe('trace context from params._meta', () => {
  function traced(meta: Record<string, unknown> | undefined, tool = 'echo'): AuditEvent {
    const h = ready({ auditAllowed: true });
    const params: Record<string, unknown> = { name: tool, arguments: tool === 'echo' ? { text: 'x' } : {} };
    if (meta !== undefined) params['_meta'] = meta;
    h.host(req(1, 'tools/call', params));
    if (tool === 'echo') h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { content: [] } });
    expect(about(h, '1')).toHaveLength(1);
    return about(h, '1')[0]!;
  }

  it('keeps a valid traceparent and its tracestate, on answers and on refusals', () => {
    expect(traced({ traceparent: TRACE_PARENT, tracestate: 'vendor=abc,other=1' })).toMatchObject({ action: 'allowed', traceParent: TRACE_PARENT, traceState: 'vendor=abc,other=1' });
    const refused = traced({ traceparent: TRACE_PARENT }, 'exec_shell');
    expect(refused).toMatchObject({ action: 'blocked', traceParent: TRACE_PARENT });
    expect(refused.traceState).toBeUndefined();
  });

  it('leaves both out when absent', () => {
    for (const e of [traced(undefined), traced({ progressToken: 'p' })]) expect([e.traceParent, e.traceState]).toEqual([undefined, undefined]);
  });

  it.each([
    ['an unknown version', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['upper-case hex', TRACE_PARENT.toUpperCase()],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['a short span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01'],
    ['trailing text', TRACE_PARENT + '-extra'],
    ['a number', 42],
  ])('drops a traceparent with %s (and its tracestate)', (_what, traceparent) => {
    const e = traced({ traceparent, tracestate: 'vendor=abc' });
    expect([e.traceParent, e.traceState]).toEqual([undefined, undefined]);
  });

  it('drops a tracestate over 512 characters or not a string, keeping the traceparent', () => {
    const long = traced({ traceparent: TRACE_PARENT, tracestate: 'v=' + 'a'.repeat(511) });
    expect(long.traceParent).toBe(TRACE_PARENT);
    expect(long.traceState).toBeUndefined();
    const atCap = traced({ traceparent: TRACE_PARENT, tracestate: 'v=' + 'a'.repeat(510) });
    expect(atCap.traceState).toHaveLength(512);
    expect(traced({ traceparent: TRACE_PARENT, tracestate: ['v=1'] }).traceState).toBeUndefined();
  });

  it('does not carry one request’s trace context over to the next', () => {
    const h = ready();
    h.host(req(1, 'tools/call', { name: 'exec_shell', _meta: { traceparent: TRACE_PARENT } }));
    h.host(req(2, 'tools/call', { name: 'exec_shell' }));
    expect(about(h, '1')[0]!.traceParent).toBe(TRACE_PARENT);
    expect(about(h, '2')[0]!.traceParent).toBeUndefined();
  });
});

describe('forwarded traffic is unchanged by observation', () => {
  it('forwards _meta (traceparent included) exactly as the host sent it', () => {
    const h = ready({ auditAllowed: true });
    const params = { name: 'echo', arguments: { text: 'x' }, _meta: { traceparent: TRACE_PARENT, tracestate: 'a=1', other: { deep: true } } };
    h.host(req(1, 'tools/call', params));
    expect(h.lastToServer()['params']).toEqual(params);
  });

  it('sends byte-identical traffic with a listening sink and with none (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('echo', 'exec_shell', 'ping'), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 8 }), (calls) => {
        const quiet = createHarness({ audit: noopAuditSink, randomId: counterIds() });
        const observed = createHarness({ auditAllowed: true, randomId: counterIds() });
        for (const h of [quiet, observed]) {
          h.initialize();
          calls.forEach(([tool, withTrace, isError], i) => {
            const meta = withTrace ? { _meta: { traceparent: TRACE_PARENT, tracestate: 'a=1' } } : {};
            h.host(tool === 'ping' ? req(i + 1, 'ping', meta) : req(i + 1, 'tools/call', { ...ECHO(), name: tool, ...meta }));
            const sent = h.toServer.at(-1);
            if (sent?.['id'] !== undefined && h.engine.stats().pending > 0) h.server({ jsonrpc: '2.0', id: sent['id'], result: { isError, content: [] } });
          });
        }
        expect(observed.rawToServer).toEqual(quiet.rawToServer);
        expect(observed.rawToHost).toEqual(quiet.rawToHost);
        expect(observed.sink.events.length).toBeGreaterThan(0);
      }),
      { numRuns: 50 },
    );
  });
});

type Step =
  | { kind: 'request'; what: 'echo' | 'exec_shell' | 'bad_args' | 'ping' | 'list' | 'unknown' | 'duplicate' }
  | { kind: 'answer'; pick: number; how: 'result' | 'error' | 'isError' }
  | { kind: 'cancel'; pick: number }
  | { kind: 'timeout' };

// What each kind of step sends: method and params.
const REQUESTS: Record<string, [string, Record<string, unknown> | undefined]> = {
  echo: ['tools/call', ECHO()],
  exec_shell: ['tools/call', { name: 'exec_shell', arguments: {} }],
  bad_args: ['tools/call', { name: 'read_file', arguments: { path: 3 } }],
  ping: ['ping', undefined],
  list: ['tools/list', undefined],
  unknown: ['vendor/x', undefined],
};

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), what: fc.constantFrom('echo', 'exec_shell', 'bad_args', 'ping', 'list', 'unknown', 'duplicate') }),
  fc.record({ kind: fc.constant('answer' as const), pick: fc.nat(), how: fc.constantFrom('result', 'error', 'isError') }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.constant({ kind: 'timeout' as const }),
);

describe('property: one decision per host request', () => {
  const DECISIONS = new Set(['allowed', 'blocked', 'audit_only', 'timeout', 'dropped']);
  it.each(['enforce', 'filter-only', 'audit-only'] as const)('holds over random requests, answers, cancellations and timeouts (%s)', (mode) => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.boolean(), (steps, closeAtEnd) => {
        jest.useFakeTimers(); // afterEach restores real timers
        const h = ready({ mode, auditAllowed: true, requestTimeoutMs: 1000, maxPending: 6 });
        // Request lines sent per id text, and which ids are awaiting the server.
        const lines = new Map<string, number>();
        const open: Array<{ hostId: number | string; proxyId: string }> = [];
        let next = 1;
        for (const step of steps) {
          if (step.kind === 'request') {
            const reuse = step.what === 'duplicate' && open.length > 0;
            const hostId = reuse ? open[0]!.hostId : next % 2 === 0 ? next : 's' + next;
            if (!reuse) next++;
            const [method, params] = REQUESTS[step.what === 'duplicate' ? 'echo' : step.what]!;
            const before = h.toServer.length;
            h.host(req(hostId, method, params));
            lines.set(String(hostId), (lines.get(String(hostId)) ?? 0) + 1);
            const sent = h.toServer.slice(before).find((m) => m['method'] === method);
            if (sent !== undefined) open.push({ hostId, proxyId: sent['id'] });
          } else if (step.kind === 'answer' && open.length > 0) {
            const [o] = open.splice(step.pick % open.length, 1);
            const body = { error: { error: { code: -32000, message: 'no' } }, isError: { result: { isError: true, content: [] } }, result: { result: { content: [], tools: [] } } };
            h.server({ jsonrpc: '2.0', id: o!.proxyId, ...body[step.how] });
          } else if (step.kind === 'cancel' && open.length > 0) {
            const [o] = open.splice(step.pick % open.length, 1);
            h.host({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: o!.hostId } });
          } else if (step.kind === 'timeout') {
            jest.advanceTimersByTime(1500);
            open.length = 0;
          }
        }
        if (closeAtEnd) h.engine.serverClosed();
        else jest.advanceTimersByTime(1500);
        expect(h.engine.stats().pending).toBe(0);
        const byId = new Map<string, AuditEvent[]>();
        for (const e of h.sink.events) {
          if (e.requestId === undefined) continue;
          expect(DECISIONS.has(e.action)).toBe(true);
          expect(lines.has(e.requestId)).toBe(true);
          expectDuration(e);
          byId.set(e.requestId, [...(byId.get(e.requestId) ?? []), e]);
        }
        for (const [id, count] of lines) {
          const events = byId.get(id) ?? [];
          if (mode === 'enforce') {
            expect(events).toHaveLength(count);
          } else {
            // A request the policy would have refused is reported as audit_only when it
            // is let through; if it then gets no answer, its timeout or drop follows.
            const [final, flagged] = [events.filter((e) => e.action !== 'audit_only'), events.filter((e) => e.action === 'audit_only')];
            expect(events.length).toBeGreaterThanOrEqual(count);
            expect(final.filter((e) => e.action === 'allowed' || e.action === 'blocked').length + flagged.length).toBeLessThanOrEqual(count);
            expect(final.length).toBeLessThanOrEqual(count);
          }
        }
        h.engine.close();
      }),
      { numRuns: 150 },
    );
  });
});
