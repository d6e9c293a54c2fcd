// A raw node:http MCP server on 127.0.0.1 (random port) that answers `initialize` correctly
// (the protocolVersion asked for, `Mcp-Session-Id: misbehaving-<n>`) and then breaks the
// Streamable HTTP transport in one way. Endpoint /mcp (legacy behaviour: /sse). Types and
// options: test-support/http-servers.d.mts.
//
// Well-behaved part: POST initialize → 200 application/json; a POST of a notification or a
// response → 202; ping, tools/list (one tool, echo {text}) and tools/call echo → 200
// application/json; other methods → -32601; GET and DELETE → 405. Every session id is
// accepted. Misbehaviour starts once `misbehaveAfter` requests (default 0) have been answered
// after initialize (with `fromStart`: from the first request, initialize included):
//
//   wrong-content-type         requests → 200 text/html
//   oversized-event            requests → 200 text/event-stream, one event carrying the
//                              response, `bytes` long (default 5 MiB; `asJson`: one JSON body)
//   redirect-private           every request → 307 Location http://169.254.169.254/latest/meta-data/
//                              (`location`); nothing here ever dials it
//   cross-origin-endpoint      legacy: GET /sse → `endpoint` event naming another origin
//                              (`endpoint`, default http://localhost:<port>/messages?sessionId=cross-origin,
//                              loopback, so a client that wrongly follows it shows up in
//                              `requests`); POST /messages → 202; POST /sse → 405
//   hostile-resource-metadata  every request, from the start → 401 `WWW-Authenticate: Bearer
//                              resource_metadata="http://169.254.169.254/x"` (`resourceMetadata`)
//   invalid-session-id         initialize → Mcp-Session-Id `bad session-id` (`sessionId`; a
//                              value with control bytes is written raw on the socket)
//   batch                      requests → 200 application/json `[response]` (`sse`: one SSE
//                              event whose data is the array)
//   status-500                 requests → 500 application/json {error -32603, id of the request}
//   stream-ends-early          requests → 200 text/event-stream, one notifications/message
//                              event (no event id), then the stream ends without the response
//   session-404                every request after initialize → 404 {error -32001}; a new
//                              initialize gets a new session id
//   hang                       requests are never answered (`afterHeaders`: 200
//                              text/event-stream headers, then silence)
// ("requests" = POSTs of a JSON-RPC request; notifications and responses still get 202.)
import { answerJsonRpcError, createRequestLog, isInitializeBody, listenLoopback, noteStatus, readJsonBody, recordRequest } from "./loopback.mjs";

/** The behaviours, in the order documented above. */
export const BEHAVIOURS = Object.freeze([
  "wrong-content-type",
  "oversized-event",
  "redirect-private",
  "cross-origin-endpoint",
  "hostile-resource-metadata",
  "invalid-session-id",
  "batch",
  "status-500",
  "stream-ends-early",
  "session-404",
  "hang",
]);

/** Behaviours that apply to every request (notifications, GET, DELETE), not only to JSON-RPC requests. */
const EVERY_REQUEST = new Set(["redirect-private", "hostile-resource-metadata", "session-404"]);

/**
 * The well-behaved answer (result or error response) to JSON-RPC request `message`.
 * @param {any} message
 */
function answer(message) {
  const reply = (/** @type {unknown} */ result) => ({ jsonrpc: "2.0", id: message.id, result });
  switch (message.method) {
    case "ping":
      return reply({});
    case "tools/list":
      return reply({ tools: [{ name: "echo", description: "Echoes its text.", inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } }] });
    case "tools/call":
      if (message.params?.name === "echo") return reply({ content: [{ type: "text", text: String(message.params?.arguments?.text ?? "") }] });
      return reply({ content: [{ type: "text", text: `unknown tool ${String(message.params?.name)}` }], isError: true });
    default:
      return { jsonrpc: "2.0", id: message.id, error: { code: -32601, message: `Method not found: ${String(message.method)}` } };
  }
}

/** @param {unknown} body the JSON-RPC request of a POST body, if it holds one */
function requestOf(body) {
  const message = Array.isArray(body) ? body[0] : body;
  if (message === null || typeof message !== "object") return undefined;
  const m = /** @type {any} */ (message);
  return typeof m.method === "string" && "id" in m ? m : undefined;
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} contentType
 * @param {string} body
 * @param {Record<string, string>} [headers]
 */
function send(res, status, contentType, body, headers = {}) {
  res.writeHead(status, { "content-type": contentType, ...headers });
  res.end(body);
}

/** @param {string} value */
const writableByNode = (value) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value);

/**
 * Writes an HTTP/1.1 response straight to the socket (for header bytes node:http refuses).
 * @param {import('node:http').ServerResponse} res
 * @param {import('../../test-support/http-servers.d.mts').RecordedRequest} record
 * @param {Record<string, string>} headers
 * @param {string} body
 */
function writeRaw(res, record, headers, body) {
  noteStatus(record, 200);
  const head = ["HTTP/1.1 200 OK", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `content-length: ${Buffer.byteLength(body)}`, "connection: close", "", ""].join("\r\n");
  res.socket?.end(Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(body, "utf8")]));
}

/**
 * Writes `text` in 64 KiB chunks, waiting for drain; stops when the connection goes away.
 * @param {import('node:http').ServerResponse} res
 * @param {string} text
 */
async function writeChunked(res, text) {
  const data = Buffer.from(text, "utf8");
  for (let at = 0; at < data.length && !res.destroyed; at += 65536) {
    if (!res.write(data.subarray(at, at + 65536))) {
      await new Promise((resolve) => {
        res.once("drain", resolve);
        res.once("close", resolve);
      });
    }
  }
  res.end();
}

/**
 * Starts the server. See the d.mts.
 * @param {import('../../test-support/http-servers.d.mts').Misbehaviour} behaviour
 * @param {import('../../test-support/http-servers.d.mts').MisbehavingServerOptions} [options]
 * @returns {Promise<import('../../test-support/http-servers.d.mts').MisbehavingServer>}
 */
export async function startMisbehavingServer(behaviour, options = {}) {
  if (!BEHAVIOURS.includes(behaviour)) throw new Error(`misbehaving server: unknown behaviour ${String(behaviour)} (one of ${BEHAVIOURS.join(", ")})`);
  const log = createRequestLog();
  const fromStart = options.fromStart ?? behaviour === "hostile-resource-metadata";
  let sessions = 0;
  let initialized = false;
  let answeredAfterInit = 0;

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {import('../../test-support/http-servers.d.mts').RecordedRequest} record
   * @param {any} message the initialize request
   */
  const answerInitialize = (res, record, message) => {
    sessions += 1;
    const result = {
      protocolVersion: options.protocolVersion ?? message.params?.protocolVersion ?? "2025-06-18",
      capabilities: { tools: {} },
      serverInfo: { name: "mcptrust-misbehaving", version: "1.0.0" },
    };
    const body = JSON.stringify({ jsonrpc: "2.0", id: message.id, result });
    const sessionId = behaviour === "invalid-session-id" ? (typeof options.sessionId === "string" ? options.sessionId : "bad session-id") : options.sessionId === false ? undefined : (options.sessionId ?? `misbehaving-${sessions}`);
    const headers = { "content-type": "application/json", ...(sessionId === undefined ? {} : { "mcp-session-id": sessionId }) };
    initialized = true;
    answeredAfterInit = 0;
    if (writableByNode(sessionId ?? "")) send(res, 200, "application/json", body, headers);
    else writeRaw(res, record, headers, body);
  };

  /**
   * The misbehaviour, for a request it applies to.
   * @param {import('node:http').ServerResponse} res
   * @param {any} message the JSON-RPC request (undefined for notifications, GET, DELETE)
   */
  const misbehave = async (res, message) => {
    switch (behaviour) {
      case "wrong-content-type":
        return send(res, 200, "text/html; charset=utf-8", "<!doctype html><html><body>Hello</body></html>");
      case "oversized-event": {
        const bytes = options.bytes ?? 5 * 1024 * 1024;
        const head = `{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":{"content":[{"type":"text","text":"`;
        const tail = `"}]}}`;
        const json = head + "x".repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
        res.writeHead(200, { "content-type": options.asJson === true ? "application/json" : "text/event-stream" });
        return writeChunked(res, options.asJson === true ? json : `data: ${json}\n\n`);
      }
      case "redirect-private":
        return send(res, 307, "text/plain", "moved", { location: options.location ?? "http://169.254.169.254/latest/meta-data/" });
      case "hostile-resource-metadata":
        return send(res, 401, "application/json", JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Unauthorized" } }), {
          "www-authenticate": `Bearer resource_metadata="${options.resourceMetadata ?? "http://169.254.169.254/x"}"`,
        });
      case "batch": {
        const array = JSON.stringify([answer(message)]);
        if (options.sse === true) return send(res, 200, "text/event-stream", `event: message\ndata: ${array}\n\n`);
        return send(res, 200, "application/json", array);
      }
      case "status-500":
        return send(res, 500, "application/json", JSON.stringify({ jsonrpc: "2.0", id: message.id, error: { code: -32603, message: "Internal error" } }));
      case "stream-ends-early":
        return send(res, 200, "text/event-stream", `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "ending before the response" } })}\n\n`);
      case "session-404":
        return answerJsonRpcError(res, 404, -32001, "Session not found");
      case "hang":
        if (options.afterHeaders === true) res.writeHead(200, { "content-type": "text/event-stream" }).flushHeaders();
        return undefined;
      default:
        throw new Error(`misbehaving server: no misbehaviour for ${behaviour}`);
    }
  };

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {any} message
   */
  const answerWell = (req, res, message) => {
    if (req.method !== "POST") return answerJsonRpcError(res, 405, -32000, "Method not allowed.", { allow: "POST" });
    if (message === undefined) {
      res.writeHead(202).end();
      return undefined;
    }
    if (initialized) answeredAfterInit += 1;
    return send(res, 200, "application/json", JSON.stringify(answer(message)));
  };

  /**
   * The legacy server of cross-origin-endpoint.
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {string} path
   */
  const legacy = (req, res, path) => {
    if (path === "/sse" && req.method === "GET") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(`event: endpoint\ndata: ${options.endpoint ?? `http://localhost:${listener.port}/messages?sessionId=cross-origin`}\n\n`);
      return;
    }
    if (path === "/messages" && req.method === "POST") {
      req.resume();
      res.writeHead(202).end();
      return;
    }
    answerJsonRpcError(res, path === "/sse" ? 405 : 404, -32000, "Not supported");
  };

  const listener = await listenLoopback(async (req, res) => {
    const record = recordRequest(req, res, log);
    const path = (req.url ?? "").split("?")[0];
    if (behaviour === "cross-origin-endpoint") return legacy(req, res, path);
    if (path !== "/mcp") return answerJsonRpcError(res, 404, -32000, "Not found");
    /** @type {unknown} */
    let body;
    if (req.method === "POST") {
      const read = await readJsonBody(req, record);
      if (read.error !== undefined) return answerJsonRpcError(res, 400, -32700, "Parse error");
      body = read.body;
    }
    const message = requestOf(body);
    const active = fromStart || (initialized && answeredAfterInit >= (options.misbehaveAfter ?? 0));
    // invalid-session-id misbehaves in its initialize answer only; session-404 lets a new
    // initialize through (with a new session id).
    const applies = behaviour !== "invalid-session-id" && (EVERY_REQUEST.has(behaviour) || message !== undefined) && !(behaviour === "session-404" && isInitializeBody(body));
    if (active && applies) return misbehave(res, message);
    if (req.method === "POST" && isInitializeBody(body) && message !== undefined) return answerInitialize(res, record, message);
    return answerWell(req, res, message);
  });

  return {
    url: `${listener.origin}${behaviour === "cross-origin-endpoint" ? "/sse" : "/mcp"}`,
    port: listener.port,
    behaviour,
    requests: log.requests,
    waitForRequest: log.waitForRequest,
    close() {
      return listener.closeSockets();
    },
  };
}
