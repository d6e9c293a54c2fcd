import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ProxyEngine, ProxyEngineOptions } from './engine.types.js';
import { ProxyError } from './errors.js';
import { connectEngine, type EngineTransportAdapter } from './transport-adapter.js';

/** Options of {@link guardTransport}: the engine's options. */
export interface GuardTransportOptions extends ProxyEngineOptions {
  /** Called when the session cannot continue (preflight refused it); the inner transport is closed. */
  onFatal?: (error: Error) => void;
}

/** A guarded transport; `engine` exposes the state and table sizes. */
export interface GuardedTransport extends Transport {
  /** The enforcement engine between the caller and the inner transport. */
  readonly engine: ProxyEngine;
}

/**
 * Wraps any MCP SDK client-side `Transport` so that an in-process agent gets the same
 * enforcement as the stdio proxy: `client.connect(guardTransport(new
 * StdioClientTransport(...), { lockfile }))`. Every message in each direction goes
 * through the engine as one JSON text, exactly as on the stdio bridge, so both
 * adapters make identical decisions.
 *
 * @throws ProxyError `INVALID_OPTIONS` / `INVALID_LOCKFILE` from the engine
 */
export function guardTransport(inner: Transport, options: GuardTransportOptions): GuardedTransport {
  let closed = false;
  const outer: GuardedTransport = {
    engine: undefined as unknown as ProxyEngine,
    async start() {
      inner.onmessage = (message: JSONRPCMessage) => {
        let text: string;
        try {
          text = JSON.stringify(message);
        } catch {
          return; // not representable as JSON: nothing to check, nothing forwarded
        }
        // Delivered a microtask later: an inner transport that answers from inside its own
        // send() would otherwise re-enter the engine before the request is registered.
        // Close is queued the same way, so it never overtakes a message that came first.
        queueMicrotask(() => {
          if (!closed) outer.engine.receiveFromServer(text);
        });
      };
      inner.onerror = (error: Error) => outer.onerror?.(error);
      inner.onclose = () => {
        queueMicrotask(() => {
          if (closed) return;
          closed = true;
          outer.engine.serverClosed('the server transport closed');
          outer.engine.close();
          outer.onclose?.();
        });
      };
      await inner.start();
    },
    async send(message: JSONRPCMessage) {
      if (closed) throw new ProxyError('CLOSED', 'the guarded transport is closed');
      let text: string;
      try {
        text = JSON.stringify(message);
      } catch (cause) {
        // Not representable as JSON (too deep, cyclic, a BigInt): it cannot be checked,
        // so it is refused here rather than with a stack overflow from inside the engine.
        throw new ProxyError('INVALID_MESSAGE', 'the message cannot be serialized as JSON', { cause });
      }
      outer.engine.receiveFromHost(text);
    },
    async close() {
      if (!closed) {
        closed = true;
        outer.engine.close();
        await inner.close();
        outer.onclose?.();
      }
    },
    setProtocolVersion(version: string) {
      inner.setProtocolVersion?.(version);
    },
  };
  // The SDK-transport adapter of the engine: each message goes through it as one JSON text.
  const adapter: EngineTransportAdapter = {
    toServer(json) {
      inner.send(JSON.parse(json) as JSONRPCMessage).catch((err: unknown) => {
        outer.onerror?.(err instanceof Error ? err : new Error(String(err)));
      });
    },
    toHost(json) {
      const message = JSON.parse(json) as JSONRPCMessage;
      // Delivered asynchronously so the caller never re-enters its own send().
      queueMicrotask(() => outer.onmessage?.(message));
    },
    onFatal(err) {
      try {
        options.onFatal?.(err);
      } finally {
        queueMicrotask(() => void outer.close());
      }
    },
    attach(engine) {
      (outer as { engine: ProxyEngine }).engine = engine;
    },
  };
  connectEngine(adapter, options);
  return outer;
}
