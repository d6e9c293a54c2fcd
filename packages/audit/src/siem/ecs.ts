/**
 * Elastic Common Schema mapping of MCPTrust decisions: one ECS document per
 * {@link AuditEvent}, `event.category: ["api"]`, pinned to {@link ECS_VERSION}.
 * Fields without an ECS home live under the custom `mcptrust` object.
 */
import type { AuditEvent } from '../audit-event.types.js';
import type { SiemContext } from './ocsf.js';
import {
  SIEM_ITEMS_MAX,
  SIEM_REASON_MAX,
  SIEM_TEXT_MAX,
  bound,
  checkContext,
  checkedEpochMs,
  isServiceFailure,
  isSessionRefusal,
  stripUri,
  traceIdFrom,
  type TruncationFlag,
} from './text.js';

/** The ECS version every document declares in `ecs.version`. */
export const ECS_VERSION = '8.17.0';

/** `event.type`, `event.outcome` and `event.severity` of one decision. */
interface Categorization {
  type: string[];
  outcome: 'success' | 'failure';
  severity: number;
}

function categorize(event: AuditEvent): Categorization {
  if (isServiceFailure(event)) return { type: ['info'], outcome: 'failure', severity: 2 };
  switch (event.action) {
    case 'allowed':
      return { type: ['allowed'], outcome: 'success', severity: 1 };
    case 'blocked':
    case 'dropped':
      return { type: ['denied'], outcome: 'failure', severity: 3 };
    case 'filtered':
      return { type: ['change'], outcome: 'success', severity: 2 };
    case 'audit_only':
      return { type: ['info'], outcome: 'success', severity: 3 };
    default:
      return isSessionRefusal(event)
        ? { type: ['denied'], outcome: 'failure', severity: 4 }
        : { type: ['start'], outcome: 'success', severity: 1 };
  }
}

/**
 * Maps one decision to an ECS {@link ECS_VERSION} document: `@timestamp`,
 * `event{kind:'event', category:['api'], type, action: method, outcome, reason,
 * duration (ns), severity, id}`, `rule{id: reason code, ruleset: lockfile path}`,
 * `observer{product, vendor, version, hostname}`, `trace.id`, `labels.mode`, and the
 * rest under `mcptrust` (`decision`, `direction`, `tool`, `prompt`, `uri`,
 * `request_id`, `error_code`, `count`, `items`, `protocol_version`, `tool_error`,
 * `run_id`, `lockfile_sha256`, `truncated`).
 *
 * `event.type` / `event.outcome` per action: allowed `allowed`/success; blocked and
 * dropped `denied`/failure; filtered `change`/success; audit_only `info`/success;
 * timeout (and `SERVER_UNAVAILABLE` drops) `info`/failure; session refused
 * `denied`/failure, session opened `start`/success. `event.severity` uses the OCSF
 * severity numbers (1 informational … 4 high).
 *
 * Hostile text is passed as data, cut to 256 characters (reasons to 1024), URIs
 * without userinfo, query or fragment; `mcptrust.truncated` is set when anything was
 * cut. No argument, result, `_meta` or error data exists in an {@link AuditEvent}.
 *
 * @param event - the decision
 * @param context - the run it belongs to ({@link SiemContext})
 * @returns a JSON-serializable ECS document
 * @throws AuditError `INVALID_EVENT` when `event.action` or `event.time` is invalid;
 *   `INVALID_OPTIONS` when a context field is missing or malformed
 */
export function toEcsEvent(event: AuditEvent, context: SiemContext): Record<string, unknown> {
  const time = checkedEpochMs(event, 'toEcsEvent');
  checkContext(context, 'toEcsEvent');
  const flag: TruncationFlag = { truncated: false };
  const c = categorize(event);
  const method = event.method === undefined ? undefined : bound(event.method, SIEM_TEXT_MAX, flag);
  const reason = event.reason === undefined ? undefined : bound(event.reason, SIEM_REASON_MAX, flag);

  const ev: Record<string, unknown> = { kind: 'event', category: ['api'], type: c.type };
  if (method !== undefined) ev['action'] = method;
  ev['outcome'] = c.outcome;
  if (reason !== undefined) ev['reason'] = reason;
  if (event.durationMs !== undefined && Number.isFinite(event.durationMs) && event.durationMs >= 0) {
    ev['duration'] = Math.round(event.durationMs * 1e6);
  }
  ev['severity'] = c.severity;
  if (context.eventId !== undefined) ev['id'] = bound(context.eventId, SIEM_TEXT_MAX, flag);

  const out: Record<string, unknown> = {
    '@timestamp': new Date(time).toISOString(),
    ecs: { version: ECS_VERSION },
    message: reason ?? `${event.action} ${method ?? 'unknown'}`,
    event: ev,
  };
  const rule: Record<string, unknown> = {};
  if (event.code !== undefined) rule['id'] = bound(event.code, SIEM_TEXT_MAX, flag);
  if (context.lockfile !== undefined) rule['ruleset'] = bound(context.lockfile.path, SIEM_TEXT_MAX, flag);
  if (Object.keys(rule).length > 0) out['rule'] = rule;
  const observer: Record<string, unknown> = {
    product: 'MCPTrust',
    vendor: 'MCPTrust',
    version: bound(context.productVersion, SIEM_TEXT_MAX, flag),
  };
  if (context.hostname !== undefined) observer['hostname'] = bound(context.hostname, SIEM_TEXT_MAX, flag);
  out['observer'] = observer;
  const traceId = traceIdFrom(event.traceParent);
  if (traceId !== undefined) out['trace'] = { id: traceId };
  if (event.mode !== undefined) out['labels'] = { mode: event.mode };

  const m: Record<string, unknown> = { decision: event.action, direction: event.direction };
  if (event.tool !== undefined) m['tool'] = bound(event.tool, SIEM_TEXT_MAX, flag);
  if (event.prompt !== undefined) m['prompt'] = bound(event.prompt, SIEM_TEXT_MAX, flag);
  if (event.uri !== undefined) m['uri'] = stripUri(event.uri, flag);
  if (event.requestId !== undefined) m['request_id'] = bound(event.requestId, SIEM_TEXT_MAX, flag);
  if (event.errorCode !== undefined) m['error_code'] = event.errorCode;
  if (event.count !== undefined) m['count'] = event.count;
  const items = event.items ?? [];
  if (items.length > 0) {
    m['items'] = items.slice(0, SIEM_ITEMS_MAX).map((item) => bound(item, SIEM_TEXT_MAX, flag));
    if (items.length > SIEM_ITEMS_MAX) {
      flag.truncated = true;
      m['items_omitted'] = items.length - SIEM_ITEMS_MAX;
    }
  }
  if (event.protocolVersion !== undefined) m['protocol_version'] = bound(event.protocolVersion, 64, flag);
  if (event.toolError === true) m['tool_error'] = true;
  m['run_id'] = bound(context.runId, SIEM_TEXT_MAX, flag);
  if (context.lockfile !== undefined) m['lockfile_sha256'] = context.lockfile.sha256.toLowerCase();
  if (flag.truncated) m['truncated'] = true;
  out['mcptrust'] = m;
  return out;
}
