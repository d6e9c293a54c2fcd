// Shared test support: the authorization server of oauth-server.mjs as a request handler
// that can be mounted at any origin (its own server, or the legacy MCP server that is its
// own authorization server). The behaviour is described in oauth-server.mjs.
import { createHash } from "node:crypto";
import { createClientRegistry } from "./oauth-server-clients.mjs";
import { json, oauthError, randomToken, scopeWords } from "./oauth-server-http.mjs";

const CONFIDENTIAL = new Set(["client_secret_basic", "client_secret_post", "private_key_jwt"]);

/** The discovery path of each metadata location, for an issuer path (`''` or `/x`). */
function metadataPaths(issuerPath, locations) {
  const paths = new Map();
  for (const location of locations) {
    if (location === "oauth") paths.set(`/.well-known/oauth-authorization-server${issuerPath}`, location);
    else if (location === "oidc-inserted") paths.set(`/.well-known/openid-configuration${issuerPath}`, location);
    else if (location === "oidc-appended") paths.set(`${issuerPath}/.well-known/openid-configuration`, location);
    else throw new Error(`unknown metadata location ${location}`);
  }
  return paths;
}

/**
 * Creates the authorization server's state and handler.
 *
 * @param {import('./oauth-server.d.mts').OAuthServerOptions} options
 * @param {{ metadataLocations?: readonly string[] }} [mount] overrides (the legacy server's `metadata: false` serves none)
 */
export function createAuthorizationServer(options = {}, mount = {}) {
  const issuerPath = options.issuerPath ?? "";
  if (issuerPath !== "" && (!issuerPath.startsWith("/") || issuerPath.endsWith("/"))) throw new Error("issuerPath must start with / and not end with /");
  let failure = options.failure;
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  const scopesSupported = options.scopesSupported ?? ["mcp:read", "mcp:write"];
  const authMethods = options.tokenEndpointAuthMethods ?? ["none"];
  const grantTypes = ["authorization_code", "refresh_token", ...(options.clientCredentials === true ? ["client_credentials"] : [])];
  const locations = metadataPaths(issuerPath, mount.metadataLocations ?? options.metadataLocations ?? ["oauth"]);
  const codes = new Map();
  const accessTokens = new Map();
  const refreshTokens = new Map();
  const assertions = [];
  const cimdLookups = [];
  let origin = "";
  const issuer = () => `${origin}${issuerPath}`;
  const registry = createClientRegistry(options, { issuer, tokenEndpoint: () => `${issuer()}/token`, assertions, cimdLookups });

  const metadata = (location) => ({
    issuer: issuer(),
    authorization_endpoint: `${issuer()}/authorize`,
    token_endpoint: `${issuer()}/token`,
    ...(failure === "no-dcr" ? {} : { registration_endpoint: `${issuer()}/register` }),
    response_types_supported: ["code"],
    grant_types_supported: grantTypes,
    token_endpoint_auth_methods_supported: authMethods,
    ...(authMethods.includes("private_key_jwt") ? { token_endpoint_auth_signing_alg_values_supported: ["ES256", "RS256"] } : {}),
    ...(failure === "no-s256" ? {} : { code_challenge_methods_supported: ["S256"] }),
    authorization_response_iss_parameter_supported: true,
    scopes_supported: scopesSupported,
    ...(options.cimdDocuments === undefined ? {} : { client_id_metadata_document_supported: true }),
    ...(location === "oauth" ? {} : { jwks_uri: `${issuer()}/jwks`, subject_types_supported: ["public"], id_token_signing_alg_values_supported: ["RS256"] }),
    ...(options.metadataOverrides ?? {}),
  });

  /** Issues an access token (and a refresh token when the rules allow one). */
  const issue = (client, grant, resource, scope, refreshScope = scope) => {
    const access = options.accessToken?.() ?? `at-${randomToken()}`;
    accessTokens.set(access, { clientId: client.client_id, resource, scope, grant, expiresAt: Date.now() + ttl * 1000 });
    const answer = { access_token: access, token_type: "Bearer", expires_in: ttl, ...(scope === undefined ? {} : { scope }) };
    const refresh =
      options.refreshTokens !== false &&
      grant !== "client_credentials" &&
      (client.grant_types === undefined || client.grant_types.includes("refresh_token")) &&
      (options.refreshRequiresOfflineAccess !== true || scopeWords(refreshScope).includes("offline_access"));
    if (refresh) {
      const token = `rt-${randomToken()}`;
      refreshTokens.set(token, { clientId: client.client_id, resource, scope: refreshScope });
      answer.refresh_token = token;
    }
    return answer;
  };

  /** Words of `requested` the client may not have (its `scope`; undefined: any). */
  const disallowed = (client, requested) => {
    if (typeof client.scope !== "string") return [];
    const allowed = scopeWords(client.scope);
    return scopeWords(requested).filter((w) => !allowed.includes(w));
  };

  function authorize(params, res) {
    const redirectUri = params.get("redirect_uri") ?? "";
    const found = registry.forAuthorization(params.get("client_id") ?? "", redirectUri);
    if (found.client === undefined) return oauthError(res, found.status, found.error, found.description);
    const client = found.client;
    if (params.get("response_type") !== "code") return oauthError(res, 400, "unsupported_response_type");
    if (params.get("code_challenge_method") !== "S256" || !params.get("code_challenge")) return oauthError(res, 400, "invalid_request", "PKCE S256 required");
    const target = new URL(redirectUri);
    const state = params.get("state");
    const sentState = failure === "wrong-state" ? "forged-state" : state;
    if (sentState !== null) target.searchParams.set("state", sentState);
    target.searchParams.set("iss", failure === "wrong-iss" ? "http://127.0.0.1:1" : issuer());
    const scope = params.get("scope") ?? undefined;
    if (failure === "deny") {
      target.searchParams.set("error", "access_denied");
    } else if (client.grant_types !== undefined && !client.grant_types.includes("authorization_code")) {
      target.searchParams.set("error", "unauthorized_client");
    } else if (disallowed(client, scope).length > 0) {
      target.searchParams.set("error", "invalid_scope");
      target.searchParams.set("error_description", `scope not allowed for this client: ${disallowed(client, scope).join(" ")}`);
    } else {
      const code = `code-${randomToken()}`;
      codes.set(code, { clientId: client.client_id, redirectUri, challenge: params.get("code_challenge"), resource: params.get("resource") ?? undefined, scope });
      target.searchParams.set("code", code);
    }
    res.writeHead(302, { location: target.href });
    res.end();
  }

  function token(params, headers, res) {
    if (failure === "token-fails") return oauthError(res, 400, "invalid_request", "the fixture refuses this token request");
    const grant = params.get("grant_type") ?? "";
    if (!grantTypes.includes(grant)) return oauthError(res, 400, "unsupported_grant_type");
    const auth = registry.authenticate(params, headers);
    if (auth.client === undefined) return oauthError(res, auth.status, auth.error, auth.description);
    const client = auth.client;
    const clientId = client.client_id;
    if (client.grant_types !== undefined && !client.grant_types.includes(grant)) return oauthError(res, 400, "unauthorized_client", `this client may not use ${grant}`);
    const resource = params.get("resource") ?? undefined;
    if (grant === "authorization_code") {
      const code = codes.get(params.get("code") ?? "");
      codes.delete(params.get("code") ?? "");
      if (code === undefined || code.clientId !== clientId) return oauthError(res, 400, "invalid_grant", "unknown code");
      if (code.redirectUri !== params.get("redirect_uri")) return oauthError(res, 400, "invalid_grant", "redirect_uri mismatch");
      const verifier = params.get("code_verifier") ?? "";
      if (createHash("sha256").update(verifier).digest("base64url") !== code.challenge) return oauthError(res, 400, "invalid_grant", "PKCE verification failed");
      if (resource !== code.resource) return oauthError(res, 400, "invalid_target", "resource differs from the authorization request");
      if (options.expectedResource !== undefined && resource !== options.expectedResource) return oauthError(res, 400, "invalid_target");
      return json(res, 200, issue(client, grant, resource, code.scope));
    }
    if (grant === "refresh_token") {
      const presented = params.get("refresh_token") ?? "";
      const known = refreshTokens.get(presented);
      if (failure === "refresh-fails" || known === undefined || known.clientId !== clientId) return oauthError(res, 400, "invalid_grant");
      if (resource !== undefined && resource !== known.resource) return oauthError(res, 400, "invalid_target");
      const requested = params.get("scope") ?? undefined;
      const extra = scopeWords(requested).filter((w) => !scopeWords(known.scope).includes(w));
      if (extra.length > 0) return oauthError(res, 400, "invalid_scope", `scope not granted originally: ${extra.join(" ")}`);
      if (options.rotateRefreshTokens !== false) refreshTokens.delete(presented);
      const answer = issue(client, grant, known.resource, requested ?? known.scope, known.scope);
      if (options.rotateRefreshTokens === false && answer.refresh_token !== undefined) {
        refreshTokens.delete(answer.refresh_token);
        answer.refresh_token = presented;
      }
      return json(res, 200, answer);
    }
    // client_credentials (RFC 6749 §4.4): confidential clients only; no refresh token.
    if (!CONFIDENTIAL.has(client.token_endpoint_auth_method) || !registry.configured(clientId)) {
      return oauthError(res, 400, "unauthorized_client", "client_credentials is for confidential clients");
    }
    const requested = params.get("scope") ?? undefined;
    const refused = disallowed(client, requested);
    if (refused.length > 0) return oauthError(res, 400, "invalid_scope", `scope not allowed for this client: ${refused.join(" ")}`);
    if (options.expectedResource !== undefined && resource !== options.expectedResource) return oauthError(res, 400, "invalid_target");
    return json(res, 200, issue(client, grant, resource, requested ?? client.scope));
  }

  function register(record, res) {
    if (failure === "no-dcr") return json(res, 404, { error: "not_found" });
    const meta = record.json;
    if (meta === null || typeof meta !== "object" || !Array.isArray(meta.redirect_uris) || meta.redirect_uris.length === 0) {
      return oauthError(res, 400, "invalid_redirect_uri");
    }
    return json(res, 201, registry.register(meta));
  }

  const info = (accessToken) => accessTokens.get(accessToken);

  return {
    issuerPath,
    /** Sets the origin once the server listens. */
    setOrigin(value) {
      origin = value;
    },
    issuer,
    /**
     * Answers a request for the authorization server; false when the path is not one of its.
     *
     * @param {{ req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, path: string, params: URLSearchParams, record: any }} request
     */
    handle({ req, res, path, params, record }) {
      const location = locations.get(path);
      if (location !== undefined && req.method === "GET") {
        record.metadataLocation = location;
        json(res, 200, metadata(location));
      } else if (path === `${issuerPath}/jwks` && req.method === "GET") json(res, 200, { keys: [] });
      else if (path === `${issuerPath}/register` && req.method === "POST") register(record, res);
      else if (path === `${issuerPath}/authorize` && req.method === "GET") authorize(params, res);
      else if (path === `${issuerPath}/token` && req.method === "POST") token(params, req.headers, res);
      else return false;
      return true;
    },
    /** The members of a running server (see `OAuthServer`), without issuer, url, requests and close. */
    members: {
      assertions,
      cimdLookups,
      setFailure(mode) {
        failure = mode;
      },
      validate(accessToken, resource) {
        const known = info(accessToken);
        return known !== undefined && known.expiresAt > Date.now() && known.resource === resource;
      },
      validateScopes(accessToken, resource, required) {
        const known = info(accessToken);
        if (known === undefined || known.expiresAt <= Date.now() || known.resource !== resource) return "invalid";
        const granted = scopeWords(known.scope);
        return required.every((w) => granted.includes(w)) ? "ok" : "insufficient_scope";
      },
      tokenInfo(accessToken) {
        const known = info(accessToken);
        return known === undefined ? undefined : { ...known };
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
    },
  };
}

/**
 * Reads a request for the authorization server: its path, its parameters (query for GET,
 * form body for POST) and the record kept in `requests` (a JSON body in `json`).
 *
 * @param {import('node:http').IncomingMessage} req
 * @param {string} body the request body (read by the caller)
 */
export function requestRecord(req, body) {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const isJson = /json/i.test(String(req.headers["content-type"] ?? "")) || url.pathname.endsWith("/register");
  const params = req.method === "POST" ? new URLSearchParams(isJson ? "" : body) : url.searchParams;
  const record = { method: req.method ?? "", path: url.pathname, params: Object.fromEntries(params), headers: req.headers };
  if (req.method === "POST" && isJson) {
    try {
      record.json = JSON.parse(body || "null");
    } catch {
      record.json = undefined;
    }
  }
  return { path: url.pathname, params, record };
}
