/**
 * The MCP SDK transport a remote scan connects through: the `@mcptrust/remote` client
 * (Streamable HTTP or legacy HTTP+SSE, every address checked by the outbound guard),
 * with the session closed (DELETE) when the client closes.
 */
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { RemoteError } from '@mcptrust/remote';
import type { UpstreamOptions } from '@mcptrust/remote';

function asRemoteError(error: unknown): unknown {
  if (error instanceof RemoteError) return error;
  if (error instanceof StreamableHTTPError && typeof error.code === 'number') {
    const status = error.code;
    return status === 401 || status === 403
      ? new RemoteError('UNAUTHORIZED', `the server answered HTTP ${status}`, { status, cause: error })
      : new RemoteError('HTTP_STATUS', `the server answered HTTP ${status}`, { status, cause: error });
  }
  // `fetch failed` (compared by name: the error may come from another realm).
  const failed = error as (Error & { cause?: { message?: string } }) | undefined;
  if (failed?.name === 'TypeError') return new RemoteError('NETWORK_ERROR', `could not connect: ${String(failed.cause?.message ?? failed.message)}`, { cause: error });
  return error;
}

/**
 * A client transport to the remote server of `options`.
 *
 * @param options - the endpoint, credentials and client options
 * @returns an SDK `Transport`; `close()` ends the session with DELETE
 */
export function createRemoteScanTransport(options: UpstreamOptions): Transport {
  const url = new URL(options.endpoint.url);
  const requestInit = { headers: { ...options.endpoint.headers } };
  if (options.endpoint.transport === 'sse') return new SSEClientTransport(url, { requestInit });
  const transport = new StreamableHTTPClientTransport(url, { requestInit });
  const send = transport.send.bind(transport);
  const close = transport.close.bind(transport);
  const wrapped: Transport = transport;
  wrapped.send = async (message: JSONRPCMessage, sendOptions) => {
    try {
      await send(message, sendOptions);
    } catch (error) {
      throw asRemoteError(error);
    }
  };
  wrapped.close = async () => {
    await transport.terminateSession().catch(() => undefined);
    await close();
  };
  return wrapped;
}
