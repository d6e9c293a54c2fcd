/**
 * ID translation: host IDs never reach the server and server IDs never reach the host
 * (PROTOCOL 7–12). A forwarded request gets a fresh proxy ID (and its progress token
 * becomes that ID); its answer goes back under the host's ID, from the original text
 * or bytes with only the id replaced when the engine does not inspect it. Cancellations,
 * progress and host replies to server requests are translated the same way.
 */
import type { ProxyEngineIO } from '../engine.types.js';
import { replaceTopLevelId, findTopLevelId } from '../raw-json.js';
import { ENVELOPE_HEAD, MIN_BYTE_FORWARD_CHARS, isAscii, jsonString, leadingIdEnd, requestKey } from './id-text.js';
import { has, isObject, type Json } from './json.js';
import type { Observation } from './observation.js';
import { Pending, type PendingTable } from './pending-table.js';
import type { Replies } from './replies.js';
import type { Session } from './session.js';

const CLOSE_BRACE = Buffer.from('}');

/** The ID-translation stage. */
export class IdTranslation {
  /**
   * The bytes of the server line being handled, when the adapter gave them (set by the
   * engine for the duration of one `receiveFromServer`): answers forwarded with only
   * the id replaced are written from them.
   */
  lineBytes: Uint8Array | undefined;
  private readonly io: ProxyEngineIO;
  private readonly newId: () => string;

  constructor(
    private readonly session: Session,
    private readonly obs: Observation,
    private readonly replies: Replies,
    private readonly table: PendingTable,
  ) {
    this.io = session.io;
    this.newId = session.newId;
  }

  /** Registers a pending entry and sends the re-serialized request (PROTOCOL 2). */
  forward(method: string, msg: Json, idJson: string, key: string, tool: string | undefined, task: boolean, timeoutMs = this.session.requestTimeout): void {
    const pending = this.table.pending;
    if (pending.size >= this.session.maxPending) {
      this.replies.refuse(idJson, method, { cls: 'LIMIT_EXCEEDED', reason: 'too many requests in flight' });
      return;
    }
    let proxyId: string;
    try {
      proxyId = this.newId();
      if (typeof proxyId !== 'string' || proxyId.length < 16 || pending.has(proxyId)) throw new Error('bad id');
    } catch {
      this.replies.refuse(idJson, method, { cls: 'INTERNAL_FAILURE', reason: 'could not generate a request id' });
      return;
    }
    let params = msg['params'] as Json | undefined;
    let hostToken: unknown;
    const meta = params?.['_meta'];
    if (isObject(meta) && has(meta, 'progressToken')) {
      const t = meta['progressToken'];
      if (typeof t !== 'string' && !(typeof t === 'number' && Number.isSafeInteger(t))) {
        this.replies.refuse(idJson, method, { cls: 'INVALID_REQUEST', reason: 'Invalid Request: progressToken must be a string or an integer' });
        return;
      }
      hostToken = t;
      // The proxy token is the proxy ID: random, and never the host's ID or token.
      params = { ...params, _meta: { ...meta, progressToken: proxyId } };
    }
    const obs = this.obs;
    const proxyIdJson = jsonString(proxyId);
    const entry = new Pending(proxyId, proxyIdJson, idJson, key, method, Date.now() + timeoutMs, timeoutMs, hostToken, tool, task, undefined, obs.arrival, obs.traceParent, obs.traceState);
    if (obs.auditPayloads) entry.payload = obs.payload;
    this.table.add(entry);
    const head = ENVELOPE_HEAD + proxyIdJson + ',"method":' + jsonString(method);
    const paramsJson = params === undefined ? undefined : JSON.stringify(params);
    if (paramsJson !== undefined && paramsJson.length >= MIN_BYTE_FORWARD_CHARS && this.io.toServerBytes !== undefined) {
      // A large request is encoded straight from its serialized params: no combined
      // string is built (and copied again) just to be encoded.
      this.io.toServerBytes([Buffer.from(head + ',"params":'), Buffer.from(paramsJson), CLOSE_BRACE]);
    } else {
      this.io.toServer(paramsJson === undefined ? head + '}' : head + ',"params":' + paramsJson + '}');
    }
    this.table.armTimer();
  }

  /** Sends an engine-originated request (preflight); false when no ID could be made. */
  sendInternal(method: string, params: Json | undefined, onAnswer: (msg: Json) => void): boolean {
    let proxyId: string;
    try {
      proxyId = this.newId();
      if (typeof proxyId !== 'string' || proxyId.length < 16) throw new Error('bad id');
    } catch {
      return false;
    }
    const timeout = this.session.startupTimeout;
    const entry = new Pending(proxyId, jsonString(proxyId), undefined, undefined, method, Date.now() + timeout, timeout, undefined, undefined, false, onAnswer, 0, undefined, undefined);
    this.table.add(entry);
    let line = ENVELOPE_HEAD + entry.proxyIdJson + ',"method":' + jsonString(method);
    if (params !== undefined) line += ',"params":' + JSON.stringify(params);
    this.io.toServer(line + '}');
    this.table.armTimer();
    return true;
  }

  /** Sends a server response to the host under the host's ID (`raw`: forward its text). */
  toHostResponse(entry: Pending, msg: Json, raw: string | undefined): void {
    this.sendHostResponse(entry, msg, raw);
    if (this.obs.auditAllowed) this.obs.auditAnswer(entry, msg);
  }

  /** Sends a result the engine rewrote (initialize) to the host under the host's ID. */
  toHostResult(entry: Pending, result: Json): void {
    this.sendHostResult(entry.hostId!, result);
    if (this.obs.auditAllowed) this.obs.auditAnswer(entry, undefined);
  }

  /** Writes `{"jsonrpc":"2.0","id":<hostId>,"result":<result>}` to the host. */
  sendHostResult(hostId: string, result: Json): void {
    this.io.toHost('{"jsonrpc":"2.0","id":' + hostId + ',"result":' + JSON.stringify(result) + '}');
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

  /** Host `notifications/cancelled`: frees the request and cancels it under its proxy ID. */
  hostCancelled(method: string, params: Json): void {
    const key = requestKey(params['requestId']);
    const entry = key === undefined ? undefined : this.table.forHost(key);
    if (entry === undefined || entry.method === 'initialize') {
      this.obs.audit('dropped', 'host_to_server', { method, reason: entry === undefined ? 'cancellation of an unknown request' : 'initialize cannot be cancelled' });
      return;
    }
    this.table.complete(entry, true);
    this.io.toServer(JSON.stringify({ jsonrpc: '2.0', method, params: { ...params, requestId: entry.proxyId } }));
    if (this.obs.auditAllowed) this.obs.auditAnswer(entry, undefined, 'cancelled by the host');
  }

  /** Host `notifications/progress` for a relayed server request: back under the server's token. */
  hostProgress(method: string, params: Json): void {
    const token = params['progressToken'];
    const sr = typeof token === 'string' ? this.table.serverRequests.get(token) : undefined;
    if (sr === undefined || sr.serverToken === undefined) {
      this.obs.audit('dropped', 'host_to_server', { method, reason: 'unknown progress token' });
      return;
    }
    this.io.toServer(JSON.stringify({ jsonrpc: '2.0', method, params: { ...params, progressToken: sr.serverToken } }));
  }

  /** A host reply to a server→client request (PROTOCOL 10). */
  hostResponse(msg: Json, isError: boolean): void {
    const id = msg['id'];
    const sr = typeof id === 'string' ? this.table.serverRequests.get(id) : undefined;
    if (sr === undefined) {
      this.obs.audit('dropped', 'host_to_server', { reason: 'response to an unknown server request' });
      return;
    }
    this.table.removeServerRequest(sr);
    const body = isError ? '"error":' + JSON.stringify(msg['error']) : '"result":' + JSON.stringify(msg['result']);
    this.io.toServer('{"jsonrpc":"2.0","id":' + sr.serverId + ',' + body + '}');
  }

  /** Server `notifications/progress` for a host request: extends its deadline, back under the host's token. */
  serverProgress(method: string, params: Json): void {
    const token = params['progressToken'];
    const entry = typeof token === 'string' ? this.table.pending.get(token) : undefined;
    if (entry === undefined || entry.hostToken === undefined) {
      this.obs.dropped('unknown progress token', method);
      return;
    }
    // Progress proves the request is alive: extend its deadline (PROTOCOL 12).
    entry.deadline = Date.now() + entry.timeoutMs;
    this.io.toHost(JSON.stringify({ jsonrpc: '2.0', method, params: { ...params, progressToken: entry.hostToken } }));
  }

  /** Server `notifications/cancelled` of a relayed server request: under its host-facing ID. */
  serverCancelled(method: string, params: Json): void {
    const key = requestKey(params['requestId']);
    const hostFacingId = key === undefined ? undefined : this.table.serverRequestsByServerKey.get(key);
    const sr = hostFacingId === undefined ? undefined : this.table.serverRequests.get(hostFacingId);
    if (sr === undefined) {
      this.obs.dropped('cancellation of an unknown server request', method);
      return;
    }
    this.table.removeServerRequest(sr);
    this.io.toHost(JSON.stringify({ jsonrpc: '2.0', method, params: { ...params, requestId: sr.hostFacingId } }));
  }
}
