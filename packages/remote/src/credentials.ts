/**
 * OAuth credentials of a remote MCP server for the upstream client: the tokens
 * `mcptrust auth login URL` stored, refreshed silently when they expire. Never
 * interactive: without usable tokens the request fails with `UNAUTHORIZED`, and the
 * warning tells the user to log in again.
 *
 * Tokens are looked up by the canonical URL of the configured server only, so a token is
 * only ever offered for the server it was issued for (the transport in turn sends it only
 * to that server's origin).
 */
import { RemoteError } from './errors.js';
import { lazyGuardedFetch, type GuardedFetchChoice } from './net/guarded-fetch.js';
import { endpointOf, isLoopbackUrl, parseUpstreamUrl } from './net/upstream-url.js';
import { canonicalResource } from './oauth/discovery.js';
import { openTokenStore, type TokenEntry, type TokenStore } from './oauth/token-store.js';
import { challengeScope, unionScope } from './oauth/scope.js';
import { expiresSoon, refreshEntry } from './oauth/tokens.js';
import type { CredentialSource } from './upstream.types.js';

/** Options of {@link createOAuthCredentials}. */
export interface OAuthCredentialsOptions extends GuardedFetchChoice {
  /** The token store. Default the user's store (`openTokenStore()`). */
  store?: TokenStore;
  /** Refresh this long before the access token expires, in ms. Default 60 000. */
  refreshSkewMs?: number;
  /** Something worth a line on stderr (a failed refresh, the login hint); never a token. */
  onWarning?: (message: string) => void;
  /** Clock, in ms. */
  now?: () => number;
}

const DEFAULT_SKEW_MS = 60_000;

/**
 * The `CredentialSource` of a remote server's stored OAuth tokens.
 *
 * - `authorization()`: `Bearer <access token>` for this server, refreshed first when it
 *   expires within `refreshSkewMs` (one refresh at a time; another process's newer tokens
 *   are picked up from the store); undefined when nothing is stored for this server.
 * - `unauthorized()`: a 401 refreshes once (not again for a token that was just
 *   refreshed); never starts a login. False means the user must run `mcptrust auth login
 *   URL`. A 403 `insufficient_scope` (step-up) retries only when a newer login is in the
 *   store; otherwise it rejects with `UNAUTHORIZED` whose message names the login to run
 *   with the union of the granted and the asked scopes — the message the host's request
 *   is answered with.
 *
 * @param url - the configured MCP server URL
 * @param options - {@link OAuthCredentialsOptions}
 * @returns the credential source; `authorization()` rejects with `TOKEN_STORE` when the
 *   store cannot be read (a too-open file included)
 * @throws RemoteError `INSECURE_URL` for a URL `parseUpstreamUrl` refuses
 */
export function createOAuthCredentials(url: string, options: OAuthCredentialsOptions = {}): CredentialSource {
  const server = parseUpstreamUrl(url);
  const resource = canonicalResource(server);
  const allowLoopback = isLoopbackUrl(server);
  const store = options.store ?? openTokenStore();
  const skew = options.refreshSkewMs ?? DEFAULT_SKEW_MS;
  if (!Number.isInteger(skew) || skew < 0) throw new RemoteError('INVALID_OPTIONS', `refreshSkewMs must be a non-negative integer, got ${String(skew)}`);
  const now = options.now ?? Date.now;
  const fetchOf = lazyGuardedFetch(options, allowLoopback);
  const hint = `run \`mcptrust auth login ${endpointOf(server)}\``;
  const warn = (message: string): void => options.onWarning?.(message);

  let inFlight: Promise<TokenEntry | undefined> | undefined;
  /** The access token last handed out: a 403 with another token stored means a new login happened meanwhile. */
  let lastSent: string | undefined;
  /** The access token the last refresh produced: a 401 on it is not refreshed again. */
  let lastRefreshed: string | undefined;

  /** Refreshes `entry` unless another process did already; resolves undefined when it failed. */
  const refresh = (entry: TokenEntry): Promise<TokenEntry | undefined> => {
    inFlight ??= (async () => {
      try {
        const latest = await store.find(resource);
        if (latest !== undefined && latest.tokens.access_token !== entry.tokens.access_token && !expiresSoon(latest, now(), skew)) return latest;
        const source = latest ?? entry;
        if (source.tokens.refresh_token === undefined) {
          warn(`The OAuth access token for ${resource} expired and cannot be refreshed; ${hint}`);
          return undefined;
        }
        const saved = await store.save(await refreshEntry(source, fetchOf(), allowLoopback, now));
        lastRefreshed = saved.tokens.access_token;
        return saved;
      } catch (error) {
        if (error instanceof RemoteError && error.code === 'TOKEN_STORE') throw error;
        warn(`Refreshing the OAuth token for ${resource} failed (${error instanceof Error ? error.message : String(error)}); ${hint}`);
        return undefined;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  /** One read of the store shared by the requests that ask at the same moment (one stat, not one per POST). */
  let reading: Promise<TokenEntry | undefined> | undefined;
  const current = (): Promise<TokenEntry | undefined> => {
    reading ??= store.find(resource).finally(() => {
      reading = undefined;
    });
    return reading;
  };

  return {
    async authorization(): Promise<string | undefined> {
      const entry = await current();
      if (entry === undefined) return undefined;
      const sent = (token: string): string => {
        lastSent = token;
        return `Bearer ${token}`;
      };
      if (!expiresSoon(entry, now(), skew)) return sent(entry.tokens.access_token);
      const renewed = await refresh(entry);
      if (renewed !== undefined) return sent(renewed.tokens.access_token);
      // Not yet expired (only about to): the old token may still do.
      return expiresSoon(entry, now(), 0) ? undefined : sent(entry.tokens.access_token);
    },

    async unauthorized(challenge: string | undefined, status: number): Promise<boolean> {
      const entry = await store.find(resource);
      if (entry === undefined) {
        warn(`${resource} needs authorization and no OAuth token is stored for it; ${hint}`);
        return false;
      }
      if (status !== 401) {
        // 403 insufficient_scope: a step-up. A login made meanwhile (another process) may
        // already hold the wider token; otherwise it needs the browser, which a running
        // command never opens: the request fails with a message naming the login to run.
        if (lastSent !== undefined && entry.tokens.access_token !== lastSent) return true;
        const asked = challengeScope(challenge);
        const union = asked === undefined ? undefined : unionScope(entry.tokens.scope, asked);
        const more = union === undefined ? hint : `run \`mcptrust auth login ${endpointOf(server)} --scope "${union}"\``;
        const message = `${resource} refused the stored OAuth token (HTTP ${status}${asked === undefined ? '' : `, it asks for the scope "${asked}"`}); ${more}`;
        warn(message);
        throw new RemoteError('UNAUTHORIZED', `step-up authorization needed: ${message}`, { status });
      }
      if (entry.tokens.access_token === lastRefreshed) {
        warn(`${resource} refused the stored OAuth token (HTTP ${status}); ${hint}`);
        return false;
      }
      const renewed = await refresh(entry);
      return renewed !== undefined && renewed.tokens.access_token !== entry.tokens.access_token;
    },
  };
}
