/**
 * List filtering: every page of `tools/list`, `prompts/list`, `resources/list`,
 * `resources/templates/list` and `tasks/list` is re-checked against the lockfile
 * (PROTOCOL 17–21, 38). Unpinned, denied, drifted, duplicated and malformed items are
 * removed (audit-only keeps them), and a definition that drifted stays denied.
 */
import type { AuditEvent } from '@mcptrust/audit';
import { DENIED_REASON, type ItemKind } from '../allowlist.js';
import { isObject, type Json } from './json.js';
import type { Observation } from './observation.js';
import type { PageCache } from './page-cache.js';
import type { Pending } from './pending-table.js';
import type { Session } from './session.js';

/** The list methods: the result field holding the items, their kind and their key. */
export const LIST_FIELD: Record<string, { field: string; kind: ItemKind | 'task'; key: string }> = {
  'tools/list': { field: 'tools', kind: 'tool', key: 'name' },
  'prompts/list': { field: 'prompts', kind: 'prompt', key: 'name' },
  'resources/templates/list': { field: 'resourceTemplates', kind: 'resourceTemplate', key: 'uriTemplate' },
  'resources/list': { field: 'resources', kind: 'resource', key: 'uri' },
  'tasks/list': { field: 'tasks', kind: 'task', key: 'taskId' },
};

/** The members of a list result besides its list field (MCP `PaginatedResult`). */
const LIST_RESULT_MEMBERS: ReadonlySet<string> = new Set(['nextCursor', '_meta']);

/** The list-filtering stage. */
export class ListFilter {
  constructor(
    private readonly session: Session,
    private readonly obs: Observation,
    private readonly pages: PageCache,
  ) {}

  /** Whether `method` is a list the engine filters. */
  isList(method: string): boolean {
    return LIST_FIELD[method] !== undefined;
  }

  /**
   * Answers a list request with the filtered page (always re-serialized) and caches
   * the page so an identical one is answered without parsing.
   */
  answer(entry: Pending, msg: Json, raw: string | undefined): void {
    const result = msg['result'];
    const filtered = this.filterList(entry.method, isObject(result) ? result : {});
    const resultJson = JSON.stringify(filtered.result);
    if (raw !== undefined) this.pages.remember(entry.method, raw, resultJson, filtered.audit);
    this.session.io.toHost('{"jsonrpc":"2.0","id":' + entry.hostId! + ',"result":' + resultJson + '}');
    if (this.obs.auditAllowed) this.obs.auditAnswer(entry, undefined);
  }

  /** Filters one page of a list (PROTOCOL 17–21, 38); `audit` is what was reported. */
  filterList(method: string, result: Json): { result: Json; audit: Partial<AuditEvent> | undefined } {
    const spec = LIST_FIELD[method]!;
    const arr = result[spec.field];
    // A missing or non-array list field fails closed to [] (PROTOCOL 18).
    const items: unknown[] = Array.isArray(arr) ? arr : [];
    const counts = new Map<string, number>();
    for (const it of items) {
      if (isObject(it) && typeof it[spec.key] === 'string') {
        const k = it[spec.key] as string;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    const kept: unknown[] = [];
    const removed: string[] = [];
    const reasons = new Set<string>();
    for (const it of items) {
      if (!isObject(it) || typeof it[spec.key] !== 'string') {
        removed.push('(malformed)');
        reasons.add('malformed item');
        continue;
      }
      const id = it[spec.key] as string;
      const why = this.itemRejection(spec.kind, id, it, counts.get(id)!);
      if (why === undefined) kept.push(it);
      else {
        removed.push(id);
        reasons.add(why);
        if (this.session.mode === 'audit-only') kept.push(it);
      }
    }
    // Only the list field, `nextCursor` and `_meta` reach the host: any other member (an
    // unpinned tool under `tools` inside a `prompts/list` answer) is unchecked content.
    const extras = Object.keys(result).filter((k) => !LIST_RESULT_MEMBERS.has(k) && k !== spec.field);
    if (extras.length > 0) {
      for (const k of extras) removed.push(`(result member ${k})`);
      reasons.add('result member other than the list');
    }
    let audit: Partial<AuditEvent> | undefined;
    if (removed.length > 0) {
      audit = { method, count: removed.length, items: removed.slice(0, 50), reason: [...reasons].join('; ') };
      this.obs.audit(this.session.mode === 'audit-only' ? 'audit_only' : 'filtered', 'server_to_host', { ...audit });
    }
    if (removed.length === 0 && Array.isArray(arr)) return { result, audit };
    if (this.session.mode === 'audit-only' && extras.length > 0 && Array.isArray(arr)) return { result: { ...result, [spec.field]: kept }, audit };
    const out: Json = { [spec.field]: kept };
    for (const k of LIST_RESULT_MEMBERS) if (Object.hasOwn(result, k) && k !== spec.field) out[k] = result[k];
    return { result: out, audit };
  }

  private itemRejection(kind: ItemKind | 'task', id: string, it: Json, count: number): string | undefined {
    if (kind === 'task') return this.session.tasks.has(id) ? undefined : 'task not created in this session';
    if (count > 1) {
      if (this.session.allow.pinned(kind, id) !== undefined) this.session.markDrifted(kind, id);
      return 'listed twice';
    }
    if (kind === 'resource') {
      if (this.session.allow.deniesUri(id)) return DENIED_REASON;
      if (this.session.allow.staticResources.has(id)) {
        if (this.session.drifted.get('resource')!.has(id)) return 'definition drifted';
        return this.verifyOrMark('resource', id, it);
      }
      if (this.session.startupStatic.has(id)) return undefined;
      const t = this.session.allow.matchTemplate(id);
      if (t !== undefined && !this.session.drifted.get('resourceTemplate')!.has(t)) return undefined;
      return 'not in allowlist';
    }
    if (this.session.allow.isDenied(kind, id)) return DENIED_REASON;
    if (this.session.allow.pinned(kind, id) === undefined) return 'not in allowlist';
    if (this.session.drifted.get(kind)!.has(id)) return 'definition drifted';
    return this.verifyOrMark(kind, id, it);
  }

  private verifyOrMark(kind: ItemKind, id: string, it: Json): string | undefined {
    const v = this.session.allow.verify(kind, id, it);
    if (v.ok) {
      if (kind === 'tool' && !this.session.allow.toolSchemas.has(id)) this.session.verifiedSchemas.set(id, it['inputSchema']);
      return undefined;
    }
    // Drift is sticky for the session: a server flipping back cannot re-enable the item.
    this.session.markDrifted(kind, id);
    return 'definition drifted';
  }
}
