// Shared test support (plain ESM so that any workspace test can import it; types in the
// .d.mts beside it). Loopback only.
/**
 * A loopback OAuth 2.1 authorization server for the tests (`http://127.0.0.1:PORT`,
 * random port), and a small protected MCP endpoint that accepts its tokens.
 *
 * `startOAuthServer(options)` serves:
 * - `GET /.well-known/oauth-authorization-server` (RFC 8414; issuer = the server's origin);
 * - `POST /register` (RFC 7591 dynamic registration; public clients, `none` auth);
 * - `GET /authorize`: checks client, redirect URI, PKCE S256 challenge, then approves at
 *   once: `302 <redirect_uri>?code&state&iss`;
 * - `POST /token`: `authorization_code` (PKCE verified, `redirect_uri` and `resource`
 *   must equal the authorization request's) and `refresh_token` (rotated; `resource`
 *   must equal the original). Tokens are random unless `accessToken` makes them.
 *
 * Failure modes (`failure`, switchable with `setFailure`): `no-s256` (metadata without
 * `code_challenge_methods_supported`), `no-dcr` (no registration endpoint), `wrong-iss`
 * (the redirect carries another `iss`), `wrong-state` (another `state`), `deny`
 * (`error=access_denied`), `refresh-fails` (`invalid_grant` on refresh).
 * `metadataOverrides` is merged into the metadata document (e.g. a `javascript:`
 * authorization endpoint). Every request is recorded in `requests`.
 *
 * `startProtectedMcpServer({ authServer })` serves `/mcp` (401 with `WWW-Authenticate:
 * Bearer resource_metadata="…"` unless the bearer token is one `authServer` issued for
 * this URL and not expired) and the protected resource metadata (RFC 9728) at
 * `/.well-known/oauth-protected-resource/mcp`. With a valid token it answers JSON-RPC in
 * JSON: `initialize`, `tools/list` (empty), `ping`; notifications get 202.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";

function listen(handler) {
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

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

function oauthError(res, status, error, description) {
  json(res, status, { error, ...(description === undefined ? {} : { error_description: description }) });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const token = () => randomBytes(24).toString("base64url");

/** @param {import('./oauth-server.d.mts').OAuthServerOptions} [options] */
export async function startOAuthServer(options = {}) {
  let failure = options.failure;
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  const requests = [];
  const clients = new Map();
  for (const id of options.preregisteredClients ?? []) clients.set(id, { client_id: id, redirect_uris: undefined });
  const codes = new Map();
  const accessTokens = new Map();
  const refreshTokens = new Map();
  let server;
  let issuer = "";

  const metadata = () => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    ...(failure === "no-dcr" ? {} : { registration_endpoint: `${issuer}/register` }),
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    token_endpoint_auth_methods_supported: ["none"],
    ...(failure === "no-s256" ? {} : { code_challenge_methods_supported: ["S256"] }),
    authorization_response_iss_parameter_supported: true,
    scopes_supported: ["mcp:read", "mcp:write"],
    ...(options.metadataOverrides ?? {}),
  });

  const issue = (clientId, resource, scope) => {
    const access = options.accessToken?.() ?? `at-${token()}`;
    accessTokens.set(access, { clientId, resource, scope, expiresAt: Date.now() + ttl * 1000 });
    const answer = { access_token: access, token_type: "Bearer", expires_in: ttl, ...(scope === undefined ? {} : { scope }) };
    if (options.refreshTokens !== false) {
      const refresh = `rt-${token()}`;
      refreshTokens.set(refresh, { clientId, resource, scope });
      answer.refresh_token = refresh;
    }
    return answer;
  };

  server = await listen(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const body = req.method === "POST" ? await readBody(req) : "";
    const params = req.method === "POST" ? new URLSearchParams(body) : url.searchParams;
    const record = { method: req.method ?? "", path: url.pathname, params: Object.fromEntries(params), headers: req.headers };
    if (req.method === "POST" && url.pathname === "/register") record.json = JSON.parse(body || "null");
    requests.push(record);

    if (url.pathname === "/.well-known/oauth-authorization-server" || url.pathname === "/.well-known/openid-configuration") {
      if (url.pathname.endsWith("openid-configuration")) return json(res, 404, { error: "not_found" });
      return json(res, 200, metadata());
    }
    if (url.pathname === "/register" && req.method === "POST") {
      if (failure === "no-dcr") return json(res, 404, { error: "not_found" });
      const meta = record.json ?? {};
      if (!Array.isArray(meta.redirect_uris) || meta.redirect_uris.length === 0) return oauthError(res, 400, "invalid_redirect_uri");
      const client = { ...meta, client_id: `client-${token()}`, client_id_issued_at: Math.floor(Date.now() / 1000), token_endpoint_auth_method: "none" };
      clients.set(client.client_id, client);
      return json(res, 201, client);
    }
    if (url.pathname === "/authorize" && req.method === "GET") {
      const client = clients.get(params.get("client_id") ?? "");
      const redirectUri = params.get("redirect_uri") ?? "";
      if (client === undefined) return oauthError(res, 400, "invalid_client");
      if (client.redirect_uris !== undefined && !client.redirect_uris.includes(redirectUri)) return oauthError(res, 400, "invalid_redirect_uri");
      if (params.get("response_type") !== "code") return oauthError(res, 400, "unsupported_response_type");
      if (params.get("code_challenge_method") !== "S256" || !params.get("code_challenge")) return oauthError(res, 400, "invalid_request", "PKCE S256 required");
      const target = new URL(redirectUri);
      const state = params.get("state");
      const sentState = failure === "wrong-state" ? "forged-state" : state;
      if (sentState !== null) target.searchParams.set("state", sentState);
      target.searchParams.set("iss", failure === "wrong-iss" ? "http://127.0.0.1:1" : issuer);
      if (failure === "deny") {
        target.searchParams.set("error", "access_denied");
      } else {
        const code = `code-${token()}`;
        codes.set(code, {
          clientId: client.client_id,
          redirectUri,
          challenge: params.get("code_challenge"),
          resource: params.get("resource") ?? undefined,
          scope: params.get("scope") ?? undefined,
        });
        target.searchParams.set("code", code);
      }
      res.writeHead(302, { location: target.href });
      return res.end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      const grant = params.get("grant_type");
      const clientId = params.get("client_id") ?? "";
      if (grant === "authorization_code") {
        const code = codes.get(params.get("code") ?? "");
        codes.delete(params.get("code") ?? "");
        if (code === undefined || code.clientId !== clientId) return oauthError(res, 400, "invalid_grant", "unknown code");
        if (code.redirectUri !== params.get("redirect_uri")) return oauthError(res, 400, "invalid_grant", "redirect_uri mismatch");
        const verifier = params.get("code_verifier") ?? "";
        if (createHash("sha256").update(verifier).digest("base64url") !== code.challenge) return oauthError(res, 400, "invalid_grant", "PKCE verification failed");
        const resource = params.get("resource") ?? undefined;
        if (resource !== code.resource) return oauthError(res, 400, "invalid_target", "resource differs from the authorization request");
        if (options.expectedResource !== undefined && resource !== options.expectedResource) return oauthError(res, 400, "invalid_target");
        return json(res, 200, issue(clientId, resource, code.scope));
      }
      if (grant === "refresh_token") {
        const presented = params.get("refresh_token") ?? "";
        const known = refreshTokens.get(presented);
        if (failure === "refresh-fails" || known === undefined || known.clientId !== clientId) return oauthError(res, 400, "invalid_grant");
        const resource = params.get("resource") ?? undefined;
        if (resource !== undefined && resource !== known.resource) return oauthError(res, 400, "invalid_target");
        if (options.rotateRefreshTokens !== false) refreshTokens.delete(presented);
        const answer = issue(clientId, known.resource, known.scope);
        if (options.rotateRefreshTokens === false) {
          refreshTokens.delete(answer.refresh_token);
          answer.refresh_token = presented;
        }
        return json(res, 200, answer);
      }
      return oauthError(res, 400, "unsupported_grant_type");
    }
    json(res, 404, { error: "not_found" });
  });
  issuer = `http://127.0.0.1:${server.address().port}`;

  return {
    issuer,
    url: issuer,
    requests,
    setFailure(mode) {
      failure = mode;
    },
    validate(accessToken, resource) {
      const known = accessTokens.get(accessToken);
      return known !== undefined && known.expiresAt > Date.now() && known.resource === resource;
    },
    expireAccessTokens() {
      for (const entry of accessTokens.values()) entry.expiresAt = 0;
    },
    revokeRefreshTokens() {
      refreshTokens.clear();
    },
    issuedAccessTokens() {
      return [...accessTokens.keys()];
    },
    close: () => closeServer(server),
  };
}

const METADATA_PATH = "/.well-known/oauth-protected-resource/mcp";

/** @param {import('./oauth-server.d.mts').ProtectedMcpServerOptions} options */
export async function startProtectedMcpServer(options) {
  const requests = [];
  let origin = "";
  const resourceMetadataUrl = () => options.resourceMetadataUrl ?? `${origin}${METADATA_PATH}`;
  const server = await listen(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const body = req.method === "POST" ? await readBody(req) : "";
    requests.push({ method: req.method ?? "", path, authorization: req.headers.authorization });
    if (path === METADATA_PATH && req.method === "GET") {
      return json(res, 200, {
        resource: `${origin}/mcp`,
        authorization_servers: [options.authServer.issuer],
        bearer_methods_supported: ["header"],
        ...(options.scopes === undefined ? {} : { scopes_supported: options.scopes }),
        ...(options.resourceMetadata ?? {}),
      });
    }
    if (path !== "/mcp") return json(res, 404, { error: "not_found" });
    const header = req.headers.authorization ?? "";
    const bearer = header.startsWith("Bearer ") ? header.slice(7) : undefined;
    if (bearer === undefined || !options.authServer.validate(bearer, `${origin}/mcp`)) {
      const parts = [];
      if (options.resourceMetadataUrl !== null) parts.push(`resource_metadata="${resourceMetadataUrl()}"`);
      if (options.scopes !== undefined) parts.push(`scope="${options.scopes.join(" ")}"`);
      if (bearer !== undefined) parts.push('error="invalid_token"');
      return json(res, 401, { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Unauthorized" } }, {
        "www-authenticate": parts.length === 0 ? "Bearer" : `Bearer ${parts.join(", ")}`,
      });
    }
    if (req.method !== "POST") return json(res, 405, { error: "method_not_allowed" }, { allow: "POST" });
    const message = JSON.parse(body);
    if (message.id === undefined) {
      res.writeHead(202);
      return res.end();
    }
    const result =
      message.method === "initialize"
        ? { protocolVersion: message.params?.protocolVersion ?? "2025-11-25", capabilities: { tools: {} }, serverInfo: { name: "oauth-protected-fixture", version: "1.0.0" } }
        : message.method === "tools/list"
          ? { tools: [] }
          : message.method === "ping"
            ? {}
            : undefined;
    if (result === undefined) return json(res, 200, { jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } });
    return json(res, 200, { jsonrpc: "2.0", id: message.id, result });
  });
  origin = `http://127.0.0.1:${server.address().port}`;
  return { url: `${origin}/mcp`, origin, requests, close: () => closeServer(server) };
}
