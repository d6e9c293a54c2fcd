/**
 * Observation: every decision goes to the audit sink as one event, with what
 * identifies the host request it is about (id, duration, W3C trace context, and with
 * `auditPayloads` its arguments). Without a sink the engine reads no clock and no
 * trace context.
 */
import { noopAuditSink } from '@mcptrust/audit';
import type { AuditAction, AuditDirection, AuditEvent, AuditSink } from '@mcptrust/audit';
import { isObject, type Json } from './json.js';
import type { Pending } from './pending-table.js';
import type { Session } from './session.js';

// W3C trace context, version 00: what the audit trail keeps from a host request's `_meta`.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const MAX_TRACESTATE_CHARS = 512;

/** Whether `t` is a version-00 `traceparent` whose trace id and span id are not all zeros. */
function isTraceParent(t: string): boolean {
  const m = TRACEPARENT.exec(t);
  return m !== null && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!);
}

/** The audit stage: the sink, and the context of the host line being handled. */
export class Observation {
  /** A real sink listens: requests are timed and their trace context read. */
  readonly observing: boolean;
  /** Every forwarded request gets an `allowed` event when its answer is forwarded. */
  readonly auditAllowed: boolean;
  /** Arguments of calls are reported too (opt-in: they may hold secrets). */
  readonly auditPayloads: boolean;
  /** When the host line being handled reached the engine (`performance.now()`, 0 when nobody listens). */
  arrival = 0;
  /** The trace context of the host request being handled, when well formed. */
  traceParent: string | undefined;
  /** Its `tracestate`, kept with a valid `traceparent` only. */
  traceState: string | undefined;
  /** With `auditPayloads`: the arguments of the host request being handled. */
  payload: unknown = undefined;
  private readonly sink: AuditSink;

  constructor(private readonly session: Session) {
    const options = session.options;
    this.sink = options.audit ?? noopAuditSink;
    this.auditAllowed = options.auditAllowed ?? false;
    this.observing = this.sink !== noopAuditSink;
    this.auditPayloads = this.observing && options.auditPayloads === true;
  }

  /** Starts a host line: its arrival time, and no request context yet. */
  beginHostLine(arrival: number): void {
    this.arrival = arrival;
    this.traceParent = undefined;
    this.traceState = undefined;
    this.payload = undefined;
  }

  /** Reports one decision. A failing sink never takes the session down. */
  audit(action: AuditAction, direction: AuditDirection, fields: Partial<AuditEvent>): void {
    const event: AuditEvent = { time: new Date().toISOString(), action, direction, mode: this.session.mode, ...fields };
    if (this.session.version !== undefined) event.protocolVersion = this.session.version;
    try {
      this.sink.emit(event);
    } catch {
      // A failing sink must not take the session down; sinks report their own failures.
    }
  }

  /** Reports a server message the engine dropped. */
  dropped(reason: string, method?: string, extra: Partial<AuditEvent> = {}): void {
    const ev: Partial<AuditEvent> = { reason, ...extra };
    if (method !== undefined) ev.method = method;
    this.audit('dropped', 'server_to_host', ev);
  }

  /**
   * Adds what identifies the host request a decision is about: its id as text and,
   * when a sink listens, the time since its line arrived and the trace context it
   * carried. `entry` is the request's pending entry once it was forwarded; without
   * it, the host line being handled is the request.
   */
  requestFields(ev: Partial<AuditEvent>, idJson: string, entry?: Pending): Partial<AuditEvent> {
    ev.requestId = idJson.charCodeAt(0) === 0x22 ? (JSON.parse(idJson) as string) : idJson;
    if (!this.observing) return ev;
    ev.durationMs = Math.round((performance.now() - (entry === undefined ? this.arrival : entry.start)) * 1000) / 1000;
    const traceParent = entry === undefined ? this.traceParent : entry.traceParent;
    if (traceParent !== undefined) {
      ev.traceParent = traceParent;
      const traceState = entry === undefined ? this.traceState : entry.traceState;
      if (traceState !== undefined) ev.traceState = traceState;
    }
    const payload = entry === undefined ? this.payload : entry.payload;
    if (payload !== undefined) ev.arguments = payload;
    return ev;
  }

  /**
   * `auditAllowed`: reports a forwarded host request once its answer went to the host,
   * with the server's JSON-RPC error code when the answer is an error and, for
   * `tools/call`, whether the tool reported an error (`isError`).
   */
  auditAnswer(entry: Pending, msg: Json | undefined, reason?: string): void {
    if (entry.reported || entry.hostId === undefined) return;
    entry.reported = true;
    const ev: Partial<AuditEvent> = { method: entry.method };
    if (entry.tool !== undefined) ev.tool = entry.tool;
    if (reason !== undefined) ev.reason = reason;
    const error = msg?.['error'];
    if (isObject(error)) {
      if (typeof error['code'] === 'number' && Number.isInteger(error['code'])) ev.errorCode = error['code'];
    } else if (entry.method === 'tools/call' && msg !== undefined) {
      const result = msg['result'];
      if (isObject(result) && result['isError'] === true) ev.toolError = true;
    }
    this.audit('allowed', 'host_to_server', this.requestFields(ev, entry.hostId, entry));
  }

  /**
   * Reads the W3C trace context of a host request (`params._meta.traceparent` and
   * `tracestate`) for the audit trail, keeping it only when it is well formed. The
   * message itself is never changed.
   */
  readTrace(msg: Json): void {
    this.traceParent = undefined;
    this.traceState = undefined;
    this.payload = undefined;
    const params = msg['params'];
    if (this.auditPayloads && isObject(params) && (msg['method'] === 'tools/call' || msg['method'] === 'prompts/get')) this.payload = params['arguments'];
    const meta = isObject(params) ? params['_meta'] : undefined;
    if (!isObject(meta)) return;
    const traceParent = meta['traceparent'];
    if (typeof traceParent !== 'string' || !isTraceParent(traceParent)) return;
    this.traceParent = traceParent;
    const traceState = meta['tracestate'];
    if (typeof traceState === 'string' && traceState.length <= MAX_TRACESTATE_CHARS) this.traceState = traceState;
  }
}
