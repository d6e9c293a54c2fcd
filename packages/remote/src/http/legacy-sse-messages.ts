/**
 * The JSON-RPC side of the legacy HTTP+SSE transport: what the owner sends, read just
 * enough to track requests in flight, and the session label.
 */
import { RemoteError } from '../errors.js';

/** JSON-RPC request id. */
export type RequestId = string | number;

/** One message the owner sent. */
export interface Outgoing {
  /** The JSON text as the owner sent it (the POST body). */
  readonly text: string;
  /** The id of a request; undefined for a notification or a response. */
  readonly requestId: RequestId | undefined;
  /** `request initialize`, `notification notifications/initialized`, `response`: for messages. */
  readonly label: string;
}

/**
 * Parses what the owner sends, enough to track requests.
 *
 * @param text - the JSON text of one JSON-RPC message
 * @returns the message with its request id and a label for messages
 * @throws RemoteError `PROTOCOL_ERROR` when `text` is not the JSON text of one object
 */
export function classify(text: string): Outgoing {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RemoteError('PROTOCOL_ERROR', 'send() takes the JSON text of one JSON-RPC message', { cause: error });
  }
  if (!isObject(value)) throw new RemoteError('PROTOCOL_ERROR', 'send() takes one JSON-RPC object (batches are refused)');
  // The method names the message in warnings; a long one is cut.
  const method = typeof value['method'] === 'string' ? value['method'].slice(0, 100) : undefined;
  const id = value['id'];
  const hasId = typeof id === 'string' || typeof id === 'number';
  if (method === undefined) return { text, requestId: undefined, label: 'response' };
  if (hasId) return { text, requestId: id, label: `request ${method}` };
  return { text, requestId: undefined, label: `notification ${method}` };
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * First 4 characters and the length: enough to tell sessions apart in a log, never the
 * secret. An ID shorter than 16 characters shows its length only.
 *
 * @param sessionId - the `sessionId` query parameter of the endpoint, or null
 * @returns e.g. `3f2a…(36 chars)` (the format of the Streamable HTTP transport), or undefined without an ID
 */
export function labelOf(sessionId: string | null): string | undefined {
  if (sessionId === null || sessionId === '') return undefined;
  const prefix = sessionId.length >= 16 ? sessionId.slice(0, 4) : '';
  return `${prefix}…(${sessionId.length} chars)`;
}
