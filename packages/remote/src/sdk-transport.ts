/**
 * An MCP SDK client `Transport` over {@link openUpstream}, for the scanner: the SDK
 * `Client` drives the session while the upstream client does the HTTP (guarded dialling,
 * size caps, per-request failures). A request the upstream client fails is answered with a
 * JSON-RPC error for its id, so the `Client` never waits for an answer that cannot come;
 * the `RemoteError` itself goes to `onerror` and rides along (in process only) as the
 * answer's `data`, so a caller can say what happened over HTTP (unreachable, refused,
 * unauthorized, a status) from its code.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { RemoteError } from './errors.js';
import { openUpstream, type OpenUpstreamInternals } from './open-upstream.js';
import type { UpstreamConnection, UpstreamOptions } from './upstream.types.js';

/** JSON-RPC error code of a request the upstream client failed (implementation-defined server error). */
export const UPSTREAM_FAILURE_CODE = -32000;

type Id = string | number;

/** Options of {@link createUpstreamClientTransport}. */
export interface UpstreamClientTransportOptions extends UpstreamOptions {
  /** Receives the connection's warnings (a resumed stream, a GET stream answered 405); never a secret. */
  onWarning?: (message: string) => void;
}

function idOf(value: unknown): Id | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

class UpstreamClientTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  private connection: UpstreamConnection | undefined;
  private ended = false;
  private readonly inFlight = new Set<Id>();

  constructor(
    private readonly options: UpstreamClientTransportOptions,
    private readonly internals: OpenUpstreamInternals,
  ) {}

  async start(): Promise<void> {
    if (this.connection !== undefined || this.ended) throw new RemoteError('INVALID_OPTIONS', 'the transport was already started');
    this.connection = openUpstream(
      this.options,
      {
        message: (text) => this.receive(text),
        requestFailed: (id, error) => {
          this.onerror?.(error);
          this.answerWithError(id, error.message, error);
        },
        sessionLost: (error) => {
          this.onerror?.(error);
          void this.close();
        },
        closed: (error) => {
          if (error !== undefined) this.onerror?.(error);
          this.end();
        },
        warning: (message) => this.options.onWarning?.(message),
      },
      this.internals,
    );
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.connection === undefined || this.ended) throw new RemoteError('CLOSED', 'the transport is not open');
    const text = JSON.stringify(message);
    const id = idOf(message);
    const isRequest = 'method' in message && id !== undefined;
    // A request the Client gave up on (deadline, abort) needs no made-up answer any more.
    if ('method' in message && message.method === 'notifications/cancelled') {
      const cancelled = idOf({ id: (message.params as { requestId?: unknown } | undefined)?.requestId });
      if (cancelled !== undefined) this.inFlight.delete(cancelled);
    }
    this.connection.send(text);
    if (isRequest) this.inFlight.add(id);
  }

  async close(): Promise<void> {
    if (this.connection === undefined) {
      this.end();
      return;
    }
    await this.connection.close();
    this.end();
  }

  /** The version is read from the initialize result by the upstream client itself. */
  setProtocolVersion(): void {}

  private receive(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.onerror?.(new RemoteError('PROTOCOL_ERROR', 'the upstream sent a message that is not JSON'));
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    const id = idOf(value);
    const isResponse = typeof value === 'object' && value !== null && !('method' in value);
    if (!parsed.success) {
      // A malformed answer would be dropped by the Client, leaving its request waiting.
      const error = new RemoteError('PROTOCOL_ERROR', 'the upstream sent a malformed JSON-RPC message');
      this.onerror?.(error);
      if (isResponse && id !== undefined && this.inFlight.has(id)) this.answerWithError(id, error.message, error);
      return;
    }
    if (isResponse && id !== undefined) this.inFlight.delete(id);
    this.onmessage?.(parsed.data);
  }

  /** Answers a request locally; `cause` travels (in process only) as the error's `data`. */
  private answerWithError(id: Id, message: string, cause?: RemoteError): void {
    this.inFlight.delete(id);
    this.onmessage?.({ jsonrpc: '2.0', id, error: { code: UPSTREAM_FAILURE_CODE, message, ...(cause === undefined ? {} : { data: cause }) } } as JSONRPCMessage);
  }

  /**
   * The SDK `Client` fails every request still waiting when the transport closes, so
   * nothing is answered here: an answer to a request it already gave up on would only be
   * an unknown id to it.
   */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.inFlight.clear();
    this.onclose?.();
  }
}

/**
 * Creates an MCP SDK client `Transport` over {@link openUpstream} (use with the SDK
 * `Client`: `await client.connect(createUpstreamClientTransport(options))`). Nothing is
 * dialled before `start()`. A request the upstream client fails is answered with the
 * JSON-RPC error `-32000`, the failure's message and (in process) the `RemoteError` as
 * `data`, after `onerror` got it; a lost session or a closed connection ends the transport
 * (`onerror` with the error, then `onclose`; the `Client` fails what is still waiting). The session ID is never
 * exposed (`sessionId` stays undefined, so the `Client` always initializes).
 *
 * @param options - the upstream and its limits, and where warnings go
 * @param internals - test seam of {@link openUpstream}; production callers omit it
 * @returns the transport
 * @throws RemoteError from `start()`: `INSECURE_URL`, `INVALID_OPTIONS`
 */
export function createUpstreamClientTransport(options: UpstreamClientTransportOptions, internals: OpenUpstreamInternals = {}): Transport {
  return new UpstreamClientTransport(options, internals);
}
