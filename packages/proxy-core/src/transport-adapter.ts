/**
 * The seam between the enforcement engine and a transport. The engine and its stages
 * only ever see JSON texts; an adapter is the only part that knows how messages travel
 * (stdio pipes, an SDK `Transport`, a remote server over Streamable HTTP or HTTP+SSE).
 */
import { createProxyEngine } from './engine.js';
import type { ProxyEngine, ProxyEngineIO, ProxyEngineOptions } from './engine.types.js';

/**
 * What the engine needs from a transport. Three adapters implement it:
 * `createStdioBridge` (spawns the server, NDJSON over stdio, byte-level output),
 * `createHttpBridge` (the same host side, a remote upstream through `openUpstream` of
 * `@mcptrust/remote`) and `guardTransport` (wraps an MCP SDK client `Transport`, one
 * message object at a time). A new transport is another implementation; no stage changes.
 *
 * Engine → transport (the {@link ProxyEngineIO} members, called by the engine):
 * - `toHost(json)` / `toServer(json)`: one JSON text without newline, in order. May be
 *   called synchronously from inside any `receive*` call, so deliver asynchronously (or
 *   queue) if the other side could re-enter the engine.
 * - `toHostBytes(parts)` / `toServerBytes(parts)` (optional): the same message as
 *   UTF-8 parts, for adapters that write bytes; without them the text forms are used.
 * - `onFatal(error)` (optional): the session cannot continue (preflight refused it,
 *   `initialize` failed); shut the server side down. The host already got its answer.
 *
 * Transport → engine (called by the adapter on the engine it was attached to):
 * - host side: `receiveFromHost(line, utf8Valid)` for every host message, and
 *   `hostLineTooLong(bytes)` for one dropped by a framing cap;
 * - server side: `receiveFromServer(line, utf8Valid, bytes?)` for every server
 *   message (`bytes`: its exact UTF-8, when the adapter has it), optionally
 *   `receiveServerLineBytes(parts, n)` first for a long line still in pieces, and
 *   `serverLineTooLong(bytes)`;
 * - a server that forgot the session but can start a new one (a remote upstream's 404):
 *   `serverSessionLost(reason)`; the engine re-initializes and re-runs preflight itself;
 * - end: `serverClosed(reason)` when the server side is gone (every pending request
 *   is answered), then `close()`; `close()` alone when the host side ends the session.
 *
 * One message per call in each direction, in arrival order; framing (and its caps) is
 * the adapter's job, deciding about messages is the engine's.
 */
export interface EngineTransportAdapter extends ProxyEngineIO {
  /**
   * Receives the engine built on this adapter's output side (see
   * {@link connectEngine}); from then on the adapter delivers both sides' messages to it.
   */
  attach(engine: ProxyEngine): void;
}

/**
 * Builds an engine whose output goes to `adapter` and attaches it to the adapter.
 *
 * @throws ProxyError `INVALID_OPTIONS` / `INVALID_LOCKFILE` from the engine
 */
export function connectEngine(adapter: EngineTransportAdapter, options: ProxyEngineOptions): ProxyEngine {
  const engine = createProxyEngine(adapter, options);
  adapter.attach(engine);
  return engine;
}
