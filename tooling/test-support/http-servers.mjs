// Shared test support (plain ESM so that any workspace test can import it; types in the
// .d.mts beside it). Loopback only: every server listens on 127.0.0.1 (random port).
/**
 * Loopback HTTP MCP servers for the tests of remote (HTTP) upstreams:
 * - `startMcpHttpServer(options?)`: Streamable HTTP (SDK McpServer + transport, /mcp),
 *   stateful or stateless, SSE or JSON answers, resumable with an event store, optional
 *   bearer auth; tools echo, add, slow, sample, elicit, drop_stream (+ exec_shell on demand).
 * - `startLegacySseServer(options?)`: the 2024-11-05 HTTP+SSE transport (GET /sse, POST
 *   /messages?sessionId=) with the same tools.
 * - `startServerEverything({ transport })`: the reference server-everything, in process.
 * - `startMisbehavingServer(behaviour, options?)`: a raw node:http server that answers
 *   initialize and then breaks the protocol in one documented way.
 * Every handle has `close()`, which destroys open connections (SSE streams included).
 */
export { startMcpHttpServer } from "../servers/http/streamable.mjs";
export { startLegacySseServer } from "../servers/http/legacy-sse.mjs";
export { startServerEverything } from "../servers/http/everything.mjs";
export { startMisbehavingServer } from "../servers/http/misbehaving.mjs";
