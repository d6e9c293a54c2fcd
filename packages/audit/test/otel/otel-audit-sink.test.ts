import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Meter, Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { HistogramMetricData, MetricData, SumMetricData } from '@opentelemetry/sdk-metrics';
import type { AuditEvent } from '../../src/audit-event.types.js';
import { createOtelAuditSink } from '../../src/otel/index.js';
import type { OtelAuditSinkOptions } from '../../src/otel/index.js';

const TIME = '2026-01-02T03:04:05.678Z';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

let spans: InMemorySpanExporter;
let tracerProvider: TracerProvider;
let metrics: InMemoryMetricExporter;
let meterProvider: MeterProvider;
let tracer: Tracer;
let meter: Meter;

beforeEach(() => {
  spans = new InMemorySpanExporter();
  // No span limits: the sink bounds hostile text itself.
  tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 })] });
  tracer = tracerProvider.getTracer('test');
  meter = meterProvider.getMeter('test');
});

afterEach(async () => {
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});

function sink(options: Partial<OtelAuditSinkOptions> = {}) {
  return createOtelAuditSink({ tracer, meter, runId: 'run-1', ...options });
}

function call(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    time: TIME,
    action: 'allowed',
    direction: 'host_to_server',
    method: 'tools/call',
    tool: 'get_weather',
    mode: 'enforce',
    protocolVersion: '2025-06-18',
    requestId: '7',
    durationMs: 250,
    ...overrides,
  };
}

function only(): ReadableSpan {
  const finished = spans.getFinishedSpans();
  expect(finished).toHaveLength(1);
  return finished[0]!;
}

async function collected(): Promise<MetricData[]> {
  await meterProvider.forceFlush();
  const all = metrics.getMetrics();
  return all.at(-1)?.scopeMetrics.flatMap((s) => s.metrics) ?? [];
}

function hrToMs([s, ns]: [number, number]): number {
  return s * 1000 + ns / 1e6;
}

describe('createOtelAuditSink: host requests', () => {
  it('records an allowed tools/call as a SERVER span named after the method and tool, with the MCP attributes', () => {
    const s = sink();
    s.emit(call());
    const span = only();
    expect(span.name).toBe('tools/call get_weather');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.operation.name': 'execute_tool',
      'jsonrpc.request.id': '7',
      'mcp.protocol.version': '2025-06-18',
      'network.transport': 'pipe',
      'mcptrust.decision': 'allowed',
      'mcptrust.mode': 'enforce',
      'mcptrust.run_id': 'run-1',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(s.spans).toBe(1);
  });

  it('spans the request from arrival (time − durationMs) to the answer (time)', () => {
    sink().emit(call({ durationMs: 1234.5 }));
    const span = only();
    expect(hrToMs(span.endTime as [number, number])).toBeCloseTo(Date.parse(TIME), 3);
    expect(hrToMs(span.startTime as [number, number])).toBeCloseTo(Date.parse(TIME) - 1234.5, 3);
  });

  it('names a prompts/get span after the prompt, and a span without a target after the method only', () => {
    const s = sink();
    s.emit(call({ method: 'prompts/get', tool: undefined, prompt: 'summary' }));
    s.emit(call({ method: 'tools/list', tool: undefined, requestId: 'abc' }));
    const [prompt, list] = spans.getFinishedSpans();
    expect(prompt!.name).toBe('prompts/get summary');
    expect(prompt!.attributes['gen_ai.prompt.name']).toBe('summary');
    expect(prompt!.attributes['gen_ai.operation.name']).toBeUndefined();
    expect(list!.name).toBe('tools/list');
    expect(list!.attributes['jsonrpc.request.id']).toBe('abc');
  });

  it('marks a blocked call as an error: error.type and rpc.response.status_code are the JSON-RPC code, the status message the reason', () => {
    sink().emit(call({ action: 'blocked', tool: 'exec_shell', errorCode: -32601, code: 'not_allowlisted', reason: 'not in allowlist' }));
    const span = only();
    expect(span.attributes['error.type']).toBe('-32601');
    expect(span.attributes['rpc.response.status_code']).toBe('-32601');
    expect(span.attributes['mcptrust.decision']).toBe('blocked');
    expect(span.attributes['mcptrust.reason']).toBe('not_allowlisted');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'not in allowlist' });
  });

  it('uses tool_error for a tool that answered isError, and _OTHER for a timeout without a code', () => {
    const s = sink();
    s.emit(call({ toolError: true }));
    s.emit(call({ action: 'timeout', reason: 'request timed out' }));
    const [toolError, timeout] = spans.getFinishedSpans();
    expect(toolError!.attributes['error.type']).toBe('tool_error');
    expect(toolError!.attributes['rpc.response.status_code']).toBeUndefined();
    expect(toolError!.status.code).toBe(SpanStatusCode.ERROR);
    expect(timeout!.attributes['error.type']).toBe('_OTHER');
    expect(timeout!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'request timed out' });
  });

  it('leaves audit-only decisions (forwarded) without an error', () => {
    sink().emit(call({ action: 'audit_only', reason: 'would block' }));
    expect(only().attributes['error.type']).toBeUndefined();
    expect(only().status.code).toBe(SpanStatusCode.UNSET);
  });

  it('parents the span on the host traceparent (remote), keeping its trace id and tracestate', () => {
    sink().emit(call({ traceParent: `00-${TRACE_ID}-${PARENT_ID}-01`, traceState: 'vendor=abc' }));
    const span = only();
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(span.parentSpanContext?.isRemote).toBe(true);
    expect(span.parentSpanContext?.traceState?.get('vendor')).toBe('abc');
  });

  it.each([
    ['another version', `01-${TRACE_ID}-${PARENT_ID}-01`],
    ['upper-case hex', `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`],
    ['a zero trace id', `00-${'0'.repeat(32)}-${PARENT_ID}-01`],
    ['a zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['trailing text', `00-${TRACE_ID}-${PARENT_ID}-01-extra`],
  ])('ignores a traceparent with %s: the span starts a trace of its own', (_label, traceParent) => {
    sink().emit(call({ traceParent }));
    const span = only();
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.spanContext().traceId).not.toBe(TRACE_ID);
  });

  it('never records arguments, results, _meta, list items or the URI unless asked; an asked URI loses userinfo and query', () => {
    const s = sink();
    const event = { ...call({ method: 'resources/read', tool: undefined, uri: 'https://user:secret@host/doc?token=abc#f', items: ['hidden'] }), arguments: { password: 'p' }, _meta: { k: 'v' } } as AuditEvent;
    s.emit(event);
    createOtelAuditSink({ tracer, includeResourceUri: true }).emit(event);
    const [plain, withUri] = spans.getFinishedSpans();
    const dump = JSON.stringify(plain!.attributes);
    for (const secret of ['secret', 'token', 'hidden', 'password', 'host/doc']) expect(dump).not.toContain(secret);
    expect(withUri!.attributes['mcp.resource.uri']).toBe('https://host/doc');
  });

  it('escapes and bounds hostile names itself (256 characters at most), whatever the SDK limits', () => {
    const hostile = `evil\u202E\n${'x'.repeat(10_000)}`;
    sink().emit(call({ tool: hostile, requestId: 'r'.repeat(5000), reason: 'y'.repeat(5000), action: 'blocked' }));
    const span = only();
    const tool = span.attributes['gen_ai.tool.name'] as string;
    expect(tool.length).toBeLessThanOrEqual(256);
    expect(tool.startsWith('evil\\u{202E}\\u{000A}x')).toBe(true);
    expect(tool).not.toMatch(/[\n\u202E]/);
    expect((span.attributes['jsonrpc.request.id'] as string).length).toBeLessThanOrEqual(256);
    expect(span.status.message!.length).toBeLessThanOrEqual(256);
    expect(span.name.length).toBeLessThanOrEqual('tools/call '.length + 256);
  });
});

describe('createOtelAuditSink: other decisions', () => {
  it('records a filtered list as a zero-duration INTERNAL span mcptrust.<action> <method> with the count', () => {
    sink().emit({ time: TIME, action: 'filtered', direction: 'server_to_host', method: 'tools/list', count: 2, items: ['a', 'b'], mode: 'enforce' });
    const span = only();
    expect(span.name).toBe('mcptrust.filtered tools/list');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.attributes['mcptrust.count']).toBe(2);
    expect(span.attributes['mcptrust.decision']).toBe('filtered');
    expect(JSON.stringify(span.attributes)).not.toContain('"a"');
    expect(span.startTime).toEqual(span.endTime);
  });

  it('names a decision without a method after the action only', () => {
    sink().emit({ time: TIME, action: 'session', direction: 'internal', reason: 'preflight drift' });
    expect(only().name).toBe('mcptrust.session');
    expect(only().attributes['mcptrust.reason']).toBe('preflight drift');
  });
});

describe('createOtelAuditSink: metrics', () => {
  it('records the duration histogram in seconds with the advised buckets, and the decision counter', async () => {
    const s = sink({ pinnedTools: new Set(['get_weather']) });
    s.emit(call({ durationMs: 250 }));
    s.emit(call({ action: 'blocked', tool: 'exec_shell', errorCode: -32601, durationMs: 1 }));
    s.emit({ time: TIME, action: 'filtered', direction: 'server_to_host', method: 'tools/list', count: 1 });
    const all = await collected();
    const histogram = all.find((m) => m.descriptor.name === 'mcp.server.operation.duration') as HistogramMetricData;
    expect(histogram.descriptor.unit).toBe('s');
    expect(histogram.dataPointType).toBe(DataPointType.HISTOGRAM);
    const points = histogram.dataPoints.map((p) => p.attributes);
    expect(points).toContainEqual({ 'mcp.method.name': 'tools/call', 'network.transport': 'pipe', 'gen_ai.tool.name': 'get_weather', 'gen_ai.operation.name': 'execute_tool' });
    // An unpinned (possibly hostile) name never becomes a metric dimension.
    expect(points).toContainEqual({
      'mcp.method.name': 'tools/call',
      'network.transport': 'pipe',
      'gen_ai.tool.name': '_OTHER',
      'gen_ai.operation.name': 'execute_tool',
      'error.type': '-32601',
      'rpc.response.status_code': '-32601',
    });
    const allowed = histogram.dataPoints.find((p) => p.attributes['gen_ai.tool.name'] === 'get_weather')!;
    expect(allowed.value.sum).toBeCloseTo(0.25, 6);
    expect(allowed.value.buckets.boundaries).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]);
    const counter = all.find((m) => m.descriptor.name === 'mcptrust.proxy.decisions') as SumMetricData;
    const counts = counter.dataPoints.map((p) => [p.attributes['mcptrust.decision'], p.attributes['mcp.method.name'], p.value]);
    expect(counts).toEqual(expect.arrayContaining([['allowed', 'tools/call', 1], ['blocked', 'tools/call', 1], ['filtered', 'tools/list', 1]]));
    expect(counts).toHaveLength(3);
  });

  it('keeps unpinned prompts and unknown methods off metric dimensions (_OTHER)', async () => {
    const s = sink({ pinnedPrompts: new Set(['summary']) });
    s.emit(call({ method: 'prompts/get', tool: undefined, prompt: 'attacker-prompt' }));
    s.emit(call({ method: 'x/\u202Enew-method-each-time', tool: undefined }));
    const all = await collected();
    const histogram = all.find((m) => m.descriptor.name === 'mcp.server.operation.duration') as HistogramMetricData;
    const points = histogram.dataPoints.map((p) => p.attributes);
    expect(points).toContainEqual({ 'mcp.method.name': 'prompts/get', 'network.transport': 'pipe', 'gen_ai.prompt.name': '_OTHER' });
    expect(points).toContainEqual({ 'mcp.method.name': '_OTHER', 'network.transport': 'pipe' });
  });

  it('records no duration for a request without one, and works without a meter', async () => {
    sink().emit(call({ durationMs: undefined }));
    createOtelAuditSink({ tracer }).emit(call());
    const all = await collected();
    expect(all.find((m) => m.descriptor.name === 'mcp.server.operation.duration')).toBeUndefined();
    expect(spans.getFinishedSpans()).toHaveLength(2);
  });
});

describe('createOtelAuditSink: never throws', () => {
  it('drops an event the tracer cannot record and warns once', () => {
    const warnings: string[] = [];
    const broken = { startSpan: () => { throw new Error('tracer down'); } } as unknown as Tracer;
    const s = createOtelAuditSink({ tracer: broken, onWarning: (m) => warnings.push(m) });
    expect(() => s.emit(call())).not.toThrow();
    expect(() => s.emit(call())).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/tracer down/);
    expect(s.spans).toBe(0);
  });

  it('still counts the decision when the span fails, and survives a throwing warning callback and junk events', async () => {
    const broken = { startSpan: () => { throw new Error('tracer down'); } } as unknown as Tracer;
    const s = createOtelAuditSink({ tracer: broken, meter, onWarning: () => { throw new Error('callback'); } });
    expect(() => s.emit(call())).not.toThrow();
    expect(() => s.emit({ time: 'not a date', action: 'dropped', direction: 'server_to_host' } as AuditEvent)).not.toThrow();
    expect(() => s.emit(null as unknown as AuditEvent)).not.toThrow();
    const all = await collected();
    const counter = all.find((m) => m.descriptor.name === 'mcptrust.proxy.decisions') as SumMetricData;
    expect(counter.dataPoints.map((p) => p.attributes['mcptrust.decision']).sort()).toEqual(['allowed', 'dropped']);
  });
});
