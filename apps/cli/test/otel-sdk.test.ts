// The CLI's OpenTelemetry: --otel* flags and OTEL_* variables read into one checked
// configuration, the SDK exporting to a loopback OTLP/HTTP receiver (there is no
// collector binary in the test environment), its behaviour when the collector is down,
// and the proxy's start-up bundle staying free of the SDK.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { otlpAttribute, startOtlpReceiver } from '@mcptrust/tooling/test-support/otlp-receiver.mjs';
import type { OtlpReceiver } from '@mcptrust/tooling/test-support/otlp-receiver.mjs';
import { UsageError } from '../src/exit-codes.js';
import { OTEL_FLAGS, otelConfigFrom } from '../src/observe/otel-config.js';
import type { OtelConfig } from '../src/observe/otel-config.js';
import { startOtel } from '../src/observe/otel-sdk.js';
import type { OtelRuntime } from '../src/observe/otel-sdk.js';

const NO_ENV: Readonly<Record<string, string | undefined>> = {};

describe('otelConfigFrom', () => {
  it('is off without --otel, whatever else is set', () => {
    expect(otelConfigFrom({}, NO_ENV)).toBeUndefined();
    expect(otelConfigFrom({ otel: false, 'otel-endpoint': 'localhost:4318' }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' })).toBeUndefined();
  });

  it('defaults to http://localhost:4318, http/json, service mcptrust, every trace sampled', () => {
    expect(otelConfigFrom({ otel: true }, NO_ENV)).toEqual({
      tracesUrl: 'http://localhost:4318/v1/traces',
      metricsUrl: 'http://localhost:4318/v1/metrics',
      protocol: 'http/json',
      serviceName: 'mcptrust',
      sampleRatio: 1,
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a loopback host:port gets http://', { 'otel-endpoint': 'localhost:4318' }, 'http://localhost:4318'],
    ['127.0.0.1:port gets http://', { 'otel-endpoint': '127.0.0.1:9999' }, 'http://127.0.0.1:9999'],
    ['[::1]:port gets http://', { 'otel-endpoint': '[::1]:4318' }, 'http://[::1]:4318'],
    ['a remote host:port gets https://', { 'otel-endpoint': 'collector.example.com:4318' }, 'https://collector.example.com:4318'],
    ['a remote host:port with --otel-insecure gets http://', { 'otel-endpoint': 'collector.example.com:4318', 'otel-insecure': true }, 'http://collector.example.com:4318'],
    ['a URL is kept, trailing slash dropped', { 'otel-endpoint': 'https://otel.example.com/otlp/' }, 'https://otel.example.com/otlp'],
    ['an explicit http:// URL is kept', { 'otel-endpoint': 'http://otel.example.com:4318' }, 'http://otel.example.com:4318'],
  ])('--otel-endpoint: %s', (_label, flags, base) => {
    const config = otelConfigFrom({ otel: true, ...flags }, NO_ENV)!;
    expect(config.tracesUrl).toBe(`${base}/v1/traces`);
    expect(config.metricsUrl).toBe(`${base}/v1/metrics`);
  });

  it('takes the endpoint from OTEL_EXPORTER_OTLP_ENDPOINT, and per-signal endpoints as they are; the flag wins over both', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/custom' };
    const fromEnv = otelConfigFrom({ otel: true }, env)!;
    expect(fromEnv.tracesUrl).toBe('https://traces.example.com/custom');
    expect(fromEnv.metricsUrl).toBe('http://base:4318/v1/metrics');
    const fromFlag = otelConfigFrom({ otel: true, 'otel-endpoint': '127.0.0.1:1' }, env)!;
    expect(fromFlag.tracesUrl).toBe('http://127.0.0.1:1/v1/traces');
  });

  it('reads the protocol (otlphttp is http/json), service name, sample ratio and headers', () => {
    const config = otelConfigFrom(
      { otel: true, 'otel-protocol': 'http/protobuf', 'otel-service-name': 'gateway', 'otel-sample-ratio': '0.25' },
      { OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, tenant = t1', OTEL_SERVICE_NAME: 'ignored' },
    )!;
    expect(config).toMatchObject({ protocol: 'http/protobuf', serviceName: 'gateway', sampleRatio: 0.25, headers: { 'x-api-key': 'abc==', tenant: 't1' } });
    expect(otelConfigFrom({ otel: true, 'otel-protocol': 'otlphttp' }, NO_ENV)!.protocol).toBe('http/json');
    expect(otelConfigFrom({ otel: true }, { OTEL_SERVICE_NAME: 'svc', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' })).toMatchObject({ serviceName: 'svc', protocol: 'http/protobuf' });
    expect(otelConfigFrom({ otel: true, 'otel-sample-ratio': '0' }, NO_ENV)!.sampleRatio).toBe(0);
  });

  it.each<[string, Record<string, unknown>, Record<string, string>, RegExp]>([
    ['gRPC', { 'otel-protocol': 'otlpgrpc' }, {}, /^--otel-protocol: OTLP over gRPC is not supported/],
    ['grpc', { 'otel-protocol': 'grpc' }, {}, /^--otel-protocol: OTLP over gRPC is not supported/],
    ['grpc from the environment', {}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /^OTEL_EXPORTER_OTLP_PROTOCOL: OTLP over gRPC/],
    ['an unknown protocol', { 'otel-protocol': 'thrift' }, {}, /^--otel-protocol: expected http\/json, http\/protobuf or otlphttp/],
    ['a ratio above 1', { 'otel-sample-ratio': '1.5' }, {}, /^--otel-sample-ratio: expected a number from 0 to 1/],
    ['a negative ratio', { 'otel-sample-ratio': '-0.1' }, {}, /^--otel-sample-ratio/],
    ['a ratio that is not a number', { 'otel-sample-ratio': 'half' }, {}, /^--otel-sample-ratio/],
    ['an empty ratio', { 'otel-sample-ratio': '' }, {}, /^--otel-sample-ratio/],
    ['a non-HTTP scheme', { 'otel-endpoint': 'grpc://collector:4317' }, {}, /^--otel-endpoint: OTLP is exported over HTTP/],
    ['an empty endpoint', { 'otel-endpoint': ' ' }, {}, /^--otel-endpoint: expected a URL or host:port/],
    ['an endpoint with a query', { 'otel-endpoint': 'http://c:4318/?x=1' }, {}, /^--otel-endpoint: the endpoint is a base URL/],
    ['a repeated endpoint', { 'otel-endpoint': ['a:1', 'b:2'] }, {}, /^--otel-endpoint: expected one value/],
    ['an empty service name', { 'otel-service-name': '' }, {}, /^--otel-service-name/],
    ['a bad base endpoint in the environment', {}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://c' }, /^OTEL_EXPORTER_OTLP_ENDPOINT:/],
    ['a bad traces endpoint in the environment', {}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }, /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:/],
    ['a header entry without =', {}, { OTEL_EXPORTER_OTLP_HEADERS: 'authorization' }, /^OTEL_EXPORTER_OTLP_HEADERS: entry 1/],
  ])('refuses %s with a usage error naming the flag or variable', (_label, flags, env, message) => {
    let error: unknown;
    try {
      otelConfigFrom({ otel: true, ...flags }, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('never shows a header value or URL credentials in an error', () => {
    const messages: string[] = [];
    for (const env of [{ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%ZZsecret-token' }, { OTEL_EXPORTER_OTLP_HEADERS: 'bad name=secret-token' }]) {
      try {
        otelConfigFrom({ otel: true }, env);
      } catch (e) {
        messages.push((e as Error).message);
      }
    }
    try {
      otelConfigFrom({ otel: true, 'otel-endpoint': 'http://user:secret-token@[bad' }, NO_ENV);
    } catch (e) {
      messages.push((e as Error).message);
    }
    expect(messages).toHaveLength(3);
    for (const m of messages) expect(m).not.toContain('secret-token');
  });

  it('describes every flag in the shape of the proxy flag table', () => {
    expect(OTEL_FLAGS.map((f) => f.name)).toEqual(['otel', 'otel-endpoint', 'otel-protocol', 'otel-service-name', 'otel-sample-ratio', 'otel-insecure']);
    for (const flag of OTEL_FLAGS) {
      expect(['string', 'boolean']).toContain(flag.type);
      expect(flag.describe.length).toBeGreaterThan(10);
    }
    // Flags whose default comes from the environment have none in the table.
    expect(OTEL_FLAGS.filter((f) => f.default !== undefined).map((f) => f.name)).toEqual(['otel', 'otel-insecure']);
  });
});

describe('startOtel against a loopback OTLP receiver', () => {
  let receiver: OtlpReceiver;
  let runtime: OtelRuntime | undefined;
  let warnings: string[];
  let stdout: string[];

  function config(overrides: Partial<OtelConfig> = {}): OtelConfig {
    return { tracesUrl: `${receiver.url}/v1/traces`, metricsUrl: `${receiver.url}/v1/metrics`, protocol: 'http/json', serviceName: 'mcptrust-test', sampleRatio: 1, ...overrides };
  }
  function start(overrides: Partial<OtelConfig> = {}): OtelRuntime {
    runtime = startOtel(config(overrides), { version: '9.8.7', warn: (m) => warnings.push(m) });
    return runtime;
  }

  beforeEach(async () => {
    receiver = await startOtlpReceiver();
    warnings = [];
    stdout = [];
    // stdout is the MCP channel of the proxy: nothing of the telemetry may reach it.
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      stdout.push(String(chunk));
      return true;
    });
    for (const method of ['log', 'info', 'debug', 'warn', 'error'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void stdout.push(args.map(String).join(' ')));
    }
  });

  afterEach(async () => {
    await runtime?.shutdown(1000);
    runtime = undefined;
    jest.restoreAllMocks();
    await receiver.close();
  });

  it('exports spans as OTLP/JSON with their names, kinds, attributes, status and a resource of service name and version only', async () => {
    const { tracer } = start();
    const span = tracer.startSpan('tools/call get_weather', { kind: SpanKind.SERVER, attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'get_weather', 'jsonrpc.request.id': '7' } });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'not in allowlist' });
    span.end();
    tracer.startSpan('mcptrust.lock', { attributes: { 'mcptrust.exit_code': 0 } }).end();
    await runtime!.shutdown();
    const spans = receiver.spans();
    expect(spans.map((s) => s.name)).toEqual(['tools/call get_weather', 'mcptrust.lock']);
    const [call, lock] = spans;
    expect(call!.kind).toBe(2); // SERVER
    expect(lock!.kind).toBe(1); // INTERNAL
    expect(otlpAttribute(call!.attributes, 'gen_ai.tool.name')).toBe('get_weather');
    expect(otlpAttribute(call!.attributes, 'jsonrpc.request.id')).toBe('7');
    expect(otlpAttribute(lock!.attributes, 'mcptrust.exit_code')).toBe(0);
    expect(call!.status).toMatchObject({ code: 2, message: 'not in allowlist' });
    expect(call!.traceId).toMatch(/^[0-9a-f]{32}$/);
    const resource = (call!.resource?.attributes ?? []).map((a) => a.key).sort();
    expect(resource).toEqual(['service.name', 'service.version']);
    expect(otlpAttribute(call!.resource?.attributes, 'service.name')).toBe('mcptrust-test');
    expect(otlpAttribute(call!.resource?.attributes, 'service.version')).toBe('9.8.7');
    expect(receiver.requests.every((r) => r.contentType.startsWith('application/json'))).toBe(true);
    expect(warnings).toEqual([]);
    expect(stdout).toEqual([]);
  });

  it('cuts every span attribute value to 256 characters', async () => {
    start().tracer.startSpan('hostile', { attributes: { 'gen_ai.tool.name': 'x'.repeat(5000) } }).end();
    await runtime!.shutdown();
    expect(String(otlpAttribute(receiver.spans()[0]!.attributes, 'gen_ai.tool.name'))).toHaveLength(256);
  });

  it('exports metrics at shutdown, histograms with their bucket boundaries', async () => {
    const { meter } = start();
    meter.createCounter('mcptrust.proxy.decisions').add(3, { 'mcptrust.decision': 'blocked' });
    meter.createHistogram('mcp.server.operation.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.01, 0.1, 1] } }).record(0.05, { 'mcp.method.name': 'tools/call' });
    await runtime!.shutdown();
    const metrics = receiver.metrics();
    const counter = metrics.find((m) => m.name === 'mcptrust.proxy.decisions');
    expect(Number(counter.sum.dataPoints[0].asInt ?? counter.sum.dataPoints[0].asDouble)).toBe(3);
    const histogram = metrics.find((m) => m.name === 'mcp.server.operation.duration');
    expect(histogram.unit).toBe('s');
    expect(histogram.histogram.dataPoints[0].explicitBounds).toEqual([0.01, 0.1, 1]);
  });

  it('sends the configured headers', async () => {
    start({ headers: { 'x-api-key': 'k-123' } }).tracer.startSpan('s').end();
    await runtime!.shutdown();
    const request = await receiver.waitFor((r) => r.path === '/v1/traces');
    expect(request.headers['x-api-key']).toBe('k-123');
  });

  it('compresses with gzip when OTEL_EXPORTER_OTLP_COMPRESSION says so', async () => {
    const saved = process.env['OTEL_EXPORTER_OTLP_COMPRESSION'];
    process.env['OTEL_EXPORTER_OTLP_COMPRESSION'] = 'gzip';
    try {
      start().tracer.startSpan('zipped').end();
    } finally {
      if (saved === undefined) delete process.env['OTEL_EXPORTER_OTLP_COMPRESSION'];
      else process.env['OTEL_EXPORTER_OTLP_COMPRESSION'] = saved;
    }
    await runtime!.shutdown();
    const request = await receiver.waitFor((r) => r.path === '/v1/traces');
    expect(request.contentEncoding).toBe('gzip');
    expect(receiver.spans().map((s) => s.name)).toEqual(['zipped']);
  });

  it('samples nothing at ratio 0 (metrics still flow)', async () => {
    const { tracer, meter } = start({ sampleRatio: 0 });
    const span = tracer.startSpan('dropped');
    expect(span.isRecording()).toBe(false);
    span.end();
    meter.createCounter('c').add(1);
    await runtime!.shutdown();
    expect(receiver.requests.some((r) => r.path === '/v1/metrics')).toBe(true);
    expect(receiver.spans()).toEqual([]);
  });

  it('registers no global provider: the global tracer stays a no-op', () => {
    start();
    const span = trace.getTracer('elsewhere').startSpan('global');
    expect(span.isRecording()).toBe(false);
    span.end();
  });

  it('sends http/protobuf as application/x-protobuf, with non-empty bodies', async () => {
    const { tracer, meter } = start({ protocol: 'http/protobuf' });
    tracer.startSpan('proto').end();
    meter.createCounter('c').add(1);
    await runtime!.shutdown();
    const traces = receiver.requests.filter((r) => r.path === '/v1/traces');
    const metrics = receiver.requests.filter((r) => r.path === '/v1/metrics');
    expect(traces.length).toBeGreaterThan(0);
    expect(metrics.length).toBeGreaterThan(0);
    for (const r of [...traces, ...metrics]) {
      expect(r.contentType).toBe('application/x-protobuf');
      expect(r.raw.byteLength).toBeGreaterThan(0);
      expect(r.json).toBeUndefined();
    }
    // The span's name travels in the protobuf bytes.
    expect(Buffer.from(traces[0]!.raw).includes(Buffer.from('proto'))).toBe(true);
  });

  it('when the collector is down (closed port): shutdown returns, warns once naming the collector, writes nothing to stdout', async () => {
    const closedUrl = receiver.url;
    await receiver.close();
    receiver = await startOtlpReceiver(); // for afterEach; the runtime points at the closed port
    runtime = startOtel(
      { tracesUrl: `${closedUrl}/v1/traces`, metricsUrl: `${closedUrl}/v1/metrics`, protocol: 'http/json', serviceName: 's', sampleRatio: 1 },
      { version: '1', warn: (m) => warnings.push(m) },
    );
    runtime.tracer.startSpan('lost').end();
    runtime.meter.createCounter('c').add(1);
    const outcome = await Promise.race([runtime.shutdown(5000).then(() => 'returned'), new Promise((r) => setTimeout(() => r('stuck'), 15_000).unref())]);
    expect(outcome).toBe('returned');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^OpenTelemetry: the collector at http:\/\/127\.0\.0\.1:\d+\/v1\/(traces|metrics) did not accept telemetry/);
    expect(stdout).toEqual([]);
    await runtime.shutdown(); // a second call returns at once and warns no more
    expect(warnings).toHaveLength(1);
  });

  it('when the collector accepts but never answers: shutdown gives up at its budget, warns once, writes nothing to stdout', async () => {
    const held: ServerResponse[] = [];
    const silent = createServer((_req, res) => void held.push(res));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      runtime = startOtel({ tracesUrl: `${url}/v1/traces`, metricsUrl: `${url}/v1/metrics`, protocol: 'http/json', serviceName: 's', sampleRatio: 1 }, { version: '1', warn: (m) => warnings.push(m) });
      runtime.tracer.startSpan('held').end();
      runtime.meter.createCounter('c').add(1);
      const outcome = await Promise.race([runtime.shutdown(500).then(() => 'returned'), new Promise((r) => setTimeout(() => r('stuck'), 15_000).unref())]);
      expect(outcome).toBe('returned');
      expect(held.length).toBeGreaterThan(0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/did not accept telemetry \(no answer within 500 ms\)/);
      expect(stdout).toEqual([]);
    } finally {
      for (const res of held) res.destroy();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('when the collector answers 503: shutdown gives up at its budget, warns once, writes nothing to stdout', async () => {
    receiver.setUnavailable(true);
    const { tracer } = start();
    tracer.startSpan('refused').end();
    const outcome = await Promise.race([runtime!.shutdown(500).then(() => 'returned'), new Promise((r) => setTimeout(() => r('stuck'), 15_000).unref())]);
    expect(outcome).toBe('returned');
    expect(receiver.requests.some((r) => r.answered === 503)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/did not accept telemetry/);
    expect(stdout).toEqual([]);
  });
});

describe('@mcptrust/audit/otel against the SDK', () => {
  it('uses the names of @opentelemetry/semantic-conventions 1.45.0 for every convention it shares', async () => {
    const ours = await import('@mcptrust/audit/otel');
    const semconv = (await import('@opentelemetry/semantic-conventions/incubating')) as unknown as Record<string, unknown>;
    const shared = Object.keys(ours).filter((k) => /^(ATTR|METRIC|ERROR_TYPE_VALUE|GEN_AI_OPERATION_NAME_VALUE|NETWORK_TRANSPORT_VALUE)_/.test(k) && k in semconv);
    expect(shared).toEqual(
      expect.arrayContaining([
        'ATTR_MCP_METHOD_NAME', 'ATTR_MCP_PROTOCOL_VERSION', 'ATTR_MCP_RESOURCE_URI', 'ATTR_GEN_AI_TOOL_NAME', 'ATTR_GEN_AI_PROMPT_NAME',
        'ATTR_GEN_AI_OPERATION_NAME', 'ATTR_JSONRPC_REQUEST_ID', 'ATTR_ERROR_TYPE', 'ATTR_RPC_RESPONSE_STATUS_CODE', 'ATTR_NETWORK_TRANSPORT',
        'METRIC_MCP_SERVER_OPERATION_DURATION', 'ERROR_TYPE_VALUE_OTHER', 'GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL', 'NETWORK_TRANSPORT_VALUE_PIPE',
      ]),
    );
    for (const key of shared) expect([key, (ours as Record<string, unknown>)[key]]).toEqual([key, semconv[key]]);
  });

  it('sends a proxy decision through the SDK as an MCP server span parented on the host trace', async () => {
    const { createOtelAuditSink } = await import('@mcptrust/audit/otel');
    const receiver = await startOtlpReceiver();
    try {
      const runtime = startOtel(
        { tracesUrl: `${receiver.url}/v1/traces`, metricsUrl: `${receiver.url}/v1/metrics`, protocol: 'http/json', serviceName: 's', sampleRatio: 1 },
        { version: '1', warn: () => {} },
      );
      const sink = createOtelAuditSink({ tracer: runtime.tracer, meter: runtime.meter, pinnedTools: new Set(['get_weather']), runId: 'run-9' });
      sink.emit({
        time: new Date().toISOString(), action: 'blocked', direction: 'host_to_server', method: 'tools/call', tool: 'exec_shell', errorCode: -32601,
        reason: 'not in allowlist', requestId: '3', durationMs: 2, traceParent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      });
      await runtime.shutdown();
      const [span] = receiver.spans();
      expect(span!.name).toBe('tools/call exec_shell');
      expect(span!.kind).toBe(2);
      expect(span!.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(span!.parentSpanId).toBe('00f067aa0ba902b7');
      expect(otlpAttribute(span!.attributes, 'error.type')).toBe('-32601');
      expect(otlpAttribute(span!.attributes, 'mcptrust.run_id')).toBe('run-9');
      const histogram = receiver.metrics().find((m) => m.name === 'mcp.server.operation.duration');
      expect(otlpAttribute(histogram.histogram.dataPoints[0].attributes, 'gen_ai.tool.name')).toBe('_OTHER');
    } finally {
      await receiver.close();
    }
  });
});

describe('the proxy start-up bundle', () => {
  it('does not load the OpenTelemetry SDK or API statically (only --otel loads them, lazily)', () => {
    // Every chunk the proxy entry imports statically (dynamic import() is lazy and not
    // followed); each bundled module keeps a "// <path>" comment naming its source.
    const dist = fileURLToPath(new URL('../dist/', import.meta.url));
    expect(readdirSync(dist)).toContain('mcptrust-proxy.js');
    const loaded = new Set<string>();
    const visit = (file: string): void => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const text = readFileSync(dist + file, 'utf8');
      for (const m of text.matchAll(/\b(?:import|export)\s*(?:\{[^}]*\}|\*\s+as\s+\w+|\w+)?\s*(?:from\s*)?"\.\/([^"]+)"/g)) visit(m[1]!);
    };
    visit('mcptrust-proxy.js');
    expect(loaded.size).toBeGreaterThan(1);
    const sources = [...loaded].flatMap((file) => [...readFileSync(dist + file, 'utf8').matchAll(/^\/\/ (\S+)$/gm)].map((m) => m[1]!));
    expect(sources.some((s) => s.includes('packages/proxy-core/'))).toBe(true);
    expect(sources.filter((s) => /@opentelemetry|observe\/otel-sdk|audit\/(?:src|dist)\/otel\//.test(s))).toEqual([]);
  });
});
