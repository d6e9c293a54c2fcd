/**
 * Machine-to-machine OAuth for remote MCP servers: the OAuth client credentials grant
 * (RFC 6749 §4.4) as the MCP "OAuth Client Credentials" extension
 * (`io.modelcontextprotocol/oauth-client-credentials`) describes it, for CI jobs where no
 * person is present.
 *
 * The authorization server is discovered as for a login (`discovery.ts`: the probe, the
 * protected resource metadata, whose `resource` must be this server, and the checked
 * authorization server metadata); then the token endpoint is asked for an access token
 * with the `resource` of the server. The client authenticates with a secret
 * (`client_secret_basic`, or `client_secret_post` where the server lists only that) or a
 * private key (`private_key_jwt`, RFC 7523, a fresh assertion per request). Tokens live in
 * memory only, until they expire; nothing is written to the token store or any file, and a
 * refresh token is ignored (a new token is requested instead).
 */
import { parseErrorResponse } from '@modelcontextprotocol/sdk/client/auth.js';
import { OAuthTokensSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import { RemoteError } from '../errors.js';
import { lazyGuardedFetch, type GuardedFetchChoice } from '../net/guarded-fetch.js';
import { endpointOf, isLoopbackUrl, parseUpstreamUrl } from '../net/upstream-url.js';
import type { CredentialSource } from '../upstream.types.js';
import { checkServerSuppliedUrl, discoverAuthorization, oauthStep, type DiscoveredAuthorization } from './discovery.js';
import { privateKeyAlgorithm, signClientAssertion } from './jwt-assertion.js';
import { basicCredentials, challengeScope, scopeWords, secretMethod } from './scope.js';
import { storedTokens } from './tokens.js';

/** Options of {@link createClientCredentials}. Exactly one of `clientSecret` and `privateKeyPem`. */
export interface ClientCredentialsOptions extends GuardedFetchChoice {
  /** The client id registered at the authorization server. */
  clientId: string;
  /** The client secret (`client_secret_basic`, or `client_secret_post` where only that is offered). Never logged. */
  clientSecret?: string;
  /** The client's private key, PEM (EC P-256 or RSA ≥ 2048 bits), for `private_key_jwt`. Never logged. */
  privateKeyPem?: string;
  /** The `kid` header of the client assertions. */
  keyId?: string;
  /** The scope to ask for. Default what discovery found (the 401's `scope`, else the server's `scopes_supported`). */
  scope?: string;
  /** Scope step-ups (403 `insufficient_scope`) this source makes at most. Default 2. */
  maxStepUps?: number;
  /** Something worth a line on stderr; never a secret or a token. */
  onWarning?: (message: string) => void;
  /** Clock, in ms. */
  now?: () => number;
  /** Request a new token this long before the current one expires, in ms (at most half its lifetime). Default 60 000. */
  refreshSkewMs?: number;
}

/** An access token held in memory. */
interface HeldToken {
  accessToken: string;
  /** When it must no longer be used (expiry minus skew), in ms; undefined: no expiry given. */
  renewAt?: number;
  /** The scope it was requested with. */
  scope?: string;
  /** Why it was requested: the first (or an expired) token, a 401 on the previous one, or a scope step-up. */
  reason: TokenReason;
  /** When it was requested, in ms. */
  fetchedAt: number;
  /** Requested by `unauthorized()`: the retry that follows uses it even when its lifetime is already over. */
  forRetry?: boolean;
}

/** Why a token was requested. */
type TokenReason = 'first' | '401' | 'step-up';

const DEFAULT_SKEW_MS = 60_000;
const DEFAULT_MAX_STEP_UPS = 2;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/**
 * How long a token requested by `unauthorized()` answers the 401s and 403s of requests
 * sent before it arrived (they retry with it; no new token request).
 */
const RENEWED_WINDOW_MS = 5_000;

/**
 * The `CredentialSource` of a client that authenticates itself (OAuth client credentials).
 *
 * - `authorization()`: `Bearer <access token>`; the first call discovers the authorization
 *   server and requests a token; a token is reused until it expires (minus the skew). One
 *   token request at a time: concurrent calls share it.
 * - `unauthorized(challenge, status)`: a 401 requests a new token once (not again when the
 *   refused token was itself requested after a 401); a 403 `insufficient_scope` requests a
 *   token with the union of the current scope and the challenge's, at most `maxStepUps`
 *   times and never when the union adds nothing. Otherwise it throws `UNAUTHORIZED`
 *   naming the scope needed.
 *
 * @param url - the configured MCP server URL
 * @param options - {@link ClientCredentialsOptions}
 * @returns the credential source; `authorization()` rejects with `OAUTH_FAILED` ("OAuth
 *   token request failed: invalid_client (…)", discovery failures, a refused grant or
 *   client authentication method), `INSECURE_URL`/`BLOCKED_ADDRESS`/`NETWORK_ERROR` from the guard
 * @throws RemoteError `INSECURE_URL` for a URL `parseUpstreamUrl` refuses, `INVALID_OPTIONS`
 *   (no client id, not exactly one of secret and key, an unusable key, counts out of range)
 */
export function createClientCredentials(url: string, options: ClientCredentialsOptions): CredentialSource {
  const server = parseUpstreamUrl(url);
  const allowLoopback = isLoopbackUrl(server);
  const { clientId, clientSecret, privateKeyPem, keyId } = options;
  if (typeof clientId !== 'string' || clientId.trim() === '') throw new RemoteError('INVALID_OPTIONS', 'clientId is required for client credentials');
  if ((clientSecret === undefined) === (privateKeyPem === undefined)) {
    throw new RemoteError('INVALID_OPTIONS', 'Client credentials need exactly one of clientSecret and privateKeyPem');
  }
  if (clientSecret !== undefined && clientSecret === '') throw new RemoteError('INVALID_OPTIONS', 'clientSecret is empty');
  if (privateKeyPem !== undefined) privateKeyAlgorithm(privateKeyPem);
  const maxStepUps = options.maxStepUps ?? DEFAULT_MAX_STEP_UPS;
  if (!Number.isInteger(maxStepUps) || maxStepUps < 0) throw new RemoteError('INVALID_OPTIONS', `maxStepUps must be a non-negative integer, got ${String(maxStepUps)}`);
  const skew = options.refreshSkewMs ?? DEFAULT_SKEW_MS;
  if (!Number.isInteger(skew) || skew < 0) throw new RemoteError('INVALID_OPTIONS', `refreshSkewMs must be a non-negative integer, got ${String(skew)}`);
  const now = options.now ?? Date.now;
  const warn = (message: string): void => options.onWarning?.(message);
  const fetchOf = lazyGuardedFetch(options, allowLoopback);

  /** Every value that must never reach a message: the secret, the key, assertions and tokens sent or received. */
  const secrets = new Set<string>([clientSecret, privateKeyPem].filter((s): s is string => s !== undefined && s.length >= 4));
  /** Assertions and tokens of the latest requests (bounded: a long session makes many). */
  const recent: string[] = [];
  const remember = (value: unknown): void => {
    if (typeof value !== 'string' || value.length < 4) return;
    recent.push(value);
    if (recent.length > 16) recent.shift();
  };
  /** A copy of `error` with every secret value cut out of its message (a server may echo what it was sent). */
  const scrub = (error: unknown): unknown => {
    if (!(error instanceof RemoteError)) return error;
    let message = error.message;
    for (const secret of [...secrets, ...recent]) message = message.split(secret).join('[redacted]');
    return message === error.message ? error : new RemoteError(error.code, message, error.status === undefined ? {} : { status: error.status });
  };

  let discovery: Promise<DiscoveredAuthorization> | undefined;
  const discover = (): Promise<DiscoveredAuthorization> => {
    discovery ??= discoverAuthorization(server, fetchOf(), { allowLoopback, grant: 'client_credentials' }).catch((error: unknown) => {
      discovery = undefined; // a failed discovery is tried again by the next request
      throw error;
    });
    return discovery;
  };

  /** One token request (RFC 6749 §4.4.2) with `scope`. */
  const requestToken = async (scope: string | undefined, reason: TokenReason): Promise<HeldToken> => {
    const found = await discover();
    const { metadata } = found;
    const endpoint = checkServerSuppliedUrl(metadata.token_endpoint, 'token endpoint', allowLoopback);
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== undefined) body.set('scope', scope);
    body.set('resource', found.resource);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (clientSecret !== undefined) {
      if (secretMethod(metadata) === 'client_secret_basic') {
        headers['authorization'] = basicCredentials(clientId, clientSecret);
      } else {
        body.set('client_id', clientId);
        body.set('client_secret', clientSecret);
      }
    } else if (privateKeyPem !== undefined) {
      const listed = metadata.token_endpoint_auth_methods_supported;
      if (Array.isArray(listed) && !listed.includes('private_key_jwt')) {
        throw new RemoteError(
          'OAUTH_FAILED',
          `The authorization server ${metadata.issuer} does not accept private_key_jwt client authentication (token_endpoint_auth_methods_supported: ${listed.join(' ').slice(0, 120)})`,
        );
      }
      const assertion = signClientAssertion({ clientId, audience: metadata.issuer, privateKeyPem, ...(keyId === undefined ? {} : { keyId }) });
      remember(assertion);
      body.set('client_id', clientId);
      body.set('client_assertion_type', JWT_BEARER);
      body.set('client_assertion', assertion);
    }
    const sentAt = now();
    const answer = await oauthStep('token request', async () => {
      const response = await fetchOf()(endpoint, { method: 'POST', headers, body: body.toString() });
      if (!response.ok) throw await parseErrorResponse(response);
      let json: unknown;
      try {
        json = await response.json();
      } catch {
        throw new Error(`the token endpoint answered HTTP ${response.status} with a body that is not JSON`);
      }
      const parsed = OAuthTokensSchema.safeParse(json);
      if (!parsed.success) throw new Error('the token endpoint answer is not a token response (access_token and token_type are required)');
      return parsed.data;
    });
    remember(answer.access_token);
    remember(answer.refresh_token);
    // Only a Bearer token is taken; a refresh token is dropped (a new grant is cheaper and nothing is kept).
    const { refresh_token: _dropped, ...kept } = answer;
    const { tokens } = storedTokens(kept, sentAt);
    const expiresIn = typeof answer.expires_in === 'number' && Number.isFinite(answer.expires_in) && answer.expires_in >= 0 ? answer.expires_in * 1000 : undefined;
    return {
      accessToken: tokens.access_token,
      ...(expiresIn === undefined ? {} : { renewAt: sentAt + expiresIn - Math.min(skew, Math.floor(expiresIn / 2)) }),
      ...(scope === undefined ? {} : { scope }),
      reason,
      fetchedAt: sentAt,
    };
  };

  let held: HeldToken | undefined;
  let inFlight: Promise<HeldToken> | undefined;
  /** The new token a 401 asked for (concurrent 401s share it). */
  let renewing: Promise<void> | undefined;
  /** The scope the token request in flight asks for. */
  let inFlightScope: string | undefined;
  /** The token `authorization()` callers are waiting for (concurrent callers share it). */
  let obtaining: Promise<HeldToken> | undefined;
  /** The scope of the next request: the option, else what discovery found (no `offline_access`: nothing is refreshed). */
  let wantedScope: string | undefined = options.scope === undefined ? undefined : scopeWords(options.scope).join(' ') || undefined;
  let scopeChosen = options.scope !== undefined;
  let stepUps = 0;

  /** Requests a token (one at a time; a request in flight is waited for first). */
  const fetchToken = async (scope: () => string | undefined, reason: TokenReason): Promise<HeldToken> => {
    while (inFlight !== undefined) await inFlight.catch(() => undefined);
    const asking = scope();
    inFlightScope = asking;
    inFlight = (async () => {
      try {
        const token = await requestToken(asking, reason);
        if (reason !== 'first') token.forRetry = true;
        held = token;
        return token;
      } catch (error) {
        throw scrub(error);
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  /** The scope of the first request, once discovery ran. */
  const initialScope = async (): Promise<void> => {
    if (scopeChosen) return;
    const found = await discover().catch((error: unknown) => {
      throw scrub(error);
    });
    if (!scopeChosen) {
      wantedScope = scopeWords(found.scope).filter((w) => w !== 'offline_access').join(' ') || undefined;
      scopeChosen = true;
    }
  };

  const usable = (token: HeldToken | undefined): token is HeldToken => token !== undefined && (token.renewAt === undefined || now() < token.renewAt);
  /** A token `unauthorized()` requested a moment ago: requests sent before it arrived may retry with it. */
  const renewedJustNow = (token: HeldToken | undefined): boolean => token !== undefined && token.reason !== 'first' && now() - token.fetchedAt < RENEWED_WINDOW_MS;

  const resource = (): string => endpointOf(server);

  return {
    async authorization(): Promise<string | undefined> {
      if (held?.forRetry === true) {
        held.forRetry = false;
        return `Bearer ${held.accessToken}`;
      }
      if (usable(held)) return `Bearer ${held.accessToken}`;
      obtaining ??= (async () => {
        try {
          if (inFlight !== undefined) {
            const shared = await inFlight;
            if (usable(shared)) return shared;
          }
          await initialScope();
          return await fetchToken(() => wantedScope, 'first');
        } finally {
          obtaining = undefined;
        }
      })();
      return `Bearer ${(await obtaining).accessToken}`;
    },

    async unauthorized(challenge: string | undefined, status: number): Promise<boolean> {
      const asked = challengeScope(challenge);
      /** The failure of a token request made for a retry, as the reason the request fails. */
      const failed =
        (what: string) =>
        (error: unknown): never => {
          throw new RemoteError('UNAUTHORIZED', `${what}: ${(error as Error).message}`, { status });
        };
      if (status === 401) {
        const what = `${resource()} refused the access token (HTTP 401) and a new one could not be had`;
        // Another request is already getting a new token, or just got one: the retry uses it.
        if (renewing !== undefined) return renewing.then(() => true, failed(what));
        if (inFlight !== undefined) return inFlight.then(() => true, failed(what));
        if (renewedJustNow(held)) return true;
        if (held?.reason === '401') {
          warn(`${resource()} refused a freshly issued client credentials token (HTTP 401); check that the client may use this server`);
          return false;
        }
        renewing ??= (async () => {
          try {
            await initialScope();
            const union = scopeWords(`${wantedScope ?? ''} ${asked ?? ''}`).join(' ') || undefined;
            await fetchToken(() => union, '401');
            wantedScope = union;
          } finally {
            renewing = undefined;
          }
        })();
        return renewing.then(() => true, failed(what));
      }
      if (status !== 403 || challenge === undefined || !/\binsufficient_scope\b/.test(challenge)) return false;
      if (asked === undefined) {
        throw new RemoteError('UNAUTHORIZED', `${resource()} needs a token with more scope (HTTP 403 insufficient_scope) but did not say which scope`, { status });
      }
      const current = scopeWords(wantedScope);
      const union = scopeWords(`${current.join(' ')} ${asked}`);
      const covers = (scope: string | undefined): boolean => union.every((word) => scopeWords(scope).includes(word));
      const what = `${resource()} needs the scope "${union.join(' ')}" (HTTP 403 insufficient_scope) and the token request for it failed; the client may not be allowed it`;
      if (inFlight !== undefined && covers(inFlightScope)) return inFlight.then(() => true, failed(what));
      if (union.length === current.length) {
        // A step-up a moment ago asked for this already (this request was sent before it arrived).
        if (held !== undefined && renewedJustNow(held) && covers(held.scope)) return true;
        throw new RemoteError(
          'UNAUTHORIZED',
          `${resource()} needs the scope "${asked}" (HTTP 403 insufficient_scope), which the token was already requested with; the authorization server may not allow this client that scope`,
          { status },
        );
      }
      if (stepUps >= maxStepUps) {
        throw new RemoteError(
          'UNAUTHORIZED',
          `${resource()} still needs more scope ("${asked}", HTTP 403 insufficient_scope) after ${stepUps} step-up${stepUps === 1 ? '' : 's'}; the client may not be allowed that scope`,
          { status },
        );
      }
      stepUps += 1;
      const wanted = union.join(' ');
      await fetchToken(() => wanted, 'step-up').catch(failed(what));
      wantedScope = wanted;
      return true;
    },
  };
}
