/**
 * Session lifecycle: `initialize` (version negotiation, capabilities, pinned
 * instructions), the host requests that wait until the session is established, the
 * session opening or being refused, re-establishing it when a remote upstream lost it
 * (a new `initialize` and preflight the host never sees), and the end of the session.
 */
import type { AuditEvent } from '@mcptrust/audit';
import { hashText } from '@mcptrust/lockfile';
import type { PreflightDrift } from '../engine.types.js';
import { ProxyError } from '../errors.js';
import { sessionOpenedReason } from '../preflight-settlement.js';
import { DENIAL_CODES, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, isSupportedVersion } from '../protocol.js';
import type { IdTranslation } from './id-translation.js';
import { has, isObject, type Json } from './json.js';
import type { Observation } from './observation.js';
import type { Pending, PendingTable } from './pending-table.js';
import { Preflight, type PreflightOutcome } from './preflight.js';
import type { Replies } from './replies.js';
import type { Session } from './session.js';

const MAX_QUEUED_HOST_MESSAGES = 64;
const KNOWN_CLIENT_CAPS = ['roots', 'sampling', 'elicitation'];
const KNOWN_SERVER_CAPS = ['logging', 'completions', 'prompts', 'resources', 'tools', 'tasks'];

/** Hands a queued host line back to the engine's host path (with its own arrival time). */
export type ReplayHostLine = (line: string, utf8Valid: boolean, arrival: number) => void;

/** The lifecycle stage; it owns preflight and receives its verdict. */
export class Lifecycle implements PreflightOutcome {
  // Waiting host requests: line, UTF-8 validity, arrival, host-ID key.
  private queued: Array<[string, boolean, number, string]> = [];
  private initEntry: Pending | undefined;
  private initResult: Json | undefined;
  // The host's initialize params as forwarded (version clamped, capabilities stripped).
  private initParams: Json | undefined;
  // The upstream lost the session and the engine is establishing a new one.
  private resetting = false;
  private initializedSent = false;
  private hostInitializedSeen = false;
  private readonly preflight: Preflight;

  constructor(
    private readonly session: Session,
    private readonly obs: Observation,
    private readonly replies: Replies,
    private readonly table: PendingTable,
    private readonly translation: IdTranslation,
    private readonly replay: ReplayHostLine,
  ) {
    this.preflight = new Preflight(session, obs, translation, this);
    table.onInitializeExpired = () => this.replayQueue();
  }

  /** Whether host requests must wait: `initialize` was forwarded and the session is not established yet. */
  get starting(): boolean {
    return this.session.state === 'initializing' || this.session.state === 'preflight';
  }

  /**
   * Whether a host request must wait in the queue: anything but `ping` and `initialize`
   * while the session starts; everything while it is re-established (the upstream must
   * see the new `initialize` before any other request).
   */
  holds(method: string): boolean {
    return this.starting && (this.resetting || (method !== 'ping' && method !== 'initialize'));
  }

  /**
   * Until the session is established, requests wait (bounded) and are replayed in
   * order once it is. `line` is the request's text; `arrival` stays its own.
   */
  enqueue(line: string, idJson: string, key: string, method: string): void {
    if (this.queued.length >= MAX_QUEUED_HOST_MESSAGES) {
      this.replies.refuse(idJson, method, { cls: 'LIMIT_EXCEEDED', reason: 'too many requests before initialization completed' });
      return;
    }
    this.queued.push([line, true, this.obs.arrival, key]);
  }

  /** A host cancellation of a request still waiting in the queue: it is forgotten, never sent. */
  cancelQueued(key: string): boolean {
    const i = this.queued.findIndex((q) => q[3] === key);
    if (i === -1) return false;
    this.queued.splice(i, 1);
    this.obs.audit('dropped', 'host_to_server', { method: 'notifications/cancelled', reason: 'request cancelled by the host while it waited for the session' });
    return true;
  }

  /** The host's `initialize`: negotiates the version, strips capabilities, forwards it. */
  hostInitialize(msg: Json, idJson: string, key: string): void {
    if (this.session.state !== 'awaiting-initialize') {
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
      if (c === 'sampling' && this.session.options.denySampling) continue;
      if (c === 'roots' && this.session.options.denyRoots) continue;
      if (c === 'elicitation' && (this.session.options.denyElicitation || requested < '2025-06-18')) continue;
      kept[c] = caps[c];
    }
    this.session.hostCaps = kept;
    this.session.state = 'initializing';
    this.initParams = { ...params, protocolVersion: requested, capabilities: kept };
    const rewritten: Json = { ...msg, params: this.initParams };
    this.translation.forward('initialize', rewritten, idJson, key, undefined, false, this.session.startupTimeout);
    this.initEntry = this.table.forHost(key);
    if (this.initEntry === undefined) this.session.state = 'awaiting-initialize';
  }

  /** The server answered `initialize`: version, capabilities and instructions checked, then preflight. */
  initializeAnswered(entry: Pending, msg: Json): void {
    if (has(msg, 'error')) {
      this.session.state = 'awaiting-initialize';
      this.translation.toHostResponse(entry, msg, undefined);
      this.replayQueue();
      return;
    }
    const result = msg['result'];
    const version = isObject(result) ? result['protocolVersion'] : undefined;
    if (!isObject(result) || !isSupportedVersion(version)) {
      this.session.state = 'refused';
      const reason = `the server answered initialize with unsupported protocol version ${JSON.stringify(version)}`;
      this.replies.refuse(entry.hostId, 'initialize', { cls: 'SESSION_REFUSED', reason }, 'blocked', entry);
      // The requests that waited for the session are refused with it.
      this.replayQueue();
      this.session.fatal(new ProxyError('UNSUPPORTED_PROTOCOL_VERSION', reason));
      return;
    }
    this.session.version = version;
    const serverCaps = isObject(result['capabilities']) ? result['capabilities'] : {};
    const keptCaps: Json = {};
    for (const c of KNOWN_SERVER_CAPS) {
      if (c === 'tasks' && version !== '2025-11-25') continue;
      if (has(serverCaps, c)) keptCaps[c] = serverCaps[c];
    }
    const out: Json = { ...result, capabilities: keptCaps };
    // instructions reach the model: only the pinned text passes (PROTOCOL 15).
    if (has(result, 'instructions')) {
      const pinned = this.session.options.lockfile.server?.instructionsHash;
      const live = result['instructions'];
      let same = false;
      try {
        same = typeof live === 'string' && pinned !== undefined && hashText(live) === pinned;
      } catch {
        same = false;
      }
      if (!same && this.session.mode !== 'audit-only') {
        delete out['instructions'];
        this.obs.audit('filtered', 'server_to_host', { method: 'initialize', reason: 'instructions differ from the lockfile', code: 'DEFINITION_DRIFTED' });
      }
    }
    this.initResult = out;
    if (!this.session.preflightEnabled) {
      this.session.state = 'ready';
      this.translation.toHostResult(entry, out);
      this.replayQueue();
      return;
    }
    this.session.state = 'preflight';
    // The proxy completes the handshake itself so it can list on the same connection;
    // the host's own notifications/initialized is absorbed later.
    this.session.io.toServer('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    this.initializedSent = true;
    this.preflight.run(result, serverCaps);
  }

  /** The host's `notifications/initialized`: absorbed when the proxy sent its own. */
  hostInitialized(msg: Json): void {
    if (this.initializedSent || this.hostInitializedSeen) return; // absorbed: the proxy already sent it
    this.hostInitializedSeen = true;
    // A host that sends it before the initialize answer arrived must not make the
    // server see it twice: with preflight on, the proxy sends its own once the
    // server has answered.
    if (this.session.preflightEnabled && (this.session.state === 'awaiting-initialize' || this.session.state === 'initializing')) return;
    this.session.io.toServer(JSON.stringify(msg));
  }

  /** Preflight passed: the host gets the (rewritten) `initialize` answer. */
  openSession(drift: readonly PreflightDrift[]): void {
    this.session.state = 'ready';
    if (this.resetting) {
      // The host already has its initialize answer: it only sees its requests resume.
      this.resetting = false;
      this.obs.audit('session', 'internal', { method: 'initialize', reason: `re-established after the upstream lost the session; ${sessionOpenedReason(this.session.mode, drift.length)}` });
      this.replayQueue();
      return;
    }
    const entry = this.initEntry;
    if (entry !== undefined && this.initResult !== undefined) {
      this.translation.sendHostResult(entry.hostId!, this.initResult);
      if (this.obs.auditAllowed) this.obs.auditAnswer(entry, undefined);
    }
    this.obs.audit('session', 'internal', { method: 'initialize', reason: sessionOpenedReason(this.session.mode, drift.length) });
    this.replayQueue();
  }

  /** Ends the session at start-up: the host's `initialize` gets `SESSION_REFUSED`. */
  refuseSession(drift: PreflightDrift[], reason: string, code: 'PREFLIGHT_DRIFT' | 'PREFLIGHT_FAILED'): void {
    this.session.state = 'refused';
    if (this.resetting) {
      this.endReset(reason, code, drift);
      return;
    }
    const entry = this.initEntry;
    this.replies.hostError(entry?.hostId, DENIAL_CODES.SESSION_REFUSED, `MCPTRUST_DENIED: ${reason}`, {
      code: 'SESSION_REFUSED',
      drift: drift.map((d) => ({ kind: d.kind, id: d.id, change: d.change, severity: d.severity })),
    });
    const ev: Partial<AuditEvent> = { method: 'initialize', code: 'SESSION_REFUSED', errorCode: DENIAL_CODES.SESSION_REFUSED, reason };
    this.obs.audit('session', 'internal', entry?.hostId === undefined ? ev : this.obs.requestFields(ev, entry.hostId, entry));
    this.replayQueue();
    this.session.fatal(new ProxyError(code, reason, { items: drift.map((d) => `${d.kind}:${d.id}`) }));
  }

  /**
   * The upstream lost the session (a remote server forgot it; every request it had in
   * flight was already answered). Whatever is still pending is answered with
   * `SERVER_UNAVAILABLE` and relayed server requests are cancelled toward the host. A
   * ready session is re-established: the host's `initialize` is sent again under a
   * fresh proxy ID, the answer must keep the negotiated version, then
   * `notifications/initialized` and preflight against the lockfile run again while host
   * requests wait; the session resumes, or ends like a refused start-up (queued requests
   * refused, `onFatal`). A session that was still starting cannot be resumed: the
   * host's `initialize` is answered with an error (it may send another), and a preflight
   * in progress (or a re-establishment) fails closed.
   */
  sessionLost(reason: string): void {
    const state = this.session.state;
    if (state === 'refused' || state === 'closed') return;
    this.table.failAll(reason);
    this.cancelServerRequests();
    if (this.resetting || state === 'preflight') {
      this.session.state = 'refused';
      if (this.resetting) this.endReset(`the upstream lost the session again while it was re-established: ${reason}`, 'SERVER_CLOSED');
      else this.refuseSession([], `preflight failed: ${reason}`, 'PREFLIGHT_FAILED');
      return;
    }
    if (state === 'initializing') {
      this.session.state = 'awaiting-initialize';
      this.replayQueue();
      return;
    }
    if (state !== 'ready' || this.initParams === undefined) return;
    this.resetting = true;
    this.session.state = 'initializing';
    // Task, elicitation and start-up static resource IDs belonged to the lost session.
    this.session.tasks.clear();
    this.session.elicitations.clear();
    this.session.startupStatic.clear();
    this.session.stateVersion++;
    this.obs.audit('session', 'internal', { method: 'initialize', code: 'SERVER_UNAVAILABLE', reason: `the upstream lost the session (${reason}); re-initializing` });
    const sent = this.translation.sendInternal('initialize', withoutProgressToken(this.initParams), (answer) => this.reinitialized(answer));
    if (!sent) {
      this.session.state = 'refused';
      this.endReset('could not generate a request id for the new initialize', 'SERVER_CLOSED');
    }
  }

  /** The answer to the engine's own `initialize` of a re-established session. */
  private reinitialized(answer: Json): void {
    if (!this.resetting || this.session.state !== 'initializing') return;
    const result = answer['result'];
    if (!isObject(result)) {
      this.session.state = 'refused';
      const error = answer['error'];
      const message = isObject(error) && typeof error['message'] === 'string' ? `: ${error['message']}` : '';
      this.endReset(`the new initialize failed${message}`, 'SERVER_CLOSED');
      return;
    }
    const version = result['protocolVersion'];
    if (version !== this.session.version) {
      this.session.state = 'refused';
      this.endReset(`the server answered the new initialize with protocol version ${JSON.stringify(version)}, not the negotiated ${JSON.stringify(this.session.version)}`, 'UNSUPPORTED_PROTOCOL_VERSION');
      return;
    }
    this.session.io.toServer('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    if (!this.session.preflightEnabled) {
      this.openSession([]);
      return;
    }
    this.session.state = 'preflight';
    this.preflight.run(result, isObject(result['capabilities']) ? result['capabilities'] : {});
  }

  /**
   * The server is gone for good (its transport closed; pending requests were answered):
   * a session still being established is refused, so the host's `initialize` (answered
   * by then only when it was still pending) and every request that waited get an answer.
   */
  serverGone(reason: string): void {
    const state = this.session.state;
    if (this.resetting) {
      this.session.state = 'refused';
      this.endReset(reason, 'SERVER_CLOSED');
    } else if (state === 'preflight') {
      this.refuseSession([], `preflight failed: ${reason}`, 'PREFLIGHT_FAILED');
    } else if (state === 'initializing' || state === 'awaiting-initialize') {
      this.session.state = 'refused';
      this.replayQueue();
    } else if (state === 'refused') {
      // Whatever still waits (nothing, normally) is refused with the session.
      this.replayQueue();
    }
  }

  /** A re-establishment failed: queued requests are refused and the session ends (the state is already `refused`). */
  private endReset(reason: string, code: 'PREFLIGHT_DRIFT' | 'PREFLIGHT_FAILED' | 'SERVER_CLOSED' | 'UNSUPPORTED_PROTOCOL_VERSION', drift: PreflightDrift[] = []): void {
    this.resetting = false;
    this.table.failAll(reason);
    this.obs.audit('session', 'internal', { method: 'initialize', code: 'SESSION_REFUSED', errorCode: DENIAL_CODES.SESSION_REFUSED, reason });
    this.replayQueue();
    this.session.fatal(new ProxyError(code, reason, drift.length === 0 ? {} : { items: drift.map((d) => `${d.kind}:${d.id}`) }));
  }

  /** Relayed server requests die with the session: the host is told they were cancelled. */
  private cancelServerRequests(): void {
    for (const sr of this.table.serverRequests.values()) {
      this.session.io.toHost(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: sr.hostFacingId, reason: 'the upstream session was lost' } }));
    }
    this.table.clearServerRequests();
  }

  /** Replays, in order, the host requests that waited for the session to be established. */
  private replayQueue(): void {
    const q = this.queued;
    if (q.length === 0) return;
    this.queued = [];
    const { obs } = this;
    const { arrival, traceParent, traceState } = obs;
    for (const [line, valid, queuedAt] of q) this.replay(line, valid, queuedAt);
    obs.arrival = arrival;
    obs.traceParent = traceParent;
    obs.traceState = traceState;
  }
}

/**
 * The host's `initialize` params for the engine's own re-sent `initialize`: a progress
 * token the host attached is the host's (never sent to the server, PROTOCOL 31), and
 * nobody waits for progress on the engine's request.
 */
function withoutProgressToken(params: Json): Json {
  const meta = params['_meta'];
  if (!isObject(meta) || !has(meta, 'progressToken')) return params;
  const { progressToken: _dropped, ...rest } = meta;
  return { ...params, _meta: rest };
}
