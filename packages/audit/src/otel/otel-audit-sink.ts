import { ROOT_CONTEXT, SpanKind, SpanStatusCode, createTraceState, trace } from '@opentelemetry/api';
import type { Attributes, Context, Counter, HrTime, Histogram, Meter, Tracer } from '@opentelemetry/api';
import type { AuditEvent } from '../audit-event.types.js';
import { redactUri } from '../redact/uri.js';
import { sanitizeText } from '../redact/text.js';
import type { AuditSink } from '../sinks.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCPTRUST_COUNT,
  ATTR_MCPTRUST_DECISION,
  ATTR_MCPTRUST_MODE,
  ATTR_MCPTRUST_REASON,
  ATTR_MCPTRUST_RUN_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_MCP_RESOURCE_URI,
  ATTR_NETWORK_TRANSPORT,
  ATTR_RPC_RESPONSE_STATUS_CODE,
  ERROR_TYPE_VALUE_OTHER,
  ERROR_TYPE_VALUE_TOOL_ERROR,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  MCP_OPERATION_DURATION_BUCKETS,
  METRIC_MCPTRUST_PROXY_DECISIONS,
  METRIC_MCP_SERVER_OPERATION_DURATION,
  NETWORK_TRANSPORT_VALUE_PIPE,
} from './semconv.js';

/** Options of {@link createOtelAuditSink}. */
export interface OtelAuditSinkOptions {
  /** Where spans go (`tracerProvider.getTracer(…)`); nothing is registered globally. */
  tracer: Tracer;
  /** Where metrics go; without it only spans are recorded. */
  meter?: Meter;
  /** Tool names pinned by the lockfile: only these appear as `gen_ai.tool.name` on metrics. */
  pinnedTools?: ReadonlySet<string>;
  /** Prompt names pinned by the lockfile: only these appear as `gen_ai.prompt.name` on metrics. */
  pinnedPrompts?: ReadonlySet<string>;
  /** MCPTrust run id, recorded as `mcptrust.run_id` on every span. */
  runId?: string;
  /** Record `mcp.resource.uri` (without userinfo, query or fragment) on spans. Off by default. */
  includeResourceUri?: boolean;
  /** Told (once) when recording an event failed; the event is dropped, nothing is thrown. */
  onWarning?: (message: string) => void;
}

/** An {@link AuditSink} that records decisions as OpenTelemetry spans and metrics. */
export interface OtelAuditSink extends AuditSink {
  /** How many spans this sink has started (and ended). */
  readonly spans: number;
}

/** Bound of attacker-controlled attribute values, `…` included. */
const MAX_TEXT = 256;

/** Methods recorded by name on metrics; any other method is `_OTHER` there (bounded cardinality). */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'initialize', 'ping', 'tools/list', 'tools/call', 'prompts/list', 'prompts/get', 'resources/list',
  'resources/templates/list', 'resources/read', 'resources/subscribe', 'resources/unsubscribe',
  'completion/complete', 'logging/setLevel', 'sampling/createMessage', 'elicitation/create', 'roots/list',
  'notifications/initialized', 'notifications/cancelled', 'notifications/progress', 'notifications/message',
  'notifications/tools/list_changed', 'notifications/prompts/list_changed', 'notifications/resources/list_changed',
  'notifications/resources/updated', 'notifications/roots/list_changed',
]);

/** Decisions about a host request that mean it failed. */
const FAILED: ReadonlySet<AuditEvent['action']> = new Set(['blocked', 'timeout', 'dropped']);

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function text(value: string): string {
  return sanitizeText(value, MAX_TEXT - 1);
}

/** Milliseconds since the epoch → OpenTelemetry high-resolution time. */
function hrTime(ms: number): HrTime {
  const whole = Math.floor(ms);
  const seconds = Math.floor(whole / 1000);
  const nanos = (whole - seconds * 1000) * 1e6 + Math.round((ms - whole) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}

/**
 * The parent context of a host request: its W3C `traceparent` (version 00 only, ids not
 * all zero) as a remote parent, else the root context. Only read, never forwarded.
 */
function parentContext(event: AuditEvent): Context {
  const match = typeof event.traceParent === 'string' ? TRACEPARENT.exec(event.traceParent) : null;
  if (match === null) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return ROOT_CONTEXT;
  const traceState = typeof event.traceState === 'string' && event.traceState.length <= 512 ? createTraceState(event.traceState) : undefined;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & 0xff,
    isRemote: true,
    ...(traceState === undefined ? {} : { traceState }),
  });
}

/** `error.type` of a decision, or undefined when the operation did not fail. */
function errorTypeOf(event: AuditEvent): string | undefined {
  if (typeof event.errorCode === 'number' && Number.isFinite(event.errorCode)) return String(event.errorCode);
  if (event.toolError === true) return ERROR_TYPE_VALUE_TOOL_ERROR;
  return FAILED.has(event.action) ? ERROR_TYPE_VALUE_OTHER : undefined;
}

function eventTimeMs(event: AuditEvent): number {
  const ms = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
  return Number.isFinite(ms) ? ms : Date.now();
}

/**
 * Creates a sink that turns audit events into OpenTelemetry data, following the MCP
 * semantic conventions (server side, stdio transport):
 *
 * - A decision about one host request (an event with `requestId`) becomes one SERVER
 *   span named `{method} {tool|prompt}` (or `{method}`), from the request's arrival
 *   (`time − durationMs`) to its answer (`time`), with `mcp.method.name`,
 *   `gen_ai.tool.name`/`gen_ai.prompt.name`, `gen_ai.operation.name` (`execute_tool` on
 *   `tools/call`), `jsonrpc.request.id`, `mcp.protocol.version`, `network.transport=pipe`,
 *   `mcptrust.decision`, `mcptrust.reason`, `mcptrust.mode` and `mcptrust.run_id`. A
 *   refused, timed-out or failed request also gets `error.type` (the JSON-RPC error code,
 *   `tool_error`, else `_OTHER`), `rpc.response.status_code` and status ERROR. A valid
 *   version-00 `traceparent` from the host's `_meta` becomes the span's remote parent.
 * - Any other decision (a filtered list, a dropped notification, a session refusal)
 *   becomes a zero-duration INTERNAL span `mcptrust.{action} {method}` at the event's
 *   time, with the `mcptrust.*` attributes and `mcptrust.count`.
 * - With a meter: the histogram `mcp.server.operation.duration` (seconds, the advised
 *   buckets) for each host request with a duration, and the counter
 *   `mcptrust.proxy.decisions` for every decision. Metric attributes are bounded: tool
 *   and prompt names only when pinned (else `_OTHER`), methods only when they are MCP
 *   methods (else `_OTHER`).
 *
 * Never recorded: arguments, results, `_meta`, list item names, and resource URIs
 * unless `includeResourceUri` (then without userinfo, query or fragment). Names and
 * reasons are escaped and cut to 256 characters here, whatever the SDK's limits. The
 * sink never throws: an event that cannot be recorded is dropped (`onWarning` is told
 * once).
 *
 * @param options - {@link OtelAuditSinkOptions}
 * @returns the sink, with the number of spans it started
 */
export function createOtelAuditSink(options: OtelAuditSinkOptions): OtelAuditSink {
  const { tracer, meter, runId } = options;
  const pinnedTools = options.pinnedTools ?? new Set<string>();
  const pinnedPrompts = options.pinnedPrompts ?? new Set<string>();
  let duration: Histogram | undefined;
  let decisions: Counter | undefined;
  let spans = 0;
  let warned = false;

  function warn(error: unknown): void {
    if (warned || options.onWarning === undefined) return;
    warned = true;
    try {
      options.onWarning(`OpenTelemetry: an audit event could not be recorded and was dropped: ${error instanceof Error ? error.message : String(error)}`);
    } catch {
      // A failing warning callback must not reach the engine either.
    }
  }

  try {
    duration = meter?.createHistogram(METRIC_MCP_SERVER_OPERATION_DURATION, {
      unit: 's',
      description: 'Duration of MCP requests the firewall answered, from arrival to answer',
      advice: { explicitBucketBoundaries: [...MCP_OPERATION_DURATION_BUCKETS] },
    });
    decisions = meter?.createCounter(METRIC_MCPTRUST_PROXY_DECISIONS, {
      unit: '{decision}',
      description: 'Decisions of the MCPTrust firewall, by decision and method',
    });
  } catch (error) {
    warn(error);
  }

  function common(event: AuditEvent): Attributes {
    const attributes: Attributes = { [ATTR_MCPTRUST_DECISION]: event.action };
    if (typeof event.method === 'string') attributes[ATTR_MCP_METHOD_NAME] = text(event.method);
    const reason = event.code ?? event.reason;
    if (typeof reason === 'string') attributes[ATTR_MCPTRUST_REASON] = text(reason);
    if (typeof event.mode === 'string') attributes[ATTR_MCPTRUST_MODE] = event.mode;
    if (runId !== undefined) attributes[ATTR_MCPTRUST_RUN_ID] = text(runId);
    if (typeof event.protocolVersion === 'string') attributes[ATTR_MCP_PROTOCOL_VERSION] = text(event.protocolVersion);
    if (typeof event.tool === 'string') attributes[ATTR_GEN_AI_TOOL_NAME] = text(event.tool);
    if (typeof event.prompt === 'string') attributes[ATTR_GEN_AI_PROMPT_NAME] = text(event.prompt);
    if (options.includeResourceUri === true && typeof event.uri === 'string') {
      attributes[ATTR_MCP_RESOURCE_URI] = redactUri(event.uri, { maxLength: MAX_TEXT - 1 });
    }
    return attributes;
  }

  function requestSpan(event: AuditEvent, requestId: string, endMs: number): void {
    const attributes = common(event);
    attributes[ATTR_JSONRPC_REQUEST_ID] = text(requestId);
    attributes[ATTR_NETWORK_TRANSPORT] = NETWORK_TRANSPORT_VALUE_PIPE;
    if (event.method === 'tools/call') attributes[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL;
    const errorType = errorTypeOf(event);
    if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
    if (typeof event.errorCode === 'number' && Number.isFinite(event.errorCode)) attributes[ATTR_RPC_RESPONSE_STATUS_CODE] = String(event.errorCode);
    const method = typeof event.method === 'string' ? text(event.method) : 'mcptrust.request';
    const target = event.tool ?? event.prompt;
    const name = typeof target === 'string' ? `${method} ${text(target)}` : method;
    const durationMs = typeof event.durationMs === 'number' && Number.isFinite(event.durationMs) && event.durationMs >= 0 ? event.durationMs : 0;
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER, startTime: hrTime(endMs - durationMs), attributes }, parentContext(event));
    spans++;
    if (errorType !== undefined) {
      span.setStatus(typeof event.reason === 'string' ? { code: SpanStatusCode.ERROR, message: text(event.reason) } : { code: SpanStatusCode.ERROR });
    }
    span.end(hrTime(endMs));
  }

  function decisionSpan(event: AuditEvent, atMs: number): void {
    const attributes = common(event);
    if (typeof event.count === 'number' && Number.isFinite(event.count)) attributes[ATTR_MCPTRUST_COUNT] = event.count;
    const name = typeof event.method === 'string' ? `mcptrust.${event.action} ${text(event.method)}` : `mcptrust.${event.action}`;
    const at = hrTime(atMs);
    const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: at, attributes }, parentContext(event));
    spans++;
    span.end(at);
  }

  function metricMethod(event: AuditEvent): string {
    return typeof event.method === 'string' && KNOWN_METHODS.has(event.method) ? event.method : ERROR_TYPE_VALUE_OTHER;
  }

  function record(event: AuditEvent): void {
    const method = metricMethod(event);
    decisions?.add(1, { [ATTR_MCPTRUST_DECISION]: String(event.action), [ATTR_MCP_METHOD_NAME]: method });
    if (duration === undefined || typeof event.requestId !== 'string') return;
    if (typeof event.durationMs !== 'number' || !Number.isFinite(event.durationMs) || event.durationMs < 0) return;
    const attributes: Attributes = { [ATTR_MCP_METHOD_NAME]: method, [ATTR_NETWORK_TRANSPORT]: NETWORK_TRANSPORT_VALUE_PIPE };
    if (typeof event.tool === 'string') attributes[ATTR_GEN_AI_TOOL_NAME] = pinnedTools.has(event.tool) ? text(event.tool) : ERROR_TYPE_VALUE_OTHER;
    if (typeof event.prompt === 'string') attributes[ATTR_GEN_AI_PROMPT_NAME] = pinnedPrompts.has(event.prompt) ? text(event.prompt) : ERROR_TYPE_VALUE_OTHER;
    if (event.method === 'tools/call') attributes[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL;
    const errorType = errorTypeOf(event);
    if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
    if (typeof event.errorCode === 'number' && Number.isFinite(event.errorCode)) attributes[ATTR_RPC_RESPONSE_STATUS_CODE] = String(event.errorCode);
    duration.record(event.durationMs / 1000, attributes);
  }

  return {
    get spans(): number {
      return spans;
    },
    emit(event: AuditEvent): void {
      try {
        const endMs = eventTimeMs(event);
        if (typeof event.requestId === 'string') requestSpan(event, event.requestId, endMs);
        else decisionSpan(event, endMs);
      } catch (error) {
        warn(error);
      }
      try {
        record(event);
      } catch (error) {
        warn(error);
      }
    },
  };
}
