// Shared test support (plain ESM so that any workspace test can import it; types in the
// .d.mts beside it). Loopback only: node:http on 127.0.0.1, random ports, nothing fetched.
/**
 * A loopback OAuth 2.1 authorization server for the tests that plays the variants the MCP
 * authorization specification (2025-03-26 and 2025-11-25) allows, and small MCP endpoints
 * that accept its tokens. (The SDK's server-side `mcpAuthRouter` needs express and has
 * neither client credentials, private_key_jwt, Client ID Metadata Documents nor these
 * failure modes, hence this fixture.) Parts: oauth-server-as.mjs (the authorization
 * server as a mountable handler), oauth-server-clients.mjs (clients, redirect matching,
 * token endpoint authentication), oauth-server-mcp.mjs (the MCP endpoints).
 *
 * `startOAuthServer(options)`: issuer `http://127.0.0.1:PORT${issuerPath}`; endpoints
 * `${issuer}/authorize`, `/token`, `/register`, `/jwks` (an empty JWK set, for OIDC).
 * - Metadata (`metadataLocations`, default `['oauth']`): `oauth` = RFC 8414
 *   `/.well-known/oauth-authorization-server${issuerPath}`; `oidc-inserted` =
 *   `/.well-known/openid-configuration${issuerPath}`; `oidc-appended` =
 *   `${issuerPath}/.well-known/openid-configuration`. Every other URL is 404. OIDC
 *   documents add `jwks_uri`, `subject_types_supported`, `id_token_signing_alg_values_supported`.
 *   The request record of a served document names its location (`metadataLocation`).
 * - Clients: `preregisteredClients` (public, any redirect URI), `clients` (any method;
 *   `redirect_uris`, allowed `scope` and `grant_types` enforced when given), dynamic
 *   registration (public; confidential with a `client_secret` when `dcrAuthMethod`; the
 *   registered scope and grant types are not enforced), and with `cimdDocuments` Client ID
 *   Metadata Documents (an https `client_id` looked up in the map, never fetched; its
 *   `client_id` must be the URL; auth `none` only). Redirect URIs match exactly, except
 *   that loopback `http://` URIs match on any port (RFC 8252 §7.3), for every client.
 * - `GET /authorize`: client and redirect URI checked (400 otherwise), PKCE S256 required,
 *   then approved at once: `302 <redirect_uri>?code&state&iss`. A scope outside the
 *   client's allowed `scope` redirects with `error=invalid_scope`; a client whose
 *   `grant_types` lack `authorization_code` gets `error=unauthorized_client`.
 * - `POST /token`: unsupported grant → 400 `unsupported_grant_type`; then the client
 *   authenticates with its registered method (`token_endpoint_auth_methods_supported`
 *   only advertises): `none`, `client_secret_basic` (url-encoded or not),
 *   `client_secret_post`, `private_key_jwt` (ES256/RS256 on the registered PEM; `iss` =
 *   `sub` = client_id; `aud` the issuer or the token endpoint; unexpired, lifetime ≤ 300 s,
 *   30 s skew; `jti` used once). Another method, a wrong secret, a bad assertion → 401
 *   `invalid_client` (with `WWW-Authenticate: Basic`, RFC 6749 §5.2); two methods at once
 *   → 400 `invalid_request`. A refused client does not use up the code. Grants:
 *   `authorization_code` (PKCE verified; `redirect_uri` and `resource` equal the
 *   authorization request's); `refresh_token` (rotated unless `rotateRefreshTokens:
 *   false`; `resource` must equal the original; `scope` may narrow); `client_credentials`
 *   with `clientCredentials: true` (clients from `clients` with a confidential method;
 *   `scope` within the allowed scope, else 400 `invalid_scope`; none asked: the allowed
 *   scope; the token bound to `resource`; no refresh token). Refresh tokens are issued
 *   unless `refreshTokens: false`, the client's `grant_types` lack `refresh_token`, or
 *   `refreshRequiresOfflineAccess` and the scope lacks `offline_access`.
 * - Failure modes (`failure`, switchable with `setFailure`): `no-s256` (metadata without
 *   `code_challenge_methods_supported`), `no-dcr` (no registration), `wrong-iss`,
 *   `wrong-state` (the redirect carries another `iss`/`state`), `deny` (`access_denied`),
 *   `refresh-fails` (`invalid_grant` on refresh), `token-fails` (every token request:
 *   400 `invalid_request` "the fixture refuses this token request").
 * - Recorded: every request (`requests`), every decoded client assertion (`assertions`,
 *   header and claims, with `error` when refused), every metadata document lookup
 *   (`cimdLookups`). `tokenInfo`, `validate`, `validateScopes` answer for issued tokens.
 *
 * `startProtectedMcpServer({ authServer })`: `/mcp` (401 unless the bearer token is one
 * `authServer` issued for this URL) and the RFC 9728 metadata at `prmLocation` (`path`:
 * `/.well-known/oauth-protected-resource/mcp`, `root`: `/.well-known/oauth-protected-resource`,
 * `none`: not served, and the 401 then has no `resource_metadata` unless
 * `resourceMetadataUrl` names one). JSON-RPC: `initialize`, `ping`, `tools/list`,
 * `tools/call` (403 `insufficient_scope` with the token's scopes plus the tool's; an
 * unknown tool, or any tool when `tools` is not given, is JSON-RPC -32602).
 *
 * `startLegacyAuthMcpServer(options)`: a 2025-03-26 server that is its own authorization
 * server: `/mcp` plus the endpoints above at the origin root, metadata at
 * `/.well-known/oauth-authorization-server` when `metadata` (default true), no protected
 * resource metadata, a 401 challenge without `resource_metadata` (`Bearer`, or
 * `Bearer error="invalid_token"` for a refused token). Its tokens are good at `/mcp` when
 * issued without `resource` or for that URL.
 */
import { createAuthorizationServer, requestRecord } from "./oauth-server-as.mjs";
import { closeServer, json, listen, originOf, readBody } from "./oauth-server-http.mjs";

export { redirectMatches } from "./oauth-server-clients.mjs";
export { startLegacyAuthMcpServer, startProtectedMcpServer } from "./oauth-server-mcp.mjs";

/** @param {import('./oauth-server.d.mts').OAuthServerOptions} [options] */
export async function startOAuthServer(options = {}) {
  const core = createAuthorizationServer(options);
  const requests = [];
  const server = await listen(async (req, res) => {
    const body = req.method === "POST" ? await readBody(req) : "";
    const { path, params, record } = requestRecord(req, body);
    requests.push(record);
    if (!core.handle({ req, res, path, params, record })) json(res, 404, { error: "not_found" });
  });
  const origin = originOf(server);
  core.setOrigin(origin);
  return { ...core.members, issuer: core.issuer(), url: core.issuer(), origin, requests, close: () => closeServer(server) };
}
