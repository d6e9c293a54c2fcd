/**
 * Session lifecycle: `initialize` (version negotiation, capabilities, pinned
 * instructions), the host requests that wait until the session is established, the
 * session opening or being refused, and the end of the session.
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
  private queued: Array<[string, boolean, number]> = [];
  private initEntry: Pending | undefined;
  private initResult: Json | undefined;
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
  }

  /** Whether host requests must wait: `initialize` was forwarded and the session is not established yet. */
  get starting(): boolean {
    return this.session.state === 'initializing' || this.session.state === 'preflight';
  }

  /**
   * Until the session is established, requests wait (bounded) and are replayed in
   * order once it is. `line` is the request's text; `arrival` stays its own.
   */
  enqueue(line: string, idJson: string, method: string): void {
    if (this.queued.length >= MAX_QUEUED_HOST_MESSAGES) {
      this.replies.refuse(idJson, method, { cls: 'LIMIT_EXCEEDED', reason: 'too many requests before initialization completed' });
      return;
    }
    this.queued.push([line, true, this.obs.arrival]);
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
    const rewritten: Json = { ...msg, params: { ...params, protocolVersion: requested, capabilities: kept } };
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
