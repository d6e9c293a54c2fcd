/**
 * Answers the engine writes itself: JSON-RPC errors to the host or the server, and
 * local refusals of host requests (one denial-class error, one audit event).
 */
import type { AuditAction, AuditEvent } from '@mcptrust/audit';
import type { ProxyEngineIO } from '../engine.types.js';
import { DENIAL_CODES, type DenialClass } from '../protocol.js';
import type { Observation } from './observation.js';
import type { Pending } from './pending-table.js';

/** A denial decision: its class, a reason, and the item it is about. */
export interface Denial {
  /** The denial class (its JSON-RPC code is `DENIAL_CODES[cls]`). */
  cls: DenialClass;
  /** Why, in words (after `MCPTRUST_DENIED: ` in the message). */
  reason: string;
  /** Tool name, when about a tool. */
  tool?: string;
  /** Prompt name, when about a prompt. */
  prompt?: string;
  /** Resource URI, when about a resource. */
  uri?: string;
}

/** Writes the engine's own answers. */
export class Replies {
  constructor(
    private readonly io: ProxyEngineIO,
    private readonly obs: Observation,
  ) {}

  /** A JSON-RPC error to the host (`idJson` undefined: no id, for parse errors). */
  hostError(idJson: string | undefined, code: number, message: string, data?: unknown): void {
    let line = '{"jsonrpc":"2.0"';
    if (idJson !== undefined) line += ',"id":' + idJson;
    line += ',"error":{"code":' + code + ',"message":' + JSON.stringify(message);
    if (data !== undefined) line += ',"data":' + JSON.stringify(data);
    this.io.toHost(line + '}}');
  }

  /** A JSON-RPC error to the server, answering one of its requests. */
  serverError(idJson: string, code: number, message: string): void {
    this.io.toServer('{"jsonrpc":"2.0","id":' + idJson + ',"error":{"code":' + code + ',"message":' + JSON.stringify(message) + '}}');
  }

  /** Refuses a host request locally with a denial-class error and audits it. */
  refuse(idJson: string | undefined, method: string | undefined, d: Denial, action: AuditAction = 'blocked', entry?: Pending): void {
    const code = DENIAL_CODES[d.cls];
    const protocolClass = d.cls === 'INVALID_REQUEST' || d.cls === 'PARSE_ERROR' || d.cls === 'UNSUPPORTED_PROTOCOL_VERSION';
    const message = protocolClass ? d.reason : `MCPTRUST_DENIED: ${d.reason}`;
    this.hostError(idJson, code, message, protocolClass ? undefined : { code: d.cls });
    const ev: Partial<AuditEvent> = { code: d.cls, errorCode: code, reason: d.reason };
    if (method !== undefined) ev.method = method;
    if (d.tool !== undefined) ev.tool = d.tool;
    if (d.prompt !== undefined) ev.prompt = d.prompt;
    if (d.uri !== undefined) ev.uri = d.uri;
    if (idJson !== undefined) this.obs.requestFields(ev, idJson, entry);
    this.obs.audit(action, 'host_to_server', ev);
  }
}
