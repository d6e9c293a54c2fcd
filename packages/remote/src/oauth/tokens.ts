/**
 * Token answers and refresh: what a token endpoint answer becomes in the store, and the
 * refresh of a stored entry (RFC 6749 §6, with the RFC 8707 `resource` of the entry).
 */
import { refreshAuthorization } from '@modelcontextprotocol/sdk/client/auth.js';
import type { AuthorizationServerMetadata, OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { RemoteError } from '../errors.js';
import type { GuardedFetch } from '../net/guarded-fetch.js';
import { checkAuthorizationServer, oauthStep } from './discovery.js';
import { clientAuthentication } from './scope.js';
import type { StoredTokens, TokenEntry } from './token-store.js';

/**
 * The stored form of a token endpoint answer: only bearer tokens are accepted; the
 * expiry becomes an absolute time.
 *
 * @param tokens - the answer
 * @param now - the time the answer arrived, in ms
 * @throws RemoteError `OAUTH_FAILED` for a token type other than `Bearer` or an empty token
 */
export function storedTokens(tokens: OAuthTokens, now: number): { tokens: StoredTokens; expiresAt?: string } {
  if (tokens.token_type.toLowerCase() !== 'bearer') {
    throw new RemoteError('OAUTH_FAILED', `The token endpoint issued a ${JSON.stringify(tokens.token_type.slice(0, 20))} token; only Bearer tokens are supported`);
  }
  if (tokens.access_token === '' || !/^[\x20-\x7e]+$/.test(tokens.access_token)) {
    throw new RemoteError('OAUTH_FAILED', 'The token endpoint issued an empty or malformed access token');
  }
  const stored: StoredTokens = {
    access_token: tokens.access_token,
    token_type: 'Bearer',
    ...(tokens.refresh_token === undefined ? {} : { refresh_token: tokens.refresh_token }),
    ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
  };
  const expiresIn = tokens.expires_in;
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn >= 0) {
    return { tokens: stored, expiresAt: new Date(now + expiresIn * 1000).toISOString() };
  }
  return { tokens: stored };
}

/** Whether the entry's access token expires within `skewMs` of `now` (no expiry: never). */
export function expiresSoon(entry: TokenEntry, now: number, skewMs: number): boolean {
  if (entry.expiresAt === undefined) return false;
  const at = Date.parse(entry.expiresAt);
  return !Number.isFinite(at) || at - skewMs <= now;
}

/**
 * Refreshes the entry's tokens at its authorization server (the metadata stored at login,
 * checked again), sending the entry's `resource`.
 *
 * @param entry - a stored entry with a refresh token
 * @param fetchFn - the guarded fetch
 * @param allowLoopback - the server is loopback, so loopback http endpoints are allowed
 * @param now - clock, in ms
 * @returns the entry with new tokens (the old refresh token kept when none was issued); not saved
 * @throws RemoteError `OAUTH_FAILED` (no refresh token, refused), or the guard's codes
 */
export async function refreshEntry(entry: TokenEntry, fetchFn: GuardedFetch, allowLoopback: boolean, now: () => number): Promise<Omit<TokenEntry, 'savedAt'>> {
  const refreshToken = entry.tokens.refresh_token;
  if (refreshToken === undefined) throw new RemoteError('OAUTH_FAILED', `The access token for ${entry.resource} expired and there is no refresh token`);
  const metadata = entry.metadata as unknown as AuthorizationServerMetadata;
  checkAuthorizationServer(metadata, entry.authorizationServerUrl, allowLoopback);
  const answered = await oauthStep('token refresh', () =>
    refreshAuthorization(entry.authorizationServerUrl, {
      metadata,
      clientInformation: entry.client as OAuthClientInformationMixed,
      addClientAuthentication: clientAuthentication(entry.client),
      refreshToken,
      resource: entry.resource,
      fetchFn,
    }),
  );
  const { tokens, expiresAt } = storedTokens(answered, now());
  const { savedAt: _savedAt, expiresAt: _old, ...rest } = entry;
  return { ...rest, tokens, ...(expiresAt === undefined ? {} : { expiresAt }) };
}
