/**
 * The OpenTelemetry SDK of the CLI: tracer and meter providers exporting over OTLP/HTTP.
 * Loaded only by `await import('./observe/otel-sdk.js')` when `--otel` is given, so the
 * bundle keeps the SDK in a chunk of its own that nothing else loads. Nothing is
 * registered globally except a diagnostic logger that reports through `warn` (stderr):
 * stdout is the MCP channel of the proxy, so neither the console nor a console exporter
 * is ever used.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { DiagLogger, Meter, Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, Sampler, SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtelConfig } from './otel-config.js';

/** A started SDK: where spans and metrics go, and how to flush them at the end. */
export interface OtelRuntime {
  /** Tracer of the `mcptrust` instrumentation scope. */
  tracer: Tracer;
  /** Meter of the `mcptrust` instrumentation scope. */
  meter: Meter;
  /**
   * Exports what is pending and stops both providers, within `timeoutMs` (default 3000):
   * never throws, never takes longer, and warns once if the collector could not be
   * reached. Later calls return at once.
   */
  shutdown(timeoutMs?: number): Promise<void>;
}

/** Options of {@link startOtel}. */
export interface StartOtelOptions {
  /** `service.version` (the MCPTrust version). */
  version: string;
  /** Reports a problem of the telemetry itself (stderr); never throws. */
  warn(message: string): void;
}

/** Default bound of {@link OtelRuntime.shutdown}. */
export const DEFAULT_OTEL_SHUTDOWN_MS = 3000;
/**
 * Deadline of one export, retries included. Shorter than the default shutdown budget:
 * the final export starts when shutdown does, so even its retry timers are over before
 * the budget is.
 */
const EXPORT_TIMEOUT_MS = 2000;
/** Metrics are exported at shutdown; the interval only matters for long proxy sessions. */
const METRIC_INTERVAL_MS = 60_000;
/** Bound of every span attribute value (tool names and reasons are attacker-controlled). */
const ATTRIBUTE_VALUE_LIMIT = 256;
/** Distinct diagnostic messages passed on, at most, per run. */
const MAX_DIAGNOSTICS = 5;

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message || error.name;
  }
  return String(error);
}

/** An SDK diagnostic as one short line (the SDK passes errors as JSON with a stack). */
function diagnosticText(message: string, args: unknown[]): string {
  let text = message;
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === 'string') text = parsed.message;
    } catch {
      // Not JSON after all: keep it as it is.
    }
  }
  return [text, ...args.map(describe)].join(' ').replace(/\s+/g, ' ').slice(0, 300);
}

/**
 * A connection per export, never keeping the process alive by itself: shutdown holds a
 * timer of its own while it waits, and an export still running after the budget must
 * not delay the exit.
 */
function detachedAgent(protocol: string): HttpAgent {
  const agent = protocol === 'https:' ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false });
  const connect = (agent as unknown as { createConnection: (...args: unknown[]) => Socket | undefined }).createConnection.bind(agent);
  (agent as unknown as { createConnection: (...args: unknown[]) => Socket | undefined }).createConnection = (...args: unknown[]) => {
    const socket = connect(...args);
    socket?.unref();
    return socket;
  };
  return agent;
}

function samplerFor(ratio: number): Sampler {
  if (ratio >= 1) return new AlwaysOnSampler();
  if (ratio <= 0) return new AlwaysOffSampler();
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
}

/**
 * Starts tracing and metrics for one CLI run: a tracer provider (batched OTLP export,
 * sampler AlwaysOn at ratio 1, AlwaysOff at 0, else parent-based trace-id ratio, span
 * attribute values cut to 256 characters) and a meter provider (periodic OTLP export,
 * flushed at shutdown), both with the resource `service.name` and `service.version` only
 * (no host, process or command-line detectors). Exports go to `config.tracesUrl` and
 * `config.metricsUrl` as JSON or protobuf. Providers are not registered globally: use
 * the returned tracer and meter. Export failures are reported once through
 * `options.warn`, never thrown.
 *
 * @param config - from `otelConfigFrom`
 * @param options - {@link StartOtelOptions}
 * @returns the running SDK
 */
export function startOtel(config: OtelConfig, options: StartOtelOptions): OtelRuntime {
  const warn = (message: string): void => {
    try {
      options.warn(message);
    } catch {
      // Reporting must not fail the command.
    }
  };
  let unreachable: string | undefined;
  let reported = false;
  const reportUnreachable = (url: string, error: unknown): void => {
    unreachable ??= `OpenTelemetry: the collector at ${url} did not accept telemetry (${describe(error)}); spans and metrics are dropped`;
    if (!reported) {
      reported = true;
      warn(unreachable);
    }
  };

  // The SDK's own diagnostics (export errors, dropped spans): through warn, bounded.
  const seen = new Set<string>();
  const forward = (message: string, ...args: unknown[]): void => {
    // An export failure is reported above, once, with the collector's address.
    if (unreachable !== undefined || seen.size >= MAX_DIAGNOSTICS) return;
    const text = diagnosticText(message, args);
    if (seen.has(text)) return;
    seen.add(text);
    warn(`OpenTelemetry: ${text}`);
  };
  const logger: DiagLogger = { error: forward, warn: forward, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });

  const exporterConfig = {
    timeoutMillis: EXPORT_TIMEOUT_MS,
    httpAgentOptions: detachedAgent,
    ...(config.headers === undefined ? {} : { headers: { ...config.headers } }),
  };
  const json = config.protocol === 'http/json';
  const spanExporter = watchSpans(
    json ? new JsonTraceExporter({ ...exporterConfig, url: config.tracesUrl }) : new ProtoTraceExporter({ ...exporterConfig, url: config.tracesUrl }),
    (error) => reportUnreachable(config.tracesUrl, error),
  );
  const metricExporter = watchMetrics(
    json ? new JsonMetricExporter({ ...exporterConfig, url: config.metricsUrl }) : new ProtoMetricExporter({ ...exporterConfig, url: config.metricsUrl }),
    (error) => reportUnreachable(config.metricsUrl, error),
  );
  const resource = resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': options.version });
  const tracerProvider = new TracerProvider({
    resource,
    sampler: samplerFor(config.sampleRatio),
    spanLimits: { attributeValueLengthLimit: ATTRIBUTE_VALUE_LIMIT },
    spanProcessors: [new BatchSpanProcessor({ exporter: spanExporter, exportTimeoutMillis: EXPORT_TIMEOUT_MS })],
  });
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: METRIC_INTERVAL_MS, exportTimeoutMillis: EXPORT_TIMEOUT_MS })],
  });

  let stopping: Promise<void> | undefined;
  const stop = async (timeoutMs: number): Promise<void> => {
    const settle = (work: Promise<unknown>, url: string): Promise<void> =>
      work.then(
        () => undefined,
        (error: unknown) => reportUnreachable(url, error),
      );
    // Shutting a provider down flushes it first: pending spans are exported, metrics
    // collected and exported once more.
    const work = Promise.all([settle(tracerProvider.shutdown(), config.tracesUrl), settle(meterProvider.shutdown(), config.metricsUrl)]);
    // A timer that keeps the process alive while the exports (on detached sockets) run.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, timeoutMs));
    });
    const outcome = await Promise.race([work.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late' && !reported) {
      reportUnreachable(config.tracesUrl, new Error(`no answer within ${timeoutMs} ms`));
    }
    diag.disable();
  };

  return {
    tracer: tracerProvider.getTracer('mcptrust', options.version),
    meter: meterProvider.getMeter('mcptrust', options.version),
    shutdown(timeoutMs: number = DEFAULT_OTEL_SHUTDOWN_MS): Promise<void> {
      stopping ??= stop(timeoutMs).catch(() => undefined);
      return stopping;
    },
  };
}

/** The span exporter, telling `failed` about every export that did not succeed. */
function watchSpans(inner: SpanExporter, failed: (error: unknown) => void): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      inner.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) failed(result.error ?? new Error('export failed'));
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/** The metric exporter, telling `failed` about every export that did not succeed. */
function watchMetrics(inner: PushMetricExporter, failed: (error: unknown) => void): PushMetricExporter {
  const watched: PushMetricExporter = {
    export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
      inner.export(metrics, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) failed(result.error ?? new Error('export failed'));
        done(result);
      });
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
  if (inner.selectAggregationTemporality !== undefined) watched.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
  if (inner.selectAggregation !== undefined) watched.selectAggregation = inner.selectAggregation.bind(inner);
  return watched;
}
