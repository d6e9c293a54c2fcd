import type { AuditAction, AuditEvent } from '../audit-event.types.js';
import { redactUri, sanitizeText } from '../redact/index.js';

/**
 * Version of the JSONL log record (`docs/logging.schema.json`). A consumer may rely on
 * every field of a major version; a new optional field raises the minor version.
 */
export const LOG_SCHEMA_VERSION = '2.0';

/** Severity of a log record, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Every level, lowest first. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** What every record of one run carries. */
export interface LogEnvelope {
  /** Identifies one invocation: the same id is in its receipt, audit chain and spans. */
  runId: string;
  /** The mcptrust version writing the record. */
  version: string;
  /** The command (`proxy`, `artifact verify`). */
  command: string;
}

/** Field names of the envelope: an event's own fields never replace them. */
const RESERVED = new Set(['ts', 'level', 'event', 'run_id', 'schema_version', 'mcptrust_version', 'command']);

/** The JSON text of each envelope's constant fields, built once per envelope. */
const ENVELOPE_TEXT = new WeakMap<LogEnvelope, string>();

function envelopeText(envelope: LogEnvelope): string {
  let text = ENVELOPE_TEXT.get(envelope);
  if (text === undefined) {
    text =
      `"run_id":${JSON.stringify(envelope.runId)},"schema_version":${JSON.stringify(LOG_SCHEMA_VERSION)},` +
      `"mcptrust_version":${JSON.stringify(envelope.version)},"command":${JSON.stringify(envelope.command)}`;
    ENVELOPE_TEXT.set(envelope, text);
  }
  return text;
}

/**
 * One JSONL record (no trailing newline): `ts`, `level`, `event`, `run_id`,
 * `schema_version`, `mcptrust_version`, `command` in this order, then the event's own
 * fields. Fields named like an envelope field, and undefined values, are left out.
 * `event` is prefixed with `mcptrust.` when it is not already.
 *
 * The text is what `JSON.stringify` gives for that object; it is assembled from the
 * envelope's text (built once) and the fields' text because the proxy writes one
 * record per request.
 */
export function formatLogRecord(
  envelope: LogEnvelope,
  level: LogLevel,
  event: string,
  fields: Readonly<Record<string, unknown>> = {},
  now: Date = new Date(),
): string {
  let own: Readonly<Record<string, unknown>> = fields;
  for (const key in fields) {
    if (RESERVED.has(key)) {
      own = withoutReserved(fields);
      break;
    }
  }
  const body = JSON.stringify(own);
  const head =
    `{"ts":"${now.toISOString()}","level":${JSON.stringify(level)},` +
    `"event":${JSON.stringify(event.startsWith('mcptrust.') ? event : `mcptrust.${event}`)},${envelopeText(envelope)}`;
  // `body` is `{}` when every field is undefined, else `{…}`: its members follow the envelope.
  return body.length <= 2 ? head + '}' : head + ',' + body.slice(1);
}

function withoutReserved(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  // No prototype: a field named `__proto__` stays a field, as on the path without reserved names.
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!RESERVED.has(key)) out[key] = fields[key];
  return out;
}

/** The level a decision is logged at: refusals and what audit-only would have refused are warnings. */
export function decisionLevel(action: AuditAction): LogLevel {
  switch (action) {
    case 'blocked':
    case 'dropped':
    case 'audit_only':
    case 'timeout':
      return 'warn';
    default:
      return 'info';
  }
}

const TRACE_PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace id of a W3C `traceparent`, when it has the version-00 shape. */
export function traceIdOf(traceParent: string | undefined): string | undefined {
  if (traceParent === undefined) return undefined;
  const m = TRACE_PARENT.exec(traceParent);
  return m === null ? undefined : m[1];
}

/**
 * The fields of a decision record (JSONL `mcptrust.proxy.decision` and the audit
 * chain's `decision` record), snake_case. Names, ids and reasons come from the host or
 * the server (attacker-controlled): they are sanitized and cut to 256 characters, and
 * URIs lose their userinfo, query and fragment. Nothing of a message's payload
 * (arguments, results, `_meta`, error data) is in an {@link AuditEvent}, so nothing of
 * it can reach a record.
 */
export function decisionFields(event: AuditEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { action: event.action, direction: event.direction };
  if (event.method !== undefined) out['method'] = sanitizeText(event.method);
  if (event.tool !== undefined) out['tool'] = sanitizeText(event.tool);
  if (event.prompt !== undefined) out['prompt'] = sanitizeText(event.prompt);
  if (event.uri !== undefined) out['uri'] = redactUri(event.uri);
  if (event.code !== undefined) out['reason_code'] = event.code;
  if (event.reason !== undefined) out['reason'] = sanitizeText(event.reason);
  if (event.errorCode !== undefined) out['error_code'] = event.errorCode;
  if (event.toolError === true) out['tool_error'] = true;
  if (event.count !== undefined) out['count'] = event.count;
  if (event.items !== undefined && event.items.length > 0) out['items'] = event.items.slice(0, 50).map((item) => sanitizeText(item));
  if (event.mode !== undefined) out['mode'] = event.mode;
  if (event.protocolVersion !== undefined) out['protocol_version'] = sanitizeText(event.protocolVersion, 64);
  if (event.requestId !== undefined) out['request_id'] = sanitizeText(event.requestId);
  if (event.durationMs !== undefined) out['duration_ms'] = event.durationMs;
  const traceId = traceIdOf(event.traceParent);
  if (traceId !== undefined) out['trace_id'] = traceId;
  out['decided_at'] = event.time;
  // Only present when payload logging was asked for (--log-payloads).
  if (event.arguments !== undefined) out['arguments'] = event.arguments;
  return out;
}

/**
 * The JSONL record of a decision: exactly
 * `formatLogRecord(envelope, decisionLevel(event.action), 'proxy.decision', decisionFields(event), now)`,
 * built without the intermediate object (the proxy writes one per request).
 */
export function formatDecisionRecord(envelope: LogEnvelope, event: AuditEvent, now: Date = new Date()): string {
  const level = decisionLevel(event.action);
  let s = `{"ts":"${now.toISOString()}","level":"${level}","event":"mcptrust.proxy.decision",${envelopeText(envelope)}`;
  s += `,"action":${JSON.stringify(event.action)},"direction":${JSON.stringify(event.direction)}`;
  if (event.method !== undefined) s += `,"method":${JSON.stringify(sanitizeText(event.method))}`;
  if (event.tool !== undefined) s += `,"tool":${JSON.stringify(sanitizeText(event.tool))}`;
  if (event.prompt !== undefined) s += `,"prompt":${JSON.stringify(sanitizeText(event.prompt))}`;
  if (event.uri !== undefined) s += `,"uri":${JSON.stringify(redactUri(event.uri))}`;
  if (event.code !== undefined) s += `,"reason_code":${JSON.stringify(event.code)}`;
  if (event.reason !== undefined) s += `,"reason":${JSON.stringify(sanitizeText(event.reason))}`;
  if (event.errorCode !== undefined) s += `,"error_code":${JSON.stringify(event.errorCode)}`;
  if (event.toolError === true) s += ',"tool_error":true';
  if (event.count !== undefined) s += `,"count":${JSON.stringify(event.count)}`;
  if (event.items !== undefined && event.items.length > 0) s += `,"items":${JSON.stringify(event.items.slice(0, 50).map((item) => sanitizeText(item)))}`;
  if (event.mode !== undefined) s += `,"mode":${JSON.stringify(event.mode)}`;
  if (event.protocolVersion !== undefined) s += `,"protocol_version":${JSON.stringify(sanitizeText(event.protocolVersion, 64))}`;
  if (event.requestId !== undefined) s += `,"request_id":${JSON.stringify(sanitizeText(event.requestId))}`;
  if (event.durationMs !== undefined) s += `,"duration_ms":${JSON.stringify(event.durationMs)}`;
  const traceId = traceIdOf(event.traceParent);
  if (traceId !== undefined) s += `,"trace_id":"${traceId}"`;
  if (event.time !== undefined) s += `,"decided_at":${JSON.stringify(event.time)}`;
  if (event.arguments !== undefined) {
    const args = JSON.stringify(event.arguments);
    if (args !== undefined) s += `,"arguments":${args}`;
  }
  return `${s}}`;
}
