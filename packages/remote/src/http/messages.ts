/**
 * JSON-RPC framing of the upstream client: what kind of message the owner sends, and
 * how a body or an SSE event from the (attacker-controlled) server becomes messages.
 */
import { RemoteError } from '../errors.js';

/** A JSON-RPC ID as sent. */
export type JsonRpcId = string | number;

/** One message the owner sends, classified. */
export interface OutgoingMessage {
  /** The text POSTed, as given. */
  readonly text: string;
  /** `request` (method and id), `notification` (method, no id), `response` (no method). */
  readonly kind: 'request' | 'notification' | 'response';
  /** The request ID (requests only). */
  readonly id: JsonRpcId | undefined;
  /** The method (requests and notifications). */
  readonly method: string | undefined;
  /** `params.protocolVersion` of an `initialize` request. */
  readonly requestedVersion: string | undefined;
}

/** One message from the server. */
export interface IncomingMessage {
  /** The text of one JSON object, handed to `handlers.message`. */
  readonly text: string;
  /** The parsed object. */
  readonly value: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A key that tells `1` and `"1"` apart.
 * @param id - a JSON-RPC ID
 */
export function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}

/**
 * Classifies one message the owner sends.
 * @param text - the text of one JSON-RPC object
 * @throws RemoteError `INVALID_OPTIONS` for an array (batches are never sent), non-JSON, a non-object, or a request ID that is not a string or number
 */
export function classifyOutgoing(text: string): OutgoingMessage {
  if (typeof text !== 'string') throw new RemoteError('INVALID_OPTIONS', 'send() takes the text of one JSON-RPC message');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RemoteError('INVALID_OPTIONS', 'send() was given text that is not JSON', { cause });
  }
  if (Array.isArray(value)) throw new RemoteError('INVALID_OPTIONS', 'send() refuses JSON-RPC batches: send each message on its own');
  if (!isRecord(value)) throw new RemoteError('INVALID_OPTIONS', 'send() was given JSON that is not a JSON-RPC object');
  const method = typeof value.method === 'string' ? value.method : undefined;
  const rawId = value.id;
  if (method === undefined) return { text, kind: 'response', id: undefined, method, requestedVersion: undefined };
  if (rawId === undefined || rawId === null) return { text, kind: 'notification', id: undefined, method, requestedVersion: undefined };
  if (typeof rawId !== 'string' && typeof rawId !== 'number') {
    throw new RemoteError('INVALID_OPTIONS', 'send() was given a request whose id is neither a string nor a number');
  }
  const params = value.params;
  const requestedVersion =
    method === 'initialize' && isRecord(params) && typeof params.protocolVersion === 'string' ? params.protocolVersion : undefined;
  return { text, kind: 'request', id: rawId, method, requestedVersion };
}

/**
 * Parses one JSON body or one SSE event's data into messages.
 * @param data - the body or the event data
 * @param allowBatch - whether an array is allowed (negotiated version 2025-03-26)
 * @throws RemoteError `PROTOCOL_ERROR` for non-JSON, an array where batches are not allowed, an empty array, or an element that is not an object
 */
export function parseIncoming(data: string, allowBatch: boolean): IncomingMessage[] {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (cause) {
    throw new RemoteError('PROTOCOL_ERROR', 'the upstream sent a message that is not JSON', { cause });
  }
  if (Array.isArray(value)) {
    if (!allowBatch) throw new RemoteError('PROTOCOL_ERROR', 'the upstream sent a JSON-RPC batch, which the negotiated protocol version does not allow');
    if (value.length === 0) throw new RemoteError('PROTOCOL_ERROR', 'the upstream sent an empty JSON-RPC batch');
    return value.map((element) => {
      if (!isRecord(element)) throw new RemoteError('PROTOCOL_ERROR', 'the upstream sent a batch element that is not a JSON-RPC object');
      return { text: JSON.stringify(element), value: element };
    });
  }
  if (!isRecord(value)) throw new RemoteError('PROTOCOL_ERROR', 'the upstream sent JSON that is not a JSON-RPC object');
  return [{ text: data.trim(), value }];
}

/**
 * The ID of a response (a message with an `id` and no `method`), else undefined.
 * @param value - a parsed message
 */
export function responseIdOf(value: Record<string, unknown>): JsonRpcId | undefined {
  if (value.method !== undefined) return undefined;
  const id = value.id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/**
 * The ID of a server request (a message with a `method` and an `id`), else undefined.
 * @param value - a parsed message
 */
export function serverRequestIdOf(value: Record<string, unknown>): JsonRpcId | undefined {
  if (typeof value.method !== 'string') return undefined;
  const id = value.id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/**
 * The `error.message` of a JSON-RPC error body (non-2xx answers may carry one), shortened
 * and stripped of control characters, else undefined.
 * @param body - the response body
 */
export function errorMessageOf(body: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !isRecord(value.error) || typeof value.error.message !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  return value.error.message.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 200);
}
