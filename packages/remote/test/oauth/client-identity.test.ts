import { describe, expect, it } from '@jest/globals';
import type { AuthorizationServerMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { readFileSync } from 'node:fs';
import { RemoteError } from '../../src/errors.js';
import { checkClientMetadataUrl, chooseClient, DEFAULT_CLIENT_METADATA_URL } from '../../src/oauth/client-identity.js';
import { checkAuthorizationServer, chooseScope, legacyDefaultMetadata } from '../../src/oauth/discovery.js';
import type { GuardedFetch } from '../../src/net/guarded-fetch.js';
import { basicCredentials, challengeScope, clientAuthentication, scopeWords, unionScope, type TokenEndpointClient } from '../../src/oauth/scope.js';

// The client identity order of MCP 2025-11-25 (pre-registered, Client ID Metadata Document,
// dynamic registration, else an error naming all three), the scope choice and the
// 2025-03-26 default endpoints, without a network: registration goes to a recording fetch.

const REDIRECT = 'http://127.0.0.1:45678/callback';

function metadata(extra: Record<string, unknown> = {}): AuthorizationServerMetadata {
  return {
    issuer: 'https://as.example.com',
    authorization_endpoint: 'https://as.example.com/authorize',
    token_endpoint: 'https://as.example.com/token',
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    ...extra,
  } as AuthorizationServerMetadata;
}

/** A fetch answering dynamic registrations with a new client id; records what was sent. */
function registrar(): { fetchFn: GuardedFetch; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const fetchFn: GuardedFetch = async (_url, init) => {
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    bodies.push(body);
    return new Response(JSON.stringify({ ...body, client_id: 'dcr-client', client_id_issued_at: 1 }), { status: 201, headers: { 'content-type': 'application/json' } });
  };
  return { fetchFn, bodies };
}

async function failure(promise: Promise<unknown>): Promise<RemoteError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

describe('chooseClient (who mcptrust is to the authorization server)', () => {
  const everything = metadata({ client_id_metadata_document_supported: true, registration_endpoint: 'https://as.example.com/register' });

  it('takes a pre-registered client id first, even when the server offers metadata documents and registration', async () => {
    const { fetchFn, bodies } = registrar();
    const { client, route } = await chooseClient({ clientId: 'given-id' }, everything.issuer, everything, REDIRECT, undefined, fetchFn);
    expect(route).toBe('pre-registered');
    expect(client).toEqual({ client_id: 'given-id', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' });
    expect(bodies).toHaveLength(0);
  });

  it('a pre-registered secret authenticates with client_secret_basic, or client_secret_post when the server lists only that', async () => {
    const { fetchFn } = registrar();
    const basic = await chooseClient({ clientId: 'id', clientSecret: 's3cret' }, everything.issuer, everything, REDIRECT, undefined, fetchFn);
    expect(basic.client).toMatchObject({ client_id: 'id', client_secret: 's3cret', token_endpoint_auth_method: 'client_secret_basic' });
    const postOnly = metadata({ token_endpoint_auth_methods_supported: ['client_secret_post', 'none'] });
    const post = await chooseClient({ clientId: 'id', clientSecret: 's3cret' }, postOnly.issuer, postOnly, REDIRECT, undefined, fetchFn);
    expect(post.client.token_endpoint_auth_method).toBe('client_secret_post');
    const both = metadata({ token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'] });
    expect((await chooseClient({ clientId: 'id', clientSecret: 'x' }, both.issuer, both, REDIRECT, undefined, fetchFn)).client.token_endpoint_auth_method).toBe('client_secret_basic');
  });

  it('refuses a secret without its client id', async () => {
    const error = await failure(chooseClient({ clientSecret: 's3cret' }, everything.issuer, everything, REDIRECT, undefined, registrar().fetchFn));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).not.toContain('s3cret');
  });

  it('uses the Client ID Metadata Document (the published one by default) when the server advertises support, before registration', async () => {
    const { fetchFn, bodies } = registrar();
    const chosen = await chooseClient({}, everything.issuer, everything, REDIRECT, 'mcp:read', fetchFn);
    expect(chosen.route).toBe('client-metadata-document');
    expect(chosen.client).toEqual({ client_id: DEFAULT_CLIENT_METADATA_URL, redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' });
    const own = await chooseClient({ clientMetadataUrl: 'https://corp.example.com/mcp/client.json' }, everything.issuer, everything, REDIRECT, undefined, fetchFn);
    expect(own.client.client_id).toBe('https://corp.example.com/mcp/client.json');
    expect(bodies).toHaveLength(0);
  });

  it('registers dynamically when the server offers it and supports no metadata documents (or they are turned off)', async () => {
    const { fetchFn, bodies } = registrar();
    const dcrOnly = metadata({ registration_endpoint: 'https://as.example.com/register' });
    const chosen = await chooseClient({}, dcrOnly.issuer, dcrOnly, REDIRECT, 'mcp:read', fetchFn);
    expect(chosen.route).toBe('dynamic-registration');
    expect(chosen.client.client_id).toBe('dcr-client');
    expect(bodies[0]).toMatchObject({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], scope: 'mcp:read' });
    const off = await chooseClient({ clientMetadataUrl: false }, everything.issuer, everything, REDIRECT, undefined, fetchFn);
    expect(off.route).toBe('dynamic-registration');
  });

  it('without any of the three, says what the server lacks and which flag helps', async () => {
    const error = await failure(chooseClient({}, 'https://as.example.com', metadata(), REDIRECT, undefined, registrar().fetchFn));
    expect(error.code).toBe('OAUTH_FAILED');
    expect(error.message).toMatch(/^OAuth client registration failed: no client id was given \(--client-id\)/);
    expect(error.message).toMatch(/client_id_metadata_document_supported/);
    expect(error.message).toMatch(/registration_endpoint/);
    expect(error.message).toMatch(/pass --client-id ID \(and --client-secret-env NAME for a confidential client\)/);
  });

  it('a registration refused by the server names the step and its error', async () => {
    const dcrOnly = metadata({ registration_endpoint: 'https://as.example.com/register' });
    const refusing: GuardedFetch = async () =>
      new Response(JSON.stringify({ error: 'invalid_client_metadata', error_description: 'redirect not allowed' }), { status: 400, headers: { 'content-type': 'application/json' } });
    const error = await failure(chooseClient({}, dcrOnly.issuer, dcrOnly, REDIRECT, undefined, refusing));
    expect(error.message).toBe('OAuth client registration failed: invalid_client_metadata (redirect not allowed)');
  });
});

describe('checkClientMetadataUrl', () => {
  it.each([
    ['http://corp.example.com/client.json', 'plain http'],
    ['https://corp.example.com/', 'no path'],
    ['https://user:pw@corp.example.com/c.json', 'credentials'],
    ['https://corp.example.com/c.json#x', 'a fragment'],
    ['not a url', 'not a URL'],
  ])('refuses %s (%s)', (url) => {
    expect(() => checkClientMetadataUrl(url)).toThrow(RemoteError);
  });

  it('accepts an https URL with a path', () => {
    expect(checkClientMetadataUrl('https://corp.example.com/mcp/client.json')).toBe('https://corp.example.com/mcp/client.json');
  });
});

describe('the published Client ID Metadata Document', () => {
  const doc = JSON.parse(readFileSync(new URL('../../../../docs/oauth/client-metadata.json', import.meta.url), 'utf8')) as Record<string, unknown>;

  it('is at the default URL it names as its client_id, with the loopback redirect the login listens on', () => {
    expect(doc['client_id']).toBe(DEFAULT_CLIENT_METADATA_URL);
    expect(checkClientMetadataUrl(DEFAULT_CLIENT_METADATA_URL)).toBe(DEFAULT_CLIENT_METADATA_URL);
    expect(doc['redirect_uris']).toEqual(['http://127.0.0.1/callback']);
    expect(doc['token_endpoint_auth_method']).toBe('none');
    expect(doc).not.toHaveProperty('client_secret');
  });
});

describe('chooseScope', () => {
  const prm = { resource: 'https://mcp.example.com/mcp', scopes_supported: ['files:read', 'files:write'] };

  it('asks for the challenge scope first, else the resource metadata scopes_supported, else none', () => {
    expect(chooseScope('tools:call', prm, metadata())).toBe('tools:call');
    expect(chooseScope(undefined, prm, metadata())).toBe('files:read files:write');
    expect(chooseScope(undefined, undefined, metadata())).toBeUndefined();
  });

  it('adds offline_access only when the authorization server lists it, and drops it otherwise', () => {
    const offering = metadata({ scopes_supported: ['openid', 'offline_access'] });
    expect(chooseScope('tools:call', prm, offering)).toBe('tools:call offline_access');
    expect(chooseScope(undefined, undefined, offering)).toBe('offline_access');
    expect(chooseScope('tools:call offline_access', prm, metadata({ scopes_supported: ['tools:call'] }))).toBe('tools:call');
    expect(chooseScope('offline_access', undefined, metadata())).toBeUndefined();
    // Listed, but refresh tokens are not a grant it offers: not asked for.
    expect(chooseScope('a', undefined, metadata({ scopes_supported: ['offline_access'], grant_types_supported: ['authorization_code'] }))).toBe('a');
  });
});

describe('2025-03-26 default endpoints and the grant-aware metadata check', () => {
  it('puts /authorize, /token and /register at the server origin, with S256 implied', () => {
    const legacy = legacyDefaultMetadata('https://mcp.example.com');
    expect(legacy).toMatchObject({
      issuer: 'https://mcp.example.com',
      authorization_endpoint: 'https://mcp.example.com/authorize',
      token_endpoint: 'https://mcp.example.com/token',
      registration_endpoint: 'https://mcp.example.com/register',
    });
    expect(() => checkAuthorizationServer(legacy, 'https://mcp.example.com', false)).not.toThrow();
  });

  it('requires S256 for a login but not for client credentials, where an excluded grant is refused instead', () => {
    const noPkce = metadata({ code_challenge_methods_supported: undefined });
    expect(() => checkAuthorizationServer(noPkce, noPkce.issuer, false)).toThrow(/does not advertise PKCE S256/);
    expect(() => checkAuthorizationServer(noPkce, noPkce.issuer, false, 'client_credentials')).not.toThrow();
    const codeOnly = metadata({ grant_types_supported: ['authorization_code'] });
    expect(() => checkAuthorizationServer(codeOnly, codeOnly.issuer, false, 'client_credentials')).toThrow(/does not offer the client_credentials grant/);
  });
});

describe('token endpoint client authentication (RFC 6749 §2.3.1)', () => {
  async function applied(client: TokenEndpointClient): Promise<{ authorization: string | null; params: Record<string, string> }> {
    const headers = new Headers();
    const params = new URLSearchParams();
    await clientAuthentication(client)(headers, params);
    return { authorization: headers.get('authorization'), params: Object.fromEntries(params) };
  }

  it('client_secret_basic form-urlencodes the id and the secret before base64, and sends nothing in the body', async () => {
    const { authorization, params } = await applied({ client_id: 'id:1', client_secret: 'a b+c/%', token_endpoint_auth_method: 'client_secret_basic' });
    expect(authorization).toBe(`Basic ${Buffer.from('id%3A1:a+b%2Bc%2F%25').toString('base64')}`);
    expect(params).toEqual({});
    expect(basicCredentials('plain', 'secret')).toBe(`Basic ${Buffer.from('plain:secret').toString('base64')}`);
  });

  it('client_secret_post puts id and secret in the body; none only the id; a secret without a method is basic', async () => {
    expect(await applied({ client_id: 'p', client_secret: 's', token_endpoint_auth_method: 'client_secret_post' })).toEqual({ authorization: null, params: { client_id: 'p', client_secret: 's' } });
    expect(await applied({ client_id: 'pub', token_endpoint_auth_method: 'none' })).toEqual({ authorization: null, params: { client_id: 'pub' } });
    expect(await applied({ client_id: 'pub' })).toEqual({ authorization: null, params: { client_id: 'pub' } });
    expect((await applied({ client_id: 'c', client_secret: 's' })).authorization).toMatch(/^Basic /);
  });

  it('scope helpers: words without repeats, unions, and only a well-formed challenge scope', () => {
    expect(scopeWords(' a  b a ')).toEqual(['a', 'b']);
    expect(unionScope('a b', 'b c')).toBe('a b c');
    expect(unionScope(undefined, 'x')).toBe('x');
    expect(challengeScope('Bearer error="insufficient_scope", scope="files:write files:write"')).toBe('files:write');
    expect(challengeScope('Bearer scope="a\nb"')).toBeUndefined();
    expect(challengeScope(undefined)).toBeUndefined();
  });
});
