/**
 * What the POST, resumption and GET-stream code needs from the connection that owns
 * them. One session "epoch" lasts from an `initialize` to the loss of its session or the
 * close; work of an ended epoch stops and delivers nothing.
 */
import type { RemoteError } from '../errors.js';
import type { RemoteTransport } from '../upstream.types.js';
import type { IncomingMessage, JsonRpcId, OutgoingMessage } from './messages.js';
import type { RequestSettings } from './request.js';

/** Error codes after which the connection cannot continue. */
export const FATAL_CODES: ReadonlySet<string> = new Set(['BLOCKED_ADDRESS', 'INSECURE_URL', 'CROSS_ORIGIN']);

/** The connection as seen by its streams. */
export interface ConnectionContext {
  /** Shared request settings. */
  readonly settings: RequestSettings;
  /** Cap of one body or event, in bytes. */
  readonly maxMessageBytes: number;
  /** Resumption attempts of one stream. */
  readonly maxReconnects: number;
  /** Wait before a resumption without a server `retry`, in ms. */
  readonly reconnectDelayMs: number;
  /** The configured transport choice. */
  readonly mode: RemoteTransport;
  /** The current epoch. */
  readonly epoch: number;
  /** The session ID, once the server minted one. */
  readonly sessionId: string | undefined;
  /** The negotiated protocol version, once the initialize result arrived. */
  readonly protocolVersion: string | undefined;
  /** Whether `close()` was called or the connection failed. */
  readonly closed: boolean;
  /** Whether arrays may arrive (2025-03-26). */
  allowsBatch(): boolean;
  /** A controller for one exchange; aborted when the epoch ends. */
  track(): AbortController;
  /** Forgets a controller. */
  release(controller: AbortController): void;
  /** Waits; resolves false early when the epoch ends. */
  sleep(ms: number, epoch: number): Promise<boolean>;
  /** Whether the request still awaits its answer. */
  isPending(id: JsonRpcId): boolean;
  /** Hands a server message to the owner (responses only while pending). */
  deliver(message: IncomingMessage, epoch: number): void;
  /** Fails one request (no-op when it is no longer pending). */
  fail(id: JsonRpcId, error: RemoteError): void;
  /** A warning line for the owner. */
  warn(message: string): void;
  /** Adopts the session ID of the initialize response; false when it is invalid (the connection failed). */
  adoptSession(value: string | undefined, epoch: number): boolean;
  /** A 404 on a request carrying the session ID. */
  sessionGone(epoch: number): void;
  /** An error the connection cannot continue after. */
  fatal(error: RemoteError): void;
  /** `notifications/initialized` was accepted: the GET stream may open. */
  initializedAccepted(epoch: number): void;
  /** The initialize POST got `status`: true when the connection moved to the legacy transport instead. */
  fallback(message: OutgoingMessage, status: number): boolean;
}
