/**
 * The pending table: host requests forwarded under a proxy ID (and the engine's own
 * preflight requests), server→client requests relayed under a host-facing ID, the
 * tombstones that recognise late answers, and the timer that expires them.
 */
import type { AuditEvent } from '@mcptrust/audit';
import { ProxyError } from '../errors.js';
import { DENIAL_CODES } from '../protocol.js';
import type { Json } from './json.js';
import type { Observation } from './observation.js';
import type { Replies } from './replies.js';
import type { Session } from './session.js';
import { SteadyMap } from './steady-map.js';

const MAX_TOMBSTONES = 4096;

/** A host request forwarded to the server (or an engine-originated preflight request). */
export class Pending {
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
  /** Its decision was already reported (audit_only): the answer adds no `allowed` event. */
  reported = false;
  /** `auditPayloads`: the request's arguments, reported with its decision. */
  payload: unknown = undefined;
}

/** A server→client request relayed to the host. */
export class ServerRequest {
  constructor(
    readonly hostFacingId: string,
    readonly serverId: string, // JSON text of the server's ID
    readonly serverKey: string,
    readonly method: string,
    public deadline: number,
    readonly serverToken: unknown,
  ) {}
}

/** Both tables, their tombstones and their timer. */
export class PendingTable {
  /** Pending requests by proxy ID (steady: entries come and go with every request). */
  readonly pending = new SteadyMap<Pending>();
  /** Proxy ID by host-ID key (`s…` / `n…`), for duplicates and cancellation. */
  readonly byHost = new SteadyMap<string>();
  /** Relayed server requests by host-facing ID. */
  readonly serverRequests = new Map<string, ServerRequest>();
  /** Host-facing ID by server-ID key. */
  readonly serverRequestsByServerKey = new Map<string, string>();
  private readonly tombstones = new Set<string>();
  /**
   * Called when the host's `initialize` expired and the session was refused (set by
   * lifecycle): the requests that waited for the session are answered.
   */
  onInitializeExpired: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly session: Session,
    private readonly obs: Observation,
    private readonly replies: Replies,
  ) {}

  /** The pending entry of a host request in flight, by its host-ID key. */
  forHost(key: string): Pending | undefined {
    return this.pending.get(this.byHost.get(key) ?? '');
  }

  /** Registers a pending entry (the caller sends the request and arms the timer). */
  add(entry: Pending): void {
    this.pending.set(entry.proxyId, entry);
    if (entry.hostKey !== undefined) this.byHost.set(entry.hostKey, entry.proxyId);
  }

  /** Frees a pending entry; `tombstone` marks it so a late answer is recognised. */
  complete(entry: Pending, tombstone: boolean): void {
    this.pending.delete(entry.proxyId);
    if (entry.hostKey !== undefined) this.byHost.delete(entry.hostKey);
    if (tombstone) {
      this.tombstones.add(entry.proxyId);
      if (this.tombstones.size > MAX_TOMBSTONES) {
        const first = this.tombstones.values().next().value;
        if (first !== undefined) this.tombstones.delete(first);
      }
    }
  }

  /** Whether `proxyId` was cancelled or expired (its answer is late, not unknown). */
  isTombstoned(proxyId: string): boolean {
    return this.tombstones.has(proxyId);
  }

  /** Registers a relayed server request. */
  addServerRequest(sr: ServerRequest): void {
    this.serverRequests.set(sr.hostFacingId, sr);
    this.serverRequestsByServerKey.set(sr.serverKey, sr.hostFacingId);
  }

  /** Frees a relayed server request (answered, cancelled or expired). */
  removeServerRequest(sr: ServerRequest): void {
    this.serverRequests.delete(sr.hostFacingId);
    this.serverRequestsByServerKey.delete(sr.serverKey);
  }

  /** Starts the sweeper if it is not running. */
  armTimer(): void {
    if (this.timer !== undefined) return;
    const tick = Math.max(5, Math.min(1000, Math.floor(Math.min(this.session.requestTimeout, this.session.startupTimeout) / 4)));
    this.timer = setInterval(() => this.sweep(), tick);
    // The sweeper alone must not keep a process alive.
    this.timer.unref?.();
  }

  /** Stops the sweeper. */
  stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Expires what is past its deadline: the host gets `REQUEST_TIMEOUT` and the server a
   * cancellation (the ID is tombstoned); an expired `initialize` ends the session
   * (it is never cancelled, PROTOCOL 14); an expired server request gets an error and
   * the host a cancellation.
   */
  private sweep(): void {
    const now = Date.now();
    const { io } = this.session;
    for (const entry of this.pending.values()) {
      if (entry.deadline > now) continue;
      this.complete(entry, true);
      if (entry.internal !== undefined) {
        entry.internal({ jsonrpc: '2.0', id: entry.proxyId, error: { code: DENIAL_CODES.REQUEST_TIMEOUT, message: 'timeout' } });
        continue;
      }
      if (entry.method === 'initialize') {
        // initialize is never cancelled (PROTOCOL 14); the session cannot start.
        this.session.state = 'refused';
        this.replies.hostError(entry.hostId, DENIAL_CODES.REQUEST_TIMEOUT, `MCPTRUST_ERROR: initialize timed out after ${entry.timeoutMs} ms`, { code: 'REQUEST_TIMEOUT' });
        this.obs.audit('timeout', 'host_to_server', this.obs.requestFields({ method: entry.method, code: 'REQUEST_TIMEOUT', errorCode: DENIAL_CODES.REQUEST_TIMEOUT }, entry.hostId!, entry));
        this.onInitializeExpired?.();
        this.session.fatal(new ProxyError('SERVER_CLOSED', 'the server did not answer initialize in time'));
        continue;
      }
      this.replies.hostError(entry.hostId, DENIAL_CODES.REQUEST_TIMEOUT, `MCPTRUST_ERROR: request timed out after ${entry.timeoutMs} ms`, { code: 'REQUEST_TIMEOUT' });
      io.toServer('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":' + entry.proxyIdJson + ',"reason":"timeout"}}');
      const ev: Partial<AuditEvent> = { method: entry.method, code: 'REQUEST_TIMEOUT', errorCode: DENIAL_CODES.REQUEST_TIMEOUT };
      if (entry.tool !== undefined) ev.tool = entry.tool;
      this.obs.audit('timeout', 'host_to_server', this.obs.requestFields(ev, entry.hostId!, entry));
    }
    for (const sr of this.serverRequests.values()) {
      if (sr.deadline > now) continue;
      this.removeServerRequest(sr);
      this.replies.serverError(sr.serverId, DENIAL_CODES.REQUEST_TIMEOUT, 'MCPTRUST_ERROR: the host did not answer in time');
      io.toHost(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: sr.hostFacingId, reason: 'timeout' } }));
    }
    if (this.pending.size === 0 && this.serverRequests.size === 0) this.stopTimer();
  }

  /**
   * The server is gone: every pending host request is answered with
   * `SERVER_UNAVAILABLE`, relayed server requests are forgotten and the timer stops.
   */
  failAll(reason: string): void {
    for (const entry of [...this.pending.values()]) {
      this.complete(entry, true);
      if (entry.internal !== undefined) continue;
      this.replies.hostError(entry.hostId, DENIAL_CODES.SERVER_UNAVAILABLE, `MCPTRUST_ERROR: ${reason} before answering`, { code: 'SERVER_UNAVAILABLE' });
      const ev: Partial<AuditEvent> = { method: entry.method, code: 'SERVER_UNAVAILABLE', errorCode: DENIAL_CODES.SERVER_UNAVAILABLE, reason };
      if (entry.tool !== undefined) ev.tool = entry.tool;
      this.obs.audit('dropped', 'internal', this.obs.requestFields(ev, entry.hostId!, entry));
    }
  }

  /** Forgets every relayed server request (the server is gone). */
  clearServerRequests(): void {
    this.serverRequests.clear();
    this.serverRequestsByServerKey.clear();
  }
}
