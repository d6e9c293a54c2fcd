// Shared test support: the clients of the loopback authorization server (oauth-server.mjs):
// who they are (pre-registered, configured, dynamically registered, Client ID Metadata
// Documents), which redirect URIs they may use, and how they authenticate at the token
// endpoint (RFC 6749 §2.3, RFC 7523 private_key_jwt). Error descriptions never carry a
// secret, a token or an assertion.
import { createPublicKey, verify as verifySignature } from "node:crypto";
import { randomToken } from "./oauth-server-http.mjs";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** How far a client's clock may be off, in seconds (assertion `exp`/`iat`). */
const SKEW_SECONDS = 30;
/** The longest assertion lifetime accepted (`exp - iat`), skew aside. */
const MAX_ASSERTION_LIFETIME = 300;

const isLoopbackHttp = (url) => url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]");

/**
 * Whether a presented redirect URI matches a registered one: the same string, or two
 * loopback `http://` URIs that differ only in the port (RFC 8252 §7.3: native clients
 * listen on an ephemeral port).
 */
export function redirectMatches(registered, presented) {
  if (registered === presented) return true;
  let a;
  let b;
  try {
    a = new URL(registered);
    b = new URL(presented);
  } catch {
    return false;
  }
  return isLoopbackHttp(a) && isLoopbackHttp(b) && a.hostname === b.hostname && a.pathname === b.pathname && a.search === b.search && b.username === "" && b.password === "" && b.hash === "";
}

/** `s`, and its form-urlencoded decoding when that differs (RFC 6749 §2.3.1 asks for it; many clients skip it). */
function encodedVariants(s) {
  try {
    const decoded = decodeURIComponent(s.replace(/\+/g, " "));
    return decoded === s ? [s] : [s, decoded];
  } catch {
    return [s];
  }
}

/** The id and secret candidates of `Authorization: Basic …`; null when malformed, undefined when another scheme. */
function parseBasic(header) {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (match === null) return /^Basic\b/i.test(header) ? null : undefined;
  const text = Buffer.from(match[1], "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return null;
  return { ids: encodedVariants(text.slice(0, colon)), secrets: encodedVariants(text.slice(colon + 1)) };
}

const decodePart = (part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

/**
 * The clients of one authorization server.
 *
 * @param {import('./oauth-server.d.mts').OAuthServerOptions} options
 * @param {{ issuer(): string, tokenEndpoint(): string, assertions: unknown[], cimdLookups: string[] }} context
 */
export function createClientRegistry(options, context) {
  const clients = new Map();
  const seenJti = new Set();
  const configuredIds = new Set();
  for (const id of options.preregisteredClients ?? []) clients.set(id, { client_id: id, token_endpoint_auth_method: "none", redirect_uris: undefined });
  for (const client of options.clients ?? []) {
    const method = client.token_endpoint_auth_method;
    if ((method === "client_secret_basic" || method === "client_secret_post") && typeof client.client_secret !== "string") throw new Error(`client ${client.client_id}: ${method} needs a client_secret`);
    if (method === "private_key_jwt" && typeof client.public_key_pem !== "string") throw new Error(`client ${client.client_id}: private_key_jwt needs a public_key_pem`);
    clients.set(client.client_id, { ...client });
    configuredIds.add(client.client_id);
  }

  /** A Client ID Metadata Document client (the map stands in for fetching the URL). */
  function cimdClient(url) {
    context.cimdLookups.push(url);
    const doc = options.cimdDocuments?.[url];
    if (doc === undefined || doc === null || typeof doc !== "object") return { error: "invalid_client", description: "no client metadata document at this client_id URL" };
    if (doc.client_id !== url) return { error: "invalid_client", description: "the client metadata document's client_id is not its URL" };
    if ((doc.token_endpoint_auth_method ?? "none") !== "none") return { error: "invalid_client", description: "client metadata document clients must use token_endpoint_auth_method none here" };
    const uris = Array.isArray(doc.redirect_uris) ? doc.redirect_uris : [];
    return { client: { client_id: url, token_endpoint_auth_method: "none", redirect_uris: uris, cimd: true } };
  }

  /** The client with this id: registered, or a metadata document when `cimdDocuments` is on. */
  function find(id) {
    const known = clients.get(id);
    if (known !== undefined) return { client: known };
    if (options.cimdDocuments !== undefined && id.startsWith("https://")) return cimdClient(id);
    return { error: "invalid_client", description: "unknown client" };
  }

  /** RFC 7523 §3 checks of a client assertion; returns an error description, or undefined when valid. */
  function checkAssertion(client, header, claims, signingInput, signature) {
    let key;
    try {
      key = createPublicKey(client.public_key_pem);
    } catch {
      return "the registered public key cannot be read";
    }
    const ec = key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1";
    if (header.alg === "ES256" ? !ec : header.alg === "RS256" ? key.asymmetricKeyType !== "rsa" : true) return `alg ${String(header.alg)} does not match the registered key`;
    const keyOptions = header.alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" } : key;
    if (!verifySignature("sha256", Buffer.from(signingInput), keyOptions, signature)) return "bad assertion signature";
    if (claims.iss !== client.client_id || claims.sub !== client.client_id) return "assertion iss and sub must be the client_id";
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.some((aud) => aud === context.issuer() || aud === context.tokenEndpoint())) return "assertion aud is neither the issuer nor the token endpoint";
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== "number" || claims.exp + SKEW_SECONDS <= now) return "assertion expired";
    const iat = typeof claims.iat === "number" ? claims.iat : now;
    if (iat > now + SKEW_SECONDS) return "assertion iat is in the future";
    if (claims.exp - iat > MAX_ASSERTION_LIFETIME + SKEW_SECONDS) return `assertion lifetime exceeds ${MAX_ASSERTION_LIFETIME} s`;
    if (typeof claims.jti !== "string" || claims.jti === "") return "assertion without jti";
    if (seenJti.has(claims.jti)) return "jti replayed";
    seenJti.add(claims.jti);
    return undefined;
  }

  const refuse = (description, status = 401, error = "invalid_client") => ({ status, error, description });

  return {
    clients,

    /** Whether the client came from `options.clients` (the only ones allowed client credentials). */
    configured: (id) => configuredIds.has(id),

    /** RFC 7591 registration: a public client, or a confidential one with `dcrAuthMethod`. */
    register(meta) {
      const confidential = options.dcrAuthMethod !== undefined;
      const client = {
        ...meta,
        client_id: `client-${randomToken()}`,
        client_id_issued_at: Math.floor(Date.now() / 1000),
        token_endpoint_auth_method: confidential ? options.dcrAuthMethod : "none",
        ...(confidential ? { client_secret: `cs-${randomToken()}`, client_secret_expires_at: 0 } : {}),
      };
      // The registered scope and grant types are echoed but not enforced for dynamic clients.
      clients.set(client.client_id, { ...client, scope: undefined, grant_types: undefined });
      return client;
    },

    /** The client of an authorization request, its redirect URI checked; else a 400 error. */
    forAuthorization(clientId, redirectUri) {
      const found = find(clientId);
      if (found.client === undefined) return refuse(found.description, 400, found.error);
      const uris = found.client.redirect_uris;
      if (uris !== undefined && !uris.some((registered) => redirectMatches(registered, redirectUri))) {
        return refuse("redirect_uri is not registered for this client", 400, "invalid_redirect_uri");
      }
      return { client: found.client };
    },

    /**
     * Authenticates the client of a token request by its registered method.
     *
     * @param {URLSearchParams} params the form body
     * @param {Record<string, string | string[] | undefined>} headers
     * @returns {{ client: object } | { status: number, error: string, description: string }}
     */
    authenticate(params, headers) {
      const authorization = typeof headers.authorization === "string" ? headers.authorization : undefined;
      const basic = authorization === undefined ? undefined : parseBasic(authorization);
      if (authorization !== undefined && basic === undefined) return refuse("unsupported Authorization scheme at the token endpoint");
      if (basic === null) return refuse("malformed Basic credentials");
      const presented = [];
      if (basic !== undefined) presented.push("client_secret_basic");
      if (params.has("client_secret")) presented.push("client_secret_post");
      if (params.has("client_assertion") || params.has("client_assertion_type")) presented.push("private_key_jwt");
      if (presented.length > 1) return refuse("more than one client authentication method", 400, "invalid_request");
      const method = presented[0] ?? "none";
      const bodyId = params.get("client_id") ?? undefined;

      let id = bodyId;
      let jwt;
      if (method === "client_secret_basic") {
        id = basic.ids.find((candidate) => clients.has(candidate)) ?? basic.ids.at(-1);
        if (bodyId !== undefined && !basic.ids.includes(bodyId)) return refuse("client_id differs from the Basic credentials");
      } else if (method === "private_key_jwt") {
        if (params.get("client_assertion_type") !== JWT_BEARER) return refuse("unsupported client_assertion_type");
        const parts = (params.get("client_assertion") ?? "").split(".");
        try {
          if (parts.length !== 3) throw new Error("parts");
          jwt = { header: decodePart(parts[0]), claims: decodePart(parts[1]), signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], "base64url") };
        } catch {
          return refuse("malformed client assertion");
        }
        const record = { header: jwt.header, claims: jwt.claims };
        context.assertions.push(record);
        jwt.record = record;
        id = bodyId ?? (typeof jwt.claims.sub === "string" ? jwt.claims.sub : undefined);
      }
      if (id === undefined || id === "") return refuse("no client_id");
      const found = find(id);
      if (found.client === undefined) return refuse(found.description);
      const client = found.client;
      const registered = client.token_endpoint_auth_method ?? "none";
      if (registered !== method) return refuse(`this client authenticates with ${registered}, not ${method}`);
      if (method === "client_secret_basic" && !basic.secrets.includes(client.client_secret)) return refuse("wrong client secret");
      if (method === "client_secret_post" && params.get("client_secret") !== client.client_secret) return refuse("wrong client secret");
      if (method === "private_key_jwt") {
        const problem = checkAssertion(client, jwt.header, jwt.claims, jwt.signingInput, jwt.signature);
        if (problem !== undefined) {
          jwt.record.error = problem;
          return refuse(problem);
        }
        jwt.record.clientId = client.client_id;
      }
      return { client };
    },
  };
}
