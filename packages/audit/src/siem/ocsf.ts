/**
 * OCSF mapping of MCPTrust decisions: one API Activity event (class_uid 6003,
 * category_uid 6) with the security_control profile per {@link AuditEvent}.
 *
 * Pinned schema: OCSF 1.8.0. Required there, and always present in the output:
 * - API Activity (from base_event and the class): `activity_id`, `category_uid`,
 *   `class_uid`, `type_uid`, `severity_id`, `time`, `metadata`, `actor`, `api`,
 *   `src_endpoint`;
 * - objects: `metadata.product`, `metadata.version`; `api.operation`;
 *   `api.request.uid` and `trace.uid` (those objects are written only when their
 *   `uid` is known); `actor` needs one of process, user, invoked_by, session,
 *   `app_name`, app_uid (written: `app_name`); `src_endpoint` (network_endpoint) needs
 *   one of ip, uid, name, `hostname`, `svc_name`, … (written: `svc_name`); `product`,
 *   `policy` and each `resources[]` entry need `name` or `uid` (written: `name`).
 * - security_control profile: no required attribute; its recommended `action_id`,
 *   `disposition_id` and `is_alert` are always written.
 * Nothing outside the schema is written except under `unmapped`.
 */
import type { AuditEvent } from '../audit-event.types.js';
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

/** What a SIEM record needs to know about the run a decision belongs to. */
export interface SiemContext {
  /** The MCPTrust version that took the decision. */
  productVersion: string;
  /** Id of the invocation (the JSONL `run_id`): correlates every record of one run. */
  runId: string;
  /** The lockfile enforced: its path as given and the SHA-256 (hex) of its bytes. */
  lockfile?: { path: string; sha256: string };
  /** Name of the machine MCPTrust runs on (host and server talk to it over stdio there). */
  hostname?: string;
  /** Unique id of this one record (for example `<run_id>:<seq>` of the audit chain). */
  eventId?: string;
}

/** The OCSF schema version every event declares in `metadata.version`. */
export const OCSF_SCHEMA_VERSION = '1.8.0';

/**
 * Attributes OCSF {@link OCSF_SCHEMA_VERSION} requires of an API Activity event with the
 * security_control profile, as dotted paths; each is present in every event
 * {@link toOcsfApiActivity} returns.
 */
export const OCSF_REQUIRED_ATTRIBUTES: readonly string[] = [
  'activity_id',
  'category_uid',
  'class_uid',
  'type_uid',
  'severity_id',
  'time',
  'metadata',
  'metadata.product',
  'metadata.product.name',
  'metadata.version',
  'actor',
  'actor.app_name',
  'api',
  'api.operation',
  'src_endpoint',
  'src_endpoint.svc_name',
];

const CLASS_UID = 6003;
const CATEGORY_UID = 6;
const ACTIVITY_OTHER = 99;

const ACTION_CAPTION: Readonly<Record<number, string>> = { 1: 'Allowed', 2: 'Denied', 3: 'Observed', 4: 'Modified' };
const DISPOSITION_CAPTION: Readonly<Record<number, string>> = {
  1: 'Allowed',
  2: 'Blocked',
  6: 'Dropped',
  7: 'Custom Action',
  19: 'Alert',
  27: 'Error',
};
const STATUS_CAPTION: Readonly<Record<number, string>> = { 1: 'Success', 2: 'Failure' };
const SEVERITY_CAPTION: Readonly<Record<number, string>> = { 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High' };

/** The security-control outcome of one decision. */
interface Outcome {
  actionId: number;
  dispositionId: number;
  statusId: number;
  severityId: number;
}

function outcomeOf(event: AuditEvent): Outcome {
  if (isServiceFailure(event)) return { actionId: 1, dispositionId: 27, statusId: 2, severityId: 2 };
  switch (event.action) {
    case 'allowed':
      return { actionId: 1, dispositionId: 1, statusId: 1, severityId: 1 };
    case 'blocked':
      return { actionId: 2, dispositionId: 2, statusId: 2, severityId: 3 };
    case 'dropped':
      return { actionId: 2, dispositionId: 6, statusId: 2, severityId: 3 };
    case 'filtered':
      return { actionId: 4, dispositionId: 7, statusId: 1, severityId: 2 };
    case 'audit_only':
      return { actionId: 3, dispositionId: 19, statusId: 1, severityId: 3 };
    default:
      // session: refused, or opened.
      return isSessionRefusal(event)
        ? { actionId: 2, dispositionId: 2, statusId: 2, severityId: 4 }
        : { actionId: 1, dispositionId: 1, statusId: 1, severityId: 1 };
  }
}

/** The role names of the two sides of a message, by direction. */
const ROLES: Readonly<Record<AuditEvent['direction'], { src: string; dst?: string }>> = {
  host_to_server: { src: 'mcp-host', dst: 'mcp-server' },
  server_to_host: { src: 'mcp-server', dst: 'mcp-host' },
  internal: { src: 'mcptrust' },
};

/** OCSF resource type of the items a list filter removed, by list method. */
const ITEM_TYPE: Readonly<Record<string, string>> = {
  'tools/list': 'mcp.tool',
  'prompts/list': 'mcp.prompt',
  'resources/list': 'mcp.resource',
  'resources/templates/list': 'mcp.resource',
};

function resourcesOf(event: AuditEvent, flag: TruncationFlag, unmapped: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (event.tool !== undefined) out.push({ type: 'mcp.tool', name: bound(event.tool, SIEM_TEXT_MAX, flag) });
  if (event.prompt !== undefined) out.push({ type: 'mcp.prompt', name: bound(event.prompt, SIEM_TEXT_MAX, flag) });
  if (event.uri !== undefined) out.push({ type: 'mcp.resource', name: stripUri(event.uri, flag) });
  const items = event.items ?? [];
  if (items.length === 0) return out;
  const kept = items.slice(0, SIEM_ITEMS_MAX).map((item) => bound(item, SIEM_TEXT_MAX, flag));
  if (items.length > SIEM_ITEMS_MAX) {
    flag.truncated = true;
    unmapped['items_omitted'] = items.length - SIEM_ITEMS_MAX;
  }
  const type = event.method === undefined ? undefined : ITEM_TYPE[event.method];
  if (type === undefined) unmapped['items'] = kept;
  else for (const name of kept) out.push({ type, name });
  return out;
}

/**
 * Maps one decision to an OCSF {@link OCSF_SCHEMA_VERSION} API Activity event
 * (class_uid 6003, activity_id 99 Other with `activity_name` = the JSON-RPC method,
 * profile security_control; trace profile when the host sent a `traceparent`).
 *
 * Outcome per action (`action_id` / `disposition_id` / `status_id` / `severity_id`):
 * allowed 1/1 Allowed/1/1; blocked 2/2 Blocked/2/3; dropped 2/6 Dropped/2/3; filtered
 * 4 Modified/7 Custom Action/1/2; audit_only 3 Observed/19 Alert/1/3; timeout (and a
 * request dropped because the server went away, `SERVER_UNAVAILABLE`) 1/27 Error/2/2;
 * session refused 2/2/2/4, session opened 1/1/1/1. `is_alert` is true from severity 3.
 *
 * Tool and prompt names, URIs, methods and ids are attacker-controlled: passed as data,
 * cut to 256 characters (reasons to 1024), URIs without userinfo, query or fragment;
 * `metadata.is_truncated` is set when anything was cut. No argument, result, `_meta` or
 * error data exists in an {@link AuditEvent}, so none can reach the output.
 *
 * @param event - the decision
 * @param context - the run it belongs to ({@link SiemContext})
 * @returns a JSON-serializable OCSF event
 * @throws AuditError `INVALID_EVENT` when `event.action` or `event.time` is invalid;
 *   `INVALID_OPTIONS` when a context field is missing or malformed
 */
export function toOcsfApiActivity(event: AuditEvent, context: SiemContext): Record<string, unknown> {
  const time = checkedEpochMs(event, 'toOcsfApiActivity');
  checkContext(context, 'toOcsfApiActivity');
  const flag: TruncationFlag = { truncated: false };
  const o = outcomeOf(event);
  const operation = event.method === undefined ? 'unknown' : bound(event.method, SIEM_TEXT_MAX, flag);
  const unmapped: Record<string, unknown> = { direction: event.direction };
  if (event.code !== undefined) unmapped['reason_code'] = bound(event.code, SIEM_TEXT_MAX, flag);
  if (event.mode !== undefined) unmapped['mode'] = event.mode;
  if (event.durationMs !== undefined) unmapped['duration_ms'] = event.durationMs;
  if (event.count !== undefined) unmapped['count'] = event.count;
  if (event.toolError === true) unmapped['tool_error'] = true;

  const out: Record<string, unknown> = {
    class_uid: CLASS_UID,
    class_name: 'API Activity',
    category_uid: CATEGORY_UID,
    category_name: 'Application Activity',
    activity_id: ACTIVITY_OTHER,
    activity_name: operation,
    type_uid: CLASS_UID * 100 + ACTIVITY_OTHER,
    type_name: 'API Activity: Other',
    severity_id: o.severityId,
    severity: SEVERITY_CAPTION[o.severityId],
    time,
    timezone_offset: 0,
    action_id: o.actionId,
    action: ACTION_CAPTION[o.actionId],
    disposition_id: o.dispositionId,
    disposition: DISPOSITION_CAPTION[o.dispositionId],
    status_id: o.statusId,
    status: STATUS_CAPTION[o.statusId],
    is_alert: o.severityId >= 3,
  };
  if (event.errorCode !== undefined) out['status_code'] = String(event.errorCode);
  if (event.code !== undefined) out['status_detail'] = bound(event.code, SIEM_TEXT_MAX, flag);
  out['message'] = event.reason !== undefined ? bound(event.reason, SIEM_REASON_MAX, flag) : `${event.action} ${operation}`;

  const roles = ROLES[event.direction] ?? ROLES.internal;
  const hostname = context.hostname === undefined ? undefined : bound(context.hostname, SIEM_TEXT_MAX, flag);
  const endpoint = (svc: string): Record<string, unknown> => (hostname === undefined ? { svc_name: svc } : { svc_name: svc, hostname });
  out['actor'] = { app_name: roles.src };
  const api: Record<string, unknown> = { operation };
  if (event.requestId !== undefined) api['request'] = { uid: bound(event.requestId, SIEM_TEXT_MAX, flag) };
  if (event.errorCode !== undefined) {
    api['response'] = event.code === undefined ? { code: event.errorCode } : { code: event.errorCode, error: bound(event.code, SIEM_TEXT_MAX, flag) };
  }
  if (event.protocolVersion !== undefined) api['version'] = bound(event.protocolVersion, 64, flag);
  out['api'] = api;
  out['src_endpoint'] = endpoint(roles.src);
  if (roles.dst !== undefined) out['dst_endpoint'] = endpoint(roles.dst);

  const resources = resourcesOf(event, flag, unmapped);
  if (resources.length > 0) out['resources'] = resources;
  if (context.lockfile !== undefined) {
    out['policy'] = { name: bound(context.lockfile.path, SIEM_TEXT_MAX, flag), uid: context.lockfile.sha256.toLowerCase() };
  }
  const traceId = traceIdFrom(event.traceParent);
  if (traceId !== undefined) out['trace'] = { uid: traceId };
  if (event.durationMs !== undefined && Number.isFinite(event.durationMs) && event.durationMs >= 0) {
    out['duration'] = Math.round(event.durationMs);
  }

  const metadata: Record<string, unknown> = {
    version: OCSF_SCHEMA_VERSION,
    product: { name: 'MCPTrust', vendor_name: 'MCPTrust', version: bound(context.productVersion, SIEM_TEXT_MAX, flag) },
    profiles: traceId === undefined ? ['security_control'] : ['security_control', 'trace'],
    correlation_uid: bound(context.runId, SIEM_TEXT_MAX, flag),
    original_time: event.time.length <= 64 ? event.time : new Date(time).toISOString(),
  };
  if (context.eventId !== undefined) metadata['uid'] = bound(context.eventId, SIEM_TEXT_MAX, flag);
  if (flag.truncated) metadata['is_truncated'] = true;
  out['metadata'] = metadata;
  out['unmapped'] = unmapped;
  return out;
}
