/**
 * The enforcement engine: a pipeline of stages (one module each under `engine/`)
 * sharing one {@link Session}. This file only composes them: it takes one line from
 * either side, checks the JSON-RPC envelope, and hands the message to the stage that
 * decides it.
 *
 *   host line → envelope → lifecycle (initialize, queue) | enforcement → ID translation → server
 *   server line → page cache | envelope → relay (requests, notifications)
 *                                       | pending table → lifecycle | list filter | ID translation → host
 *
 * Every stage reports its decisions through observation; the engine's own answers go
 * through replies. See the package README for the guarantees.
 */
import type { EngineState, PreflightDrift, ProxyEngine, ProxyEngineIO, ProxyEngineOptions, ProxyEngineStats } from './engine.types.js';
import { Enforcement } from './engine/enforcement.js';
import { hostIdOf } from './engine/id-text.js';
import { IdTranslation } from './engine/id-translation.js';
import { has, isObject, type Json } from './engine/json.js';
import { Lifecycle } from './engine/lifecycle.js';
import { ListFilter } from './engine/list-filter.js';
import { Observation } from './engine/observation.js';
import { PageCache } from './engine/page-cache.js';
import { PendingTable, type Pending } from './engine/pending-table.js';
import { Relay } from './engine/relay.js';
import { Replies } from './engine/replies.js';
import { Session } from './engine/session.js';
import { isNewerPeerMethod } from './protocol.js';

export { DEFAULT_MAX_PENDING, DEFAULT_REQUEST_TIMEOUT_MS } from './engine/session.js';
export { MIN_BYTE_FORWARD_CHARS } from './engine/id-text.js';

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

/** A JSON-RPC error object: an integer code (one a host can represent exactly) and a string message. */
function isWellFormedError(e: unknown): boolean {
  return isObject(e) && Number.isSafeInteger(e['code']) && typeof e['message'] === 'string';
}

/** The engine implementation; construct with {@link createProxyEngine}. */
class Engine implements ProxyEngine {
  private readonly session: Session;
  private readonly obs: Observation;
  private readonly replies: Replies;
  private readonly table: PendingTable;
  private readonly translation: IdTranslation;
  private readonly enforcement: Enforcement;
  private readonly pages: PageCache;
  private readonly lists: ListFilter;
  private readonly lifecycle: Lifecycle;
  private readonly relay: Relay;

  constructor(io: ProxyEngineIO, options: ProxyEngineOptions) {
    const session = (this.session = new Session(io, options));
    const obs = (this.obs = new Observation(session));
    const replies = (this.replies = new Replies(io, obs));
    const table = (this.table = new PendingTable(session, obs, replies));
    const translation = (this.translation = new IdTranslation(session, obs, replies, table));
    const enforcement = (this.enforcement = new Enforcement(session, obs, replies));
    this.pages = new PageCache(session, obs, table);
    this.lists = new ListFilter(session, obs, this.pages);
    const lifecycle = (this.lifecycle = new Lifecycle(session, obs, replies, table, translation, (line, valid, arrival) => this.hostInput(line, valid, arrival)));
    this.relay = new Relay(session, obs, replies, table, translation, enforcement, lifecycle);
  }

  get state(): EngineState {
    return this.session.state;
  }

  get protocolVersion(): string | undefined {
    return this.session.version;
  }

  get drift(): readonly PreflightDrift[] {
    return this.session.drift;
  }

  stats(): ProxyEngineStats {
    return { pending: this.table.pending.size, serverRequests: this.table.serverRequests.size, tasks: this.session.tasks.size };
  }

  // ---------------------------------------------------------------- host → server

  receiveFromHost(line: string, utf8Valid = true): void {
    this.hostInput(line, utf8Valid, this.obs.observing ? performance.now() : 0);
  }

  /** One host line; `arrival` is when it reached the engine (a queued line keeps its own). */
  private hostInput(line: string, utf8Valid: boolean, arrival: number): void {
    if (this.session.state === 'closed') return;
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
    if (Array.isArray(msg)) this.hostBatch(msg);
    else this.hostMessage(msg, line);
  }

  /** Checks the envelope and the host ID, then routes: notification, request or response. */
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
    if (msg['jsonrpc'] !== '2.0') return this.invalid(idJson, undefined, 'jsonrpc must be "2.0"');
    const hasResult = has(msg, 'result');
    const hasError = has(msg, 'error');
    if (has(msg, 'method')) {
      const method = msg['method'];
      if (typeof method !== 'string' || hasResult || hasError) return this.invalid(idJson, undefined, 'malformed request');
      if (has(msg, 'params') && !isObject(msg['params'])) return this.invalid(idJson, method, 'params must be an object');
      if (id === undefined) this.relay.hostNotification(method, msg);
      else if (isNewerPeerMethod(method)) this.replies.refuse(id.json, method, { cls: 'METHOD_NOT_FOUND', reason: `method ${JSON.stringify(method)} belongs to a protocol version the proxy does not implement; use initialize` });
      else if (this.lifecycle.holds(method)) this.lifecycle.enqueue(raw ?? JSON.stringify(msg), id.json, id.key, method);
      else this.hostRequest(method, msg, id.json, id.key);
      return;
    }
    if (id !== undefined && hasResult !== hasError) this.translation.hostResponse(msg, hasError);
    else this.invalid(idJson, undefined, 'not a request, notification or response');
  }

  /** A host request: lifecycle gates, then enforcement, then forwarded under a proxy ID. */
  private hostRequest(method: string, msg: Json, idJson: string, key: string): void {
    if (this.table.byHost.has(key)) return this.invalid(idJson, method, 'this id is already in flight');
    if (method === 'initialize') return this.lifecycle.hostInitialize(msg, idJson, key);
    if (this.session.state === 'refused') {
      this.replies.refuse(idJson, method, { cls: 'SESSION_REFUSED', reason: 'the session was refused' });
      return;
    }
    if (method === 'ping') return this.translation.forward(method, msg, idJson, key, undefined, false);
    if (this.session.state !== 'ready' || this.session.version === undefined) {
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
      const entry = this.table.forHost(key);
      if (entry !== undefined) entry.reported = true;
    }
  }

  /** A host batch: only under 2025-03-26, never empty, never with `initialize`. */
  private hostBatch(batch: unknown[]): void {
    if (this.session.version !== '2025-03-26' || batch.length === 0) {
      const reason = batch.length === 0 ? 'Invalid Request: empty batch' : 'Invalid Request: batches are only allowed under protocol 2025-03-26';
      this.replies.refuse(undefined, undefined, { cls: 'INVALID_REQUEST', reason }, 'dropped');
      return;
    }
    for (const element of batch) {
      if (isObject(element) && element['method'] === 'initialize') {
        if (this.obs.observing) this.obs.readTrace(element);
        const id = hostIdOf(element, undefined);
        this.invalid(typeof id === 'object' ? id.json : undefined, 'initialize', 'initialize cannot be batched');
        continue;
      }
      this.hostMessage(element, undefined);
    }
  }

  /** Refuses a host message with `-32600 Invalid Request: <reason>`. */
  private invalid(idJson: string | undefined, method: string | undefined, reason: string): void {
    this.replies.refuse(idJson, method, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: ' + reason });
  }

  // ---------------------------------------------------------------- server → host

  receiveFromServer(line: string, utf8Valid = true, bytes?: Uint8Array): void {
    if (this.session.state === 'closed') return;
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
    if (!utf8Valid) return this.obs.dropped('server line is not valid UTF-8');
    if (!this.pages.empty && this.pages.fromText(line)) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return this.obs.dropped('server wrote a line that is not JSON');
    }
    if (!Array.isArray(msg)) return this.serverMessage(msg, line);
    if (this.session.version !== '2025-03-26' || msg.length === 0) return this.obs.dropped('batch from the server outside protocol 2025-03-26');
    for (const el of msg) this.serverMessage(el, undefined);
  }

  /** Checks the envelope, then routes: server request, notification, or an answer. */
  private serverMessage(msg: unknown, raw: string | undefined): void {
    if (!isObject(msg) || msg['jsonrpc'] !== '2.0') return this.obs.dropped('invalid JSON-RPC envelope from the server');
    const hasResult = has(msg, 'result');
    const hasError = has(msg, 'error');
    if (has(msg, 'method')) {
      const method = msg['method'];
      if (typeof method !== 'string' || hasResult || hasError || (has(msg, 'params') && !isObject(msg['params']))) return this.obs.dropped('malformed request from the server');
      if (has(msg, 'id')) this.relay.serverRequest(method, msg, raw);
      else this.relay.serverNotification(method, msg, raw);
      return;
    }
    if (!has(msg, 'id') || hasResult === hasError) return this.obs.dropped('response without an id or with both/neither result and error');
    const id = msg['id'];
    if (typeof id !== 'string') return this.obs.dropped('response id of the wrong type');
    const entry = this.table.pending.get(id);
    if (entry === undefined) {
      return this.obs.dropped(this.table.isTombstoned(id) ? 'late response to a cancelled or expired request' : 'response to an unknown or already answered id');
    }
    this.table.complete(entry, false);
    if (hasError ? !isWellFormedError(msg['error']) : !isObject(msg['result'])) {
      // Hosts refuse a malformed answer and would wait forever: the request is answered
      // with a well-formed error instead, and the drop is audited.
      this.obs.dropped('malformed result or error from the server', entry.method);
      return this.serverAnswer(entry, { jsonrpc: '2.0', id, error: { code: -32603, message: 'MCPTRUST_ERROR: the server sent a malformed answer' } }, true, false, undefined);
    }
    // Members beyond jsonrpc, id and result/error are not forwarded: the answer is re-serialized.
    this.serverAnswer(entry, msg, hasResult, hasError, raw !== undefined && Object.keys(msg).length === 3 ? raw : undefined);
  }

  /** Routes a well-formed answer to a pending entry: preflight, initialize, a list page or the host. */
  private serverAnswer(entry: Pending, msg: Json, hasResult: boolean, hasError: boolean, raw: string | undefined): void {
    if (entry.internal !== undefined) entry.internal(msg);
    else if (entry.method === 'initialize') this.lifecycle.initializeAnswered(entry, msg);
    else if (hasResult && this.lists.isList(entry.method)) this.lists.answer(entry, msg, raw);
    else if (hasResult && entry.task) {
      if (this.enforcement.recordTask(entry, msg)) this.translation.toHostResponse(entry, msg, undefined);
    } else this.translation.toHostResponse(entry, msg, PASSTHROUGH_RESULTS.has(entry.method) || hasError ? raw : undefined);
  }

  receiveServerLineBytes(parts: readonly Uint8Array[], byteLength: number): boolean {
    if (this.session.state === 'closed' || this.pages.empty) return false;
    try {
      return this.pages.fromBytes(parts, byteLength);
    } catch {
      return false; // the text path decides
    }
  }

  // ---------------------------------------------------------------- limits and shutdown

  hostLineTooLong(bytes: number): void {
    if (this.session.state === 'closed') return;
    this.replies.refuse(undefined, undefined, { cls: 'PARSE_ERROR', reason: `Parse error: line of ${bytes} bytes exceeds the size cap` }, 'dropped');
  }

  serverLineTooLong(bytes: number): void {
    if (this.session.state === 'closed') return;
    // The request it answered (if any) stays pending and times out (PROTOCOL 40).
    this.obs.dropped(`server line of ${bytes} bytes exceeds the size cap`);
  }

  serverClosed(reason = 'the server exited'): void {
    this.table.failAll(reason);
    this.lifecycle.serverGone(reason);
    this.table.clearServerRequests();
    this.table.stopTimer();
  }

  serverSessionLost(reason = 'the upstream lost the session'): void {
    if (this.session.state === 'closed') return;
    this.lifecycle.sessionLost(reason);
  }

  close(): void {
    if (this.session.state === 'closed') return;
    this.serverClosed('the proxy is shutting down');
    this.session.state = 'closed';
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
