/**
 * Preflight: after `initialize` the engine lists every surface the server declares
 * (all pages), compares it with the lockfile, grades the drift and decides whether
 * the session opens. Drifted items are marked in the session (denied whatever their
 * grade); the lifecycle stage opens or refuses the session on the verdict.
 */
// The scanner's rule for list errors, from its own light entry (no SDK, no drift model).
import { listErrorMeansNone } from '@mcptrust/drift/list-methods';
import type { LiveListing } from '@mcptrust/drift';
import { hashText } from '@mcptrust/lockfile';
import type { ItemKind } from '../allowlist.js';
import { approvalHint } from '../approval-hint.js';
import type { PreflightDrift } from '../engine.types.js';
import { preflightAction, preflightRefuses } from '../preflight-settlement.js';
import type { IdTranslation } from './id-translation.js';
import { has, isObject, type Json } from './json.js';
import { LIST_FIELD } from './list-filter.js';
import type { Observation } from './observation.js';
import { CRITICAL_FIELDS, SEVERITY_RANK, gradePreflight, loadDriftModel, serverFieldsDiffer } from './preflight-grading.js';
import type { Session } from './session.js';

const MAX_PREFLIGHT_PAGES = 1000;
const MAX_PREFLIGHT_ITEMS = 100_000;

/** What preflight's verdict does to the session (implemented by the lifecycle stage). */
export interface PreflightOutcome {
  /** The session opens: answer the host's `initialize`, replay what waited. */
  openSession(drift: readonly PreflightDrift[]): void;
  /** The session is refused: answer `initialize` with `SESSION_REFUSED`, end the session. */
  refuseSession(drift: PreflightDrift[], reason: string, code: 'PREFLIGHT_DRIFT' | 'PREFLIGHT_FAILED'): void;
}

/** The preflight stage. */
export class Preflight {
  constructor(
    private readonly session: Session,
    private readonly obs: Observation,
    private readonly translation: IdTranslation,
    private readonly outcome: PreflightOutcome,
  ) {}

  /** Lists every surface `serverCaps` declares, then compares (the handshake was completed already). */
  run(initResult: Json, serverCaps: Json): void {
    const lists: string[] = [];
    if (has(serverCaps, 'tools')) lists.push('tools/list');
    if (has(serverCaps, 'prompts')) lists.push('prompts/list');
    if (has(serverCaps, 'resources')) lists.push('resources/list', 'resources/templates/list');
    const collected = new Map<string, Json[]>();
    let outstanding = lists.length;
    let failed = false;
    let items = 0;
    const fail = (reason: string): void => {
      if (failed) return;
      failed = true;
      this.outcome.refuseSession([], `preflight failed: ${reason}`, 'PREFLIGHT_FAILED');
    };
    const listed = (): void => {
      outstanding--;
      if (outstanding === 0) this.finish(initResult, collected);
    };
    const page = (method: string, cursor: string | undefined, pages: number): void => {
      const ok = this.translation.sendInternal(method, cursor === undefined ? undefined : { cursor }, (answer) => {
        if (failed || this.session.state !== 'preflight') return;
        const res = answer['result'];
        if (!isObject(res)) {
          // "Method not found" for a list means none, exactly as `mcptrust lock` reads it:
          // a server declaring `resources` without templates is not refused for it.
          const error = answer['error'];
          if (isObject(error) && listErrorMeansNone(error['code'], pages)) listed();
          else fail(`${method} answered with an error`);
          return;
        }
        const spec = LIST_FIELD[method]!;
        const arr = Array.isArray(res[spec.field]) ? (res[spec.field] as unknown[]) : [];
        const bucket = collected.get(method) ?? [];
        for (const it of arr) if (isObject(it)) bucket.push(it);
        collected.set(method, bucket);
        items += arr.length;
        const next = res['nextCursor'];
        if (typeof next === 'string' && next.length > 0) {
          if (pages + 1 > MAX_PREFLIGHT_PAGES || items > MAX_PREFLIGHT_ITEMS) {
            fail(`${method} has too many pages`);
            return;
          }
          page(method, next, pages + 1);
          return;
        }
        listed();
      });
      if (!ok) fail('could not generate a request id');
    };
    if (lists.length === 0) {
      this.finish(initResult, collected);
      return;
    }
    for (const m of lists) page(m, undefined, 1);
  }

  /** Compares the listing with the lockfile; grades it with the drift model when something differs. */
  private finish(initResult: Json, collected: Map<string, Json[]>): void {
    const drift: PreflightDrift[] = [];
    const lockServer = this.session.options.lockfile.server;
    const info = isObject(initResult['serverInfo']) ? initResult['serverInfo'] : {};
    if (lockServer?.version && typeof info['version'] === 'string' && info['version'] !== lockServer.version) {
      drift.push({ kind: 'server', id: 'serverInfo.version', change: 'changed', severity: 'info' });
    }
    if (lockServer?.protocolVersion && initResult['protocolVersion'] !== lockServer.protocolVersion) {
      drift.push({ kind: 'server', id: 'protocolVersion', change: 'changed', severity: 'info' });
    }
    const liveInstr = initResult['instructions'];
    const pinnedInstr = lockServer?.instructionsHash;
    if (typeof liveInstr === 'string' || pinnedInstr !== undefined) {
      let same = false;
      try {
        same = typeof liveInstr === 'string' && pinnedInstr !== undefined && hashText(liveInstr) === pinnedInstr;
      } catch {
        same = false;
      }
      if (!same) {
        drift.push({
          kind: 'server',
          id: 'instructions',
          change: typeof liveInstr !== 'string' ? 'removed' : pinnedInstr === undefined ? 'added' : 'changed',
          severity: typeof liveInstr === 'string' ? 'critical' : 'moderate',
        });
      }
    }
    const compare = (method: string, kind: ItemKind, keyField: string, pinnedIds: Iterable<string>): void => {
      const live = collected.get(method) ?? [];
      const seen = new Map<string, number>();
      for (const it of live) {
        const id = it[keyField];
        if (typeof id === 'string') seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      for (const it of live) {
        const id = it[keyField];
        if (typeof id !== 'string') continue;
        // Denied on purpose: not drift, whatever its definition (it stays hidden and refused).
        if (this.session.allow.isDenied(kind, id)) continue;
        if (this.session.allow.pinned(kind, id) === undefined) {
          if (kind === 'resource' && this.session.allowStatic) {
            this.session.startupStatic.add(id);
            this.session.stateVersion++;
            continue;
          }
          drift.push({ kind, id, change: 'added', severity: 'critical' });
          continue;
        }
        if (seen.get(id)! > 1) {
          // Reported once, however many copies were listed.
          if (!this.session.drifted.get(kind)!.has(id)) drift.push({ kind, id, change: 'changed', severity: 'critical', fields: ['(listed twice)'] });
          this.session.markDrifted(kind, id);
          continue;
        }
        const v = this.session.allow.verify(kind, id, it);
        if (!v.ok) {
          const critical = v.changed.some((f) => CRITICAL_FIELDS.has(f) || f.startsWith('('));
          drift.push({ kind, id, change: 'changed', severity: critical ? 'critical' : 'moderate', fields: v.changed });
          this.session.markDrifted(kind, id);
        } else if (kind === 'tool' && !this.session.allow.toolSchemas.has(id)) {
          this.session.verifiedSchemas.set(id, it['inputSchema']);
        }
      }
      for (const id of pinnedIds) {
        if (!seen.has(id)) drift.push({ kind, id, change: 'removed', severity: 'moderate' });
      }
    };
    compare('tools/list', 'tool', 'name', this.session.allow.tools.keys());
    compare('prompts/list', 'prompt', 'name', this.session.allow.prompts.keys());
    compare('resources/templates/list', 'resourceTemplate', 'uriTemplate', this.session.allow.templates.keys());
    compare('resources/list', 'resource', 'uri', this.session.allow.staticResources.keys());
    // A new server version or another negotiated protocol version is `info` in both
    // models (the host may well negotiate another version than `mcptrust lock` did):
    // no need to load the model for those alone.
    const versionsOnly = drift.every((d) => d.kind === 'server' && (d.id === 'serverInfo.version' || d.id === 'protocolVersion'));
    if (versionsOnly && !serverFieldsDiffer(this.session.options.lockfile, initResult)) {
      this.settle(drift);
      return;
    }
    // Something differs: grade it with the drift model, which is loaded only now (a
    // server that matches its lockfile never pays for it). Until then the session stays
    // in preflight and host requests wait, as they do for the listing.
    const listing: LiveListing = {
      initialize: initResult,
      tools: collected.get('tools/list') ?? [],
      prompts: collected.get('prompts/list') ?? [],
      resources: collected.get('resources/list') ?? [],
      resourceTemplates: collected.get('resources/templates/list') ?? [],
    };
    void loadDriftModel().then(
      (compareLiveListing) => {
        if (this.session.state !== 'preflight') return;
        gradePreflight(drift, () => compareLiveListing(this.session.options.lockfile, listing));
        this.settle(drift);
      },
      () => {
        // The model could not be loaded: the engine's own, stricter grades stand.
        if (this.session.state === 'preflight') this.settle(drift);
      },
    );
  }

  /** Refuses the session or opens it, once the preflight drift is graded. */
  private settle(drift: PreflightDrift[]): void {
    this.session.drift = drift;
    const threshold = SEVERITY_RANK[this.session.failOn];
    const blocking = drift.filter((d) => SEVERITY_RANK[d.severity] >= threshold);
    for (const d of drift) {
      this.obs.audit(preflightAction(this.session.mode, d, SEVERITY_RANK[d.severity] >= threshold), 'internal', {
        method: 'preflight',
        code: 'DEFINITION_DRIFTED',
        reason: `${d.kind} ${d.change} (${d.severity})`,
        ...(d.kind === 'tool' ? { tool: d.id } : d.kind === 'prompt' ? { prompt: d.id } : d.kind === 'server' ? {} : { uri: d.id }),
      });
    }
    if (preflightRefuses(this.session.mode, blocking.length)) {
      const names = blocking.map((d) => `${d.kind} ${JSON.stringify(d.id)} ${d.change} (${d.severity})`);
      this.outcome.refuseSession(blocking, `preflight found drift at or above ${this.session.failOn}: ${names.join('; ')}${approvalHint(blocking)}`, 'PREFLIGHT_DRIFT');
      return;
    }
    this.outcome.openSession(drift);
  }
}
