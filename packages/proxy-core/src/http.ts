/**
 * `@mcptrust/proxy-core/http`: the bridge to a remote MCP server over Streamable HTTP or
 * HTTP+SSE (`createHttpBridge`). Its own entry, because it loads the HTTP client of
 * `@mcptrust/remote`: a stdio proxy, which imports only the package's main entry, never
 * pays for it at start-up.
 */
export { createHttpBridge } from './http-bridge.js';
export type { HttpBridge, HttpBridgeEnd, HttpBridgeExit, HttpBridgeOptions, HttpBridgeUpstream, OpenUpstream } from './http-bridge.js';
