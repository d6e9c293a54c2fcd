/**
 * Who mcptrust is to an authorization server, in the order MCP 2025-11-25
 * ("Client Registration Approaches") gives: a client the user pre-registered (its id, and
 * its secret for a confidential client); else a Client ID Metadata Document when the
 * server advertises `client_id_metadata_document_supported`; else dynamic client
 * registration (RFC 7591) when it offers a registration endpoint; else an error naming
 * what the server lacks and the flag that helps.
 */
import { registerClient } from '@modelcontextprotocol/sdk/client/auth.js';
import type { AuthorizationServerMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { RemoteError } from '../errors.js';
import type { GuardedFetch } from '../net/guarded-fetch.js';
import { oauthStep } from './discovery.js';
import { secretMethod } from './scope.js';
import type { StoredClient } from './token-store.js';

/** Where the project publishes its Client ID Metadata Document (the file `docs/oauth/client-metadata.json`). */
export const DEFAULT_CLIENT_METADATA_URL = 'https://mcptrust.github.io/mcptrust-ts/oauth/client-metadata.json';

/** What the user told mcptrust about its client at this authorization server. */
export interface ClientIdentityOptions {
  /** A pre-registered client id. */
  clientId?: string;
  /** The pre-registered client's secret (confidential client); never logged. */
  clientSecret?: string;
  /** The Client ID Metadata Document URL to use as client id. Default {@link DEFAULT_CLIENT_METADATA_URL}; `false`: never use one. */
  clientMetadataUrl?: string | false;
  /** `client_name` of a dynamic registration. Default `MCPTrust`. */
  clientName?: string;
}

/** How the client was chosen, for messages. */
export type ClientRoute = 'pre-registered' | 'client-metadata-document' | 'dynamic-registration';

/**
 * Checks a Client ID Metadata Document URL: `https://`, a path other than `/`, no
 * credentials or fragment (draft-ietf-oauth-client-id-metadata-document §3).
 *
 * @throws RemoteError `INVALID_OPTIONS`
 */
export function checkClientMetadataUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RemoteError('INVALID_OPTIONS', 'The client metadata URL is not a valid URL');
  }
  if (url.protocol !== 'https:' || url.pathname === '/' || url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new RemoteError('INVALID_OPTIONS', 'The client metadata URL must be an https:// URL with a path, without credentials or fragment');
  }
  return url.href;
}

/**
 * Chooses the client for an authorization code login with the loopback redirect.
 *
 * @param options - what the user gave
 * @param authorizationServerUrl - where the metadata was discovered
 * @param metadata - the (checked) authorization server metadata
 * @param redirectUri - the loopback redirect URI
 * @param scope - the scope the login asks for (sent with a dynamic registration)
 * @param fetchFn - the guarded fetch
 * @returns the client to store with the tokens, and the route taken
 * @throws RemoteError `OAUTH_FAILED` ("OAuth client registration failed: …", or none of
 *   the three routes available), `INVALID_OPTIONS` (a bad metadata URL, a secret without id)
 */
export async function chooseClient(
  options: ClientIdentityOptions,
  authorizationServerUrl: string,
  metadata: AuthorizationServerMetadata,
  redirectUri: string,
  scope: string | undefined,
  fetchFn: GuardedFetch,
): Promise<{ client: StoredClient; route: ClientRoute }> {
  if (options.clientSecret !== undefined && options.clientId === undefined) throw new RemoteError('INVALID_OPTIONS', 'A client secret needs its client id');
  if (options.clientId !== undefined) {
    const method = options.clientSecret === undefined ? 'none' : secretMethod(metadata);
    return {
      route: 'pre-registered',
      client: {
        client_id: options.clientId,
        ...(options.clientSecret === undefined ? {} : { client_secret: options.clientSecret }),
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: method,
      },
    };
  }
  const cimd = (metadata as Record<string, unknown>)['client_id_metadata_document_supported'] === true;
  if (cimd && options.clientMetadataUrl !== false) {
    const url = checkClientMetadataUrl(options.clientMetadataUrl ?? DEFAULT_CLIENT_METADATA_URL);
    return { route: 'client-metadata-document', client: { client_id: url, redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' } };
  }
  if (metadata.registration_endpoint === undefined) {
    throw new RemoteError(
      'OAUTH_FAILED',
      `OAuth client registration failed: no client id was given (--client-id), and the authorization server ${metadata.issuer} ` +
        `advertises no Client ID Metadata Document support (client_id_metadata_document_supported) and offers no dynamic client registration (registration_endpoint); ` +
        `register a client with its administrator and pass --client-id ID (and --client-secret-env NAME for a confidential client)`,
    );
  }
  const full = await oauthStep('client registration', () =>
    registerClient(authorizationServerUrl, {
      metadata,
      clientMetadata: {
        client_name: options.clientName ?? 'MCPTrust',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
      ...(scope === undefined ? {} : { scope }),
      fetchFn,
    }),
  );
  return {
    route: 'dynamic-registration',
    client: {
      client_id: full.client_id,
      ...(full.client_secret === undefined ? {} : { client_secret: full.client_secret }),
      ...(full.client_id_issued_at === undefined ? {} : { client_id_issued_at: full.client_id_issued_at }),
      ...(full.client_secret_expires_at === undefined ? {} : { client_secret_expires_at: full.client_secret_expires_at }),
      redirect_uris: [redirectUri],
      ...(full.token_endpoint_auth_method === undefined ? {} : { token_endpoint_auth_method: full.token_endpoint_auth_method }),
    },
  };
}
