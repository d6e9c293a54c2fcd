// A Streamable HTTP MCP server for tests: SDK McpServer + StreamableHTTPServerTransport on
// 127.0.0.1 (random port), endpoint /mcp. One server+transport per session (map by
// Mcp-Session-Id), or per request in stateless mode. Types: test-support/http-servers.d.mts.
//
// Routing (stateful):
//   POST without Mcp-Session-Id: initialize → a new session; anything else → 400
//   POST/GET/DELETE with an unknown (or expired) Mcp-Session-Id → 404 (-32001)
//   GET/DELETE without Mcp-Session-Id → 400
//   everything else → the session's transport (which validates Accept, Content-Type,
//   MCP-Protocol-Version, and answers DELETE by closing the session)
// Stateless: every POST gets a fresh server+transport; GET and DELETE → 405.
// requireAuth: every /mcp request without `Authorization: Bearer <token>` → 401 with
// `WWW-Authenticate: Bearer resource_metadata="<origin>/.well-known/oauth-protected-resource/mcp"`,
// a document served (without auth) at that path.
import { randomUUID } from "node:crypto";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { InMemoryEventStore } from "./event-store.mjs";
import { answerBodyError, answerJsonRpcError, checkBearer, createRequestLog, isInitializeBody, listenLoopback, readJsonBody, recordRequest, serveResourceMetadata } from "./loopback.mjs";
import { createToolCatalog } from "./tools.mjs";

const METADATA_PATH = "/.well-known/oauth-protected-resource/mcp";

/**
 * Starts the server. See the d.mts for the options and the returned handle.
 * @param {import('../../test-support/http-servers.d.mts').McpHttpServerOptions} [options]
 * @returns {Promise<import('../../test-support/http-servers.d.mts').McpHttpServer>}
 */
export async function startMcpHttpServer(options = {}) {
  const log = createRequestLog();
  const catalog = createToolCatalog(options.tools);
  /** @typedef {{ server: import('@modelcontextprotocol/sdk/server/mcp.js').McpServer, transport: StreamableHTTPServerTransport }} Pair */
  /** @type {Map<string, Pair>} sessions by id, in order of creation */
  const sessions = new Map();
  /** @type {Set<Pair>} every pair not yet closed (sessions, initializations under way, stateless requests) */
  const live = new Set();
  /** @type {Pair | undefined} */
  let latest;
  const serverName = options.serverName ?? "mcptrust-http-fixture";

  /** @param {Pair} pair */
  const closePair = (pair) => {
    live.delete(pair);
    return Promise.allSettled([pair.transport.close(), pair.server.close()]).then(() => undefined);
  };

  /** @param {string | undefined} sessionIdGenerated */
  const newPair = async (sessionIdGenerated) => {
    const server = catalog.createServer(serverName);
    /** @type {Pair} */
    const pair = { server, transport: /** @type {any} */ (undefined) };
    pair.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: sessionIdGenerated === undefined ? undefined : () => randomUUID(),
      enableJsonResponse: options.jsonResponse === true,
      ...(options.eventStore === true ? { eventStore: new InMemoryEventStore(), retryInterval: options.retryInterval ?? 100 } : {}),
      ...(options.keepAliveMs === undefined ? {} : { keepAliveMs: options.keepAliveMs }),
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, pair);
      },
      onsessionclosed: (sessionId) => {
        sessions.delete(sessionId);
        void closePair(pair);
      },
    });
    live.add(pair);
    latest = pair;
    await server.connect(pair.transport);
    return pair;
  };

  const listener = await listenLoopback(async (req, res) => {
    const record = recordRequest(req, res, log);
    if (options.requireAuth !== undefined) {
      const document = options.resourceMetadata ?? { resource: `${listener.origin}/mcp`, authorization_servers: [listener.origin], bearer_methods_supported: ["header"] };
      if (serveResourceMetadata(req, res, METADATA_PATH, document)) return;
    }
    if ((req.url ?? "").split("?")[0] !== "/mcp") {
      answerJsonRpcError(res, 404, -32000, "Not found");
      return;
    }
    if (!checkBearer(req, res, options.requireAuth, `${listener.origin}${METADATA_PATH}`)) return;
    if (options.stateless === true) {
      if (req.method !== "POST") {
        answerJsonRpcError(res, 405, -32000, "Method not allowed.", { allow: "POST" });
        return;
      }
      const read = await readJsonBody(req, record);
      if (answerBodyError(res, read)) return;
      const pair = await newPair(undefined);
      res.once("close", () => void closePair(pair));
      await pair.transport.handleRequest(req, res, read.body);
      return;
    }
    const sessionHeader = req.headers["mcp-session-id"];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    if (req.method === "POST") {
      const read = await readJsonBody(req, record);
      if (answerBodyError(res, read)) return;
      if (sessionId === undefined) {
        if (!isInitializeBody(read.body)) {
          answerJsonRpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
          return;
        }
        const pair = await newPair("stateful");
        await pair.transport.handleRequest(req, res, read.body);
        // An initialize that did not create a session (rejected) leaves nothing behind.
        if (pair.transport.sessionId === undefined) void closePair(pair);
        return;
      }
      const pair = sessions.get(sessionId);
      if (pair === undefined) {
        answerJsonRpcError(res, 404, -32001, "Session not found");
        return;
      }
      await pair.transport.handleRequest(req, res, read.body);
      return;
    }
    if (req.method === "GET" || req.method === "DELETE") {
      if (sessionId === undefined) {
        answerJsonRpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
        return;
      }
      const pair = sessions.get(sessionId);
      if (pair === undefined) {
        answerJsonRpcError(res, 404, -32001, "Session not found");
        return;
      }
      await pair.transport.handleRequest(req, res);
      return;
    }
    answerJsonRpcError(res, 405, -32000, "Method not allowed.", { allow: "GET, POST, DELETE" });
  });

  /** @param {string} [sessionId] */
  const pairOf = (sessionId) => {
    const pair = sessionId === undefined ? latest : sessions.get(sessionId);
    if (pair === undefined) throw new Error(sessionId === undefined ? "http fixture: no session yet" : `http fixture: no session ${sessionId}`);
    return pair;
  };

  return {
    url: `${listener.origin}/mcp`,
    port: listener.port,
    requests: log.requests,
    waitForRequest: log.waitForRequest,
    sessionIds() {
      return [...sessions.keys()];
    },
    server(sessionId) {
      return pairOf(sessionId).server;
    },
    transport(sessionId) {
      return pairOf(sessionId).transport;
    },
    expireSessions() {
      for (const pair of sessions.values()) void closePair(pair);
      sessions.clear();
    },
    async sendToolListChanged() {
      await Promise.all([...sessions.values()].map((pair) => (pair.server.isConnected() ? pair.server.server.sendToolListChanged() : undefined)));
    },
    addTool(name) {
      catalog.add(name, [...sessions.values()].map((pair) => pair.server));
    },
    async close() {
      sessions.clear();
      await Promise.all([...live].map(closePair));
      await listener.closeSockets();
    },
  };
}
