/**
 * Scope strings (RFC 6749 §3.3: space-separated words) as the OAuth paths use them: the
 * words of a scope, the union of two, the `scope` a `WWW-Authenticate` challenge asks for;
 * and client authentication at the token endpoint (RFC 6749 §2.3.1), the same for a
 * login's code exchange and refresh and for client credentials.
 */
import type { AuthorizationServerMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';

/** The words of a scope string, in order, without duplicates. */
export function scopeWords(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter((w) => w !== ''))];
}

/** The union of two scope strings, in order, without repeats. */
export function unionScope(current: string | undefined, asked: string | undefined): string {
  return scopeWords(`${current ?? ''} ${asked ?? ''}`).join(' ');
}

/**
 * The `scope` parameter of a `WWW-Authenticate` challenge, when it is made of RFC 6749
 * scope characters only (anything else, e.g. a line break, is ignored, never echoed).
 */
export function challengeScope(challenge: string | undefined): string | undefined {
  const found = challenge === undefined ? null : /\bscope="([\x21\x23-\x5b\x5d-\x7e ]{1,500})"/.exec(challenge);
  const words = scopeWords(found?.[1]);
  return words.length === 0 ? undefined : words.join(' ');
}

/** The client authentication a client secret uses at this server: `client_secret_basic`, unless it lists `client_secret_post` and not basic. */
export function secretMethod(metadata: AuthorizationServerMetadata): 'client_secret_basic' | 'client_secret_post' {
  const listed = metadata.token_endpoint_auth_methods_supported;
  return Array.isArray(listed) && !listed.includes('client_secret_basic') && listed.includes('client_secret_post') ? 'client_secret_post' : 'client_secret_basic';
}

/** RFC 6749 §2.3.1: the id and the secret are form-urlencoded before they are joined and base64-encoded. */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`, 'utf8').toString('base64')}`;
}

/** A client as the token endpoint sees it: its id, its secret (confidential), its registered method. */
export interface TokenEndpointClient {
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method?: string;
}

/**
 * Client authentication of a token request for the SDK's `addClientAuthentication` hook:
 * the registered method (`client_secret_basic`, RFC-encoded; `client_secret_post`; `none`),
 * or for a client without one, basic with a secret and `none` without.
 */
export function clientAuthentication(client: TokenEndpointClient): (headers: Headers, params: URLSearchParams) => Promise<void> {
  return async (headers, params) => {
    const secret = client.client_secret;
    const method = client.token_endpoint_auth_method ?? (secret === undefined ? 'none' : 'client_secret_basic');
    if (method === 'client_secret_basic' && secret !== undefined) {
      headers.set('authorization', basicCredentials(client.client_id, secret));
      return;
    }
    params.set('client_id', client.client_id);
    if (method === 'client_secret_post' && secret !== undefined) params.set('client_secret', secret);
  };
}
