import type { AuditEvent } from '@mcptrust/audit';
import type { LiveListing } from '@mcptrust/drift';
// The scanner's rule for list errors, from its own light entry (no SDK, no drift model).
import { listErrorMeansNone } from '@mcptrust/drift/list-methods';
import { hashText } from '@mcptrust/lockfile';
import type { ItemKind } from './allowlist.js';
import { approvalHint } from './approval-hint.js';
import type {
  EngineState,
  PreflightDrift,
  ProxyEngine,
  ProxyEngineIO,
  ProxyEngineOptions,
  ProxyEngineStats,
} from './engine.types.js';
import { ProxyError } from './errors.js';
import { preflightAction, preflightRefuses, sessionOpenedReason } from './preflight-settlement.js';
import {
  DENIAL_CODES,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  isSupportedVersion,
  versionAtLeast,
} from './protocol.js';
import { findTopLevelId } from './raw-json.js';
import { Enforcement } from './engine/enforcement.js';
import { LIST_FIELD, ListFilter } from './engine/list-filter.js';
import { PageCache } from './engine/page-cache.js';
import { IdTranslation } from './engine/id-translation.js';
import { Observation } from './engine/observation.js';
import { Pending, PendingTable, ServerRequest } from './engine/pending-table.js';
import { CRITICAL_FIELDS, SEVERITY_RANK, gradePreflight, loadDriftModel, serverFieldsDiffer } from './engine/preflight-grading.js';
import { Replies } from './engine/replies.js';
import { Session } from './engine/session.js';
import { MAX_ID_BYTES, hostIdOf, isIntegerText } from './engine/id-text.js';
import { has, isObject, type Json } from './engine/json.js';

const MAX_QUEUED_HOST_MESSAGES = 64;
const MAX_PREFLIGHT_PAGES = 1000;
const MAX_PREFLIGHT_ITEMS = 100_000;

// Responses whose content the engine does not look at; they may be forwarded with only
// the top-level id replaced in the original text.
const PASSTHROUGH_RESULTS = new Set([
  'tools/call',
  'prompts/get',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
  'ping',
  'logging/setLevel',
  'tasks/get',
  'tasks/result',
  'tasks/cancel',
]);

const KNOWN_CLIENT_CAPS = ['roots', 'sampling', 'elicitation'];
const KNOWN_SERVER_CAPS = ['logging', 'completions', 'prompts', 'resources', 'tools', 'tasks'];

export { DEFAULT_MAX_PENDING, DEFAULT_REQUEST_TIMEOUT_MS } from './engine/session.js';
export { MIN_BYTE_FORWARD_CHARS } from './engine/id-text.js';

/** The engine implementation; construct with {@link createProxyEngine}. */
class Engine implements ProxyEngine {
  private readonly s: Session;
  private readonly obs: Observation;
  private readonly replies: Replies;
  private readonly table: PendingTable;
  private readonly translation: IdTranslation;
  private readonly enforcement: Enforcement;
  private queued: Array<[string, boolean, number]> = [];
  private readonly pages: PageCache;
  private readonly lists: ListFilter;
  private initEntry: Pending | undefined;
  private initResult: Json | undefined;
  private initializedSent = false;
  private hostInitializedSeen = false;

  constructor(io: ProxyEngineIO, options: ProxyEngineOptions) {
    this.s = new Session(io, options);
    this.obs = new Observation(this.s);
    this.replies = new Replies(io, this.obs);
    this.table = new PendingTable(this.s, this.obs, this.replies);
    this.translation = new IdTranslation(this.s, this.obs, this.replies, this.table);
    this.enforcement = new Enforcement(this.s, this.obs, this.replies);
    this.pages = new PageCache(this.s, this.obs, this.table);
    this.lists = new ListFilter(this.s, this.obs, this.pages);
  }

  get state(): EngineState {
    return this.s.state;
  }

  get protocolVersion(): string | undefined {
    return this.s.version;
  }

  get drift(): readonly PreflightDrift[] {
    return this.s.drift;
  }

  stats(): ProxyEngineStats {
    return { pending: this.table.pending.size, serverRequests: this.table.serverRequests.size, tasks: this.s.tasks.size };
  }

  // ---------------------------------------------------------------- audit + replies

  // ---------------------------------------------------------------- host side

  receiveFromHost(line: string, utf8Valid = true): void {
    this.hostInput(line, utf8Valid, this.obs.observing ? performance.now() : 0);
  }

  /** One host line; `arrival` is when it reached the engine (a queued line keeps its own). */
  private hostInput(line: string, utf8Valid: boolean, arrival: number): void {
    if (this.s.state === 'closed') return;
    this.obs.beginHostLine(arrival);
    try {
      this.hostLine(line, utf8Valid);
    } catch {
      // Fail closed: an unexpected internal error refuses the message.
      this.replies.refuse(undefined, undefined, { cls: 'INTERNAL_FAILURE', reason: 'internal error while checking the message' });
    }
  }

  private hostLine(line: string, utf8Valid: boolean): void {
    // A blank line is not a JSON value either: -32700 below, and the session goes on
    // (PROTOCOL 4).
    let msg: unknown;
    if (!utf8Valid) {
      this.replies.refuse(undefined, undefined, { cls: 'PARSE_ERROR', reason: 'Parse error: line is not valid UTF-8' }, 'dropped');
      return;
    }
    try {
      msg = JSON.parse(line);
    } catch {
      this.replies.refuse(undefined, undefined, { cls: 'PARSE_ERROR', reason: 'Parse error: line is not one JSON value' }, 'dropped');
      return;
    }
    if (Array.isArray(msg)) {
      if (this.s.version !== '2025-03-26' || msg.length === 0) {
        this.replies.refuse(undefined, undefined, {
          cls: 'INVALID_REQUEST',
          reason: msg.length === 0 ? 'Invalid Request: empty batch' : 'Invalid Request: batches are only allowed under protocol 2025-03-26',
        }, 'dropped');
        return;
      }
      for (const element of msg) {
        if (isObject(element) && element['method'] === 'initialize') {
          if (this.obs.observing) this.obs.readTrace(element);
          const id = hostIdOf(element, undefined);
          this.replies.refuse(typeof id === 'object' ? id.json : undefined, 'initialize', { cls: 'INVALID_REQUEST', reason: 'Invalid Request: initialize cannot be batched' });
          continue;
        }
        this.hostMessage(element, undefined);
      }
      return;
    }
    this.hostMessage(msg, line);
  }

  private hostMessage(msg: unknown, raw: string | undefined): void {
    if (!isObject(msg)) {
      this.replies.refuse(undefined, undefined, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: a message must be a JSON object' }, 'dropped');
      return;
    }
    if (this.obs.observing) this.obs.readTrace(msg);
    const id = hostIdOf(msg, raw);
    if (typeof id === 'string') {
      this.replies.refuse(undefined, typeof msg['method'] === 'string' ? msg['method'] : undefined, { cls: 'INVALID_REQUEST', reason: id }, 'dropped');
      return;
    }
    const idJson = id?.json;
    if (msg['jsonrpc'] !== '2.0') {
      this.replies.refuse(idJson, undefined, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: jsonrpc must be "2.0"' });
      return;
    }
    const hasResult = has(msg, 'result');
    const hasError = has(msg, 'error');
    if (has(msg, 'method')) {
      const method = msg['method'];
      if (typeof method !== 'string' || hasResult || hasError) {
        this.replies.refuse(idJson, undefined, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: malformed request' });
        return;
      }
      if (has(msg, 'params') && !isObject(msg['params'])) {
        this.replies.refuse(idJson, method, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: params must be an object' });
        return;
      }
      if (id === undefined) this.hostNotification(method, msg);
      else if ((this.s.state === 'initializing' || this.s.state === 'preflight') && method !== 'ping' && method !== 'initialize') {
        // Until the session is established, requests wait (bounded) and are replayed
        // in order once it is.
        if (this.queued.length >= MAX_QUEUED_HOST_MESSAGES) {
          this.replies.refuse(id.json, method, { cls: 'LIMIT_EXCEEDED', reason: 'too many requests before initialization completed' });
          return;
        }
        this.queued.push([raw ?? JSON.stringify(msg), true, this.obs.arrival]);
      } else this.hostRequest(method, msg, id.json, id.key);
      return;
    }
    if (id !== undefined && hasResult !== hasError) {
      this.translation.hostResponse(msg, hasError);
      return;
    }
    this.replies.refuse(idJson, undefined, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: not a request, notification or response' });
  }

  // ---------------------------------------------------------------- host requests

  private hostRequest(method: string, msg: Json, idJson: string, key: string): void {
    if (this.table.byHost.has(key)) {
      this.replies.refuse(idJson, method, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: this id is already in flight' });
      return;
    }
    if (method === 'initialize') {
      this.hostInitialize(msg, idJson, key);
      return;
    }
    if (this.s.state === 'refused') {
      this.replies.refuse(idJson, method, { cls: 'SESSION_REFUSED', reason: 'the session was refused' });
      return;
    }
    if (method === 'ping') {
      this.translation.forward(method, msg, idJson, key, undefined, false);
      return;
    }
    if (this.s.state !== 'ready' || this.s.version === undefined) {
      this.replies.refuse(idJson, method, { cls: 'METHOD_NOT_ALLOWED', reason: 'the session is not initialized' });
      return;
    }
    const params = (msg['params'] as Json | undefined) ?? {};
    const admission = this.enforcement.admit(method, params, idJson);
    if (admission === 'refused') return;
    let tool: string | undefined;
    let task = false;
    if (method === 'tools/call') {
      tool = typeof params['name'] === 'string' ? params['name'] : undefined;
      task = has(params, 'task');
    }
    this.translation.forward(method, msg, idJson, key, tool, task);
    if (admission === 'reported') {
      const entry = this.table.pending.get(this.table.byHost.get(key) ?? '');
      if (entry !== undefined) entry.reported = true;
    }
  }

  // ---------------------------------------------------------------- initialize

  private hostInitialize(msg: Json, idJson: string, key: string): void {
    if (this.s.state !== 'awaiting-initialize') {
      this.replies.refuse(idJson, 'initialize', { cls: 'INVALID_REQUEST', reason: 'Invalid Request: initialize was already received' });
      return;
    }
    const params = msg['params'];
    if (!isObject(params) || typeof params['protocolVersion'] !== 'string') {
      this.replies.refuse(idJson, 'initialize', { cls: 'INVALID_REQUEST', reason: 'Invalid Request: initialize needs params.protocolVersion' });
      return;
    }
    let requested = params['protocolVersion'];
    if (!isSupportedVersion(requested)) {
      // A newer date-formatted version is negotiated down (the server may still pick
      // any version it supports); anything else is refused with the supported list.
      if (/^\d{4}-\d{2}-\d{2}$/.test(requested) && requested > LATEST_PROTOCOL_VERSION) {
        requested = LATEST_PROTOCOL_VERSION;
      } else {
        this.replies.hostError(idJson, DENIAL_CODES.UNSUPPORTED_PROTOCOL_VERSION, 'Unsupported protocol version', {
          supported: [...SUPPORTED_PROTOCOL_VERSIONS],
          requested: params['protocolVersion'],
        });
        this.obs.audit('blocked', 'host_to_server', this.obs.requestFields({ method: 'initialize', code: 'UNSUPPORTED_PROTOCOL_VERSION', errorCode: DENIAL_CODES.UNSUPPORTED_PROTOCOL_VERSION, reason: 'unsupported protocol version' }, idJson));
        return;
      }
    }
    const caps = isObject(params['capabilities']) ? params['capabilities'] : {};
    const kept: Json = {};
    for (const c of KNOWN_CLIENT_CAPS) {
      if (!has(caps, c) || !isObject(caps[c])) continue;
      if (c === 'sampling' && this.s.options.denySampling) continue;
      if (c === 'roots' && this.s.options.denyRoots) continue;
      if (c === 'elicitation' && (this.s.options.denyElicitation || requested < '2025-06-18')) continue;
      kept[c] = caps[c];
    }
    this.s.hostCaps = kept;
    this.s.state = 'initializing';
    const rewritten: Json = { ...msg, params: { ...params, protocolVersion: requested, capabilities: kept } };
    this.translation.forward('initialize', rewritten, idJson, key, undefined, false, this.s.startupTimeout);
    this.initEntry = this.table.pending.get(this.table.byHost.get(key) ?? '');
    if (this.initEntry === undefined) this.s.state = 'awaiting-initialize';
  }

  private initializeAnswered(entry: Pending, msg: Json): void {
    if (has(msg, 'error')) {
      this.s.state = 'awaiting-initialize';
      this.translation.toHostResponse(entry, msg, undefined);
      this.replayQueue();
      return;
    }
    const result = msg['result'];
    const version = isObject(result) ? result['protocolVersion'] : undefined;
    if (!isObject(result) || !isSupportedVersion(version)) {
      this.s.state = 'refused';
      const reason = `the server answered initialize with unsupported protocol version ${JSON.stringify(version)}`;
      this.replies.refuse(entry.hostId, 'initialize', { cls: 'SESSION_REFUSED', reason }, 'blocked', entry);
      this.s.fatal(new ProxyError('UNSUPPORTED_PROTOCOL_VERSION', reason));
      return;
    }
    this.s.version = version;
    const serverCaps = isObject(result['capabilities']) ? result['capabilities'] : {};
    const keptCaps: Json = {};
    for (const c of KNOWN_SERVER_CAPS) {
      if (c === 'tasks' && version !== '2025-11-25') continue;
      if (has(serverCaps, c)) keptCaps[c] = serverCaps[c];
    }
    const out: Json = { ...result, capabilities: keptCaps };
    // instructions reach the model: only the pinned text passes (PROTOCOL 15).
    if (has(result, 'instructions')) {
      const pinned = this.s.options.lockfile.server?.instructionsHash;
      const live = result['instructions'];
      let same = false;
      try {
        same = typeof live === 'string' && pinned !== undefined && hashText(live) === pinned;
      } catch {
        same = false;
      }
      if (!same && this.s.mode !== 'audit-only') {
        delete out['instructions'];
        this.obs.audit('filtered', 'server_to_host', { method: 'initialize', reason: 'instructions differ from the lockfile', code: 'DEFINITION_DRIFTED' });
      }
    }
    this.initResult = out;
    if (!this.s.preflightEnabled) {
      this.s.state = 'ready';
      this.translation.toHostResult(entry, out);
      this.replayQueue();
      return;
    }
    this.s.state = 'preflight';
    this.runPreflight(result, serverCaps);
  }

  // ---------------------------------------------------------------- preflight

  private runPreflight(initResult: Json, serverCaps: Json): void {
    // The proxy completes the handshake itself so it can list on the same connection;
    // the host's own notifications/initialized is absorbed later.
    this.s.io.toServer('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    this.initializedSent = true;
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
      this.refuseSession([], `preflight failed: ${reason}`, 'PREFLIGHT_FAILED');
    };
    const listed = (): void => {
      outstanding--;
      if (outstanding === 0) this.finishPreflight(initResult, collected);
    };
    const page = (method: string, cursor: string | undefined, pages: number): void => {
      const ok = this.translation.sendInternal(method, cursor === undefined ? undefined : { cursor }, (answer) => {
        if (failed || this.s.state !== 'preflight') return;
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
      this.finishPreflight(initResult, collected);
      return;
    }
    for (const m of lists) page(m, undefined, 1);
  }

  private finishPreflight(initResult: Json, collected: Map<string, Json[]>): void {
    const drift: PreflightDrift[] = [];
    const lockServer = this.s.options.lockfile.server;
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
        if (this.s.allow.isDenied(kind, id)) continue;
        if (this.s.allow.pinned(kind, id) === undefined) {
          if (kind === 'resource' && this.s.allowStatic) {
            this.s.startupStatic.add(id);
            this.s.stateVersion++;
            continue;
          }
          drift.push({ kind, id, change: 'added', severity: 'critical' });
          continue;
        }
        if (seen.get(id)! > 1) {
          // Reported once, however many copies were listed.
          if (!this.s.drifted.get(kind)!.has(id)) drift.push({ kind, id, change: 'changed', severity: 'critical', fields: ['(listed twice)'] });
          this.s.markDrifted(kind, id);
          continue;
        }
        const v = this.s.allow.verify(kind, id, it);
        if (!v.ok) {
          const critical = v.changed.some((f) => CRITICAL_FIELDS.has(f) || f.startsWith('('));
          drift.push({ kind, id, change: 'changed', severity: critical ? 'critical' : 'moderate', fields: v.changed });
          this.s.markDrifted(kind, id);
        } else if (kind === 'tool' && !this.s.allow.toolSchemas.has(id)) {
          this.s.verifiedSchemas.set(id, it['inputSchema']);
        }
      }
      for (const id of pinnedIds) {
        if (!seen.has(id)) drift.push({ kind, id, change: 'removed', severity: 'moderate' });
      }
    };
    compare('tools/list', 'tool', 'name', this.s.allow.tools.keys());
    compare('prompts/list', 'prompt', 'name', this.s.allow.prompts.keys());
    compare('resources/templates/list', 'resourceTemplate', 'uriTemplate', this.s.allow.templates.keys());
    compare('resources/list', 'resource', 'uri', this.s.allow.staticResources.keys());
    // A new server version or another negotiated protocol version is `info` in both
    // models (the host may well negotiate another version than `mcptrust lock` did):
    // no need to load the model for those alone.
    const versionsOnly = drift.every((d) => d.kind === 'server' && (d.id === 'serverInfo.version' || d.id === 'protocolVersion'));
    if (versionsOnly && !serverFieldsDiffer(this.s.options.lockfile, initResult)) {
      this.settlePreflight(drift);
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
        if (this.s.state !== 'preflight') return;
        gradePreflight(drift, () => compareLiveListing(this.s.options.lockfile, listing));
        this.settlePreflight(drift);
      },
      () => {
        // The model could not be loaded: the engine's own, stricter grades stand.
        if (this.s.state === 'preflight') this.settlePreflight(drift);
      },
    );
  }

  /** Refuses the session or opens it, once the preflight drift is graded. */
  private settlePreflight(drift: PreflightDrift[]): void {
    this.s.drift = drift;
    const threshold = SEVERITY_RANK[this.s.failOn];
    const blocking = drift.filter((d) => SEVERITY_RANK[d.severity] >= threshold);
    for (const d of drift) {
      this.obs.audit(preflightAction(this.s.mode, d, SEVERITY_RANK[d.severity] >= threshold), 'internal', {
        method: 'preflight',
        code: 'DEFINITION_DRIFTED',
        reason: `${d.kind} ${d.change} (${d.severity})`,
        ...(d.kind === 'tool' ? { tool: d.id } : d.kind === 'prompt' ? { prompt: d.id } : d.kind === 'server' ? {} : { uri: d.id }),
      });
    }
    if (preflightRefuses(this.s.mode, blocking.length)) {
      const names = blocking.map((d) => `${d.kind} ${JSON.stringify(d.id)} ${d.change} (${d.severity})`);
      this.refuseSession(blocking, `preflight found drift at or above ${this.s.failOn}: ${names.join('; ')}${approvalHint(blocking)}`, 'PREFLIGHT_DRIFT');
      return;
    }
    this.s.state = 'ready';
    const entry = this.initEntry;
    if (entry !== undefined && this.initResult !== undefined) {
      this.translation.sendHostResult(entry.hostId!, this.initResult);
      if (this.obs.auditAllowed) this.obs.auditAnswer(entry, undefined);
    }
    this.obs.audit('session', 'internal', { method: 'initialize', reason: sessionOpenedReason(this.s.mode, drift.length) });
    this.replayQueue();
  }

  private refuseSession(drift: PreflightDrift[], reason: string, code: 'PREFLIGHT_DRIFT' | 'PREFLIGHT_FAILED'): void {
    this.s.state = 'refused';
    const entry = this.initEntry;
    this.replies.hostError(entry?.hostId, DENIAL_CODES.SESSION_REFUSED, `MCPTRUST_DENIED: ${reason}`, {
      code: 'SESSION_REFUSED',
      drift: drift.map((d) => ({ kind: d.kind, id: d.id, change: d.change, severity: d.severity })),
    });
    const ev: Partial<AuditEvent> = { method: 'initialize', code: 'SESSION_REFUSED', errorCode: DENIAL_CODES.SESSION_REFUSED, reason };
    this.obs.audit('session', 'internal', entry?.hostId === undefined ? ev : this.obs.requestFields(ev, entry.hostId, entry));
    this.replayQueue();
    this.s.fatal(new ProxyError(code, reason, { items: drift.map((d) => `${d.kind}:${d.id}`) }));
  }

  private replayQueue(): void {
    const q = this.queued;
    if (q.length === 0) return;
    this.queued = [];
    const { obs } = this;
    const { arrival, traceParent, traceState } = obs;
    for (const [line, valid, queuedAt] of q) this.hostInput(line, valid, queuedAt);
    obs.arrival = arrival;
    obs.traceParent = traceParent;
    obs.traceState = traceState;
  }

  // ---------------------------------------------------------------- host notifications + responses

  private hostNotification(method: string, msg: Json): void {
    const params = isObject(msg['params']) ? msg['params'] : {};
    switch (method) {
      case 'notifications/initialized':
        if (this.initializedSent || this.hostInitializedSeen) return; // absorbed: the proxy already sent it
        this.hostInitializedSeen = true;
        // A host that sends it before the initialize answer arrived must not make the
        // server see it twice: with preflight on, the proxy sends its own once the
        // server has answered.
        if (this.s.preflightEnabled && (this.s.state === 'awaiting-initialize' || this.s.state === 'initializing')) return;
        this.s.io.toServer(JSON.stringify(msg));
        return;
      case 'notifications/cancelled':
        this.translation.hostCancelled(method, params);
        return;
      case 'notifications/progress':
        this.translation.hostProgress(method, params);
        return;
      case 'notifications/roots/list_changed':
        if (this.s.state !== 'ready' || !has(this.s.hostCaps, 'roots')) {
          this.obs.audit('dropped', 'host_to_server', { method, reason: 'roots capability not carried' });
          return;
        }
        this.s.io.toServer(JSON.stringify({ jsonrpc: '2.0', method, ...(has(msg, 'params') ? { params } : {}) }));
        return;
      default:
        if (this.s.mode === 'audit-only' && this.s.state === 'ready') {
          this.obs.audit('audit_only', 'host_to_server', { method, code: 'METHOD_NOT_ALLOWED', reason: 'unknown notification' });
          this.s.io.toServer(JSON.stringify(msg));
          return;
        }
        this.obs.audit('dropped', 'host_to_server', { method, code: 'METHOD_NOT_ALLOWED', reason: 'notification not allowed' });
    }
  }

  // ---------------------------------------------------------------- server side

  receiveFromServer(line: string, utf8Valid = true, bytes?: Uint8Array): void {
    if (this.s.state === 'closed') return;
    // UTF-8 never has fewer bytes than the text has UTF-16 units: anything else is not
    // this line's bytes, and the text path is taken.
    this.translation.lineBytes = bytes !== undefined && bytes.length >= line.length ? bytes : undefined;
    try {
      this.serverLine(line, utf8Valid);
    } catch {
      this.obs.dropped('internal error while checking a server message');
    } finally {
      this.translation.lineBytes = undefined;
    }
  }

  private serverLine(line: string, utf8Valid: boolean): void {
    if (!utf8Valid) {
      this.obs.dropped('server line is not valid UTF-8');
      return;
    }
    if (!this.pages.empty && this.pages.fromText(line)) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.obs.dropped('server wrote a line that is not JSON');
      return;
    }
    if (Array.isArray(msg)) {
      if (this.s.version !== '2025-03-26' || msg.length === 0) {
        this.obs.dropped('batch from the server outside protocol 2025-03-26');
        return;
      }
      for (const el of msg) this.serverMessage(el, undefined);
      return;
    }
    this.serverMessage(msg, line);
  }

  private serverMessage(msg: unknown, raw: string | undefined): void {
    if (!isObject(msg) || msg['jsonrpc'] !== '2.0') {
      this.obs.dropped('invalid JSON-RPC envelope from the server');
      return;
    }
    const hasResult = has(msg, 'result');
    const hasError = has(msg, 'error');
    if (has(msg, 'method')) {
      const method = msg['method'];
      if (typeof method !== 'string' || hasResult || hasError || (has(msg, 'params') && !isObject(msg['params']))) {
        this.obs.dropped('malformed request from the server');
        return;
      }
      if (has(msg, 'id')) this.serverRequest(method, msg, raw);
      else this.serverNotification(method, msg, raw);
      return;
    }
    if (!has(msg, 'id') || hasResult === hasError) {
      this.obs.dropped('response without an id or with both/neither result and error');
      return;
    }
    const id = msg['id'];
    if (typeof id !== 'string') {
      this.obs.dropped('response id of the wrong type');
      return;
    }
    const entry = this.table.pending.get(id);
    if (entry === undefined) {
      this.obs.dropped(this.table.isTombstoned(id) ? 'late response to a cancelled or expired request' : 'response to an unknown or already answered id');
      return;
    }
    this.table.complete(entry, false);
    if (entry.internal !== undefined) {
      entry.internal(msg);
      return;
    }
    if (entry.method === 'initialize') {
      this.initializeAnswered(entry, msg);
      return;
    }
    if (hasResult && this.lists.isList(entry.method)) {
      this.lists.answer(entry, msg, raw);
      return;
    }
    if (hasResult && entry.task) {
      if (!this.enforcement.recordTask(entry, msg)) return;
      this.translation.toHostResponse(entry, msg, undefined);
      return;
    }
    this.translation.toHostResponse(entry, msg, PASSTHROUGH_RESULTS.has(entry.method) || hasError ? raw : undefined);
  }

  receiveServerLineBytes(parts: readonly Uint8Array[], byteLength: number): boolean {
    if (this.s.state === 'closed' || this.pages.empty) return false;
    try {
      return this.pages.fromBytes(parts, byteLength);
    } catch {
      return false; // the text path decides
    }
  }

  // ---------------------------------------------------------------- server requests + notifications

  private serverRequest(method: string, msg: Json, raw: string | undefined): void {
    const id = msg['id'];
    let idJson: string;
    if (typeof id === 'string') idJson = JSON.stringify(id);
    else if (typeof id === 'number') {
      const span = raw === undefined ? undefined : findTopLevelId(raw);
      const text = span === undefined || raw === undefined ? (Number.isSafeInteger(id) ? String(id) : undefined) : raw.slice(span.start, span.end);
      if (text === undefined || !isIntegerText(text) || text.length > MAX_ID_BYTES) {
        this.obs.dropped('server request id of the wrong type', method);
        return;
      }
      idJson = text;
    } else {
      this.obs.dropped('server request id of the wrong type', method);
      return;
    }
    if (idJson.length > MAX_ID_BYTES + 2) {
      this.obs.dropped('server request id too long', method);
      return;
    }
    const serverKey = (typeof id === 'string' ? 's' : 'n') + idJson;
    const params = isObject(msg['params']) ? msg['params'] : undefined;
    if (method === 'ping') {
      // Answered locally: the host's liveness is the proxy's business, not the server's.
      this.s.io.toServer('{"jsonrpc":"2.0","id":' + idJson + ',"result":{}}');
      return;
    }
    const notFound = (reason: string): void => {
      this.replies.serverError(idJson, DENIAL_CODES.METHOD_NOT_FOUND, `Method not found: ${reason}`);
      this.obs.audit('blocked', 'server_to_host', { method, code: 'METHOD_NOT_FOUND', errorCode: DENIAL_CODES.METHOD_NOT_FOUND, reason });
    };
    let relayParams = params;
    switch (method) {
      case 'roots/list':
        if (!has(this.s.hostCaps, 'roots')) return notFound('the host did not declare roots (or roots are denied)');
        break;
      case 'sampling/createMessage': {
        if (!has(this.s.hostCaps, 'sampling')) return notFound('the host did not declare sampling (or sampling is denied)');
        if (params !== undefined) {
          const ctx = params['includeContext'];
          if (ctx !== undefined && ctx !== 'none') {
            if (this.s.options.samplingContext === 'deny') {
              this.replies.serverError(idJson, DENIAL_CODES.POLICY_DENIED, 'MCPTRUST_DENIED: includeContext other than "none" is not allowed');
              this.obs.audit('blocked', 'server_to_host', { method, code: 'POLICY_DENIED', reason: 'includeContext not allowed' });
              return;
            }
            relayParams = { ...(relayParams ?? {}), includeContext: 'none' };
          }
          if (has(params, 'tools') || has(params, 'toolChoice')) {
            relayParams = { ...(relayParams ?? {}) };
            delete relayParams['tools'];
            delete relayParams['toolChoice'];
            this.obs.audit('filtered', 'server_to_host', { method, reason: 'server-supplied tools removed from sampling request' });
          }
        }
        break;
      }
      case 'elicitation/create':
        if (!has(this.s.hostCaps, 'elicitation') || this.s.version === undefined || !versionAtLeast(this.s.version, '2025-06-18')) {
          return notFound('the host did not declare elicitation (or elicitation is denied)');
        }
        if (params !== undefined && typeof params['elicitationId'] === 'string') {
          if (this.s.elicitations.size >= this.s.maxTasks) this.s.elicitations.clear();
          this.s.elicitations.add(params['elicitationId']);
        }
        break;
      default:
        return notFound(`the proxy does not relay ${JSON.stringify(method)}`);
    }
    if (this.table.serverRequestsByServerKey.has(serverKey)) {
      this.replies.serverError(idJson, DENIAL_CODES.INVALID_REQUEST, 'Invalid Request: this id is already in flight');
      this.obs.dropped('duplicate server request id', method);
      return;
    }
    if (this.table.serverRequests.size >= this.s.maxServerRequests) {
      this.replies.serverError(idJson, DENIAL_CODES.LIMIT_EXCEEDED, 'MCPTRUST_DENIED: too many server requests in flight');
      this.obs.audit('blocked', 'server_to_host', { method, code: 'LIMIT_EXCEEDED', reason: 'too many server requests in flight' });
      return;
    }
    let hostFacingId: string;
    try {
      hostFacingId = this.s.newId();
      if (typeof hostFacingId !== 'string' || hostFacingId.length < 16 || this.table.serverRequests.has(hostFacingId)) throw new Error('bad id');
    } catch {
      this.replies.serverError(idJson, DENIAL_CODES.INTERNAL_FAILURE, 'MCPTRUST_DENIED: could not generate a request id');
      return;
    }
    let serverToken: unknown;
    const meta = relayParams?.['_meta'];
    if (isObject(meta) && has(meta, 'progressToken')) {
      serverToken = meta['progressToken'];
      relayParams = { ...relayParams, _meta: { ...meta, progressToken: hostFacingId } };
    }
    const sr = new ServerRequest(hostFacingId, idJson, serverKey, method, Date.now() + this.s.requestTimeout, serverToken);
    this.table.serverRequests.set(hostFacingId, sr);
    this.table.serverRequestsByServerKey.set(serverKey, hostFacingId);
    let line = '{"jsonrpc":"2.0","id":' + JSON.stringify(hostFacingId) + ',"method":' + JSON.stringify(method);
    if (relayParams !== undefined) line += ',"params":' + JSON.stringify(relayParams);
    this.s.io.toHost(line + '}');
    this.table.armTimer();
  }

  private serverNotification(method: string, msg: Json, raw: string | undefined): void {
    const params = isObject(msg['params']) ? msg['params'] : {};
    switch (method) {
      case 'notifications/progress':
        this.translation.serverProgress(method, params);
        return;
      case 'notifications/cancelled':
        this.translation.serverCancelled(method, params);
        return;
      case 'notifications/message':
        if ((raw?.length ?? JSON.stringify(msg).length) > this.s.maxLogBytes) {
          this.obs.dropped('log message over the size cap', method);
          return;
        }
        break;
      case 'notifications/tools/list_changed':
      case 'notifications/prompts/list_changed':
      case 'notifications/resources/list_changed':
        break;
      case 'notifications/resources/updated': {
        const uri = params['uri'];
        const denial = typeof uri === 'string' ? this.enforcement.checkUri(uri) : { cls: 'RESOURCE_NOT_ALLOWED' as const, reason: 'no uri' };
        if (denial !== undefined) {
          if (this.s.mode === 'audit-only') {
            this.obs.audit('audit_only', 'server_to_host', { method, reason: denial.reason, ...(typeof uri === 'string' ? { uri } : {}) });
            break;
          }
          this.obs.dropped(denial.reason, method, typeof uri === 'string' ? { uri } : {});
          return;
        }
        break;
      }
      case 'notifications/elicitation/complete': {
        const eid = params['elicitationId'];
        if (typeof eid !== 'string' || !this.s.elicitations.has(eid)) {
          this.obs.dropped('unknown elicitation id', method);
          return;
        }
        this.s.elicitations.delete(eid);
        break;
      }
      case 'notifications/tasks/status': {
        const tid = params['taskId'];
        if (typeof tid !== 'string' || !this.s.tasks.has(tid)) {
          this.obs.dropped('unknown task id', method);
          return;
        }
        break;
      }
      default:
        this.obs.dropped('notification not allowed', method);
        return;
    }
    this.s.io.toHost(JSON.stringify(msg));
  }

  // ---------------------------------------------------------------- limits, timers, shutdown

  hostLineTooLong(bytes: number): void {
    if (this.s.state === 'closed') return;
    this.replies.refuse(undefined, undefined, { cls: 'PARSE_ERROR', reason: `Parse error: line of ${bytes} bytes exceeds the size cap` }, 'dropped');
  }

  serverLineTooLong(bytes: number): void {
    if (this.s.state === 'closed') return;
    // The request it answered (if any) stays pending and times out (PROTOCOL 40).
    this.obs.dropped(`server line of ${bytes} bytes exceeds the size cap`);
  }

  serverClosed(reason = 'the server exited'): void {
    this.table.failAll(reason);
    if (this.s.state === 'preflight') this.s.state = 'refused';
    this.table.clearServerRequests();
    this.table.stopTimer();
  }

  close(): void {
    if (this.s.state === 'closed') return;
    this.serverClosed('the proxy is shutting down');
    this.s.state = 'closed';
  }
}

/**
 * Creates the transport-agnostic enforcement engine. Feed it lines from each side; it
 * calls `io.toServer` / `io.toHost` with what to send (one JSON text each) and reports
 * every decision to `options.audit`.
 *
 * @throws ProxyError `INVALID_OPTIONS` / `INVALID_LOCKFILE`
 */
export function createProxyEngine(io: ProxyEngineIO, options: ProxyEngineOptions): ProxyEngine {
  return new Engine(io, options);
}
