import { afterEach, describe, expect, it } from '@jest/globals';
import {
  startLegacyAuthMcpServer,
  startOAuthServer,
  startProtectedMcpServer,
  type OAuthServer,
  type OAuthServerOptions,
  type ProtectedMcpServerOptions,
} from '@mcptrust/tooling/test-support/oauth-server.mjs';
import { createOAuthCredentials } from '../../src/credentials.js';
import { RemoteError } from '../../src/errors.js';
import { loginRemote } from '../../src/oauth/login.js';
import { oauthTestHooks, testBrowser } from './helpers.js';

// Every discovery and registration path of the MCP authorization spec (2025-11-25, with
// 2025-06-18 and 2025-03-26 servers) against the loopback authorization server fixture:
// where the metadata is, who the client is, which scope is asked for, what a token
// request error says, and that refresh tokens rotate. Loopback only.

const env = oauthTestHooks();
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function start(asOptions: OAuthServerOptions = {}, mcpOptions: Omit<ProtectedMcpServerOptions, 'authServer'> = {}) {
  const as = await startOAuthServer(asOptions);
  closers.push(() => as.close());
  const mcp = await startProtectedMcpServer({ authServer: as, ...mcpOptions });
  closers.push(() => mcp.close());
  return { as, mcp };
}

const login = (url: string, extra: Parameters<typeof loginRemote>[1] = {}) => loginRemote(url, { store: env.store, openBrowser: testBrowser().open, timeoutMs: 10_000, ...extra });

async function failure(promise: Promise<unknown>): Promise<RemoteError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

const paths = (as: { requests: Array<{ path: string }> }): string[] => as.requests.map((r) => r.path);
const wellKnown = (as: { requests: Array<{ path: string }> }): string[] => paths(as).filter((p) => p.includes('/.well-known/'));

describe('discovery: protected resource metadata', () => {
  it('at the root well-known location when neither the 401 nor the path-inserted location has it', async () => {
    const { as, mcp } = await start({}, { resourceMetadataUrl: null, prmLocation: 'root' });
    const result = await login(mcp.url);
    expect(result.issuer).toBe(as.issuer);
    expect(mcp.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']));
  });

  it('refuses metadata for another resource before any request to the authorization server', async () => {
    const { as, mcp } = await start({}, { resourceMetadata: { resource: 'http://127.0.0.1:1/elsewhere' } });
    const error = await failure(login(mcp.url));
    expect(error.message).toMatch(/protected resource metadata is for http:\/\/127\.0\.0\.1:1\/elsewhere, not for/);
    expect(as.requests).toHaveLength(0);
  });
});

describe('discovery: authorization server metadata in the spec order', () => {
  it.each([
    ['oauth', ['/.well-known/oauth-authorization-server/tenant1']],
    ['oidc-inserted', ['/.well-known/oauth-authorization-server/tenant1', '/.well-known/openid-configuration/tenant1']],
    ['oidc-appended', ['/.well-known/oauth-authorization-server/tenant1', '/.well-known/openid-configuration/tenant1', '/tenant1/.well-known/openid-configuration']],
  ] as const)('an issuer with a path, metadata only at %s: tried in order until found', async (location, tried) => {
    const { as, mcp } = await start({ issuerPath: '/tenant1', metadataLocations: [location] });
    const result = await login(mcp.url);
    expect(result.issuer).toBe(as.issuer);
    expect(as.issuer).toMatch(/\/tenant1$/);
    expect(wellKnown(as)).toEqual(tried);
  });

  it('an issuer without a path: OAuth first, then OpenID at the root', async () => {
    const { as, mcp } = await start({ metadataLocations: ['oidc-inserted'] });
    await login(mcp.url);
    expect(wellKnown(as)).toEqual(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']);
  });

  it('no metadata anywhere for a named authorization server is an error naming the discovery step', async () => {
    const { mcp } = await start({ metadataLocations: [] });
    const error = await failure(login(mcp.url));
    expect(error.message).toMatch(/^OAuth discovery failed: no authorization server metadata/);
  });
});

describe('2025-03-26 servers (the MCP server is its own authorization server)', () => {
  it.each([true, false])('metadata at the origin: %s; then login, and the token opens the server', async (metadata) => {
    const server = await startLegacyAuthMcpServer({ metadata });
    closers.push(() => server.close());
    const result = await login(server.url);
    expect(result.issuer).toBe(server.origin);
    const used = server.requests.map((r) => r.path);
    expect(used).toEqual(expect.arrayContaining(['/authorize', '/token']));
    expect(used).toContain('/.well-known/oauth-authorization-server');
    const auth = await createOAuthCredentials(server.url, { store: env.store }).authorization();
    const answer = await fetch(server.url, {
      method: 'POST',
      headers: { authorization: auth!, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(answer.status).toBe(200);
  });
});

describe('who the client is', () => {
  it('a pre-registered confidential client authenticates with client_secret_basic (never the secret in the body), also when refreshing', async () => {
    const { as, mcp } = await start({
      clients: [{ client_id: 'conf-client', client_secret: 'conf-s3cret-value', token_endpoint_auth_method: 'client_secret_basic' }],
      tokenEndpointAuthMethods: ['client_secret_basic', 'none'],
      failure: 'no-dcr',
    });
    const messages: string[] = [];
    const result = await login(mcp.url, { clientId: 'conf-client', clientSecret: 'conf-s3cret-value', onMessage: (m) => messages.push(m) });
    expect(result.clientRoute).toBe('pre-registered');
    const token = as.requests.find((r) => r.path === '/token');
    expect(String(token?.headers['authorization'])).toMatch(/^Basic /);
    expect(token?.params).not.toHaveProperty('client_secret');
    as.expireAccessTokens();
    const credentials = createOAuthCredentials(mcp.url, { store: env.store });
    expect(await credentials.unauthorized?.(undefined, 401)).toBe(true);
    const refresh = as.requests.filter((r) => r.path === '/token').at(-1);
    expect(refresh?.params['grant_type']).toBe('refresh_token');
    expect(String(refresh?.headers['authorization'])).toMatch(/^Basic /);
    for (const m of messages) expect(m).not.toContain('conf-s3cret-value');
  });

  it('client_secret_post when the server lists only that', async () => {
    const { as, mcp } = await start({
      clients: [{ client_id: 'post-client', client_secret: 'post-s3cret', token_endpoint_auth_method: 'client_secret_post' }],
      tokenEndpointAuthMethods: ['client_secret_post'],
    });
    await login(mcp.url, { clientId: 'post-client', clientSecret: 'post-s3cret' });
    const token = as.requests.find((r) => r.path === '/token');
    expect(token?.params).toMatchObject({ client_id: 'post-client', client_secret: 'post-s3cret' });
    expect(token?.headers['authorization']).toBeUndefined();
  });

  it('a Client ID Metadata Document when the server supports them: its URL is the client id, nothing is registered', async () => {
    const url = 'https://clients.example.com/mcptrust/client.json';
    const { as, mcp } = await start({
      cimdDocuments: { [url]: { client_id: url, client_name: 'MCPTrust', redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' } },
    });
    const result = await login(mcp.url, { clientMetadataUrl: url });
    expect(result.clientRoute).toBe('client-metadata-document');
    expect(paths(as)).not.toContain('/register');
    expect(as.requests.find((r) => r.path === '/authorize')?.params['client_id']).toBe(url);
    expect((await env.store.find(mcp.url))?.client.client_id).toBe(url);
  });

  it('a confidential dynamically registered client keeps the method the server gave it', async () => {
    const { as, mcp } = await start({ dcrAuthMethod: 'client_secret_basic', tokenEndpointAuthMethods: ['client_secret_basic', 'none'] });
    const result = await login(mcp.url);
    expect(result.clientRoute).toBe('dynamic-registration');
    expect(String(as.requests.find((r) => r.path === '/token')?.headers['authorization'])).toMatch(/^Basic /);
  });
});

describe('scopes', () => {
  it('asks for the 401 challenge scope over scopes_supported', async () => {
    const { as, mcp } = await start({}, { challengeScopes: ['tools:call'], scopesSupported: ['files:read', 'files:write'] });
    await login(mcp.url);
    expect(as.requests.find((r) => r.path === '/authorize')?.params['scope']).toBe('tools:call');
  });

  it('asks for scopes_supported without a challenge scope', async () => {
    const { as, mcp } = await start({}, { challengeScopes: null, scopesSupported: ['files:read', 'files:write'] });
    await login(mcp.url);
    expect(as.requests.find((r) => r.path === '/authorize')?.params['scope']).toBe('files:read files:write');
  });

  it('adds offline_access only when the authorization server lists it (and so gets a refresh token)', async () => {
    const listed = await start({ scopesSupported: ['mcp:read', 'offline_access'], refreshRequiresOfflineAccess: true }, { scopes: ['mcp:read'] });
    const withRefresh = await login(listed.mcp.url);
    expect(listed.as.requests.find((r) => r.path === '/authorize')?.params['scope']).toBe('mcp:read offline_access');
    expect(withRefresh.refreshable).toBe(true);
    const unlisted = await start({ scopesSupported: ['mcp:read'], refreshRequiresOfflineAccess: true }, { scopes: ['mcp:read'] });
    const without = await login(unlisted.mcp.url);
    expect(unlisted.as.requests.find((r) => r.path === '/authorize')?.params['scope']).toBe('mcp:read');
    expect(without.refreshable).toBe(false);
  });
});

describe('tokens', () => {
  it('a token endpoint error names the step, the error and its description', async () => {
    const { mcp } = await start({ failure: 'token-fails' });
    const error = await failure(login(mcp.url));
    expect(error.message).toBe('OAuth token request failed: invalid_request (the fixture refuses this token request)');
  });

  it('refresh tokens rotate: the new one is stored, the old one is dead', async () => {
    const { as, mcp } = await start();
    await login(mcp.url);
    const before = (await env.store.find(mcp.url))!.tokens.refresh_token!;
    as.expireAccessTokens();
    const credentials = createOAuthCredentials(mcp.url, { store: env.store });
    expect(await credentials.unauthorized?.(undefined, 401)).toBe(true);
    const after = (await env.store.find(mcp.url))!.tokens.refresh_token!;
    expect(after).not.toBe(before);
    const replay = await fetch(`${as.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before, client_id: (await env.store.find(mcp.url))!.client.client_id }),
    });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
  });
});
