/**
 * The MCP SDK transport a remote scan connects through: the `@mcptrust/remote` upstream
 * client (Streamable HTTP or legacy HTTP+SSE, every address checked by the outbound
 * guard, size caps, per-request failures), with the session closed (DELETE) when the
 * client closes.
 *
 * It behaves as `createUpstreamClientTransport` of `@mcptrust/remote`, except that it
 * reports every transport failure — a request that could not be answered included —
 * through `onerror` as the `RemoteError` itself, answers a failed request with a
 * JSON-RPC error whose `data` is that `RemoteError` (it never leaves the process), and
 * leaves the requests still waiting at close to the SDK (which fails them): the scan
 * says what happened over HTTP (unreachable, refused, unauthorized, an HTTP status)
 * from its code, and keeps it as the cause.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { RemoteError } from '@mcptrust/remote/errors';
import type { UpstreamConnection, UpstreamOptions } from '@mcptrust/remote';

/** JSON-RPC error code of a request the upstream client failed (the same as `@mcptrust/remote`'s transport). */
export const UPSTREAM_FAILURE_CODE = -32000;

type Id = string | number;

function idOf(value: unknown): Id | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

class RemoteScanTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  readonly #options: UpstreamOptions;
  readonly #onWarning: ((message: string) => void) | undefined;
  #connection: UpstreamConnection | undefined;
  #ended = false;
  readonly #inFlight = new Set<Id>();

  constructor(options: UpstreamOptions, onWarning: ((message: string) => void) | undefined) {
    this.#options = options;
    this.#onWarning = onWarning;
  }

  async start(): Promise<void> {
    if (this.#connection !== undefined || this.#ended) throw new RemoteError('INVALID_OPTIONS', 'the transport was already started');
    // The HTTP client is loaded on first use: a stdio scan (and every command that only
    // imports this package) never pays for it.
    const { openUpstream } = await import('@mcptrust/remote');
    if (this.#connection !== undefined || this.#ended) throw new RemoteError('INVALID_OPTIONS', 'the transport was already started');
    this.#connection = openUpstream(this.#options, {
      message: (text) => this.#receive(text),
      requestFailed: (id, error) => this.#fail(id, error),
      sessionLost: (error) => {
        this.onerror?.(error);
        void this.close();
      },
      closed: (error) => {
        if (error !== undefined) this.onerror?.(error);
        this.#end();
      },
      warning: (message) => {
        try {
          this.#onWarning?.(message);
        } catch {
          // A failing observer must not fail the scan.
        }
      },
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#connection === undefined || this.#ended) throw new RemoteError('CLOSED', 'the transport is not open');
    const id = idOf(message);
    if ('method' in message && id !== undefined) this.#inFlight.add(id);
    // A request the SDK gave up on (deadline, abort) needs no made-up answer any more.
    if ('method' in message && message.method === 'notifications/cancelled') this.#inFlight.delete(idOf({ id: message.params?.['requestId'] }) ?? '');
    this.#connection.send(JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.#connection !== undefined) await this.#connection.close();
    this.#end();
  }

  /** The upstream client reads the version from the `initialize` result itself. */
  setProtocolVersion(): void {}

  #receive(text: string): void {
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
      // The Client would drop a malformed answer and leave its request waiting.
      const error = new RemoteError('PROTOCOL_ERROR', 'the upstream sent a malformed JSON-RPC message');
      if (isResponse && id !== undefined && this.#inFlight.has(id)) this.#fail(id, error);
      else this.onerror?.(error);
      return;
    }
    if (isResponse && id !== undefined) this.#inFlight.delete(id);
    this.onmessage?.(parsed.data);
  }

  #fail(id: Id, error: RemoteError): void {
    this.onerror?.(error);
    this.#answerWithError(id, error.message, error);
  }

  /** Answers a request locally; `cause` travels (in process only) as the error's `data`. */
  #answerWithError(id: Id, message: string, cause?: RemoteError): void {
    this.#inFlight.delete(id);
    const answer = { code: UPSTREAM_FAILURE_CODE, message, ...(cause === undefined ? {} : { data: cause }) };
    this.onmessage?.({ jsonrpc: '2.0', id, error: answer });
  }

  /**
   * The SDK fails every request still waiting when the transport closes (and the scan
   * reads the failure that closed it from `onerror`), so nothing is answered here: an
   * answer to a request the SDK already gave up on would only be an unknown id to it.
   */
  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#inFlight.clear();
    this.onclose?.();
  }
}

/**
 * A client transport to the remote server of `options`. Nothing is dialled before
 * `start()`.
 *
 * @param options - the endpoint, credentials and client options
 * @param onWarning - receives the client's warnings (never a secret)
 * @returns an SDK `Transport`; `close()` ends the session with DELETE
 * @throws RemoteError from `start()`: `INSECURE_URL`, `INVALID_OPTIONS`
 */
export function createRemoteScanTransport(options: UpstreamOptions, onWarning?: (message: string) => void): Transport {
  return new RemoteScanTransport(options, onWarning);
}
