// Shared test support: the small HTTP helpers of the loopback OAuth fixtures
// (oauth-server.mjs and its parts). node:http only, 127.0.0.1, random port.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

/**
 * Listens on 127.0.0.1 (random port) with an async handler; a handler that throws
 * answers 500 with the message.
 *
 * @param {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<unknown>} handler
 * @returns {Promise<import('node:http').Server>}
 */
export function listen(handler) {
  const server = createServer((req, res) => {
    handler(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error?.message ?? error));
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** The `http://127.0.0.1:PORT` origin of a listening server. */
export function originOf(server) {
  return `http://127.0.0.1:${server.address().port}`;
}

/** The whole request body as UTF-8 text. */
export async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** Answers JSON (`cache-control: no-store`, as RFC 6749 asks of token answers). */
export function json(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

/** Answers an RFC 6749 §5.2 error (`WWW-Authenticate: Basic` with a 401, per §5.2). */
export function oauthError(res, status, error, description) {
  const headers = status === 401 ? { "www-authenticate": 'Basic realm="oauth-fixture"' } : {};
  json(res, status, { error, ...(description === undefined ? {} : { error_description: description }) }, headers);
}

/** Closes a server, dropping keep-alive connections. */
export function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A random URL-safe token (24 bytes). */
export const randomToken = () => randomBytes(24).toString("base64url");

/** The words of a space-separated scope (empty for none). */
export const scopeWords = (scope) => (typeof scope === "string" ? scope.split(" ").filter((w) => w !== "") : []);
