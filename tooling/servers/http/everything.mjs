// The reference server `@modelcontextprotocol/server-everything`, in process on 127.0.0.1
// (random port). Its own CLI (`dist/index.js streamableHttp|sse`) calls `app.listen(PORT)`
// without a host, binding every interface, so this imports its factory
// (`dist/server/index.js` `createServer()` → `{ server, cleanup }`) and serves it with the
// SDK transports here, one McpServer per session, mirroring its `dist/transports/*.js`:
//
// streamableHttp (endpoint /mcp; stateful, an in-memory event store per session):
//   POST without Mcp-Session-Id → a new session (whatever the body: the transport answers
//   a non-initialize with 400); POST/GET/DELETE with a known session → its transport;
//   POST/GET/DELETE with a missing or unknown session → 400 "Bad Request: No valid session
//   ID provided" (server-everything answers 400, not 404, for an unknown session).
// sse (GET /sse, POST /message?sessionId=): as in its sse entry, except that a POST to an
//   unknown session is answered 404 (server-everything never answers it).
// Differences from its CLI: no CORS headers, no console logging, the event store is
// tooling's (its own replays events of every stream). Beware of its tools `get-env` (returns
// the test process's environment) and `gzip-file-as-resource` (fetches the URL it is given).
import { randomUUID } from "node:crypto";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { InMemoryEventStore } from "./event-store.mjs";
import { answerBodyError, answerJsonRpcError, createRequestLog, listenLoopback, readJsonBody, recordRequest } from "./loopback.mjs";

/**
 * Starts server-everything. See the d.mts.
 * @param {import('../../test-support/http-servers.d.mts').ServerEverythingOptions} options
 * @returns {Promise<import('../../test-support/http-servers.d.mts').ServerEverything>}
 */
export async function startServerEverything(options) {
  const mode = options?.transport;
  if (mode !== "streamableHttp" && mode !== "sse") throw new Error(`server-everything: transport must be 'streamableHttp' or 'sse', not ${String(mode)}`);
  const { createServer } = await import("@modelcontextprotocol/server-everything/dist/server/index.js");
  const log = createRequestLog();
  /** @typedef {{ server: import('@modelcontextprotocol/sdk/server/mcp.js').McpServer, transport: StreamableHTTPServerTransport | SSEServerTransport, cleanup: (sessionId?: string) => void, sessionId?: string }} Session */
  /** @type {Map<string, Session>} */
  const sessions = new Map();
  /** @type {Set<Session>} */
  const live = new Set();

  /** @param {Session} session */
  const closeSession = async (session) => {
    if (!live.delete(session)) return;
    if (session.sessionId !== undefined) sessions.delete(session.sessionId);
    await Promise.allSettled([session.transport.close(), session.server.close()]);
    session.cleanup(session.sessionId);
  };

  /** @param {() => StreamableHTTPServerTransport | SSEServerTransport} makeTransport */
  const newSession = async (makeTransport) => {
    const { server, cleanup } = createServer();
    /** @type {Session} */
    const session = { server, cleanup, transport: makeTransport() };
    live.add(session);
    server.server.onclose = () => void closeSession(session);
    await server.connect(session.transport);
    return session;
  };

  const noSession = (/** @type {import('node:http').ServerResponse} */ res) => answerJsonRpcError(res, 400, -32000, "Bad Request: No valid session ID provided");

  const listener = await listenLoopback(async (req, res) => {
    const record = recordRequest(req, res, log);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (mode === "sse") {
      if (req.method === "GET" && url.pathname === "/sse") {
        const session = await newSession(() => new SSEServerTransport("/message", res));
        session.sessionId = session.transport.sessionId;
        if (session.sessionId !== undefined && live.has(session)) sessions.set(session.sessionId, session);
        return;
      }
      if (req.method === "POST" && url.pathname === "/message") {
        const session = sessions.get(url.searchParams.get("sessionId") ?? "");
        if (session === undefined) {
          answerJsonRpcError(res, 404, -32001, "Session not found");
          return;
        }
        const read = await readJsonBody(req, record);
        if (answerBodyError(res, read)) return;
        await /** @type {SSEServerTransport} */ (session.transport).handlePostMessage(req, res, read.body);
        return;
      }
      answerJsonRpcError(res, 404, -32000, "Not found");
      return;
    }
    if (url.pathname !== "/mcp" || (req.method !== "POST" && req.method !== "GET" && req.method !== "DELETE")) {
      answerJsonRpcError(res, 404, -32000, "Not found");
      return;
    }
    const header = req.headers["mcp-session-id"];
    const sessionId = Array.isArray(header) ? header[0] : header;
    /** @type {unknown} */
    let body;
    if (req.method === "POST") {
      const read = await readJsonBody(req, record);
      if (answerBodyError(res, read)) return;
      body = read.body;
    }
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (session === undefined) {
        noSession(res);
        return;
      }
      await /** @type {StreamableHTTPServerTransport} */ (session.transport).handleRequest(req, res, body);
      return;
    }
    if (req.method !== "POST") {
      noSession(res);
      return;
    }
    /** @type {Session | undefined} */
    let created;
    const session = await newSession(
      () =>
        new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          eventStore: new InMemoryEventStore(),
          onsessioninitialized: (id) => {
            if (created === undefined) return;
            created.sessionId = id;
            sessions.set(id, created);
          },
        }),
    );
    created = session;
    await /** @type {StreamableHTTPServerTransport} */ (session.transport).handleRequest(req, res, body);
    if (session.sessionId === undefined) void closeSession(session);
  });

  return {
    url: `${listener.origin}${mode === "sse" ? "/sse" : "/mcp"}`,
    port: listener.port,
    requests: log.requests,
    waitForRequest: log.waitForRequest,
    sessionIds() {
      return [...sessions.keys()];
    },
    async close() {
      await Promise.all([...live].map(closeSession));
      await listener.closeSockets();
    },
  };
}
