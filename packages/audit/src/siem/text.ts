import { AuditError } from '../errors.js';
import type { AuditEvent } from '../audit-event.types.js';

/** Bound of a hostile value (name, URI, id, method) in a SIEM record, marker included. */
export const SIEM_TEXT_MAX = 256;

/** Bound of a reason sentence (it may list several names) in a SIEM record, marker included. */
export const SIEM_REASON_MAX = 1024;

/** The most removed item names a filtered decision carries into a SIEM record. */
export const SIEM_ITEMS_MAX = 50;

/** Marks a value that was cut. */
const ELLIPSIS = '\u2026';

/** Collects whether any value of one record was cut. */
export interface TruncationFlag {
  truncated: boolean;
}

/**
 * `value` bounded to `max` UTF-16 code units including a trailing `…` when cut; a
 * surrogate pair is never split. The text is otherwise passed through as data: JSON
 * serialization escapes what needs escaping.
 */
export function bound(value: string, max: number, flag: TruncationFlag): string {
  const text = String(value);
  if (text.length <= max) return text;
  flag.truncated = true;
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + ELLIPSIS;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * A resource URI (or URI template) reduced to scheme, authority without userinfo, and
 * path: the query and fragment go (`?` and `#` inside a template expression such as
 * `{?q}` are template operators and stay). Text that is not a URI is kept as text.
 * The result is bounded like any hostile value.
 */
export function stripUri(uri: string, flag: TruncationFlag): string {
  const text = String(uri);
  const scheme = SCHEME.exec(text);
  if (scheme === null) return bound(text, SIEM_TEXT_MAX, flag);
  let rest = text.slice(scheme[0].length);
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if ((c === '?' || c === '#') && depth === 0) {
      rest = rest.slice(0, i);
      break;
    }
  }
  const start = rest.startsWith('//') ? 2 : 0;
  const slash = rest.indexOf('/', start);
  const authority = slash < 0 ? rest.slice(start) : rest.slice(start, slash);
  const at = authority.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(0, start) + authority.slice(at + 1) + (slash < 0 ? '' : rest.slice(slash));
  return bound(scheme[0] + rest, SIEM_TEXT_MAX, flag);
}

const TRACE_PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace id of a version-00 W3C `traceparent` whose ids are not all zero, else undefined. */
export function traceIdFrom(traceParent: string | undefined): string | undefined {
  if (traceParent === undefined) return undefined;
  const m = TRACE_PARENT.exec(traceParent);
  if (m === null || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return m[1];
}

const ACTIONS = new Set(['allowed', 'blocked', 'dropped', 'filtered', 'audit_only', 'timeout', 'session']);

/**
 * Epoch milliseconds of `event.time`, after checking the fields every mapping relies
 * on; fails closed with `INVALID_EVENT` naming the field.
 */
export function checkedEpochMs(event: AuditEvent, fn: string): number {
  if (event === null || typeof event !== 'object') throw new AuditError('INVALID_EVENT', `${fn}: event must be an object`);
  if (!ACTIONS.has(event.action)) throw new AuditError('INVALID_EVENT', `${fn}: event.action ${JSON.stringify(event.action)} is not an audit action`);
  const ms = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
  if (!Number.isFinite(ms)) throw new AuditError('INVALID_EVENT', `${fn}: event.time ${JSON.stringify(event.time)} is not an ISO 8601 time`);
  return ms;
}

/** Checks the run context every mapping needs; fails closed with `INVALID_OPTIONS` naming the field. */
export function checkContext(context: { productVersion: unknown; runId: unknown; lockfile?: { path: unknown; sha256: unknown } | undefined }, fn: string): void {
  if (context === null || typeof context !== 'object') throw new AuditError('INVALID_OPTIONS', `${fn}: context must be an object`);
  for (const key of ['productVersion', 'runId'] as const) {
    const v = context[key];
    if (typeof v !== 'string' || v === '') throw new AuditError('INVALID_OPTIONS', `${fn}: context.${key} must be a non-empty string`);
  }
  if (context.lockfile !== undefined) {
    const { path, sha256 } = context.lockfile;
    if (typeof path !== 'string' || path === '') throw new AuditError('INVALID_OPTIONS', `${fn}: context.lockfile.path must be a non-empty string`);
    if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256)) throw new AuditError('INVALID_OPTIONS', `${fn}: context.lockfile.sha256 must be 64 hex digits`);
  }
}

/** Whether a `session` event is a refusal (it carries a reason code or an error code) rather than an opening. */
export function isSessionRefusal(event: AuditEvent): boolean {
  return event.action === 'session' && (event.code !== undefined || event.errorCode !== undefined);
}

/**
 * Whether a decision reports a failure to answer rather than a security refusal: a
 * timeout, or a request dropped because the server went away (`SERVER_UNAVAILABLE`).
 */
export function isServiceFailure(event: AuditEvent): boolean {
  return event.action === 'timeout' || (event.action === 'dropped' && event.code === 'SERVER_UNAVAILABLE');
}
