/**
 * Scope strings (RFC 6749 §3.3: space-separated words) as the OAuth paths use them: the
 * words of a scope, the union of two, the `scope` a `WWW-Authenticate` challenge asks for,
 * and the client authentication a secret uses at a given authorization server.
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
