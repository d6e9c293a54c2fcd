/**
 * Finding the authorization server of a remote MCP server (MCP 2025-11-25
 * "Authorization"): an unauthenticated request to the server, whose 401 names the
 * protected resource metadata (RFC 9728) in `WWW-Authenticate`; else the well-known
 * location; then the authorization server metadata (RFC 8414, OpenID Connect discovery).
 *
 * The SDK's discovery functions do the fetching and parsing; this module adds what the
 * SDK's `auth()` leaves out: a failed metadata fetch is an error (the SDK falls back to the
 * server's origin silently, even when the guard refused the address), the metadata must be
 * for this server, the issuer must be the URL it was discovered from, and PKCE S256 must
 * be advertised.
 */
import {
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
} from '@modelcontextprotocol/sdk/client/auth.js';
import type { AuthorizationServerMetadata, OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { checkResourceAllowed } from '@modelcontextprotocol/sdk/shared/auth-utils.js';
import { RemoteError } from '../errors.js';
import type { GuardedFetch } from '../net/guarded-fetch.js';
import { endpointOf, isLoopbackUrl } from '../net/upstream-url.js';

/** What {@link discoverAuthorization} found. */
export interface DiscoveredAuthorization {
  /** The canonical URL of the MCP server: the `resource` parameter and the store key. */
  resource: string;
  /** Where the protected resource metadata came from, when the server published it. */
  resourceMetadataUrl?: string;
  /** The protected resource metadata, when the server published it. */
  resourceMetadata?: OAuthProtectedResourceMetadata;
  /** The URL the authorization server metadata was discovered from. */
  authorizationServerUrl: string;
  /** The authorization server metadata. */
  metadata: AuthorizationServerMetadata;
  /** The scope to ask for: see {@link chooseScope}. */
  scope?: string;
  /** No metadata anywhere: a 2025-03-26 server's default endpoints are used ({@link legacyDefaultMetadata}). */
  legacyDefaults?: boolean;
}

/** Probe body: an `initialize` request, as a client without credentials would send first. */
const PROBE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mcptrust-auth', version: '1' } },
});

/**
 * The canonical URL of a server (RFC 8707 resource indicator, MCP "Canonical Server
 * URI"): scheme and host in lower case, no query or fragment, no lone trailing slash.
 *
 * @param url - the parsed server URL
 * @returns e.g. `https://mcp.example.com/mcp`
 */
export function canonicalResource(url: URL): string {
  return url.pathname === '/' ? url.origin : endpointOf(url);
}

/** A message cut to a length fit for one line. */
function short(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * Runs one OAuth step: a `RemoteError` passes unchanged (the guard's refusals keep their
 * code); anything else becomes `OAUTH_FAILED` naming the step.
 */
export async function oauthStep<T>(step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RemoteError) throw error;
    const code = (error as { errorCode?: unknown } | null)?.errorCode;
    const message = error instanceof Error ? error.message : String(error);
    // An OAuth error answer (the SDK's OAuthError): its RFC 6749 code, then its description.
    const detail = typeof code === 'string' && code !== '' ? `${code}${message === '' ? '' : ` (${message})`}` : message;
    throw new RemoteError('OAUTH_FAILED', `OAuth ${step} failed: ${short(detail)}`, { cause: error });
  }
}

/**
 * Refuses a URL a server supplied for the browser or for a token request: `https://`, or
 * `http://` to a loopback host when `allowLoopback`.
 *
 * @throws RemoteError `INSECURE_URL`
 */
export function checkServerSuppliedUrl(raw: string, what: string, allowLoopback: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RemoteError('INSECURE_URL', `Refusing the ${what}: not a valid URL`);
  }
  if (url.protocol === 'https:' && url.username === '' && url.password === '') return url;
  if (url.protocol === 'http:' && allowLoopback && isLoopbackUrl(url) && url.username === '' && url.password === '') return url;
  const shown = url.protocol === 'https:' || url.protocol === 'http:' ? endpointOf(url) : `a ${url.protocol} URL`;
  throw new RemoteError('INSECURE_URL', `Refusing the ${what} ${shown}: only https:// URLs are allowed${allowLoopback ? ' (or http:// to a loopback host)' : ''}`);
}

/** Sends the unauthenticated probe; returns the 401/403 challenge's parameters, if any. */
async function probe(server: URL, fetchFn: GuardedFetch, signal: AbortSignal | undefined): Promise<{ unauthorized: boolean; resourceMetadataUrl?: URL; scope?: string }> {
  const response = await fetchFn(server, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: PROBE_BODY,
    ...(signal === undefined ? {} : { signal }),
  });
  await response.body?.cancel().catch(() => undefined);
  if (response.status === 401 || response.status === 403) {
    const params = extractWWWAuthenticateParams(response);
    return {
      unauthorized: true,
      ...(params.resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl: params.resourceMetadataUrl }),
      ...(params.scope === undefined ? {} : { scope: params.scope }),
    };
  }
  const session = response.headers.get('mcp-session-id');
  if (response.ok && session !== null && /^[\x21-\x7e]{1,1024}$/.test(session)) {
    // The server opened a session for the probe: end it (a failure does not matter).
    await fetchFn(server, { method: 'DELETE', headers: { 'mcp-session-id': session } })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  }
  return { unauthorized: false };
}

/** The issuer as RFC 8414 compares it: the same URL, a trailing slash aside. */
function sameIssuer(a: string, b: string): boolean {
  const strip = (s: string): string => (s.endsWith('/') ? s.slice(0, -1) : s);
  return strip(a) === strip(b);
}

/** The grant a discovery is for: the person's authorization code flow, or a machine's client credentials. */
export type OAuthGrant = 'authorization_code' | 'client_credentials';

/**
 * Checks authorization server metadata before any use: the issuer is the URL it was
 * discovered from, the endpoints are https (or loopback http), and for the authorization
 * code grant PKCE S256 is advertised; for client credentials, the grant is not excluded
 * by `grant_types_supported`.
 *
 * @throws RemoteError `OAUTH_FAILED` or `INSECURE_URL`
 */
export function checkAuthorizationServer(metadata: AuthorizationServerMetadata, authorizationServerUrl: string, allowLoopback: boolean, grant: OAuthGrant = 'authorization_code'): void {
  if (!sameIssuer(metadata.issuer, authorizationServerUrl)) {
    throw new RemoteError('OAUTH_FAILED', `The authorization server metadata of ${authorizationServerUrl} names another issuer (${short(metadata.issuer, 120)}); refusing it`);
  }
  if (grant === 'authorization_code') {
    const methods = metadata.code_challenge_methods_supported;
    if (!Array.isArray(methods) || !methods.includes('S256')) {
      throw new RemoteError(
        'OAUTH_FAILED',
        `The authorization server ${metadata.issuer} does not advertise PKCE S256 (code_challenge_methods_supported); MCP requires it, so mcptrust will not log in there`,
      );
    }
    checkServerSuppliedUrl(metadata.authorization_endpoint, 'authorization endpoint', allowLoopback);
  } else {
    const grants = metadata.grant_types_supported;
    if (Array.isArray(grants) && !grants.includes('client_credentials')) {
      throw new RemoteError('OAUTH_FAILED', `The authorization server ${metadata.issuer} does not offer the client_credentials grant (grant_types_supported: ${short(grants.join(' '), 120)})`);
    }
  }
  checkServerSuppliedUrl(metadata.token_endpoint, 'token endpoint', allowLoopback);
  if (metadata.registration_endpoint !== undefined) checkServerSuppliedUrl(metadata.registration_endpoint, 'registration endpoint', allowLoopback);
}

/**
 * The endpoints a 2025-03-26 server without authorization server metadata has by default
 * (MCP 2025-03-26 "Fallbacks for Servers without Metadata Discovery"): `/authorize`,
 * `/token` and `/register` at the server's origin, which is the issuer. That revision
 * made PKCE mandatory for every client, so S256 is implied.
 */
export function legacyDefaultMetadata(origin: string): AuthorizationServerMetadata {
  return {
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    registration_endpoint: `${origin}/register`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  } as AuthorizationServerMetadata;
}

/**
 * The scope to ask for: the challenge's `scope`, else the protected resource's
 * `scopes_supported`, else none; `offline_access` (a refresh token) is added when the
 * authorization server lists it, and dropped when it does not.
 */
export function chooseScope(challengeScope: string | undefined, resourceMetadata: OAuthProtectedResourceMetadata | undefined, metadata: AuthorizationServerMetadata): string | undefined {
  const base = challengeScope ?? (resourceMetadata?.scopes_supported?.length ? resourceMetadata.scopes_supported.join(' ') : undefined);
  const offered = Array.isArray(metadata.scopes_supported) && metadata.scopes_supported.includes('offline_access');
  const words = (base ?? '').split(' ').filter((w) => w !== '' && w !== 'offline_access');
  if (words.length === 0 && !offered) return undefined;
  if (offered && (metadata.grant_types_supported === undefined || metadata.grant_types_supported.includes('refresh_token'))) words.push('offline_access');
  return words.length === 0 ? undefined : [...new Set(words)].join(' ');
}

/**
 * Discovers the authorization server of `server`.
 *
 * @param server - the configured MCP server URL (already checked by `parseUpstreamUrl`)
 * @param fetchFn - the guarded fetch every request goes through
 * @param options - `allowLoopback`: the server itself is loopback; `signal`: abort
 * @returns what was found
 * @throws RemoteError `OAUTH_FAILED` (no metadata, metadata for another resource, another
 *   issuer, no S256), `INSECURE_URL`/`BLOCKED_ADDRESS`/`NETWORK_ERROR` from the guard
 */
export async function discoverAuthorization(
  server: URL,
  fetchFn: GuardedFetch,
  options: { allowLoopback: boolean; signal?: AbortSignal; grant?: OAuthGrant },
): Promise<DiscoveredAuthorization> {
  const grant = options.grant ?? 'authorization_code';
  const resource = canonicalResource(server);
  const challenge = await oauthStep('probe of the server', () => probe(server, fetchFn, options.signal));
  let resourceMetadata: OAuthProtectedResourceMetadata | undefined;
  try {
    resourceMetadata = await discoverOAuthProtectedResourceMetadata(
      server,
      challenge.resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl: challenge.resourceMetadataUrl },
      fetchFn,
    );
  } catch (error) {
    // Without a pointer from the server, a missing document means an older server (MCP
    // 2025-03-26: the server's origin is the authorization server). Anything else fails.
    const missing = error instanceof Error && !(error instanceof RemoteError) && /does not implement/.test(error.message);
    if (challenge.resourceMetadataUrl !== undefined || !missing) {
      await oauthStep('protected resource metadata discovery', () => Promise.reject(error));
    }
  }
  if (resourceMetadata !== undefined && !checkResourceAllowed({ requestedResource: resource, configuredResource: resourceMetadata.resource })) {
    throw new RemoteError('OAUTH_FAILED', `The protected resource metadata is for ${short(resourceMetadata.resource, 200)}, not for ${resource}; refusing it`);
  }
  const authorizationServerUrl = resourceMetadata?.authorization_servers?.[0] ?? server.origin;
  let metadata = await oauthStep('authorization server metadata discovery', () => discoverAuthorizationServerMetadata(authorizationServerUrl, { fetchFn }));
  let legacy = false;
  if (metadata === undefined) {
    if (resourceMetadata === undefined && !challenge.unauthorized) {
      throw new RemoteError('OAUTH_FAILED', `OAuth discovery failed: ${resource} did not ask for authorization and publishes no OAuth metadata: there is nothing to log in to`);
    }
    if (resourceMetadata !== undefined) {
      throw new RemoteError('OAUTH_FAILED', `OAuth discovery failed: no authorization server metadata (RFC 8414 or OpenID) found for ${short(authorizationServerUrl, 200)}`);
    }
    // A 2025-03-26 server: it is its own authorization server, with the default endpoints.
    metadata = legacyDefaultMetadata(server.origin);
    legacy = true;
  }
  checkAuthorizationServer(metadata, authorizationServerUrl, options.allowLoopback, grant);
  const scope = chooseScope(challenge.scope, resourceMetadata, metadata);
  return {
    resource,
    ...(challenge.resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl: challenge.resourceMetadataUrl.href }),
    ...(resourceMetadata === undefined ? {} : { resourceMetadata }),
    authorizationServerUrl,
    metadata,
    ...(scope === undefined ? {} : { scope }),
    ...(legacy ? { legacyDefaults: true } : {}),
  };
}
