// Shared plumbing of the loopback HTTP fixtures: a node:http server on 127.0.0.1 whose
// close() destroys every open socket (SSE streams keep sockets open), request recording,
// bounded JSON body reading and small answer helpers. Plain ESM, loopback only.
import { createServer } from "node:http";

/** Largest POST body the fixtures read (the SDK server transport's default bound). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Starts `handler` on 127.0.0.1 (random port). Handler errors answer 500 (or end the
 * response) instead of escaping.
 * @param {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => unknown} handler
 * @returns {Promise<{ server: import('node:http').Server, port: number, origin: string, closeSockets(): Promise<void> }>}
 */
export async function listenLoopback(handler) {
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message: `fixture error: ${String(error?.message ?? error)}` } }));
        } else {
          res.destroy();
        }
      });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("http fixture: no TCP address");
  const port = address.port;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    closeSockets() {
      return new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
    },
  };
}

/** @param {string | string[] | undefined} value */
function headerValue(value) {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(", ") : value;
}

/** @type {WeakMap<object, () => void>} the log's notify of each record */
const notifiers = new WeakMap();

/**
 * A request log: the records, and waiters that resolve once a record matches (checked
 * again whenever a record is added or completed: body read, status answered).
 */
export function createRequestLog() {
  /** @type {import('../../test-support/http-servers.d.mts').RecordedRequest[]} */
  const requests = [];
  /** @type {Array<{ test: (r: import('../../test-support/http-servers.d.mts').RecordedRequest) => boolean, done: (r: import('../../test-support/http-servers.d.mts').RecordedRequest) => void }>} */
  let waiters = [];
  const notify = () => {
    waiters = waiters.filter((w) => {
      const found = requests.find(w.test);
      if (found === undefined) return true;
      w.done(found);
      return false;
    });
  };
  return {
    requests,
    notify,
    /**
     * Resolves with the first record (already received or coming) that matches `test`;
     * rejects after `timeoutMs` (default 10 s) naming `what` was awaited.
     * @param {(r: import('../../test-support/http-servers.d.mts').RecordedRequest) => boolean} [test]
     * @param {number} [timeoutMs]
     * @returns {Promise<import('../../test-support/http-servers.d.mts').RecordedRequest>}
     */
    waitForRequest(test = () => true, timeoutMs = 10_000) {
      const found = requests.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w.done !== done);
          reject(new Error(`http fixture: no matching request within ${timeoutMs} ms (${requests.length} received)`));
        }, timeoutMs);
        const done = (/** @type {import('../../test-support/http-servers.d.mts').RecordedRequest} */ r) => {
          clearTimeout(timer);
          resolve(r);
        };
        waiters.push({ test, done });
      });
    },
  };
}

/**
 * Notes that `record` was answered `status` (for responses written past node:http).
 * @param {import('../../test-support/http-servers.d.mts').RecordedRequest} record
 * @param {number} status
 */
export function noteStatus(record, status) {
  record.status = status;
  notifiers.get(record)?.();
}

/**
 * Appends a record of `req` to the log and returns it. Its `status` is filled in when
 * the response head is written; `rpc` when the body has been read ({@link readJsonBody}).
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {ReturnType<typeof createRequestLog>} log
 * @returns {import('../../test-support/http-servers.d.mts').RecordedRequest}
 */
export function recordRequest(req, res, log) {
  const h = req.headers;
  const sessionId = headerValue(h["mcp-session-id"]);
  /** @type {import('../../test-support/http-servers.d.mts').RecordedRequest} */
  const record = {
    method: req.method ?? "",
    url: req.url ?? "",
    hasSessionId: sessionId !== undefined,
    ...(sessionId === undefined ? {} : { sessionId }),
    ...optional("protocolVersion", headerValue(h["mcp-protocol-version"])),
    ...optional("authorization", headerValue(h.authorization)),
    ...optional("lastEventId", headerValue(h["last-event-id"])),
    ...optional("accept", headerValue(h.accept)),
    ...optional("contentType", headerValue(h["content-type"])),
    rpc: [],
    rpcMethods: [],
  };
  log.requests.push(record);
  notifiers.set(record, log.notify);
  log.notify();
  const writeHead = res.writeHead;
  // Records the status the fixture answered (the SDK transport writes its head this way).
  res.writeHead = /** @type {typeof res.writeHead} */ (
    function (/** @type {number} */ status, /** @type {any[]} */ ...rest) {
      const written = writeHead.call(this, status, ...rest);
      noteStatus(record, status);
      return written;
    }
  );
  return record;
}

/**
 * @param {string} key
 * @param {string | undefined} value
 */
function optional(key, value) {
  return value === undefined ? {} : { [key]: value };
}

/**
 * Reads a request body (at most {@link MAX_BODY_BYTES}) and parses it as JSON, noting the
 * JSON-RPC messages in `record`. Resolves `{ body }`, or `{ error: 'too-large' | 'parse' }`.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('../../test-support/http-servers.d.mts').RecordedRequest} [record]
 * @returns {Promise<{ body: unknown, error?: undefined } | { error: 'too-large' | 'parse', body?: undefined }>}
 */
export async function readJsonBody(req, record) {
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { error: "too-large" };
    chunks.push(chunk);
  }
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return { error: "parse" };
  }
  if (record !== undefined) {
    for (const message of Array.isArray(body) ? body : [body]) {
      if (message === null || typeof message !== "object") continue;
      const entry = {};
      if (typeof message.method === "string") {
        entry.method = message.method;
        record.rpcMethods.push(message.method);
      }
      if ("id" in message) entry.id = message.id;
      record.rpc.push(entry);
    }
    notifiers.get(record)?.();
  }
  return { body };
}

/**
 * Answers `status` with a JSON-RPC error body (`id` null unless given).
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {number} code
 * @param {string} message
 * @param {Record<string, string>} [headers]
 * @param {string | number | null} [id]
 */
export function answerJsonRpcError(res, status, code, message, headers = {}, id = null) {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } }));
}

/**
 * Answers a body-reading failure (413 or 400 parse error). Returns true when it answered.
 * @param {import('node:http').ServerResponse} res
 * @param {{ error?: 'too-large' | 'parse' }} read
 */
export function answerBodyError(res, read) {
  if (read.error === "too-large") answerJsonRpcError(res, 413, -32000, "Request body too large");
  else if (read.error === "parse") answerJsonRpcError(res, 400, -32700, "Parse error: Invalid JSON");
  return read.error !== undefined;
}

/**
 * True when `body` is (or, for a batch, holds) an `initialize` request.
 * @param {unknown} body
 */
export function isInitializeBody(body) {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => m !== null && typeof m === "object" && /** @type {any} */ (m).method === "initialize");
}

/**
 * Checks `Authorization: Bearer <token>` when `token` is set. Otherwise, or when it matches,
 * returns true. Else answers 401 with `WWW-Authenticate: Bearer resource_metadata="…"` and
 * returns false.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string | undefined} token
 * @param {string} resourceMetadataUrl
 */
export function checkBearer(req, res, token, resourceMetadataUrl) {
  if (token === undefined) return true;
  if (req.headers.authorization === `Bearer ${token}`) return true;
  const error = req.headers.authorization === undefined ? "" : ', error="invalid_token"';
  answerJsonRpcError(res, 401, -32001, "Unauthorized", {
    "www-authenticate": `Bearer resource_metadata="${resourceMetadataUrl}"${error}`,
  });
  return false;
}

/**
 * Serves the protected-resource metadata document (RFC 9728) at its well-known path when
 * `req` asks for it. Returns true when it answered.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} metadataPath  e.g. `/.well-known/oauth-protected-resource/mcp`
 * @param {Record<string, unknown>} document
 */
export function serveResourceMetadata(req, res, metadataPath, document) {
  if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== metadataPath) return false;
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(document));
  return true;
}
