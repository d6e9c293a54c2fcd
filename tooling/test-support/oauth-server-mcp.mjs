// Shared test support: the MCP endpoints of oauth-server.mjs that accept its tokens: a
// 2025-11-25 protected resource (RFC 9728 metadata, scope challenges) and a 2025-03-26
// server that is its own authorization server. The behaviour is described there.
import { createAuthorizationServer, requestRecord } from "./oauth-server-as.mjs";
import { closeServer, json, listen, originOf, readBody, scopeWords } from "./oauth-server-http.mjs";

const PRM_PATHS = { path: "/.well-known/oauth-protected-resource/mcp", root: "/.well-known/oauth-protected-resource" };

/** `Bearer` with these auth-params (RFC 6750 §3), or plain `Bearer` without any. */
const bearerChallenge = (parts) => (parts.length === 0 ? "Bearer" : `Bearer ${parts.join(", ")}`);

/**
 * Answers one request at `/mcp`: 401 (with `challenge()`) unless the bearer token is
 * `valid`; JSON-RPC in JSON: `initialize`, `ping`, `tools/list`, `tools/call` (403
 * `insufficient_scope` when the token lacks the tool's scope); notifications get 202.
 *
 * @param {{ req: any, res: any, body: string, record: any, tools: readonly { name: string, scope?: string }[] | undefined,
 *   valid(token: string): boolean, tokenScopes(token: string): string[],
 *   challenge(kind: { invalidToken?: boolean, insufficientScope?: string }): string }} call
 */
function answerMcp({ req, res, body, record, tools, valid, tokenScopes, challenge }) {
  const header = req.headers.authorization ?? "";
  const bearer = header.startsWith("Bearer ") ? header.slice(7) : undefined;
  if (bearer === undefined || !valid(bearer)) {
    return json(res, 401, { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Unauthorized" } }, {
      "www-authenticate": challenge({ invalidToken: bearer !== undefined }),
    });
  }
  if (req.method !== "POST") return json(res, 405, { error: "method_not_allowed" }, { allow: "POST" });
  let message;
  try {
    message = JSON.parse(body);
  } catch {
    return json(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
  }
  record.rpcMethod = message.method;
  if (message.id === undefined) {
    res.writeHead(202);
    return res.end();
  }
  const reply = (result) => json(res, 200, { jsonrpc: "2.0", id: message.id, result });
  const fail = (code, text) => json(res, 200, { jsonrpc: "2.0", id: message.id, error: { code, message: text } });
  const listed = tools ?? [];
  switch (message.method) {
    case "initialize":
      return reply({ protocolVersion: message.params?.protocolVersion ?? "2025-11-25", capabilities: { tools: {} }, serverInfo: { name: "oauth-protected-fixture", version: "1.0.0" } });
    case "ping":
      return reply({});
    case "tools/list":
      return reply({ tools: listed.map((tool) => ({ name: tool.name, description: `The ${tool.name} tool`, inputSchema: { type: "object" } })) });
    case "tools/call": {
      const tool = listed.find((t) => t.name === message.params?.name);
      if (tool === undefined) return fail(-32602, `Unknown tool: ${String(message.params?.name)}`);
      const have = tokenScopes(bearer);
      const need = scopeWords(tool.scope);
      if (need.some((w) => !have.includes(w))) {
        const scope = [...new Set([...have, ...need])].join(" ");
        return json(res, 403, { jsonrpc: "2.0", id: message.id, error: { code: -32001, message: `Forbidden: insufficient scope (${tool.name} needs ${need.join(" ")})` } }, {
          "www-authenticate": challenge({ insufficientScope: scope }),
        });
      }
      return reply({ content: [{ type: "text", text: `called ${tool.name}` }] });
    }
    default:
      return fail(-32601, "Method not found");
  }
}

/** @param {import('./oauth-server.d.mts').ProtectedMcpServerOptions} options */
export async function startProtectedMcpServer(options) {
  const requests = [];
  let origin = "";
  const prmLocation = options.prmLocation ?? "path";
  const prmPath = PRM_PATHS[prmLocation];
  if (prmLocation !== "none" && prmPath === undefined) throw new Error(`unknown prmLocation ${prmLocation}`);
  const challengeScopes = options.challengeScopes === undefined ? options.scopes : options.challengeScopes;
  const scopesSupported = options.scopesSupported === undefined ? options.scopes : options.scopesSupported;
  const resourceMetadataUrl = () =>
    options.resourceMetadataUrl === null ? undefined : (options.resourceMetadataUrl ?? (prmPath === undefined ? undefined : `${origin}${prmPath}`));
  const challenge = ({ invalidToken, insufficientScope }) => {
    const metadataUrl = resourceMetadataUrl();
    const pointer = metadataUrl === undefined ? [] : [`resource_metadata="${metadataUrl}"`];
    if (insufficientScope !== undefined) return bearerChallenge(['error="insufficient_scope"', `scope="${insufficientScope}"`, ...pointer]);
    return bearerChallenge([
      ...pointer,
      ...(challengeScopes === undefined || challengeScopes === null ? [] : [`scope="${challengeScopes.join(" ")}"`]),
      ...(invalidToken ? ['error="invalid_token"'] : []),
    ]);
  };
  const server = await listen(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const body = req.method === "POST" ? await readBody(req) : "";
    const record = { method: req.method ?? "", path, authorization: req.headers.authorization };
    requests.push(record);
    if (prmPath !== undefined && path === prmPath && req.method === "GET") {
      return json(res, 200, {
        resource: `${origin}/mcp`,
        authorization_servers: [options.authServer.issuer],
        bearer_methods_supported: ["header"],
        ...(scopesSupported === undefined || scopesSupported === null ? {} : { scopes_supported: scopesSupported }),
        ...(options.resourceMetadata ?? {}),
      });
    }
    if (path !== "/mcp") return json(res, 404, { error: "not_found" });
    return answerMcp({
      req,
      res,
      body,
      record,
      tools: options.tools,
      valid: (token) => options.authServer.validate(token, `${origin}/mcp`),
      tokenScopes: (token) => scopeWords(options.authServer.tokenInfo?.(token)?.scope),
      challenge,
    });
  });
  origin = originOf(server);
  return { url: `${origin}/mcp`, origin, requests, close: () => closeServer(server) };
}

/** @param {import('./oauth-server.d.mts').LegacyAuthMcpServerOptions} [options] */
export async function startLegacyAuthMcpServer(options = {}) {
  const { metadata = true, issuerPath: _ignored, ...rest } = options;
  const core = createAuthorizationServer(rest, metadata ? {} : { metadataLocations: [] });
  const requests = [];
  let origin = "";
  const challenge = ({ invalidToken, insufficientScope }) => {
    if (insufficientScope !== undefined) return bearerChallenge(['error="insufficient_scope"', `scope="${insufficientScope}"`]);
    const scopes = options.challengeScopes ?? null;
    return bearerChallenge([...(scopes === null ? [] : [`scope="${scopes.join(" ")}"`]), ...(invalidToken ? ['error="invalid_token"'] : [])]);
  };
  // A token is good at /mcp when this server issued it, it has not expired, and it was
  // issued for this endpoint or without a resource (2025-03-26 clients need not send one).
  const valid = (token) => {
    const info = core.members.tokenInfo(token);
    return info !== undefined && info.expiresAt > Date.now() && (info.resource === undefined || info.resource === `${origin}/mcp`);
  };
  const server = await listen(async (req, res) => {
    const body = req.method === "POST" ? await readBody(req) : "";
    const { path, params, record } = requestRecord(req, body);
    record.authorization = req.headers.authorization;
    requests.push(record);
    if (path === "/mcp") {
      const tokenScopes = (token) => scopeWords(core.members.tokenInfo(token)?.scope);
      return answerMcp({ req, res, body, record, tools: options.tools, valid, tokenScopes, challenge });
    }
    if (!core.handle({ req, res, path, params, record })) json(res, 404, { error: "not_found" });
  });
  origin = originOf(server);
  core.setOrigin(origin);
  return { ...core.members, url: `${origin}/mcp`, origin, issuer: origin, requests, close: () => closeServer(server) };
}
