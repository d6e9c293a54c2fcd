// A legacy HTTP+SSE (2024-11-05) MCP server for tests: SDK McpServer + SSEServerTransport
// on 127.0.0.1 (random port), with the tools of tools.mjs. Types: test-support/http-servers.d.mts.
//
//   GET /sse                      → a new session: an SSE stream whose first event is
//                                   `endpoint` (/messages?sessionId=<uuid>); every server
//                                   message, responses included, follows as `event: message`
//   POST /messages?sessionId=<id> → 202, the message goes to that session; unknown or
//                                   dropped session → 404, no sessionId → 400
//   anything else                 → 404
// A session ends when its GET stream ends (dropStreams(), or the client going away).
// requireAuth: /sse and /messages without `Authorization: Bearer <token>` → 401 with
// `WWW-Authenticate: Bearer resource_metadata="<origin>/.well-known/oauth-protected-resource/sse"`.
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { answerBodyError, answerJsonRpcError, checkBearer, createRequestLog, listenLoopback, readJsonBody, recordRequest, serveResourceMetadata } from "./loopback.mjs";
import { createToolCatalog } from "./tools.mjs";

const METADATA_PATH = "/.well-known/oauth-protected-resource/sse";

/**
 * Starts the server. See the d.mts for the options and the returned handle.
 * @param {import('../../test-support/http-servers.d.mts').LegacySseServerOptions} [options]
 * @returns {Promise<import('../../test-support/http-servers.d.mts').LegacySseServer>}
 */
export async function startLegacySseServer(options = {}) {
  const log = createRequestLog();
  const catalog = createToolCatalog(options.tools);
  /** @typedef {{ server: import('@modelcontextprotocol/sdk/server/mcp.js').McpServer, transport: SSEServerTransport }} Pair */
  /** @type {Map<string, Pair>} */
  const sessions = new Map();
  /** @type {Pair | undefined} */
  let latest;
  const serverName = options.serverName ?? "mcptrust-sse-fixture";

  /** @param {Pair} pair */
  const closePair = (pair) => {
    sessions.delete(pair.transport.sessionId);
    return Promise.allSettled([pair.transport.close(), pair.server.close()]).then(() => undefined);
  };

  const listener = await listenLoopback(async (req, res) => {
    const record = recordRequest(req, res, log);
    const url = new URL(req.url ?? "/", listener.origin);
    if (options.requireAuth !== undefined) {
      const document = options.resourceMetadata ?? { resource: `${listener.origin}/sse`, authorization_servers: [listener.origin], bearer_methods_supported: ["header"] };
      if (serveResourceMetadata(req, res, METADATA_PATH, document)) return;
    }
    if (url.pathname !== "/sse" && url.pathname !== "/messages") {
      answerJsonRpcError(res, 404, -32000, "Not found");
      return;
    }
    if (!checkBearer(req, res, options.requireAuth, `${listener.origin}${METADATA_PATH}`)) return;
    if (url.pathname === "/sse") {
      if (req.method !== "GET") {
        answerJsonRpcError(res, 405, -32000, "Method not allowed.", { allow: "GET" });
        return;
      }
      const server = catalog.createServer(serverName);
      const transport = new SSEServerTransport("/messages", res);
      /** @type {Pair} */
      const pair = { server, transport };
      sessions.set(transport.sessionId, pair);
      latest = pair;
      res.once("close", () => void closePair(pair));
      await server.connect(transport);
      return;
    }
    if (req.method !== "POST") {
      answerJsonRpcError(res, 405, -32000, "Method not allowed.", { allow: "POST" });
      return;
    }
    const sessionId = url.searchParams.get("sessionId");
    if (sessionId === null) {
      answerJsonRpcError(res, 400, -32000, "Bad Request: sessionId is required");
      return;
    }
    const pair = sessions.get(sessionId);
    if (pair === undefined) {
      answerJsonRpcError(res, 404, -32001, "Session not found");
      return;
    }
    const read = await readJsonBody(req, record);
    if (answerBodyError(res, read)) return;
    await pair.transport.handlePostMessage(req, res, read.body);
  });

  /** @param {string} [sessionId] */
  const pairOf = (sessionId) => {
    const pair = sessionId === undefined ? latest : sessions.get(sessionId);
    if (pair === undefined) throw new Error(sessionId === undefined ? "sse fixture: no session yet" : `sse fixture: no session ${sessionId}`);
    return pair;
  };
  const dropAll = () => {
    for (const pair of [...sessions.values()]) void closePair(pair);
  };

  return {
    url: `${listener.origin}/sse`,
    port: listener.port,
    requests: log.requests,
    waitForRequest: log.waitForRequest,
    sessionIds() {
      return [...sessions.keys()];
    },
    server(sessionId) {
      return pairOf(sessionId).server;
    },
    expireSessions: dropAll,
    dropStreams: dropAll,
    async sendToolListChanged() {
      await Promise.all([...sessions.values()].map((pair) => (pair.server.isConnected() ? pair.server.server.sendToolListChanged() : undefined)));
    },
    addTool(name) {
      catalog.add(name, [...sessions.values()].map((pair) => pair.server));
    },
    async close() {
      await Promise.all([...sessions.values()].map(closePair));
      await listener.closeSockets();
    },
  };
}
