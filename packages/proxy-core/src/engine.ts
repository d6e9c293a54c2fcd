import { noopAuditSink } from '@mcptrust/audit';
import type { AuditAction, AuditDirection, AuditEvent, AuditSink } from '@mcptrust/audit';
import type { DriftItem, LiveListing } from '@mcptrust/drift';
// The scanner's rule for list errors, from its own light entry (no SDK, no drift model).
import { listErrorMeansNone } from '@mcptrust/drift/list-methods';
import type { Lockfile } from '@mcptrust/lockfile';
import { hashJson, hashText } from '@mcptrust/lockfile';
import { Allowlist, DENIED_REASON, type ItemKind } from './allowlist.js';
import { approvalHint } from './approval-hint.js';
import type {
  EngineState,
  EnforcementMode,
  FailOn,
  GuardDecision,
  GuardedCall,
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
  isKnownHostRequest,
  isSupportedVersion,
  versionAtLeast,
  type DenialClass,
  type SupportedProtocolVersion,
} from './protocol.js';
import { createRandomIdSource } from './random-id.js';
import { findTopLevelId, replaceTopLevelId } from './raw-json.js';
import { ArgumentValidator } from './schema-validator.js';
import { asciiAt, bytesAt } from './engine/byte-ranges.js';
import { ENVELOPE_HEAD, MAX_ID_BYTES, MAX_PROXY_ID_CHARS, hostIdOf, isAscii, isIntegerText, isPlainIdText, jsonString, leadingIdEnd, requestKey } from './engine/id-text.js';
import { has, isObject, type Json } from './engine/json.js';

/** Default per-request timeout (300 s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
/** Default pending-table capacity. */
export const DEFAULT_MAX_PENDING = 1024;

const MAX_QUEUED_HOST_MESSAGES = 64;
const MAX_TOMBSTONES = 4096;
const MAX_PREFLIGHT_PAGES = 1000;
const MAX_PREFLIGHT_ITEMS = 100_000;

/** A host request forwarded to the server (or an engine-originated preflight request). */
class Pending {
  constructor(
    readonly proxyId: string,
    readonly proxyIdJson: string, // the proxy ID as a JSON string token
    readonly hostId: string | undefined, // JSON text of the host ID; undefined for internal
    readonly hostKey: string | undefined,
    readonly method: string,
    public deadline: number,
    readonly timeoutMs: number,
    readonly hostToken: unknown, // the host's progress token, when it asked for progress
    readonly tool: string | undefined,
    readonly task: boolean,
    readonly internal: ((msg: Json) => void) | undefined,
    readonly start: number, // performance.now() when the host line arrived (0 when nobody listens)
    readonly traceParent: string | undefined,
    readonly traceState: string | undefined,
  ) {}
  // Its decision was already reported (audit_only): the answer adds no `allowed` event.
  reported = false;
  // `auditPayloads`: the request's arguments, reported with its decision.
  payload: unknown = undefined;
}

/** A server→client request relayed to the host. */
class ServerRequest {
  constructor(
    readonly hostFacingId: string,
    readonly serverId: string, // JSON text of the server's ID
    readonly serverKey: string,
    readonly method: string,
    public deadline: number,
    readonly serverToken: unknown,
  ) {}
}

/**
 * A list page the engine has already parsed, checked and filtered. A later server line
 * that is byte-for-byte `prefix + "<pending proxy id>" + suffix` is the same JSON
 * document with only the id string changed, so it gets the same verdict without being
 * parsed or re-hashed again.
 */
interface CachedPage {
  readonly method: string;
  readonly version: number;
  readonly prefix: string;
  readonly suffix: string;
  // `,"result":<filtered result>}`: the answer after the host's id, as text and bytes.
  readonly tail: string;
  tailBytes: Buffer | undefined;
  // UTF-8 of prefix and suffix, for the check on bytes (made on first use).
  prefixBytes: Buffer | undefined;
  suffixBytes: Buffer | undefined;
  readonly audit: Partial<AuditEvent> | undefined;
}

// Answers at least this long are forwarded from their bytes (toHostBytes): below it,
// replacing the id in the text is cheaper than handling buffers. The stdio bridge
// hands the engine the bytes of lines from this length on only.
export const MIN_BYTE_FORWARD_CHARS = 16 * 1024;

const CLOSE_BRACE = Buffer.from('}');

const MAX_CACHED_PAGES = 8;
// Larger pages are filtered every time rather than kept in memory.
const MAX_CACHED_PAGE_CHARS = 1024 * 1024;

const SEVERITY_RANK = { info: 0, moderate: 1, critical: 2 } as const;
const CRITICAL_FIELDS = new Set(['descriptionHash', 'inputSchemaHash', 'annotationsHash', 'argumentsHash', 'templateHash']);

const LIST_FIELD: Record<string, { field: string; kind: ItemKind | 'task'; key: string }> = {
  'tools/list': { field: 'tools', kind: 'tool', key: 'name' },
  'prompts/list': { field: 'prompts', kind: 'prompt', key: 'name' },
  'resources/templates/list': { field: 'resourceTemplates', kind: 'resourceTemplate', key: 'uriTemplate' },
  'resources/list': { field: 'resources', kind: 'resource', key: 'uri' },
  'tasks/list': { field: 'tasks', kind: 'task', key: 'taskId' },
};

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

/** Denial decision of a policy check. */
interface Denial {
  cls: DenialClass;
  reason: string;
  tool?: string;
  prompt?: string;
  uri?: string;
}

/** The engine implementation; construct with {@link createProxyEngine}. */
class Engine implements ProxyEngine {
  private readonly io: ProxyEngineIO;
  private readonly allow: Allowlist;
  private readonly validator = new ArgumentValidator();
  private readonly mode: EnforcementMode;
  private readonly failOn: FailOn;
  private readonly preflightEnabled: boolean;
  private readonly allowStatic: boolean;
  private readonly requestTimeout: number;
  private readonly startupTimeout: number;
  private readonly maxPending: number;
  private readonly maxServerRequests: number;
  private readonly maxTasks: number;
  private readonly maxLogBytes: number;
  private readonly opts: ProxyEngineOptions;
  private readonly sink: AuditSink;
  private readonly auditAllowed: boolean;
  // A real sink listens: requests are timed and their trace context read.
  private readonly observing: boolean;
  // Arguments of calls are reported too (opt-in: they may hold secrets).
  private readonly auditPayloads: boolean;
  // The arguments of the host request being handled, with auditPayloads.
  private payload: unknown = undefined;
  private readonly newId: () => string;

  private readonly pending = new Map<string, Pending>();
  private readonly pendingByHost = new Map<string, string>();
  private readonly tombstones = new Set<string>();
  private readonly serverRequests = new Map<string, ServerRequest>();
  private readonly serverRequestsByServerKey = new Map<string, string>();
  private readonly tasks = new Map<string, string>(); // taskId → tool
  private readonly elicitations = new Set<string>();
  private readonly drifted = new Map<ItemKind, Set<string>>([
    ['tool', new Set()],
    ['prompt', new Set()],
    ['resourceTemplate', new Set()],
    ['resource', new Set()],
  ]);
  private readonly startupStatic = new Set<string>();
  // Live inputSchemas verified by hash, used when the lockfile pins hashes only.
  private readonly verifiedSchemas = new Map<string, unknown>();
  private queued: Array<[string, boolean, number]> = [];
  // The host line being handled: when it arrived, and the trace context of the request
  // in it (read only when a sink listens).
  private arrival = 0;
  private traceParent: string | undefined;
  private traceState: string | undefined;
  // Filtered list pages by the exact text around their id (see cachedListPage).
  private readonly pageCache: CachedPage[] = [];
  // Bumped whenever something a list verdict depends on changes (drift, tasks,
  // start-up static resources), which invalidates every cached page.
  private stateVersion = 0;
  // The bytes of the server line being handled, when the adapter gave them.
  private lineBytes: Uint8Array | undefined;

  private currentState: EngineState = 'awaiting-initialize';
  private version: SupportedProtocolVersion | undefined;
  private hostCaps: Json = {};
  private initEntry: Pending | undefined;
  private initResult: Json | undefined;
  private initializedSent = false;
  private hostInitializedSeen = false;
  private driftFound: PreflightDrift[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(io: ProxyEngineIO, options: ProxyEngineOptions) {
    if (options === undefined || !isObject(options.lockfile)) {
      throw new ProxyError('INVALID_OPTIONS', 'createProxyEngine needs a parsed lockfile in options.lockfile');
    }
    const mode = options.mode ?? 'enforce';
    if (mode !== 'enforce' && mode !== 'filter-only' && mode !== 'audit-only') {
      throw new ProxyError('INVALID_OPTIONS', `unknown mode ${JSON.stringify(mode)}`);
    }
    const failOn = options.failOn ?? 'critical';
    if (!(failOn in SEVERITY_RANK)) throw new ProxyError('INVALID_OPTIONS', `unknown failOn ${JSON.stringify(failOn)}`);
    const positive = (v: number | undefined, d: number, name: string): number => {
      const n = v ?? d;
      if (!Number.isFinite(n) || n <= 0) throw new ProxyError('INVALID_OPTIONS', `${name} must be a positive number`);
      return n;
    };
    this.io = io;
    this.opts = options;
    try {
      this.allow = new Allowlist(options.lockfile);
    } catch (cause) {
      throw new ProxyError('INVALID_LOCKFILE', 'the lockfile cannot be compiled into an allowlist', { cause });
    }
    this.mode = mode;
    this.failOn = failOn;
    this.preflightEnabled = options.preflight ?? true;
    this.allowStatic = options.allowStaticResources ?? false;
    this.requestTimeout = positive(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
    this.startupTimeout = positive(options.startupTimeoutMs, 30_000, 'startupTimeoutMs');
    this.maxPending = positive(options.maxPending, DEFAULT_MAX_PENDING, 'maxPending');
    this.maxServerRequests = positive(options.maxServerRequests, 64, 'maxServerRequests');
    this.maxTasks = positive(options.maxTasks, 1024, 'maxTasks');
    this.maxLogBytes = positive(options.maxLogMessageBytes, 256 * 1024, 'maxLogMessageBytes');
    this.sink = options.audit ?? noopAuditSink;
    this.auditAllowed = options.auditAllowed ?? false;
    this.observing = this.sink !== noopAuditSink;
    this.auditPayloads = this.observing && options.auditPayloads === true;
    this.newId = options.randomId ?? createRandomIdSource();
  }

  get state(): EngineState {
    return this.currentState;
  }

  get protocolVersion(): string | undefined {
    return this.version;
  }

  get drift(): readonly PreflightDrift[] {
    return this.driftFound;
  }

  stats(): ProxyEngineStats {
    return { pending: this.pending.size, serverRequests: this.serverRequests.size, tasks: this.tasks.size };
  }

  // ---------------------------------------------------------------- audit + replies

  private audit(action: AuditAction, direction: AuditDirection, fields: Partial<AuditEvent>): void {
    const event: AuditEvent = { time: new Date().toISOString(), action, direction, mode: this.mode, ...fields };
    if (this.version !== undefined) event.protocolVersion = this.version;
    try {
      this.sink.emit(event);
    } catch {
      // A failing sink must not take the session down; sinks report their own failures.
    }
  }

  /**
   * Adds what identifies the host request a decision is about: its id as text and,
   * when a sink listens, the time since its line arrived and the trace context it
   * carried. `entry` is the request's pending entry once it was forwarded; without
   * it, the host line being handled is the request.
   */
  private requestFields(ev: Partial<AuditEvent>, idJson: string, entry?: Pending): Partial<AuditEvent> {
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
  private auditAnswer(entry: Pending, msg: Json | undefined, reason?: string): void {
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
  private readTrace(msg: Json): void {
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

  private hostError(idJson: string | undefined, code: number, message: string, data?: unknown): void {
    let line = '{"jsonrpc":"2.0"';
    if (idJson !== undefined) line += ',"id":' + idJson;
    line += ',"error":{"code":' + code + ',"message":' + JSON.stringify(message);
    if (data !== undefined) line += ',"data":' + JSON.stringify(data);
    this.io.toHost(line + '}}');
  }

  private serverError(idJson: string, code: number, message: string): void {
    this.io.toServer('{"jsonrpc":"2.0","id":' + idJson + ',"error":{"code":' + code + ',"message":' + JSON.stringify(message) + '}}');
  }

  /** Refuses a host request locally with a denial-class error and audits it. */
  private refuse(idJson: string | undefined, method: string | undefined, d: Denial, action: AuditAction = 'blocked', entry?: Pending): void {
    const code = DENIAL_CODES[d.cls];
    const protocolClass = d.cls === 'INVALID_REQUEST' || d.cls === 'PARSE_ERROR' || d.cls === 'UNSUPPORTED_PROTOCOL_VERSION';
    const message = protocolClass ? d.reason : `MCPTRUST_DENIED: ${d.reason}`;
    this.hostError(idJson, code, message, protocolClass ? undefined : { code: d.cls });
    const ev: Partial<AuditEvent> = { code: d.cls, errorCode: code, reason: d.reason };
    if (method !== undefined) ev.method = method;
    if (d.tool !== undefined) ev.tool = d.tool;
    if (d.prompt !== undefined) ev.prompt = d.prompt;
    if (d.uri !== undefined) ev.uri = d.uri;
    if (idJson !== undefined) this.requestFields(ev, idJson, entry);
    this.audit(action, 'host_to_server', ev);
  }

  private dropFromServer(reason: string, method?: string, extra: Partial<AuditEvent> = {}): void {
    const ev: Partial<AuditEvent> = { reason, ...extra };
    if (method !== undefined) ev.method = method;
    this.audit('dropped', 'server_to_host', ev);
  }

  // ---------------------------------------------------------------- host side

  receiveFromHost(line: string, utf8Valid = true): void {
    this.hostInput(line, utf8Valid, this.observing ? performance.now() : 0);
  }

  /** One host line; `arrival` is when it reached the engine (a queued line keeps its own). */
  private hostInput(line: string, utf8Valid: boolean, arrival: number): void {
    if (this.currentState === 'closed') return;
    this.arrival = arrival;
    this.traceParent = undefined;
    this.traceState = undefined;
    this.payload = undefined;
    try {
      this.hostLine(line, utf8Valid);
    } catch {
      // Fail closed: an unexpected internal error refuses the message.
      this.refuse(undefined, undefined, { cls: 'INTERNAL_FAILURE', reason: 'internal error while checking the message' });
    }
  }

  private hostLine(line: string, utf8Valid: boolean): void {
    // A blank line is not a JSON value either: -32700 below, and the session goes on
    // (PROTOCOL 4).
    let msg: unknown;
    if (!utf8Valid) {
      this.refuse(undefined, undefined, { cls: 'PARSE_ERROR', reason: 'Parse error: line is not valid UTF-8' }, 'dropped');
      return;
    }
    try {
      msg = JSON.parse(line);
    } catch {
      this.refuse(undefined, undefined, { cls: 'PARSE_ERROR', reason: 'Parse error: line is not one JSON value' }, 'dropped');
      return;
    }
    if (Array.isArray(msg)) {
      if (this.version !== '2025-03-26' || msg.length === 0) {
        this.refuse(undefined, undefined, {
          cls: 'INVALID_REQUEST',
          reason: msg.length === 0 ? 'Invalid Request: empty batch' : 'Invalid Request: batches are only allowed under protocol 2025-03-26',
        }, 'dropped');
        return;
      }
      for (const element of msg) {
        if (isObject(element) && element['method'] === 'initialize') {
          if (this.observing) this.readTrace(element);
          const id = hostIdOf(element, undefined);
          this.refuse(typeof id === 'object' ? id.json : undefined, 'initialize', { cls: 'INVALID_REQUEST', reason: 'Invalid Request: initialize cannot be batched' });
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
      this.refuse(undefined, undefined, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: a message must be a JSON object' }, 'dropped');
      return;
    }
    if (this.observing) this.readTrace(msg);
    const id = hostIdOf(msg, raw);
    if (typeof id === 'string') {
      this.refuse(undefined, typeof msg['method'] === 'string' ? msg['method'] : undefined, { cls: 'INVALID_REQUEST', reason: id }, 'dropped');
      return;
    }
    const idJson = id?.json;
    if (msg['jsonrpc'] !== '2.0') {
      this.refuse(idJson, undefined, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: jsonrpc must be "2.0"' });
      return;
    }
    const hasResult = has(msg, 'result');
    const hasError = has(msg, 'error');
    if (has(msg, 'method')) {
      const method = msg['method'];
      if (typeof method !== 'string' || hasResult || hasError) {
        this.refuse(idJson, undefined, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: malformed request' });
        return;
      }
      if (has(msg, 'params') && !isObject(msg['params'])) {
        this.refuse(idJson, method, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: params must be an object' });
        return;
      }
      if (id === undefined) this.hostNotification(method, msg);
      else if ((this.currentState === 'initializing' || this.currentState === 'preflight') && method !== 'ping' && method !== 'initialize') {
        // Until the session is established, requests wait (bounded) and are replayed
        // in order once it is.
        if (this.queued.length >= MAX_QUEUED_HOST_MESSAGES) {
          this.refuse(id.json, method, { cls: 'LIMIT_EXCEEDED', reason: 'too many requests before initialization completed' });
          return;
        }
        this.queued.push([raw ?? JSON.stringify(msg), true, this.arrival]);
      } else this.hostRequest(method, msg, id.json, id.key);
      return;
    }
    if (id !== undefined && hasResult !== hasError) {
      this.hostResponse(msg, hasError);
      return;
    }
    this.refuse(idJson, undefined, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: not a request, notification or response' });
  }

  // ---------------------------------------------------------------- host requests

  private hostRequest(method: string, msg: Json, idJson: string, key: string): void {
    if (this.pendingByHost.has(key)) {
      this.refuse(idJson, method, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: this id is already in flight' });
      return;
    }
    if (method === 'initialize') {
      this.hostInitialize(msg, idJson, key);
      return;
    }
    if (this.currentState === 'refused') {
      this.refuse(idJson, method, { cls: 'SESSION_REFUSED', reason: 'the session was refused' });
      return;
    }
    if (method === 'ping') {
      this.forward(method, msg, idJson, key, undefined, false);
      return;
    }
    if (this.currentState !== 'ready' || this.version === undefined) {
      this.refuse(idJson, method, { cls: 'METHOD_NOT_ALLOWED', reason: 'the session is not initialized' });
      return;
    }
    const params = (msg['params'] as Json | undefined) ?? {};
    // An audit_only event already reported this request.
    let reported = false;
    if (!isKnownHostRequest(this.version, method)) {
      if (method.startsWith('tasks/')) {
        this.refuse(idJson, method, { cls: 'TASK_NOT_ALLOWED', reason: `tasks are not available under protocol ${this.version}` });
        return;
      }
      if (this.policyDenied(idJson, method, { cls: 'METHOD_NOT_ALLOWED', reason: `method ${JSON.stringify(method)} is not allowed` })) return;
      reported = true;
    } else {
      const denial = this.checkRequest(method, params);
      if (denial !== undefined) {
        if (this.policyDenied(idJson, method, denial)) return;
        reported = true;
      }
    }
    let tool: string | undefined;
    let task = false;
    if (method === 'tools/call') {
      tool = typeof params['name'] === 'string' ? params['name'] : undefined;
      task = has(params, 'task');
    }
    this.forward(method, msg, idJson, key, tool, task);
    if (reported) {
      const entry = this.pending.get(this.pendingByHost.get(key) ?? '');
      if (entry !== undefined) entry.reported = true;
    }
  }

  /** Applies the mode to a policy denial; returns true when the request was refused. */
  private policyDenied(idJson: string, method: string, d: Denial): boolean {
    // Task-ID and version checks are protocol integrity, enforced in every mode.
    if (this.mode === 'enforce' || d.cls === 'TASK_NOT_ALLOWED' || d.cls === 'LIMIT_EXCEEDED' || d.cls === 'INTERNAL_FAILURE') {
      this.refuse(idJson, method, d);
      return true;
    }
    const ev: Partial<AuditEvent> = { method, code: d.cls, reason: d.reason };
    if (d.tool !== undefined) ev.tool = d.tool;
    if (d.prompt !== undefined) ev.prompt = d.prompt;
    if (d.uri !== undefined) ev.uri = d.uri;
    this.audit('audit_only', 'host_to_server', this.requestFields(ev, idJson));
    return false;
  }

  /** The allowlist check of one request; undefined when allowed. */
  private checkRequest(method: string, params: Json): Denial | undefined {
    switch (method) {
      case 'tools/call':
        return this.checkToolCall(params);
      case 'prompts/get': {
        const name = params['name'];
        if (typeof name !== 'string') return { cls: 'PROMPT_NOT_ALLOWED', reason: 'prompt name missing' };
        if (this.allow.isDenied('prompt', name)) return { cls: 'ITEM_DENIED', reason: DENIED_REASON, prompt: name };
        if (!this.allow.prompts.has(name)) return { cls: 'PROMPT_NOT_ALLOWED', reason: 'not in allowlist', prompt: name };
        if (this.drifted.get('prompt')!.has(name)) return { cls: 'DEFINITION_DRIFTED', reason: 'definition drifted', prompt: name };
        return this.guard({ method, prompt: name, arguments: params['arguments'] }, { prompt: name });
      }
      case 'resources/read':
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        const uri = params['uri'];
        if (typeof uri !== 'string') return { cls: 'RESOURCE_NOT_ALLOWED', reason: 'resource uri missing' };
        const denial = this.checkUri(uri);
        if (denial !== undefined) return denial;
        return method === 'resources/read' ? this.guard({ method, uri }, { uri }) : undefined;
      }
      case 'completion/complete': {
        const ref = params['ref'];
        if (!isObject(ref)) return { cls: 'COMPLETION_NOT_ALLOWED', reason: 'completion reference missing' };
        if (ref['type'] === 'ref/prompt') {
          const name = ref['name'];
          if (typeof name === 'string' && this.allow.prompts.has(name) && !this.drifted.get('prompt')!.has(name)) return undefined;
          return { cls: 'COMPLETION_NOT_ALLOWED', reason: 'prompt not allowed', ...(typeof name === 'string' ? { prompt: name } : {}) };
        }
        if (ref['type'] === 'ref/resource') {
          const uri = ref['uri'];
          if (typeof uri === 'string' && this.allow.templates.has(uri) && !this.drifted.get('resourceTemplate')!.has(uri)) return undefined;
          return { cls: 'COMPLETION_NOT_ALLOWED', reason: 'resource template not allowed', ...(typeof uri === 'string' ? { uri } : {}) };
        }
        return { cls: 'COMPLETION_NOT_ALLOWED', reason: 'unknown completion reference type' };
      }
      case 'tasks/get':
      case 'tasks/result':
      case 'tasks/cancel': {
        const taskId = params['taskId'];
        if (typeof taskId === 'string' && this.tasks.has(taskId)) return undefined;
        return { cls: 'TASK_NOT_ALLOWED', reason: 'unknown task id' };
      }
      default:
        return undefined;
    }
  }

  private checkToolCall(params: Json): Denial | undefined {
    const name = params['name'];
    if (typeof name !== 'string') return { cls: 'TOOL_NOT_ALLOWED', reason: 'tool name missing' };
    if (has(params, 'task') && (this.version === undefined || !versionAtLeast(this.version, '2025-11-25'))) {
      return { cls: 'TASK_NOT_ALLOWED', reason: `task-augmented calls are not available under protocol ${this.version}`, tool: name };
    }
    if (this.allow.isDenied('tool', name)) return { cls: 'ITEM_DENIED', reason: DENIED_REASON, tool: name };
    if (!this.allow.tools.has(name)) return { cls: 'TOOL_NOT_ALLOWED', reason: 'not in allowlist', tool: name };
    if (this.drifted.get('tool')!.has(name)) return { cls: 'DEFINITION_DRIFTED', reason: 'definition drifted', tool: name };
    const schema = this.allow.toolSchemas.get(name) ?? this.verifiedSchemas.get(name);
    if (schema === undefined) return { cls: 'INVALID_ARGUMENTS', reason: 'no pinned inputSchema to validate against', tool: name };
    const check = this.validator.check(name, schema, params['arguments']);
    if (!check.ok) return { cls: 'INVALID_ARGUMENTS', reason: check.reason ?? 'invalid arguments', tool: name };
    return this.guard({ method: 'tools/call', tool: name, arguments: params['arguments'] }, { tool: name });
  }

  private checkUri(uri: string): Denial | undefined {
    if (this.allow.deniesUri(uri)) return { cls: 'ITEM_DENIED', reason: DENIED_REASON, uri };
    if (this.allow.staticResources.has(uri)) {
      if (this.drifted.get('resource')!.has(uri)) return { cls: 'DEFINITION_DRIFTED', reason: 'definition drifted', uri };
      return undefined;
    }
    if (this.startupStatic.has(uri)) return undefined;
    const template = this.allow.matchTemplate(uri);
    if (template === undefined) return { cls: 'RESOURCE_NOT_ALLOWED', reason: 'not in allowlist', uri };
    if (this.drifted.get('resourceTemplate')!.has(template)) return { cls: 'DEFINITION_DRIFTED', reason: 'definition drifted', uri };
    return undefined;
  }

  private guard(call: GuardedCall, who: Partial<Denial>): Denial | undefined {
    const g = this.opts.callGuard;
    if (g === undefined) return undefined;
    let decision: GuardDecision;
    try {
      decision = g(call);
    } catch {
      return { cls: 'POLICY_DENIED', reason: 'policy check failed', ...who };
    }
    if (isObject(decision) && decision.allow === true) return undefined;
    const reason = isObject(decision) && typeof (decision as { reason?: unknown }).reason === 'string' ? (decision as { reason: string }).reason : 'denied by policy';
    return { cls: 'POLICY_DENIED', reason, ...who };
  }

  /** Registers a pending entry and sends the re-serialized request (PROTOCOL 2). */
  private forward(method: string, msg: Json, idJson: string, key: string, tool: string | undefined, task: boolean, timeoutMs = this.requestTimeout): void {
    if (this.pending.size >= this.maxPending) {
      this.refuse(idJson, method, { cls: 'LIMIT_EXCEEDED', reason: 'too many requests in flight' });
      return;
    }
    let proxyId: string;
    try {
      proxyId = this.newId();
      if (typeof proxyId !== 'string' || proxyId.length < 16 || this.pending.has(proxyId)) throw new Error('bad id');
    } catch {
      this.refuse(idJson, method, { cls: 'INTERNAL_FAILURE', reason: 'could not generate a request id' });
      return;
    }
    let params = msg['params'] as Json | undefined;
    let hostToken: unknown;
    const meta = params?.['_meta'];
    if (isObject(meta) && has(meta, 'progressToken')) {
      const t = meta['progressToken'];
      if (typeof t !== 'string' && !(typeof t === 'number' && Number.isSafeInteger(t))) {
        this.refuse(idJson, method, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: progressToken must be a string or an integer' });
        return;
      }
      hostToken = t;
      // The proxy token is the proxy ID: random, and never the host's ID or token.
      params = { ...params, _meta: { ...meta, progressToken: proxyId } };
    }
    const proxyIdJson = jsonString(proxyId);
    const entry = new Pending(proxyId, proxyIdJson, idJson, key, method, Date.now() + timeoutMs, timeoutMs, hostToken, tool, task, undefined, this.arrival, this.traceParent, this.traceState);
    if (this.auditPayloads) entry.payload = this.payload;
    this.pending.set(proxyId, entry);
    this.pendingByHost.set(key, proxyId);
    const head = ENVELOPE_HEAD + proxyIdJson + ',"method":' + jsonString(method);
    const paramsJson = params === undefined ? undefined : JSON.stringify(params);
    if (paramsJson !== undefined && paramsJson.length >= MIN_BYTE_FORWARD_CHARS && this.io.toServerBytes !== undefined) {
      // A large request is encoded straight from its serialized params: no combined
      // string is built (and copied again) just to be encoded.
      this.io.toServerBytes([Buffer.from(head + ',"params":'), Buffer.from(paramsJson), CLOSE_BRACE]);
    } else {
      this.io.toServer(paramsJson === undefined ? head + '}' : head + ',"params":' + paramsJson + '}');
    }
    this.armTimer();
  }

  private sendInternal(method: string, params: Json | undefined, onAnswer: (msg: Json) => void): boolean {
    let proxyId: string;
    try {
      proxyId = this.newId();
      if (typeof proxyId !== 'string' || proxyId.length < 16) throw new Error('bad id');
    } catch {
      return false;
    }
    const entry = new Pending(proxyId, jsonString(proxyId), undefined, undefined, method, Date.now() + this.startupTimeout, this.startupTimeout, undefined, undefined, false, onAnswer, 0, undefined, undefined);
    this.pending.set(proxyId, entry);
    let line = ENVELOPE_HEAD + entry.proxyIdJson + ',"method":' + jsonString(method);
    if (params !== undefined) line += ',"params":' + JSON.stringify(params);
    this.io.toServer(line + '}');
    this.armTimer();
    return true;
  }

  // ---------------------------------------------------------------- initialize

  private hostInitialize(msg: Json, idJson: string, key: string): void {
    if (this.currentState !== 'awaiting-initialize') {
      this.refuse(idJson, 'initialize', { cls: 'INVALID_REQUEST', reason: 'Invalid Request: initialize was already received' });
      return;
    }
    const params = msg['params'];
    if (!isObject(params) || typeof params['protocolVersion'] !== 'string') {
      this.refuse(idJson, 'initialize', { cls: 'INVALID_REQUEST', reason: 'Invalid Request: initialize needs params.protocolVersion' });
      return;
    }
    let requested = params['protocolVersion'];
    if (!isSupportedVersion(requested)) {
      // A newer date-formatted version is negotiated down (the server may still pick
      // any version it supports); anything else is refused with the supported list.
      if (/^\d{4}-\d{2}-\d{2}$/.test(requested) && requested > LATEST_PROTOCOL_VERSION) {
        requested = LATEST_PROTOCOL_VERSION;
      } else {
        this.hostError(idJson, DENIAL_CODES.UNSUPPORTED_PROTOCOL_VERSION, 'Unsupported protocol version', {
          supported: [...SUPPORTED_PROTOCOL_VERSIONS],
          requested: params['protocolVersion'],
        });
        this.audit('blocked', 'host_to_server', this.requestFields({ method: 'initialize', code: 'UNSUPPORTED_PROTOCOL_VERSION', errorCode: DENIAL_CODES.UNSUPPORTED_PROTOCOL_VERSION, reason: 'unsupported protocol version' }, idJson));
        return;
      }
    }
    const caps = isObject(params['capabilities']) ? params['capabilities'] : {};
    const kept: Json = {};
    for (const c of KNOWN_CLIENT_CAPS) {
      if (!has(caps, c) || !isObject(caps[c])) continue;
      if (c === 'sampling' && this.opts.denySampling) continue;
      if (c === 'roots' && this.opts.denyRoots) continue;
      if (c === 'elicitation' && (this.opts.denyElicitation || requested < '2025-06-18')) continue;
      kept[c] = caps[c];
    }
    this.hostCaps = kept;
    this.currentState = 'initializing';
    const rewritten: Json = { ...msg, params: { ...params, protocolVersion: requested, capabilities: kept } };
    this.forward('initialize', rewritten, idJson, key, undefined, false, this.startupTimeout);
    this.initEntry = this.pending.get(this.pendingByHost.get(key) ?? '');
    if (this.initEntry === undefined) this.currentState = 'awaiting-initialize';
  }

  private initializeAnswered(entry: Pending, msg: Json): void {
    if (has(msg, 'error')) {
      this.currentState = 'awaiting-initialize';
      this.toHostResponse(entry, msg, undefined);
      this.replayQueue();
      return;
    }
    const result = msg['result'];
    const version = isObject(result) ? result['protocolVersion'] : undefined;
    if (!isObject(result) || !isSupportedVersion(version)) {
      this.currentState = 'refused';
      const reason = `the server answered initialize with unsupported protocol version ${JSON.stringify(version)}`;
      this.refuse(entry.hostId, 'initialize', { cls: 'SESSION_REFUSED', reason }, 'blocked', entry);
      this.fatal(new ProxyError('UNSUPPORTED_PROTOCOL_VERSION', reason));
      return;
    }
    this.version = version;
    const serverCaps = isObject(result['capabilities']) ? result['capabilities'] : {};
    const keptCaps: Json = {};
    for (const c of KNOWN_SERVER_CAPS) {
      if (c === 'tasks' && version !== '2025-11-25') continue;
      if (has(serverCaps, c)) keptCaps[c] = serverCaps[c];
    }
    const out: Json = { ...result, capabilities: keptCaps };
    // instructions reach the model: only the pinned text passes (PROTOCOL 15).
    if (has(result, 'instructions')) {
      const pinned = this.opts.lockfile.server?.instructionsHash;
      const live = result['instructions'];
      let same = false;
      try {
        same = typeof live === 'string' && pinned !== undefined && hashText(live) === pinned;
      } catch {
        same = false;
      }
      if (!same && this.mode !== 'audit-only') {
        delete out['instructions'];
        this.audit('filtered', 'server_to_host', { method: 'initialize', reason: 'instructions differ from the lockfile', code: 'DEFINITION_DRIFTED' });
      }
    }
    this.initResult = out;
    if (!this.preflightEnabled) {
      this.currentState = 'ready';
      this.toHostResult(entry, out);
      this.replayQueue();
      return;
    }
    this.currentState = 'preflight';
    this.runPreflight(result, serverCaps);
  }

  // ---------------------------------------------------------------- preflight

  private runPreflight(initResult: Json, serverCaps: Json): void {
    // The proxy completes the handshake itself so it can list on the same connection;
    // the host's own notifications/initialized is absorbed later.
    this.io.toServer('{"jsonrpc":"2.0","method":"notifications/initialized"}');
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
      const ok = this.sendInternal(method, cursor === undefined ? undefined : { cursor }, (answer) => {
        if (failed || this.currentState !== 'preflight') return;
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
    const lockServer = this.opts.lockfile.server;
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
        if (this.allow.isDenied(kind, id)) continue;
        if (this.allow.pinned(kind, id) === undefined) {
          if (kind === 'resource' && this.allowStatic) {
            this.startupStatic.add(id);
            this.stateVersion++;
            continue;
          }
          drift.push({ kind, id, change: 'added', severity: 'critical' });
          continue;
        }
        if (seen.get(id)! > 1) {
          // Reported once, however many copies were listed.
          if (!this.drifted.get(kind)!.has(id)) drift.push({ kind, id, change: 'changed', severity: 'critical', fields: ['(listed twice)'] });
          this.markDrifted(kind, id);
          continue;
        }
        const v = this.allow.verify(kind, id, it);
        if (!v.ok) {
          const critical = v.changed.some((f) => CRITICAL_FIELDS.has(f) || f.startsWith('('));
          drift.push({ kind, id, change: 'changed', severity: critical ? 'critical' : 'moderate', fields: v.changed });
          this.markDrifted(kind, id);
        } else if (kind === 'tool' && !this.allow.toolSchemas.has(id)) {
          this.verifiedSchemas.set(id, it['inputSchema']);
        }
      }
      for (const id of pinnedIds) {
        if (!seen.has(id)) drift.push({ kind, id, change: 'removed', severity: 'moderate' });
      }
    };
    compare('tools/list', 'tool', 'name', this.allow.tools.keys());
    compare('prompts/list', 'prompt', 'name', this.allow.prompts.keys());
    compare('resources/templates/list', 'resourceTemplate', 'uriTemplate', this.allow.templates.keys());
    compare('resources/list', 'resource', 'uri', this.allow.staticResources.keys());
    // A new server version or another negotiated protocol version is `info` in both
    // models (the host may well negotiate another version than `mcptrust lock` did):
    // no need to load the model for those alone.
    const versionsOnly = drift.every((d) => d.kind === 'server' && (d.id === 'serverInfo.version' || d.id === 'protocolVersion'));
    if (versionsOnly && !serverFieldsDiffer(this.opts.lockfile, initResult)) {
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
        if (this.currentState !== 'preflight') return;
        this.gradePreflight(drift, () => compareLiveListing(this.opts.lockfile, listing));
        this.settlePreflight(drift);
      },
      () => {
        // The model could not be loaded: the engine's own, stricter grades stand.
        if (this.currentState === 'preflight') this.settlePreflight(drift);
      },
    );
  }

  /** Refuses the session or opens it, once the preflight drift is graded. */
  private settlePreflight(drift: PreflightDrift[]): void {
    this.driftFound = drift;
    const threshold = SEVERITY_RANK[this.failOn];
    const blocking = drift.filter((d) => SEVERITY_RANK[d.severity] >= threshold);
    for (const d of drift) {
      this.audit(preflightAction(this.mode, d, SEVERITY_RANK[d.severity] >= threshold), 'internal', {
        method: 'preflight',
        code: 'DEFINITION_DRIFTED',
        reason: `${d.kind} ${d.change} (${d.severity})`,
        ...(d.kind === 'tool' ? { tool: d.id } : d.kind === 'prompt' ? { prompt: d.id } : d.kind === 'server' ? {} : { uri: d.id }),
      });
    }
    if (preflightRefuses(this.mode, blocking.length)) {
      const names = blocking.map((d) => `${d.kind} ${JSON.stringify(d.id)} ${d.change} (${d.severity})`);
      this.refuseSession(blocking, `preflight found drift at or above ${this.failOn}: ${names.join('; ')}${approvalHint(blocking)}`, 'PREFLIGHT_DRIFT');
      return;
    }
    this.currentState = 'ready';
    const entry = this.initEntry;
    if (entry !== undefined && this.initResult !== undefined) {
      this.sendHostResult(entry.hostId!, this.initResult);
      if (this.auditAllowed) this.auditAnswer(entry, undefined);
    }
    this.audit('session', 'internal', { method: 'initialize', reason: sessionOpenedReason(this.mode, drift.length) });
    this.replayQueue();
  }

  /**
   * Grades the preflight drift with the severity model of `@mcptrust/drift` (the one
   * `mcptrust check` uses), so a server that passes `check --fail-on X` also passes
   * the proxy's preflight at the same threshold and vice versa. Which items drifted
   * stays the engine's own hash verdict (they are denied whatever their grade); the
   * model sets their severity and sentence, and adds the server-level changes it knows
   * (capabilities, server name). If grading fails, the engine's stricter grades stand.
   */
  private gradePreflight(drift: PreflightDrift[], grade: () => DriftItem[]): void {
    let graded: DriftItem[];
    try {
      graded = grade();
    } catch {
      return;
    }
    const worst = new Map<string, DriftItem>();
    for (const g of graded) {
      const key = gradedKey(g);
      const seen = worst.get(key);
      if (seen === undefined || SEVERITY_RANK[g.severity] > SEVERITY_RANK[seen.severity]) worst.set(key, g);
    }
    const reported = new Set<string>();
    for (const d of drift) {
      const key = driftKey(d.kind, d.id);
      reported.add(key);
      // Items the engine saw listed twice or malformed are not in the model's input.
      if (d.fields?.some((f) => f.startsWith('('))) continue;
      const g = worst.get(key);
      if (g === undefined) continue;
      d.severity = g.severity;
      d.message = g.message;
    }
    for (const [key, g] of worst) {
      const serverField = serverFieldOf(g);
      if (reported.has(key) || serverField === undefined) continue;
      drift.push({ kind: 'server', id: serverField, change: g.kind, severity: g.severity, message: g.message });
    }
  }

  private refuseSession(drift: PreflightDrift[], reason: string, code: 'PREFLIGHT_DRIFT' | 'PREFLIGHT_FAILED'): void {
    this.currentState = 'refused';
    const entry = this.initEntry;
    this.hostError(entry?.hostId, DENIAL_CODES.SESSION_REFUSED, `MCPTRUST_DENIED: ${reason}`, {
      code: 'SESSION_REFUSED',
      drift: drift.map((d) => ({ kind: d.kind, id: d.id, change: d.change, severity: d.severity })),
    });
    const ev: Partial<AuditEvent> = { method: 'initialize', code: 'SESSION_REFUSED', errorCode: DENIAL_CODES.SESSION_REFUSED, reason };
    this.audit('session', 'internal', entry?.hostId === undefined ? ev : this.requestFields(ev, entry.hostId, entry));
    this.replayQueue();
    this.fatal(new ProxyError(code, reason, { items: drift.map((d) => `${d.kind}:${d.id}`) }));
  }

  private fatal(err: Error): void {
    try {
      this.io.onFatal?.(err);
    } catch {
      // The adapter's handler failing must not hide the refusal already sent.
    }
  }

  private replayQueue(): void {
    const q = this.queued;
    if (q.length === 0) return;
    this.queued = [];
    const { arrival, traceParent, traceState } = this;
    for (const [line, valid, queuedAt] of q) this.hostInput(line, valid, queuedAt);
    this.arrival = arrival;
    this.traceParent = traceParent;
    this.traceState = traceState;
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
        if (this.preflightEnabled && (this.currentState === 'awaiting-initialize' || this.currentState === 'initializing')) return;
        this.io.toServer(JSON.stringify(msg));
        return;
      case 'notifications/cancelled': {
        const key = requestKey(params['requestId']);
        const proxyId = key === undefined ? undefined : this.pendingByHost.get(key);
        const entry = proxyId === undefined ? undefined : this.pending.get(proxyId);
        if (entry === undefined || entry.method === 'initialize') {
          this.audit('dropped', 'host_to_server', { method, reason: entry === undefined ? 'cancellation of an unknown request' : 'initialize cannot be cancelled' });
          return;
        }
        this.complete(entry, true);
        this.io.toServer(JSON.stringify({ jsonrpc: '2.0', method, params: { ...params, requestId: entry.proxyId } }));
        if (this.auditAllowed) this.auditAnswer(entry, undefined, 'cancelled by the host');
        return;
      }
      case 'notifications/progress': {
        const token = params['progressToken'];
        const sr = typeof token === 'string' ? this.serverRequests.get(token) : undefined;
        if (sr === undefined || sr.serverToken === undefined) {
          this.audit('dropped', 'host_to_server', { method, reason: 'unknown progress token' });
          return;
        }
        this.io.toServer(JSON.stringify({ jsonrpc: '2.0', method, params: { ...params, progressToken: sr.serverToken } }));
        return;
      }
      case 'notifications/roots/list_changed':
        if (this.currentState !== 'ready' || !has(this.hostCaps, 'roots')) {
          this.audit('dropped', 'host_to_server', { method, reason: 'roots capability not carried' });
          return;
        }
        this.io.toServer(JSON.stringify({ jsonrpc: '2.0', method, ...(has(msg, 'params') ? { params } : {}) }));
        return;
      default:
        if (this.mode === 'audit-only' && this.currentState === 'ready') {
          this.audit('audit_only', 'host_to_server', { method, code: 'METHOD_NOT_ALLOWED', reason: 'unknown notification' });
          this.io.toServer(JSON.stringify(msg));
          return;
        }
        this.audit('dropped', 'host_to_server', { method, code: 'METHOD_NOT_ALLOWED', reason: 'notification not allowed' });
    }
  }

  /** A host reply to a server→client request (PROTOCOL 10). */
  private hostResponse(msg: Json, isError: boolean): void {
    const id = msg['id'];
    const sr = typeof id === 'string' ? this.serverRequests.get(id) : undefined;
    if (sr === undefined) {
      this.audit('dropped', 'host_to_server', { reason: 'response to an unknown server request' });
      return;
    }
    this.serverRequests.delete(sr.hostFacingId);
    this.serverRequestsByServerKey.delete(sr.serverKey);
    const body = isError ? '"error":' + JSON.stringify(msg['error']) : '"result":' + JSON.stringify(msg['result']);
    this.io.toServer('{"jsonrpc":"2.0","id":' + sr.serverId + ',' + body + '}');
  }

  // ---------------------------------------------------------------- server side

  receiveFromServer(line: string, utf8Valid = true, bytes?: Uint8Array): void {
    if (this.currentState === 'closed') return;
    // UTF-8 never has fewer bytes than the text has UTF-16 units: anything else is not
    // this line's bytes, and the text path is taken.
    this.lineBytes = bytes !== undefined && bytes.length >= line.length ? bytes : undefined;
    try {
      this.serverLine(line, utf8Valid);
    } catch {
      this.dropFromServer('internal error while checking a server message');
    } finally {
      this.lineBytes = undefined;
    }
  }

  private serverLine(line: string, utf8Valid: boolean): void {
    if (!utf8Valid) {
      this.dropFromServer('server line is not valid UTF-8');
      return;
    }
    if (this.pageCache.length > 0 && this.cachedListPage(line)) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.dropFromServer('server wrote a line that is not JSON');
      return;
    }
    if (Array.isArray(msg)) {
      if (this.version !== '2025-03-26' || msg.length === 0) {
        this.dropFromServer('batch from the server outside protocol 2025-03-26');
        return;
      }
      for (const el of msg) this.serverMessage(el, undefined);
      return;
    }
    this.serverMessage(msg, line);
  }

  private serverMessage(msg: unknown, raw: string | undefined): void {
    if (!isObject(msg) || msg['jsonrpc'] !== '2.0') {
      this.dropFromServer('invalid JSON-RPC envelope from the server');
      return;
    }
    const hasResult = has(msg, 'result');
    const hasError = has(msg, 'error');
    if (has(msg, 'method')) {
      const method = msg['method'];
      if (typeof method !== 'string' || hasResult || hasError || (has(msg, 'params') && !isObject(msg['params']))) {
        this.dropFromServer('malformed request from the server');
        return;
      }
      if (has(msg, 'id')) this.serverRequest(method, msg, raw);
      else this.serverNotification(method, msg, raw);
      return;
    }
    if (!has(msg, 'id') || hasResult === hasError) {
      this.dropFromServer('response without an id or with both/neither result and error');
      return;
    }
    const id = msg['id'];
    if (typeof id !== 'string') {
      this.dropFromServer('response id of the wrong type');
      return;
    }
    const entry = this.pending.get(id);
    if (entry === undefined) {
      this.dropFromServer(this.tombstones.has(id) ? 'late response to a cancelled or expired request' : 'response to an unknown or already answered id');
      return;
    }
    this.complete(entry, false);
    if (entry.internal !== undefined) {
      entry.internal(msg);
      return;
    }
    if (entry.method === 'initialize') {
      this.initializeAnswered(entry, msg);
      return;
    }
    if (hasResult && LIST_FIELD[entry.method] !== undefined) {
      const result = msg['result'];
      const filtered = this.filterList(entry.method, isObject(result) ? result : {});
      const resultJson = JSON.stringify(filtered.result);
      if (raw !== undefined) this.rememberListPage(entry.method, raw, resultJson, filtered.audit);
      this.io.toHost('{"jsonrpc":"2.0","id":' + entry.hostId! + ',"result":' + resultJson + '}');
      if (this.auditAllowed) this.auditAnswer(entry, undefined);
      return;
    }
    if (hasResult && entry.task) {
      const result = msg['result'];
      const task = isObject(result) ? result['task'] : undefined;
      const taskId = isObject(task) ? task['taskId'] : undefined;
      if (typeof taskId === 'string' && entry.tool !== undefined) {
        if (this.tasks.size >= this.maxTasks) {
          this.refuse(entry.hostId, entry.method, { cls: 'LIMIT_EXCEEDED', reason: 'too many tasks', tool: entry.tool }, 'blocked', entry);
          return;
        }
        this.tasks.set(taskId, entry.tool);
        this.stateVersion++;
      }
      this.toHostResponse(entry, msg, undefined);
      return;
    }
    this.toHostResponse(entry, msg, PASSTHROUGH_RESULTS.has(entry.method) || hasError ? raw : undefined);
  }

  /** Frees a pending entry; `tombstone` marks it so a late answer is recognised. */
  private complete(entry: Pending, tombstone: boolean): void {
    this.pending.delete(entry.proxyId);
    if (entry.hostKey !== undefined) this.pendingByHost.delete(entry.hostKey);
    if (tombstone) {
      this.tombstones.add(entry.proxyId);
      if (this.tombstones.size > MAX_TOMBSTONES) {
        const first = this.tombstones.values().next().value;
        if (first !== undefined) this.tombstones.delete(first);
      }
    }
  }

  /** Sends a server response to the host under the host's ID. */
  private toHostResponse(entry: Pending, msg: Json, raw: string | undefined): void {
    this.sendHostResponse(entry, msg, raw);
    if (this.auditAllowed) this.auditAnswer(entry, msg);
  }

  private sendHostResponse(entry: Pending, msg: Json, raw: string | undefined): void {
    const hostId = entry.hostId!;
    if (
      raw !== undefined &&
      raw.length >= MIN_BYTE_FORWARD_CHARS &&
      this.lineBytes !== undefined &&
      this.io.toHostBytes !== undefined &&
      this.forwardBytes(raw, this.lineBytes, hostId, entry.proxyIdJson)
    ) {
      return;
    }
    if (raw !== undefined) {
      const end = leadingIdEnd(raw, entry.proxyIdJson);
      const replaced = end !== -1 ? ENVELOPE_HEAD + hostId + raw.slice(end) : replaceTopLevelId(raw, hostId);
      if (replaced !== undefined) {
        this.io.toHost(replaced);
        return;
      }
    }
    const body = has(msg, 'error') ? '"error":' + JSON.stringify(msg['error']) : '"result":' + JSON.stringify(msg['result']);
    this.io.toHost('{"jsonrpc":"2.0","id":' + hostId + ',' + body + '}');
  }

  /**
   * The byte form of the id replacement: the original line's bytes around its single
   * top-level id (same safety rules as `replaceTopLevelId`), with the host's id in
   * between, written without building or encoding a string. Returns false when the
   * id cannot be located safely.
   */
  private forwardBytes(raw: string, bytes: Uint8Array, hostId: string, proxyIdJson: string): boolean {
    const leading = leadingIdEnd(raw, proxyIdJson);
    const span = leading !== -1 ? { start: ENVELOPE_HEAD.length, end: leading } : findTopLevelId(raw);
    if (span === undefined) return false;
    const idText = raw.slice(span.start, span.end);
    const start = span.start < 256 && isAscii(raw, span.start) ? span.start : Buffer.byteLength(raw.slice(0, span.start));
    const end = start + Buffer.byteLength(idText);
    if (end > bytes.length) return false;
    // The id bytes must be where the text says they are (proxy ids are ASCII).
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (b.toString('latin1', start, end) !== idText) return false;
    this.io.toHostBytes!([b.subarray(0, start), Buffer.from(hostId), b.subarray(end)]);
    return true;
  }

  private toHostResult(entry: Pending, result: Json): void {
    this.sendHostResult(entry.hostId!, result);
    if (this.auditAllowed) this.auditAnswer(entry, undefined);
  }

  private sendHostResult(hostId: string, result: Json): void {
    this.io.toHost('{"jsonrpc":"2.0","id":' + hostId + ',"result":' + JSON.stringify(result) + '}');
  }

  /** Filters one page of a list (PROTOCOL 17–21, 38); `audit` is what was reported. */
  private filterList(method: string, result: Json): { result: Json; audit: Partial<AuditEvent> | undefined } {
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
        if (this.mode === 'audit-only') kept.push(it);
      }
    }
    let audit: Partial<AuditEvent> | undefined;
    if (removed.length > 0) {
      audit = { method, count: removed.length, items: removed.slice(0, 50), reason: [...reasons].join('; ') };
      this.audit(this.mode === 'audit-only' ? 'audit_only' : 'filtered', 'server_to_host', { ...audit });
    }
    if (removed.length === 0 && Array.isArray(arr)) return { result, audit };
    return { result: { ...result, [spec.field]: kept }, audit };
  }

  /** Records a filtered page so an identical one is answered from the cache. */
  private rememberListPage(method: string, raw: string, resultJson: string, audit: Partial<AuditEvent> | undefined): void {
    if (raw.length > MAX_CACHED_PAGE_CHARS) return;
    // The text was validated by JSON.parse, so the id span found here is exact.
    const span = findTopLevelId(raw);
    if (span === undefined) return;
    const page: CachedPage = {
      method,
      version: this.stateVersion,
      prefix: raw.slice(0, span.start),
      suffix: raw.slice(span.end),
      tail: ',"result":' + resultJson + '}',
      tailBytes: undefined,
      prefixBytes: undefined,
      suffixBytes: undefined,
      audit,
    };
    const cache = this.pageCache;
    for (let i = 0; i < cache.length; i++) {
      const c = cache[i]!;
      if (c.method === method && c.prefix === page.prefix && c.suffix === page.suffix) {
        cache.splice(i, 1);
        break;
      }
    }
    cache.unshift(page);
    if (cache.length > MAX_CACHED_PAGES) cache.length = MAX_CACHED_PAGES;
  }

  receiveServerLineBytes(parts: readonly Uint8Array[], byteLength: number): boolean {
    if (this.currentState === 'closed' || this.pageCache.length === 0) return false;
    try {
      return this.cachedListPageBytes(parts, byteLength);
    } catch {
      return false; // the text path decides
    }
  }

  /**
   * The byte form of {@link cachedListPage}: the line is compared with the cached
   * page's prefix and suffix as bytes, piece by piece, so a repeated page is answered
   * without being joined, decoded or parsed. Same rules: a plain ASCII id token that is
   * exactly a pending id of the same method, and a cache still valid for the session.
   */
  private cachedListPageBytes(parts: readonly Uint8Array[], byteLength: number): boolean {
    const cache = this.pageCache;
    for (let i = 0; i < cache.length; i++) {
      const c = cache[i]!;
      c.prefixBytes ??= Buffer.from(c.prefix);
      c.suffixBytes ??= Buffer.from(c.suffix);
      const open = c.prefixBytes.length;
      const idBytes = byteLength - open - c.suffixBytes.length;
      if (idBytes < 18 || idBytes > MAX_PROXY_ID_CHARS + 2) continue;
      if (c.version !== this.stateVersion) {
        cache.length = 0;
        return false;
      }
      const token = asciiAt(parts, open, idBytes);
      if (token === undefined || token.charCodeAt(0) !== 0x22 || token.charCodeAt(idBytes - 1) !== 0x22) continue;
      if (!bytesAt(parts, open + idBytes, c.suffixBytes) || !bytesAt(parts, 0, c.prefixBytes)) continue;
      return this.answerFromCache(c, token.slice(1, -1));
    }
    return false;
  }

  /** Answers a pending list request from a cached page; false if the id does not fit. */
  private answerFromCache(c: CachedPage, token: string): boolean {
    if (!isPlainIdText(token)) return false;
    const entry = this.pending.get(token);
    if (entry === undefined || entry.method !== c.method || entry.internal !== undefined || entry.hostId === undefined) return false;
    this.complete(entry, false);
    if (c.audit !== undefined) this.audit(this.mode === 'audit-only' ? 'audit_only' : 'filtered', 'server_to_host', { ...c.audit });
    if (this.io.toHostBytes !== undefined) {
      c.tailBytes ??= Buffer.from(c.tail);
      this.io.toHostBytes([Buffer.from(ENVELOPE_HEAD + entry.hostId), c.tailBytes]);
    } else {
      this.io.toHost(ENVELOPE_HEAD + entry.hostId + c.tail);
    }
    if (this.auditAllowed) this.auditAnswer(entry, undefined);
    return true;
  }

  /**
   * Answers a list page from the cache when `line` is exactly a cached page's text
   * with another pending proxy id in place of the old one. Replacing one plain JSON
   * string token by another leaves a valid document with the same structure, so the
   * line needs neither parsing nor re-hashing: it is the page that was checked, and
   * the state its verdict depended on has not changed (`stateVersion`). Returns false
   * (the caller takes the full path) on any doubt.
   */
  private cachedListPage(line: string): boolean {
    const cache = this.pageCache;
    for (let i = 0; i < cache.length; i++) {
      const c = cache[i]!;
      const idChars = line.length - c.prefix.length - c.suffix.length;
      if (idChars < 18 || idChars > MAX_PROXY_ID_CHARS + 2) continue;
      if (c.version !== this.stateVersion) {
        cache.length = 0;
        return false;
      }
      const open = c.prefix.length;
      if (line.charCodeAt(open) !== 0x22 || line.charCodeAt(open + idChars - 1) !== 0x22) continue;
      // Substring equality compares whole flat strings at memory speed.
      if (line.slice(open + idChars) !== c.suffix || line.slice(0, open) !== c.prefix) continue;
      // The token must be a plain string (no escapes, so its text is its value) that is
      // exactly a pending id.
      return this.answerFromCache(c, line.slice(open + 1, open + idChars - 1));
    }
    return false;
  }

  /** Marks an item drifted for the rest of the session. */
  private markDrifted(kind: ItemKind, id: string): void {
    const set = this.drifted.get(kind)!;
    if (set.has(id)) return;
    set.add(id);
    this.stateVersion++;
  }

  private itemRejection(kind: ItemKind | 'task', id: string, it: Json, count: number): string | undefined {
    if (kind === 'task') return this.tasks.has(id) ? undefined : 'task not created in this session';
    if (count > 1) {
      if (this.allow.pinned(kind, id) !== undefined) this.markDrifted(kind, id);
      return 'listed twice';
    }
    if (kind === 'resource') {
      if (this.allow.deniesUri(id)) return DENIED_REASON;
      if (this.allow.staticResources.has(id)) {
        if (this.drifted.get('resource')!.has(id)) return 'definition drifted';
        return this.verifyOrMark('resource', id, it);
      }
      if (this.startupStatic.has(id)) return undefined;
      const t = this.allow.matchTemplate(id);
      if (t !== undefined && !this.drifted.get('resourceTemplate')!.has(t)) return undefined;
      return 'not in allowlist';
    }
    if (this.allow.isDenied(kind, id)) return DENIED_REASON;
    if (this.allow.pinned(kind, id) === undefined) return 'not in allowlist';
    if (this.drifted.get(kind)!.has(id)) return 'definition drifted';
    return this.verifyOrMark(kind, id, it);
  }

  private verifyOrMark(kind: ItemKind, id: string, it: Json): string | undefined {
    const v = this.allow.verify(kind, id, it);
    if (v.ok) {
      if (kind === 'tool' && !this.allow.toolSchemas.has(id)) this.verifiedSchemas.set(id, it['inputSchema']);
      return undefined;
    }
    // Drift is sticky for the session: a server flipping back cannot re-enable the item.
    this.markDrifted(kind, id);
    return 'definition drifted';
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
        this.dropFromServer('server request id of the wrong type', method);
        return;
      }
      idJson = text;
    } else {
      this.dropFromServer('server request id of the wrong type', method);
      return;
    }
    if (idJson.length > MAX_ID_BYTES + 2) {
      this.dropFromServer('server request id too long', method);
      return;
    }
    const serverKey = (typeof id === 'string' ? 's' : 'n') + idJson;
    const params = isObject(msg['params']) ? msg['params'] : undefined;
    if (method === 'ping') {
      // Answered locally: the host's liveness is the proxy's business, not the server's.
      this.io.toServer('{"jsonrpc":"2.0","id":' + idJson + ',"result":{}}');
      return;
    }
    const notFound = (reason: string): void => {
      this.serverError(idJson, DENIAL_CODES.METHOD_NOT_FOUND, `Method not found: ${reason}`);
      this.audit('blocked', 'server_to_host', { method, code: 'METHOD_NOT_FOUND', errorCode: DENIAL_CODES.METHOD_NOT_FOUND, reason });
    };
    let relayParams = params;
    switch (method) {
      case 'roots/list':
        if (!has(this.hostCaps, 'roots')) return notFound('the host did not declare roots (or roots are denied)');
        break;
      case 'sampling/createMessage': {
        if (!has(this.hostCaps, 'sampling')) return notFound('the host did not declare sampling (or sampling is denied)');
        if (params !== undefined) {
          const ctx = params['includeContext'];
          if (ctx !== undefined && ctx !== 'none') {
            if (this.opts.samplingContext === 'deny') {
              this.serverError(idJson, DENIAL_CODES.POLICY_DENIED, 'MCPTRUST_DENIED: includeContext other than "none" is not allowed');
              this.audit('blocked', 'server_to_host', { method, code: 'POLICY_DENIED', reason: 'includeContext not allowed' });
              return;
            }
            relayParams = { ...(relayParams ?? {}), includeContext: 'none' };
          }
          if (has(params, 'tools') || has(params, 'toolChoice')) {
            relayParams = { ...(relayParams ?? {}) };
            delete relayParams['tools'];
            delete relayParams['toolChoice'];
            this.audit('filtered', 'server_to_host', { method, reason: 'server-supplied tools removed from sampling request' });
          }
        }
        break;
      }
      case 'elicitation/create':
        if (!has(this.hostCaps, 'elicitation') || this.version === undefined || !versionAtLeast(this.version, '2025-06-18')) {
          return notFound('the host did not declare elicitation (or elicitation is denied)');
        }
        if (params !== undefined && typeof params['elicitationId'] === 'string') {
          if (this.elicitations.size >= this.maxTasks) this.elicitations.clear();
          this.elicitations.add(params['elicitationId']);
        }
        break;
      default:
        return notFound(`the proxy does not relay ${JSON.stringify(method)}`);
    }
    if (this.serverRequestsByServerKey.has(serverKey)) {
      this.serverError(idJson, DENIAL_CODES.INVALID_REQUEST, 'Invalid Request: this id is already in flight');
      this.dropFromServer('duplicate server request id', method);
      return;
    }
    if (this.serverRequests.size >= this.maxServerRequests) {
      this.serverError(idJson, DENIAL_CODES.LIMIT_EXCEEDED, 'MCPTRUST_DENIED: too many server requests in flight');
      this.audit('blocked', 'server_to_host', { method, code: 'LIMIT_EXCEEDED', reason: 'too many server requests in flight' });
      return;
    }
    let hostFacingId: string;
    try {
      hostFacingId = this.newId();
      if (typeof hostFacingId !== 'string' || hostFacingId.length < 16 || this.serverRequests.has(hostFacingId)) throw new Error('bad id');
    } catch {
      this.serverError(idJson, DENIAL_CODES.INTERNAL_FAILURE, 'MCPTRUST_DENIED: could not generate a request id');
      return;
    }
    let serverToken: unknown;
    const meta = relayParams?.['_meta'];
    if (isObject(meta) && has(meta, 'progressToken')) {
      serverToken = meta['progressToken'];
      relayParams = { ...relayParams, _meta: { ...meta, progressToken: hostFacingId } };
    }
    const sr = new ServerRequest(hostFacingId, idJson, serverKey, method, Date.now() + this.requestTimeout, serverToken);
    this.serverRequests.set(hostFacingId, sr);
    this.serverRequestsByServerKey.set(serverKey, hostFacingId);
    let line = '{"jsonrpc":"2.0","id":' + JSON.stringify(hostFacingId) + ',"method":' + JSON.stringify(method);
    if (relayParams !== undefined) line += ',"params":' + JSON.stringify(relayParams);
    this.io.toHost(line + '}');
    this.armTimer();
  }

  private serverNotification(method: string, msg: Json, raw: string | undefined): void {
    const params = isObject(msg['params']) ? msg['params'] : {};
    switch (method) {
      case 'notifications/progress': {
        const token = params['progressToken'];
        const entry = typeof token === 'string' ? this.pending.get(token) : undefined;
        if (entry === undefined || entry.hostToken === undefined) {
          this.dropFromServer('unknown progress token', method);
          return;
        }
        // Progress proves the request is alive: extend its deadline (PROTOCOL 12).
        entry.deadline = Date.now() + entry.timeoutMs;
        this.io.toHost(JSON.stringify({ jsonrpc: '2.0', method, params: { ...params, progressToken: entry.hostToken } }));
        return;
      }
      case 'notifications/cancelled': {
        const key = requestKey(params['requestId']);
        const hostFacingId = key === undefined ? undefined : this.serverRequestsByServerKey.get(key);
        const sr = hostFacingId === undefined ? undefined : this.serverRequests.get(hostFacingId);
        if (sr === undefined) {
          this.dropFromServer('cancellation of an unknown server request', method);
          return;
        }
        this.serverRequests.delete(sr.hostFacingId);
        this.serverRequestsByServerKey.delete(sr.serverKey);
        this.io.toHost(JSON.stringify({ jsonrpc: '2.0', method, params: { ...params, requestId: sr.hostFacingId } }));
        return;
      }
      case 'notifications/message':
        if ((raw?.length ?? JSON.stringify(msg).length) > this.maxLogBytes) {
          this.dropFromServer('log message over the size cap', method);
          return;
        }
        break;
      case 'notifications/tools/list_changed':
      case 'notifications/prompts/list_changed':
      case 'notifications/resources/list_changed':
        break;
      case 'notifications/resources/updated': {
        const uri = params['uri'];
        const denial = typeof uri === 'string' ? this.checkUri(uri) : { cls: 'RESOURCE_NOT_ALLOWED' as const, reason: 'no uri' };
        if (denial !== undefined) {
          if (this.mode === 'audit-only') {
            this.audit('audit_only', 'server_to_host', { method, reason: denial.reason, ...(typeof uri === 'string' ? { uri } : {}) });
            break;
          }
          this.dropFromServer(denial.reason, method, typeof uri === 'string' ? { uri } : {});
          return;
        }
        break;
      }
      case 'notifications/elicitation/complete': {
        const eid = params['elicitationId'];
        if (typeof eid !== 'string' || !this.elicitations.has(eid)) {
          this.dropFromServer('unknown elicitation id', method);
          return;
        }
        this.elicitations.delete(eid);
        break;
      }
      case 'notifications/tasks/status': {
        const tid = params['taskId'];
        if (typeof tid !== 'string' || !this.tasks.has(tid)) {
          this.dropFromServer('unknown task id', method);
          return;
        }
        break;
      }
      default:
        this.dropFromServer('notification not allowed', method);
        return;
    }
    this.io.toHost(JSON.stringify(msg));
  }

  // ---------------------------------------------------------------- limits, timers, shutdown

  hostLineTooLong(bytes: number): void {
    if (this.currentState === 'closed') return;
    this.refuse(undefined, undefined, { cls: 'PARSE_ERROR', reason: `Parse error: line of ${bytes} bytes exceeds the size cap` }, 'dropped');
  }

  serverLineTooLong(bytes: number): void {
    if (this.currentState === 'closed') return;
    // The request it answered (if any) stays pending and times out (PROTOCOL 40).
    this.dropFromServer(`server line of ${bytes} bytes exceeds the size cap`);
  }

  private armTimer(): void {
    if (this.timer !== undefined) return;
    const tick = Math.max(5, Math.min(1000, Math.floor(Math.min(this.requestTimeout, this.startupTimeout) / 4)));
    this.timer = setInterval(() => this.sweep(), tick);
    // The sweeper alone must not keep a process alive.
    this.timer.unref?.();
  }

  private sweep(): void {
    const now = Date.now();
    for (const entry of this.pending.values()) {
      if (entry.deadline > now) continue;
      this.complete(entry, true);
      if (entry.internal !== undefined) {
        entry.internal({ jsonrpc: '2.0', id: entry.proxyId, error: { code: DENIAL_CODES.REQUEST_TIMEOUT, message: 'timeout' } });
        continue;
      }
      if (entry.method === 'initialize') {
        // initialize is never cancelled (PROTOCOL 14); the session cannot start.
        this.currentState = 'refused';
        this.hostError(entry.hostId, DENIAL_CODES.REQUEST_TIMEOUT, `MCPTRUST_ERROR: initialize timed out after ${entry.timeoutMs} ms`, { code: 'REQUEST_TIMEOUT' });
        this.audit('timeout', 'host_to_server', this.requestFields({ method: entry.method, code: 'REQUEST_TIMEOUT', errorCode: DENIAL_CODES.REQUEST_TIMEOUT }, entry.hostId!, entry));
        this.fatal(new ProxyError('SERVER_CLOSED', 'the server did not answer initialize in time'));
        continue;
      }
      this.hostError(entry.hostId, DENIAL_CODES.REQUEST_TIMEOUT, `MCPTRUST_ERROR: request timed out after ${entry.timeoutMs} ms`, { code: 'REQUEST_TIMEOUT' });
      this.io.toServer('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":' + entry.proxyIdJson + ',"reason":"timeout"}}');
      const ev: Partial<AuditEvent> = { method: entry.method, code: 'REQUEST_TIMEOUT', errorCode: DENIAL_CODES.REQUEST_TIMEOUT };
      if (entry.tool !== undefined) ev.tool = entry.tool;
      this.audit('timeout', 'host_to_server', this.requestFields(ev, entry.hostId!, entry));
    }
    for (const sr of this.serverRequests.values()) {
      if (sr.deadline > now) continue;
      this.serverRequests.delete(sr.hostFacingId);
      this.serverRequestsByServerKey.delete(sr.serverKey);
      this.serverError(sr.serverId, DENIAL_CODES.REQUEST_TIMEOUT, 'MCPTRUST_ERROR: the host did not answer in time');
      this.io.toHost(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: sr.hostFacingId, reason: 'timeout' } }));
    }
    if (this.pending.size === 0 && this.serverRequests.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  serverClosed(reason = 'the server exited'): void {
    for (const entry of [...this.pending.values()]) {
      this.complete(entry, true);
      if (entry.internal !== undefined) continue;
      this.hostError(entry.hostId, DENIAL_CODES.SERVER_UNAVAILABLE, `MCPTRUST_ERROR: ${reason} before answering`, { code: 'SERVER_UNAVAILABLE' });
      const ev: Partial<AuditEvent> = { method: entry.method, code: 'SERVER_UNAVAILABLE', errorCode: DENIAL_CODES.SERVER_UNAVAILABLE, reason };
      if (entry.tool !== undefined) ev.tool = entry.tool;
      this.audit('dropped', 'internal', this.requestFields(ev, entry.hostId!, entry));
    }
    if (this.currentState === 'preflight') this.currentState = 'refused';
    this.serverRequests.clear();
    this.serverRequestsByServerKey.clear();
    this.stopTimer();
  }

  close(): void {
    if (this.currentState === 'closed') return;
    this.serverClosed('the proxy is shutting down');
    this.currentState = 'closed';
  }
}

// W3C trace context, version 00: what the audit trail keeps from a host request's `_meta`.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const MAX_TRACESTATE_CHARS = 512;

/** Whether `t` is a version-00 `traceparent` whose trace id and span id are not all zeros. */
function isTraceParent(t: string): boolean {
  const m = TRACEPARENT.exec(t);
  return m !== null && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!);
}

type CompareLiveListing = (lockfile: Lockfile, live: LiveListing) => DriftItem[];
let driftModel: Promise<CompareLiveListing> | undefined;

/** The drift model's comparison, imported on first use (most sessions never need it). */
function loadDriftModel(): Promise<CompareLiveListing> {
  driftModel ??= import('./drift-model.js').then((m) => m.compareLiveListing);
  return driftModel;
}

/**
 * Whether the server-level fields only the drift model compares (capabilities, server
 * name and title) differ from the lockfile; the engine itself checks version, protocol
 * version and instructions.
 */
function serverFieldsDiffer(lockfile: Lockfile, initResult: Json): boolean {
  const pinned = lockfile.server;
  const info = isObject(initResult['serverInfo']) ? initResult['serverInfo'] : {};
  if ((typeof info['name'] === 'string' ? info['name'] : '') !== pinned.name) return true;
  if ((typeof info['title'] === 'string' ? info['title'] : undefined) !== pinned.title) return true;
  const caps = isObject(initResult['capabilities']) ? initResult['capabilities'] : {};
  try {
    return hashJson(caps as Parameters<typeof hashJson>[0]) !== hashJson(pinned.capabilities);
  } catch {
    return true;
  }
}

/** Table key of a drifted item: its kind and id (a server field's name for `server`). */
function driftKey(kind: PreflightDrift['kind'], id: string): string {
  return kind + '\0' + id;
}

/** The engine's id of a server-level drift item of the model, or undefined for an item. */
function serverFieldOf(g: DriftItem): string | undefined {
  switch (g.itemType) {
    case 'serverInstructions':
      return 'instructions';
    case 'serverInfo':
    case 'capabilities':
      return g.details.field ?? g.itemType;
    default:
      return undefined;
  }
}

/** The engine's key (see driftKey) of a graded drift item. */
function gradedKey(g: DriftItem): string {
  const serverField = serverFieldOf(g);
  return serverField === undefined ? driftKey(g.itemType as PreflightDrift['kind'], g.itemId) : driftKey('server', serverField);
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
