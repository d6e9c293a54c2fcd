import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { OAuthMetadataSchema, OpenIdProviderDiscoveryMetadataSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import {
  startLegacyAuthMcpServer,
  startOAuthServer,
  startProtectedMcpServer,
  type FixtureClient,
  type OAuthServer,
  type OAuthServerOptions,
} from '../test-support/oauth-server.mjs';

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.allSettled(servers.splice(0).map((s) => s.close()));
});

async function authServer(options: OAuthServerOptions = {}): Promise<OAuthServer> {
  const as = await startOAuthServer(options);
  servers.push(as);
  return as;
}

const REDIRECT = 'http://127.0.0.1:8123/callback';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const BASIC_SECRET = 'b s%cret:+/';
const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rs = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();
const CLIENTS: FixtureClient[] = [
  { client_id: 'pub', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT] },
  { client_id: 'basic', client_secret: BASIC_SECRET, token_endpoint_auth_method: 'client_secret_basic', scope: 'mcp:read mcp:write' },
  { client_id: 'post', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post', scope: 'mcp:read' },
  { client_id: 'jwt-es', token_endpoint_auth_method: 'private_key_jwt', public_key_pem: pem(es.publicKey) },
  { client_id: 'jwt-rs', token_endpoint_auth_method: 'private_key_jwt', public_key_pem: pem(rs.publicKey) },
];

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

async function post(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams(params) });
  const text = await response.text();
  return { status: response.status, text, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), headers: response.headers };
}

const basic = (id: string, secret: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
const encodedBasic = (id: string, secret: string): Record<string, string> => basic(encodeURIComponent(id), encodeURIComponent(secret));

/** An authorization request with PKCE; the code (if any) and what the redirect carried. */
async function authorize(issuer: string, params: Record<string, string>): Promise<{ status: number; redirect?: URL; code?: string; verifier: string; body: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${issuer}/authorize`);
  const all = { response_type: 'code', redirect_uri: REDIRECT, state: 'st', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', ...params };
  for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  const redirect = location === null ? undefined : new URL(location);
  const code = redirect?.searchParams.get('code') ?? undefined;
  return { status: response.status, verifier, body: await response.text(), ...(redirect === undefined ? {} : { redirect }), ...(code === undefined ? {} : { code }) };
}

/** A full authorization code flow for a public client; the token answer. */
async function codeFlow(issuer: string, clientId: string, extra: Record<string, string> = {}, redirectUri = REDIRECT): Promise<Answer> {
  const { code, verifier } = await authorize(issuer, { client_id: clientId, redirect_uri: redirectUri, ...extra });
  expect(code).toBeDefined();
  const resource: Record<string, string> = extra['resource'] === undefined ? {} : { resource: extra['resource'] };
  return post(`${issuer}/token`, { grant_type: 'authorization_code', code: code ?? '', code_verifier: verifier, redirect_uri: redirectUri, client_id: clientId, ...resource });
}

/** A compact JWS (ES256 in JOSE r||s form, or RS256). */
function jwt(alg: 'ES256' | 'RS256', key: KeyObject, claims: Record<string, unknown>): string {
  const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part({ alg, typ: 'JWT' })}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${signature.toString('base64url')}`;
}

let jtiCounter = 0;
function claims(clientId: string, aud: unknown, over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: clientId, sub: clientId, aud, iat: now, exp: now + 300, jti: `jti-${++jtiCounter}-${Date.now()}`, ...over };
}
const assertionParams = (assertion: string): Record<string, string> => ({
  grant_type: 'client_credentials',
  client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  client_assertion: assertion,
});

describe('authorization server metadata', () => {
  it('serves RFC 8414 metadata at the root by default, and 404 at the OpenID locations', async () => {
    const as = await authServer();
    const doc = await (await fetch(`${as.origin}/.well-known/oauth-authorization-server`)).json();
    expect(OAuthMetadataSchema.parse(doc)).toMatchObject({ issuer: as.origin, token_endpoint: `${as.origin}/token`, token_endpoint_auth_methods_supported: ['none'], scopes_supported: ['mcp:read', 'mcp:write'] });
    expect((await fetch(`${as.origin}/.well-known/openid-configuration`)).status).toBe(404);
    expect(as.requests[0]?.metadataLocation).toBe('oauth');
  });

  const paths = (issuerPath: string): Record<string, string> => ({
    oauth: `/.well-known/oauth-authorization-server${issuerPath}`,
    'oidc-inserted': `/.well-known/openid-configuration${issuerPath}`,
    'oidc-appended': `${issuerPath}/.well-known/openid-configuration`,
  });

  it.each(['oauth', 'oidc-inserted', 'oidc-appended'] as const)('serves an issuer with a path at %s only', async (location) => {
    const as = await authServer({ issuerPath: '/tenant1', metadataLocations: [location] });
    expect(as.issuer).toBe(`${as.origin}/tenant1`);
    for (const [where, path] of Object.entries(paths('/tenant1'))) {
      const response = await fetch(`${as.origin}${path}`);
      expect([where, response.status]).toEqual([where, where === location ? 200 : 404]);
      if (where !== location) continue;
      const doc = await response.json();
      const schema = location === 'oauth' ? OAuthMetadataSchema : OpenIdProviderDiscoveryMetadataSchema;
      expect(schema.parse(doc)).toMatchObject({ issuer: as.issuer, authorization_endpoint: `${as.issuer}/authorize`, registration_endpoint: `${as.issuer}/register` });
    }
    expect(as.requests.filter((r) => r.metadataLocation === location)).toHaveLength(1);
    expect((await fetch(`${as.origin}/.well-known/oauth-authorization-server`)).status).toBe(404);
  });

  it('serves both OpenID forms at /.well-known/openid-configuration for an issuer without a path', async () => {
    const as = await authServer({ metadataLocations: ['oidc-appended'], tokenEndpointAuthMethods: ['private_key_jwt'], cimdDocuments: {} });
    const doc = OpenIdProviderDiscoveryMetadataSchema.parse(await (await fetch(`${as.origin}/.well-known/openid-configuration`)).json());
    expect(doc).toMatchObject({ jwks_uri: `${as.origin}/jwks`, token_endpoint_auth_methods_supported: ['private_key_jwt'], client_id_metadata_document_supported: true });
    expect((await fetch(`${as.origin}/.well-known/oauth-authorization-server`)).status).toBe(404);
  });

  it('runs the whole flow at the endpoints under the issuer path', async () => {
    const as = await authServer({ issuerPath: '/tenant1', clients: CLIENTS });
    const { redirect } = await authorize(as.issuer, { client_id: 'pub' });
    expect(redirect?.searchParams.get('iss')).toBe(as.issuer);
    const answer = await codeFlow(as.issuer, 'pub', { resource: 'http://127.0.0.1:9/mcp' });
    expect(answer.status).toBe(200);
    expect(as.validate(String(answer.body['access_token']), 'http://127.0.0.1:9/mcp')).toBe(true);
    expect((await fetch(`${as.origin}/token`, { method: 'POST' })).status).toBe(404);
  });
});

describe('client authentication at the token endpoint', () => {
  const start = (): Promise<OAuthServer> => authServer({ clients: CLIENTS, clientCredentials: true, tokenEndpointAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] });
  const grant = { grant_type: 'client_credentials' };

  it('accepts client_secret_basic url-encoded and as the SDK sends it, and refuses a wrong secret or another method', async () => {
    const as = await start();
    expect((await post(`${as.issuer}/token`, grant, encodedBasic('basic', BASIC_SECRET))).status).toBe(200);
    expect((await post(`${as.issuer}/token`, grant, basic('basic', BASIC_SECRET))).status).toBe(200);
    const wrong = await post(`${as.issuer}/token`, grant, basic('basic', 'nope'));
    expect([wrong.status, wrong.body['error']]).toEqual([401, 'invalid_client']);
    const asPost = await post(`${as.issuer}/token`, { ...grant, client_id: 'basic', client_secret: BASIC_SECRET });
    expect([asPost.status, asPost.body['error']]).toEqual([401, 'invalid_client']);
    expect(asPost.text).not.toContain(BASIC_SECRET);
    const none = await post(`${as.issuer}/token`, { ...grant, client_id: 'basic' });
    expect([none.status, none.body['error_description']]).toEqual([401, 'this client authenticates with client_secret_basic, not none']);
  });

  it('accepts client_secret_post and refuses it in a Basic header, or both at once', async () => {
    const as = await start();
    expect((await post(`${as.issuer}/token`, { ...grant, client_id: 'post', client_secret: 'post-secret' })).status).toBe(200);
    expect((await post(`${as.issuer}/token`, grant, basic('post', 'post-secret'))).status).toBe(401);
    expect((await post(`${as.issuer}/token`, { ...grant, client_id: 'post', client_secret: 'wrong' })).status).toBe(401);
    const both = await post(`${as.issuer}/token`, { ...grant, client_secret: 'post-secret' }, basic('post', 'post-secret'));
    expect([both.status, both.body['error']]).toEqual([400, 'invalid_request']);
  });

  it('accepts a public client with its client_id only, and refuses it with a secret', async () => {
    const as = await start();
    expect((await codeFlow(as.issuer, 'pub')).status).toBe(200);
    const { code, verifier } = await authorize(as.issuer, { client_id: 'pub' });
    const params = { grant_type: 'authorization_code', code: code ?? '', code_verifier: verifier, redirect_uri: REDIRECT };
    expect((await post(`${as.issuer}/token`, params, basic('pub', 'x'))).status).toBe(401);
  });

  it('accepts private_key_jwt assertions signed ES256 (aud issuer) and RS256 (aud token endpoint in an array), and records them', async () => {
    const as = await start();
    const e = await post(`${as.issuer}/token`, assertionParams(jwt('ES256', es.privateKey, claims('jwt-es', as.issuer))));
    expect([e.status, as.tokenInfo(String(e.body['access_token']))?.clientId]).toEqual([200, 'jwt-es']);
    const r = await post(`${as.issuer}/token`, { ...assertionParams(jwt('RS256', rs.privateKey, claims('jwt-rs', [`${as.issuer}/token`]))), client_id: 'jwt-rs' });
    expect(r.status).toBe(200);
    expect(as.assertions.map((a) => [a.header['alg'], a.claims['sub'], a.clientId, a.error])).toEqual([
      ['ES256', 'jwt-es', 'jwt-es', undefined],
      ['RS256', 'jwt-rs', 'jwt-rs', undefined],
    ]);
  });

  it.each([
    ['expired', (aud: string) => jwt('ES256', es.privateKey, claims('jwt-es', aud, { iat: Math.floor(Date.now() / 1000) - 400, exp: Math.floor(Date.now() / 1000) - 100 })), 'assertion expired'],
    ['for another audience', () => jwt('ES256', es.privateKey, claims('jwt-es', 'https://elsewhere.example')), 'assertion aud is neither the issuer nor the token endpoint'],
    ['too long-lived', (aud: string) => jwt('ES256', es.privateKey, claims('jwt-es', aud, { exp: Math.floor(Date.now() / 1000) + 3600 })), 'assertion lifetime exceeds 300 s'],
    ['signed by another key', (aud: string) => jwt('ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, claims('jwt-es', aud)), 'bad assertion signature'],
    ['with an alg that does not fit the key', (aud: string) => jwt('RS256', rs.privateKey, claims('jwt-es', aud)), 'alg RS256 does not match the registered key'],
    ['with another iss', (aud: string) => jwt('ES256', es.privateKey, claims('jwt-es', aud, { iss: 'someone' })), 'assertion iss and sub must be the client_id'],
  ])('refuses an assertion %s', async (_name, make, description) => {
    const as = await start();
    const answer = await post(`${as.issuer}/token`, assertionParams(make(as.issuer)));
    expect([answer.status, answer.body['error'], answer.body['error_description']]).toEqual([401, 'invalid_client', description]);
    expect(as.assertions.at(-1)?.error).toBe(description);
  });

  it('refuses a replayed jti, and an assertion from a client registered for secrets', async () => {
    const as = await start();
    const assertion = jwt('ES256', es.privateKey, claims('jwt-es', as.issuer));
    expect((await post(`${as.issuer}/token`, assertionParams(assertion))).status).toBe(200);
    const replay = await post(`${as.issuer}/token`, assertionParams(assertion));
    expect([replay.status, replay.body['error_description']]).toEqual([401, 'jti replayed']);
    expect(replay.text).not.toContain(assertion);
    const wrongMethod = await post(`${as.issuer}/token`, assertionParams(jwt('ES256', es.privateKey, claims('basic', as.issuer))));
    expect(wrongMethod.status).toBe(401);
  });
});

describe('dynamic registration', () => {
  const register = (as: OAuthServer): Promise<Response> =>
    fetch(`${as.issuer}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }) });

  it('registers public clients by default', async () => {
    const as = await authServer();
    const client = (await (await register(as)).json()) as Record<string, unknown>;
    expect([client['token_endpoint_auth_method'], client['client_secret']]).toEqual(['none', undefined]);
    expect((await codeFlow(as.issuer, String(client['client_id']))).status).toBe(200);
  });

  it('registers confidential clients with dcrAuthMethod, which must then authenticate', async () => {
    const as = await authServer({ dcrAuthMethod: 'client_secret_post' });
    const client = (await (await register(as)).json()) as Record<string, unknown>;
    const id = String(client['client_id']);
    expect(client['token_endpoint_auth_method']).toBe('client_secret_post');
    const { code, verifier } = await authorize(as.issuer, { client_id: id });
    const params = { grant_type: 'authorization_code', code: code ?? '', code_verifier: verifier, redirect_uri: REDIRECT, client_id: id };
    expect((await post(`${as.issuer}/token`, params)).status).toBe(401);
    expect((await post(`${as.issuer}/token`, { ...params, client_secret: String(client['client_secret']) })).status).toBe(200);
  });
});

describe('Client ID Metadata Documents', () => {
  const URL_ID = 'https://client.example/meta.json';
  const docs = {
    [URL_ID]: { client_id: URL_ID, redirect_uris: ['http://127.0.0.1:3000/callback'], token_endpoint_auth_method: 'none' },
    'https://client.example/liar.json': { client_id: 'https://client.example/other.json', redirect_uris: [REDIRECT] },
  };

  it('accepts a loopback redirect on another port, then a public token request, and records the lookups', async () => {
    const as = await authServer({ cimdDocuments: docs });
    const answer = await codeFlow(as.issuer, URL_ID, {}, 'http://127.0.0.1:54321/callback');
    expect(answer.status).toBe(200);
    expect(as.cimdLookups).toEqual([URL_ID, URL_ID]);
  });

  it.each([
    ['an unknown document', 'https://client.example/none.json', 'http://127.0.0.1:1/callback', 'invalid_client'],
    ['a document naming another client_id', 'https://client.example/liar.json', REDIRECT, 'invalid_client'],
    ['another redirect path', URL_ID, 'http://127.0.0.1:3000/other', 'invalid_redirect_uri'],
    ['another loopback host', URL_ID, 'http://localhost:3000/callback', 'invalid_redirect_uri'],
  ])('refuses %s', async (_name, clientId, redirectUri, error) => {
    const as = await authServer({ cimdDocuments: docs });
    const { status, body } = await authorize(as.issuer, { client_id: clientId, redirect_uri: redirectUri });
    expect([status, JSON.parse(body).error]).toEqual([400, error]);
  });

  it('does not look documents up when the server does not support them', async () => {
    const as = await authServer();
    expect((await authorize(as.issuer, { client_id: URL_ID })).status).toBe(400);
    expect(as.cimdLookups).toEqual([]);
  });
});

describe('scopes, refresh and client credentials', () => {
  it('issues a refresh token only with offline_access when asked to, and rotates it', async () => {
    const as = await authServer({ refreshRequiresOfflineAccess: true, clients: CLIENTS });
    expect((await codeFlow(as.issuer, 'pub', { scope: 'mcp:read' })).body['refresh_token']).toBeUndefined();
    const first = await codeFlow(as.issuer, 'pub', { scope: 'mcp:read offline_access' });
    const refresh = String(first.body['refresh_token']);
    const params = { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'pub' };
    const second = await post(`${as.issuer}/token`, { ...params, scope: 'mcp:read' });
    expect([second.status, as.tokenInfo(String(second.body['access_token']))?.grant]).toEqual([200, 'refresh_token']);
    expect(second.body['refresh_token']).not.toBe(refresh);
    expect((await post(`${as.issuer}/token`, params)).body['error']).toBe('invalid_grant');
    const widened = await post(`${as.issuer}/token`, { ...params, refresh_token: String(second.body['refresh_token']), scope: 'mcp:admin' });
    expect(widened.body['error']).toBe('invalid_scope');
  });

  it('remembers the scope of each token (tokenInfo, validateScopes)', async () => {
    const as = await authServer();
    const resource = 'http://127.0.0.1:9/mcp';
    const token = String((await codeFlow(as.issuer, await registeredId(as), { scope: 'mcp:read', resource })).body['access_token']);
    expect(as.tokenInfo(token)).toMatchObject({ scope: 'mcp:read', resource, grant: 'authorization_code' });
    expect(as.validateScopes(token, resource, ['mcp:read'])).toBe('ok');
    expect(as.validateScopes(token, resource, ['mcp:write'])).toBe('insufficient_scope');
    expect(as.validateScopes(token, 'http://127.0.0.1:9/other', ['mcp:read'])).toBe('invalid');
    expect(as.validateScopes('at-unknown', resource, [])).toBe('invalid');
  });

  it('refuses client_credentials unless enabled', async () => {
    const as = await authServer({ clients: CLIENTS });
    expect((await post(`${as.issuer}/token`, { grant_type: 'client_credentials' }, basic('basic', BASIC_SECRET))).body['error']).toBe('unsupported_grant_type');
  });

  it('grants client_credentials to confidential clients within their scope, bound to the resource, without refresh token', async () => {
    const as = await authServer({ clients: CLIENTS, clientCredentials: true });
    const doc = (await (await fetch(`${as.origin}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(doc['grant_types_supported']).toContain('client_credentials');
    const ok = await post(`${as.issuer}/token`, { grant_type: 'client_credentials', scope: 'mcp:read', resource: 'http://127.0.0.1:9/mcp' }, basic('basic', BASIC_SECRET));
    expect([ok.status, ok.body['refresh_token']]).toEqual([200, undefined]);
    expect(as.tokenInfo(String(ok.body['access_token']))).toMatchObject({ clientId: 'basic', scope: 'mcp:read', resource: 'http://127.0.0.1:9/mcp', grant: 'client_credentials' });
    const defaulted = await post(`${as.issuer}/token`, { grant_type: 'client_credentials', client_id: 'post', client_secret: 'post-secret' });
    expect(as.tokenInfo(String(defaulted.body['access_token']))?.scope).toBe('mcp:read');
    const tooMuch = await post(`${as.issuer}/token`, { grant_type: 'client_credentials', client_id: 'post', client_secret: 'post-secret', scope: 'mcp:read mcp:write' });
    expect([tooMuch.status, tooMuch.body['error']]).toEqual([400, 'invalid_scope']);
    const publicClient = await post(`${as.issuer}/token`, { grant_type: 'client_credentials', client_id: 'pub' });
    expect([publicClient.status, publicClient.body['error']]).toEqual([400, 'unauthorized_client']);
  });

  it('refuses every token request with token-fails, naming the error and its description', async () => {
    const as = await authServer({ failure: 'token-fails' });
    const answer = await post(`${as.issuer}/token`, { grant_type: 'authorization_code', code: 'x', client_id: 'x' });
    expect([answer.status, answer.body]).toEqual([400, { error: 'invalid_request', error_description: 'the fixture refuses this token request' }]);
  });
});

async function registeredId(as: { issuer: string }): Promise<string> {
  const response = await fetch(`${as.issuer}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [REDIRECT] }) });
  return String(((await response.json()) as Record<string, unknown>)['client_id']);
}

const rpc = (url: string, token: string | undefined, method: string, params: unknown = {}): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });

describe('protected MCP endpoint', () => {
  it('lists tools and answers 403 insufficient_scope naming the scopes the call needs', async () => {
    const as = await authServer();
    const mcp = await startProtectedMcpServer({ authServer: as, tools: [{ name: 'read' }, { name: 'write', scope: 'mcp:write' }], challengeScopes: ['mcp:read'], scopesSupported: ['mcp:read', 'mcp:write'] });
    servers.push(mcp);
    const challenge = (await rpc(mcp.url, undefined, 'tools/list')).headers.get('www-authenticate');
    expect(challenge).toBe(`Bearer resource_metadata="${mcp.origin}/.well-known/oauth-protected-resource/mcp", scope="mcp:read"`);
    const prm = (await (await fetch(`${mcp.origin}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(prm['scopes_supported']).toEqual(['mcp:read', 'mcp:write']);
    const token = String((await codeFlow(as.issuer, await registeredId(as), { scope: 'mcp:read', resource: mcp.url })).body['access_token']);
    const list = (await (await rpc(mcp.url, token, 'tools/list')).json()) as { result: { tools: Array<{ name: string }> } };
    expect(list.result.tools.map((t) => t.name)).toEqual(['read', 'write']);
    expect(await (await rpc(mcp.url, token, 'tools/call', { name: 'read' })).json()).toMatchObject({ result: { content: [{ type: 'text', text: 'called read' }] } });
    const denied = await rpc(mcp.url, token, 'tools/call', { name: 'write' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="mcp:read mcp:write", resource_metadata="${mcp.origin}/.well-known/oauth-protected-resource/mcp"`);
    expect(await (await rpc(mcp.url, token, 'tools/call', { name: 'nope' })).json()).toMatchObject({ error: { code: -32602 } });
  });

  it.each([
    ['root', '/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp'],
    ['none', undefined, '/.well-known/oauth-protected-resource'],
  ] as const)('serves the resource metadata at prmLocation %s', async (prmLocation, served, missing) => {
    const as = await authServer();
    const mcp = await startProtectedMcpServer({ authServer: as, prmLocation });
    servers.push(mcp);
    expect((await fetch(`${mcp.origin}${missing}`)).status).toBe(404);
    if (served !== undefined) expect((await fetch(`${mcp.origin}${served}`)).status).toBe(200);
    const challenge = (await rpc(mcp.url, undefined, 'ping')).headers.get('www-authenticate');
    expect(challenge).toBe(served === undefined ? 'Bearer' : `Bearer resource_metadata="${mcp.origin}${served}"`);
  });
});

describe('2025-03-26 server that is its own authorization server', () => {
  it.each([true, false])('runs the whole flow at the origin (metadata: %s)', async (metadata) => {
    const legacy = await startLegacyAuthMcpServer({ metadata, tools: [{ name: 'echo' }] });
    servers.push(legacy);
    expect(legacy.issuer).toBe(legacy.origin);
    const meta = await fetch(`${legacy.origin}/.well-known/oauth-authorization-server`);
    expect(meta.status).toBe(metadata ? 200 : 404);
    if (metadata) expect(((await meta.json()) as Record<string, unknown>)['token_endpoint']).toBe(`${legacy.origin}/token`);
    expect((await fetch(`${legacy.origin}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404);
    expect((await fetch(`${legacy.origin}/.well-known/oauth-protected-resource`)).status).toBe(404);
    const refused = await rpc(legacy.url, undefined, 'tools/list');
    expect([refused.status, refused.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    const answer = await codeFlow(legacy.origin, await registeredId(legacy));
    expect(typeof answer.body['refresh_token']).toBe('string');
    const token = String(answer.body['access_token']);
    expect(await (await rpc(legacy.url, token, 'tools/call', { name: 'echo' })).json()).toMatchObject({ result: { content: [{ text: 'called echo' }] } });
    expect(legacy.requests.find((r) => r.path === '/mcp' && r.authorization !== undefined)?.rpcMethod).toBe('tools/call');
    expect((await rpc(legacy.url, 'at-forged', 'ping')).headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });
});
