/**
 * Server→client relay: the requests a server may send the host (roots, sampling,
 * elicitation), gated by the capabilities the host declared and the deny flags, and
 * the notifications each side may send the other.
 */
import { DENIAL_CODES, versionAtLeast } from '../protocol.js';
import { findTopLevelId } from '../raw-json.js';
import type { Enforcement } from './enforcement.js';
import type { IdTranslation } from './id-translation.js';
import { MAX_ID_BYTES, isIntegerText, requestKey } from './id-text.js';
import { has, isObject, type Json } from './json.js';
import type { Lifecycle } from './lifecycle.js';
import type { Observation } from './observation.js';
import { ServerRequest, type PendingTable } from './pending-table.js';
import type { Replies } from './replies.js';
import type { Session } from './session.js';

/** The relay stage. */
export class Relay {
  constructor(
    private readonly session: Session,
    private readonly obs: Observation,
    private readonly replies: Replies,
    private readonly table: PendingTable,
    private readonly translation: IdTranslation,
    private readonly enforcement: Enforcement,
    private readonly lifecycle: Lifecycle,
  ) {}

  /** A host notification: translated, absorbed or dropped (only known ones pass). */
  hostNotification(method: string, msg: Json): void {
    const params = isObject(msg['params']) ? msg['params'] : {};
    switch (method) {
      case 'notifications/initialized':
        this.lifecycle.hostInitialized(msg);
        return;
      case 'notifications/cancelled': {
        const key = requestKey(params['requestId']);
        if (key === undefined || !this.lifecycle.cancelQueued(key)) this.translation.hostCancelled(method, params);
        return;
      }
      case 'notifications/progress':
        this.translation.hostProgress(method, params);
        return;
      case 'notifications/roots/list_changed':
        if (this.session.state !== 'ready' || !has(this.session.hostCaps, 'roots')) {
          this.obs.audit('dropped', 'host_to_server', { method, reason: 'roots capability not carried' });
          return;
        }
        this.session.io.toServer(JSON.stringify({ jsonrpc: '2.0', method, ...(has(msg, 'params') ? { params } : {}) }));
        return;
      default:
        if (this.session.mode === 'audit-only' && this.session.state === 'ready') {
          this.obs.audit('audit_only', 'host_to_server', { method, code: 'METHOD_NOT_ALLOWED', reason: 'unknown notification' });
          this.session.io.toServer(JSON.stringify(msg));
          return;
        }
        this.obs.audit('dropped', 'host_to_server', { method, code: 'METHOD_NOT_ALLOWED', reason: 'notification not allowed' });
    }
  }

  /**
   * A server→client request: `ping` answered locally; `roots/list`,
   * `sampling/createMessage` and `elicitation/create` relayed under a host-facing ID
   * when the host declared the capability; anything else `-32601`.
   */
  serverRequest(method: string, msg: Json, raw: string | undefined): void {
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
    // The key serverCancelled looks up (requestKey): a string id by its value, a number by its text.
    const serverKey = typeof id === 'string' ? 's' + id : 'n' + idJson;
    const params = isObject(msg['params']) ? msg['params'] : undefined;
    if (method === 'ping') {
      // Answered locally: the host's liveness is the proxy's business, not the server's.
      this.session.io.toServer('{"jsonrpc":"2.0","id":' + idJson + ',"result":{}}');
      return;
    }
    const notFound = (reason: string): void => {
      this.replies.serverError(idJson, DENIAL_CODES.METHOD_NOT_FOUND, `Method not found: ${reason}`);
      this.obs.audit('blocked', 'server_to_host', { method, code: 'METHOD_NOT_FOUND', errorCode: DENIAL_CODES.METHOD_NOT_FOUND, reason });
    };
    let relayParams = params;
    switch (method) {
      case 'roots/list':
        if (!has(this.session.hostCaps, 'roots')) return notFound('the host did not declare roots (or roots are denied)');
        break;
      case 'sampling/createMessage': {
        if (!has(this.session.hostCaps, 'sampling')) return notFound('the host did not declare sampling (or sampling is denied)');
        if (params !== undefined) {
          const ctx = params['includeContext'];
          if (ctx !== undefined && ctx !== 'none') {
            if (this.session.options.samplingContext === 'deny') {
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
        if (!has(this.session.hostCaps, 'elicitation') || this.session.version === undefined || !versionAtLeast(this.session.version, '2025-06-18')) {
          return notFound('the host did not declare elicitation (or elicitation is denied)');
        }
        if (params !== undefined && typeof params['elicitationId'] === 'string') {
          if (this.session.elicitations.size >= this.session.maxTasks) this.session.elicitations.clear();
          this.session.elicitations.add(params['elicitationId']);
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
    if (this.table.serverRequests.size >= this.session.maxServerRequests) {
      this.replies.serverError(idJson, DENIAL_CODES.LIMIT_EXCEEDED, 'MCPTRUST_DENIED: too many server requests in flight');
      this.obs.audit('blocked', 'server_to_host', { method, code: 'LIMIT_EXCEEDED', reason: 'too many server requests in flight' });
      return;
    }
    let hostFacingId: string;
    try {
      hostFacingId = this.session.newId();
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
    const sr = new ServerRequest(hostFacingId, idJson, serverKey, method, Date.now() + this.session.requestTimeout, serverToken);
    this.table.addServerRequest(sr);
    let line = '{"jsonrpc":"2.0","id":' + JSON.stringify(hostFacingId) + ',"method":' + JSON.stringify(method);
    if (relayParams !== undefined) line += ',"params":' + JSON.stringify(relayParams);
    this.session.io.toHost(line + '}');
    this.table.armTimer();
  }

  /** A server notification: only the known ones pass, about items the session allows. */
  serverNotification(method: string, msg: Json, raw: string | undefined): void {
    const params = isObject(msg['params']) ? msg['params'] : {};
    switch (method) {
      case 'notifications/progress':
        this.translation.serverProgress(method, params);
        return;
      case 'notifications/cancelled':
        this.translation.serverCancelled(method, params);
        return;
      case 'notifications/message':
        if ((raw?.length ?? JSON.stringify(msg).length) > this.session.maxLogBytes) {
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
          if (this.session.mode === 'audit-only') {
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
        if (typeof eid !== 'string' || !this.session.elicitations.has(eid)) {
          this.obs.dropped('unknown elicitation id', method);
          return;
        }
        this.session.elicitations.delete(eid);
        break;
      }
      case 'notifications/tasks/status': {
        const tid = params['taskId'];
        if (typeof tid !== 'string' || !this.session.tasks.has(tid)) {
          this.obs.dropped('unknown task id', method);
          return;
        }
        break;
      }
      default:
        this.obs.dropped('notification not allowed', method);
        return;
    }
    // Only the members of a notification pass (hosts refuse a message with others).
    this.session.io.toHost(JSON.stringify(has(msg, 'params') ? { jsonrpc: '2.0', method, params: msg['params'] } : { jsonrpc: '2.0', method }));
  }
}
