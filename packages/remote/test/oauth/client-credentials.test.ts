import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { installDialGuard, type DialGuard } from '@mcptrust/tooling/test-support/dial-guard.mjs';
import { startOAuthServer, startProtectedMcpServer } from '@mcptrust/tooling/test-support/oauth-server.mjs';
import type { FixtureClient, FixtureTool, OAuthServer, OAuthServerOptions, ProtectedMcpServer, ProtectedMcpServerOptions } from '@mcptrust/tooling/test-support/oauth-server.mjs';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteError } from '../../src/errors.js';
import { createClientCredentials, type ClientCredentialsOptions } from '../../src/oauth/client-credentials.js';
import { openUpstream } from '../../src/open-upstream.js';
import type { CredentialSource, HostResolver } from '../../src/upstream.types.js';

// Loopback only: the fixture authorization server and protected MCP endpoint on
// 127.0.0.1. Blocked targets come from injected resolvers and are never dialled.

const SECRET = 'cc-secret:with+odd/chars=&%';
const CLIENT = 'ci-bot';
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const EC_PEM = ec.privateKey.export({ format: 'pem', type: 'sec1' }) as string;
const RSA_PEM = rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
const spki = (key: typeof ec.publicKey): string => key.export({ format: 'pem', type: 'spki' }) as string;

let guard: DialGuard;
let as: OAuthServer | undefined;
let mcp: ProtectedMcpServer | undefined;
/** Every message a test saw (errors, warnings): none may carry a secret. */
let seen: string[] = [];

beforeAll(() => {
  guard = installDialGuard();
});
afterAll(() => {
  guard.restore();
  expect(guard.refused).toEqual([]);
});
afterEach(async () => {
  const secrets = [SECRET, pemBody(EC_PEM), pemBody(RSA_PEM), ...(as?.issuedAccessTokens() ?? []), ...assertionsSent()];
  for (const message of seen) for (const secret of secrets) expect(message).not.toContain(secret);
  seen = [];
  await mcp?.close();
  await as?.close();
  mcp = undefined;
  as = undefined;
});

function pemBody(pem: string): string {
  return pem.split('\n')[2] ?? pem;
}
function tokenRequests(server: OAuthServer = as!) {
  return server.requests.filter((r) => r.path === '/token');
}
function assertionsSent(): string[] {
  return as === undefined ? [] : tokenRequests().flatMap((r) => (r.params['client_assertion'] === undefined ? [] : [r.params['client_assertion']]));
}

async function servers(
  client: Partial<FixtureClient> = {},
  asOptions: OAuthServerOptions = {},
  mcpOptions: Omit<ProtectedMcpServerOptions, 'authServer'> = {},
): Promise<{ as: OAuthServer; mcp: ProtectedMcpServer }> {
  as = await startOAuthServer({
    clientCredentials: true,
    tokenEndpointAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    clients: [{ client_id: CLIENT, client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic', ...client }],
    ...asOptions,
  });
  mcp = await startProtectedMcpServer({ authServer: as, scopes: ['mcp:read'], ...mcpOptions });
  return { as, mcp };
}

function source(url: string, options: Partial<ClientCredentialsOptions> = {}): CredentialSource {
  return createClientCredentials(url, {
    clientId: CLIENT,
    ...(options.privateKeyPem === undefined ? { clientSecret: SECRET } : {}),
    onWarning: (m) => seen.push(m),
    ...options,
  });
}

async function rejection(promise: Promise<unknown>): Promise<RemoteError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RemoteError) {
      seen.push(error.message);
      return error;
    }
    throw error;
  }
  throw new Error('expected a rejection');
}

interface Answer {
  result?: unknown;
  rpcError?: unknown;
  error?: RemoteError;
}

/** One MCP session over a real upstream connection: `initialize`, then `calls` in turn. */
async function session(url: string, credentials: CredentialSource, calls: Array<{ method: string; params?: unknown }> = []): Promise<Answer[]> {
  const pending = new Map<number, (answer: Answer) => void>();
  const connection = openUpstream(
    { endpoint: { url, transport: 'streamable-http' }, credentials, headersTimeoutMs: 5_000 },
    {
      message: (text) => {
        const message = JSON.parse(text) as { id?: number; result?: unknown; error?: unknown };
        if (typeof message.id === 'number') pending.get(message.id)?.(message.error === undefined ? { result: message.result } : { rpcError: message.error });
      },
      requestFailed: (id, error) => {
        seen.push(error.message);
        pending.get(Number(id))?.({ error });
      },
      sessionLost: () => undefined,
      closed: () => undefined,
    },
  );
  const send = (id: number, method: string, params: unknown): Promise<Answer> =>
    new Promise((resolve) => {
      pending.set(id, resolve);
      connection.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  try {
    const answers = [await send(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } })];
    if (answers[0]?.error !== undefined) return answers;
    connection.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    let id = 2;
    for (const call of calls) answers.push(await send(id++, call.method, call.params ?? {}));
    return answers;
  } finally {
    await connection.close();
  }
}

const callTool = (name: string) => ({ method: 'tools/call', params: { name, arguments: {} } });

describe('createClientCredentials: client authentication', () => {
  it('client_secret_basic: the id and secret form-urlencoded in the Basic header, no secret in the body, resource and scope sent', async () => {
    const { as, mcp } = await servers();
    const credentials = source(mcp.url);
    const [init] = await session(mcp.url, credentials);
    expect(init?.result).toMatchObject({ serverInfo: { name: 'oauth-protected-fixture' } });
    const [request] = tokenRequests();
    expect(tokenRequests()).toHaveLength(1);
    const encode = (v: string): string => new URLSearchParams({ v }).toString().slice(2);
    expect(request?.headers['authorization']).toBe(`Basic ${Buffer.from(`${encode(CLIENT)}:${encode(SECRET)}`).toString('base64')}`);
    expect(request?.params).toEqual({ grant_type: 'client_credentials', scope: 'mcp:read', resource: mcp.url });
    const token = (await credentials.authorization())!.slice(7);
    expect(as.tokenInfo(token)).toMatchObject({ clientId: CLIENT, grant: 'client_credentials', resource: mcp.url, scope: 'mcp:read' });
    expect(mcp.requests.filter((r) => r.path === '/mcp' && r.authorization === `Bearer ${token}`).length).toBeGreaterThan(0);
  });

  it('client_secret_post where the server lists only that, and the option scope over the discovered one', async () => {
    const { mcp } = await servers({ token_endpoint_auth_method: 'client_secret_post' }, { tokenEndpointAuthMethods: ['client_secret_post'] });
    const [init] = await session(mcp.url, source(mcp.url, { scope: 'mcp:read  mcp:extra' }));
    expect(init?.result).toBeDefined();
    const [request] = tokenRequests();
    expect(request?.headers['authorization']).toBeUndefined();
    expect(request?.params).toEqual({ grant_type: 'client_credentials', scope: 'mcp:read mcp:extra', resource: mcp.url, client_id: CLIENT, client_secret: SECRET });
  });

  it.each([
    ['ES256', EC_PEM, spki(ec.publicKey)],
    ['RS256', RSA_PEM, spki(rsa.publicKey)],
  ])('private_key_jwt with %s: a fresh assertion per token request, verified by the server', async (alg, pem, publicKey) => {
    const { as, mcp } = await servers({ token_endpoint_auth_method: 'private_key_jwt', client_secret: undefined, public_key_pem: publicKey }, { accessTokenTtlSeconds: 1000 });
    let clock = Date.now();
    const credentials = source(mcp.url, { privateKeyPem: pem, keyId: 'key-1', now: () => clock });
    expect((await session(mcp.url, credentials))[0]?.result).toBeDefined();
    clock += 1_000_000; // expired: a second token request, with a second assertion
    expect((await session(mcp.url, credentials))[0]?.result).toBeDefined();
    expect(as.assertions).toHaveLength(2);
    for (const assertion of as.assertions) {
      expect(assertion.error).toBeUndefined();
      expect(assertion.clientId).toBe(CLIENT);
      expect(assertion.header).toEqual({ alg, typ: 'JWT', kid: 'key-1' });
      expect(assertion.claims).toMatchObject({ iss: CLIENT, sub: CLIENT, aud: as.issuer });
    }
    expect(as.assertions[0]?.claims['jti']).not.toBe(as.assertions[1]?.claims['jti']);
    const [request] = tokenRequests();
    expect(request?.params['client_assertion_type']).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(request?.headers['authorization']).toBeUndefined();
    expect(request?.params['client_secret']).toBeUndefined();
  });

  it('refuses private_key_jwt at a server that does not list it, before any token request', async () => {
    const { as, mcp } = await servers({}, { tokenEndpointAuthMethods: ['client_secret_basic'] });
    const error = await rejection(source(mcp.url, { privateKeyPem: EC_PEM }).authorization());
    expect(error.code).toBe('OAUTH_FAILED');
    expect(error.message).toContain(`The authorization server ${as.issuer} does not accept private_key_jwt client authentication (token_endpoint_auth_methods_supported: client_secret_basic)`);
    expect(tokenRequests()).toHaveLength(0);
  });

  it('a wrong secret: the error names the step and invalid_client, never the secret', async () => {
    const { mcp } = await servers({ client_secret: 'the-right-one' });
    const error = await rejection(source(mcp.url).authorization());
    expect(error.code).toBe('OAUTH_FAILED');
    expect(error.message).toMatch(/^OAuth token request failed: invalid_client \(/);
    expect(error.message).not.toContain(SECRET);
  });

  it('cuts a secret the server echoes out of the error', async () => {
    const { mcp } = await servers({ token_endpoint_auth_method: 'client_secret_post' }, { tokenEndpointAuthMethods: ['client_secret_post'] });
    const echoing = async (url: string | URL, init?: RequestInit): Promise<Response> => {
      if (new URL(url).pathname !== '/token') return fetch(url, init);
      const sent = new URLSearchParams(String(init?.body));
      return new Response(JSON.stringify({ error: 'invalid_client', error_description: `unknown secret ${sent.get('client_secret') ?? ''}` }), { status: 401, headers: { 'content-type': 'application/json' } });
    };
    const error = await rejection(source(mcp.url, { fetchFn: echoing }).authorization());
    expect(error.message).toBe('OAuth token request failed: invalid_client (unknown secret [redacted])');
  });

  it('a refused token request names the server error and its description', async () => {
    const { mcp } = await servers({}, { failure: 'token-fails' });
    const error = await rejection(source(mcp.url).authorization());
    expect(error.message).toBe('OAuth token request failed: invalid_request (the fixture refuses this token request)');
  });

  it('refuses an authorization server without the client_credentials grant in grant_types_supported', async () => {
    const { as, mcp } = await servers({}, { clientCredentials: false });
    const error = await rejection(source(mcp.url).authorization());
    expect(error.code).toBe('OAUTH_FAILED');
    expect(error.message).toContain(`The authorization server ${as.issuer} does not offer the client_credentials grant`);
    expect(tokenRequests()).toHaveLength(0);
  });
});

describe('createClientCredentials: tokens', () => {
  it('reuses the token until it expires (minus the skew), then requests a new one; one request for concurrent callers', async () => {
    const { mcp } = await servers({}, { accessTokenTtlSeconds: 300 });
    let clock = 1_000_000;
    const credentials = source(mcp.url, { now: () => clock, refreshSkewMs: 30_000 });
    const first = await Promise.all([credentials.authorization(), credentials.authorization(), credentials.authorization()]);
    expect(new Set(first).size).toBe(1);
    expect(tokenRequests()).toHaveLength(1);
    clock += 269_000;
    expect(await credentials.authorization()).toBe(first[0]);
    expect(tokenRequests()).toHaveLength(1);
    clock += 2_000;
    const second = await credentials.authorization();
    expect(second).not.toBe(first[0]);
    expect(tokenRequests()).toHaveLength(2);
    // Discovery ran once for both.
    expect(as!.requests.filter((r) => r.path === '/.well-known/oauth-authorization-server')).toHaveLength(1);
  });

  it('never writes a token anywhere: the home and config directories stay empty', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mcptrust-cc-home-'));
    const saved = { HOME: process.env['HOME'], XDG_CONFIG_HOME: process.env['XDG_CONFIG_HOME'] };
    process.env['HOME'] = home;
    process.env['XDG_CONFIG_HOME'] = join(home, '.config');
    try {
      const { mcp } = await servers();
      const answers = await session(mcp.url, source(mcp.url));
      expect(answers[0]?.result).toBeDefined();
      expect(await readdir(home)).toEqual([]);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await rm(home, { recursive: true, force: true });
    }
  });

  it('a 401 gets one new token, and the request succeeds', async () => {
    const { as, mcp } = await servers({}, {}, { tools: [{ name: 'read' }] });
    const credentials = source(mcp.url);
    const before = await credentials.authorization();
    as.expireAccessTokens();
    const answers = await session(mcp.url, credentials, [callTool('read')]);
    expect(answers.map((a) => a.error)).toEqual([undefined, undefined]);
    expect(await credentials.authorization()).not.toBe(before);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('a 401 on the token fetched after a 401 is not retried again', async () => {
    const { mcp } = await servers({}, { accessTokenTtlSeconds: 0 });
    let offset = 0;
    const credentials = source(mcp.url, { refreshSkewMs: 0, now: () => Date.now() + offset });
    const [init] = await session(mcp.url, credentials);
    expect(init?.error?.code).toBe('UNAUTHORIZED');
    expect(tokenRequests()).toHaveLength(2);
    // A moment later, a 401 of a request sent before the new token arrived retries with it.
    await expect(credentials.unauthorized!('Bearer error="invalid_token"', 401)).resolves.toBe(true);
    // Later, the token in hand was itself fetched after a 401: no third request.
    offset = 10_000;
    await expect(credentials.unauthorized!('Bearer error="invalid_token"', 401)).resolves.toBe(false);
    expect(tokenRequests()).toHaveLength(2);
    expect(seen.join('\n')).toContain('refused a freshly issued client credentials token (HTTP 401)');
  });

  it('concurrent 401s share one new token', async () => {
    const { mcp } = await servers();
    const credentials = source(mcp.url);
    const first = await credentials.authorization();
    const answers = await Promise.all([1, 2, 3].map(() => credentials.unauthorized!('Bearer error="invalid_token"', 401)));
    expect(answers).toEqual([true, true, true]);
    expect(tokenRequests()).toHaveLength(2);
    expect(await credentials.authorization()).not.toBe(first);
  });
});

describe('createClientCredentials: scope step-up', () => {
  const tools: FixtureTool[] = [{ name: 'read' }, { name: 'write', scope: 'mcp:write' }, { name: 'admin', scope: 'mcp:admin' }, { name: 'root', scope: 'mcp:root' }];

  it('a 403 insufficient_scope gets a token with the union of the scopes, and the call succeeds', async () => {
    const { as, mcp } = await servers({}, {}, { tools });
    const credentials = source(mcp.url);
    const answers = await session(mcp.url, credentials, [callTool('read'), callTool('write')]);
    expect(answers.map((a) => a.error)).toEqual([undefined, undefined, undefined]);
    expect(answers[2]?.result).toEqual({ content: [{ type: 'text', text: 'called write' }] });
    expect(tokenRequests().map((r) => r.params['scope'])).toEqual(['mcp:read', 'mcp:read mcp:write']);
    expect(as.tokenInfo((await credentials.authorization())!.slice(7))?.scope).toBe('mcp:read mcp:write');
  });

  it('steps up at most maxStepUps times, then fails naming the scope', async () => {
    const { mcp } = await servers({}, {}, { tools });
    const answers = await session(mcp.url, source(mcp.url, { maxStepUps: 2 }), [callTool('write'), callTool('admin'), callTool('root')]);
    expect(answers.slice(0, 3).map((a) => a.error)).toEqual([undefined, undefined, undefined]);
    const failed = answers[3]?.error;
    expect(failed?.code).toBe('UNAUTHORIZED');
    expect(failed?.message).toContain('mcp:root');
    expect(failed?.message).toContain('after 2 step-ups; the client may not be allowed that scope');
    expect(tokenRequests()).toHaveLength(3);
  });

  it('a scope the authorization server refuses the client: the call fails naming the scope, no loop', async () => {
    const { mcp } = await servers({ scope: 'mcp:read' }, {}, { tools });
    const answers = await session(mcp.url, source(mcp.url), [callTool('write')]);
    const failed = answers[1]?.error;
    expect(failed?.code).toBe('UNAUTHORIZED');
    expect(failed?.message).toContain('needs the scope "mcp:read mcp:write"');
    expect(failed?.message).toContain('invalid_scope');
    expect(tokenRequests()).toHaveLength(2);
  });

  it('concurrent 403s for the same scope make one step-up', async () => {
    const { mcp } = await servers();
    const credentials = source(mcp.url, { maxStepUps: 1 });
    await credentials.authorization();
    const challenge = 'Bearer error="insufficient_scope", scope="mcp:read mcp:write"';
    const answers = await Promise.all([1, 2, 3].map(() => credentials.unauthorized!(challenge, 403)));
    expect(answers).toEqual([true, true, true]);
    // One more, after the step-up landed, from a request sent before it: retried with the new token.
    await expect(credentials.unauthorized!(challenge, 403)).resolves.toBe(true);
    expect(tokenRequests().map((r) => r.params['scope'])).toEqual(['mcp:read', 'mcp:read mcp:write']);
  });

  it('never steps up when the union adds nothing', async () => {
    const { mcp } = await servers();
    const credentials = source(mcp.url, { scope: 'mcp:read mcp:write' });
    await credentials.authorization();
    const error = await rejection(credentials.unauthorized!('Bearer error="insufficient_scope", scope="mcp:write"', 403));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain('needs the scope "mcp:write"');
    expect(error.message).toContain('may not allow this client that scope');
    expect(tokenRequests()).toHaveLength(1);
    await expect(credentials.unauthorized!('Bearer error="invalid_token"', 403)).resolves.toBe(false);
  });
});

describe('createClientCredentials: refusals before any credential is sent', () => {
  it('refuses protected resource metadata for another resource with no token request', async () => {
    const { mcp } = await servers({}, {}, { resourceMetadata: { resource: 'http://127.0.0.1:9/elsewhere' } });
    const error = await rejection(source(mcp.url).authorization());
    expect(error.code).toBe('OAUTH_FAILED');
    expect(error.message).toContain('The protected resource metadata is for http://127.0.0.1:9/elsewhere');
    expect(tokenRequests()).toHaveLength(0);
  });

  it('refuses a token endpoint on a blocked address (injected resolver, never dialled)', async () => {
    const { mcp } = await servers({}, { metadataOverrides: { token_endpoint: 'https://token.attacker.test/token' } });
    const resolve: HostResolver = async (host) => (host === 'token.attacker.test' ? [{ address: '169.254.169.254', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const error = await rejection(source(mcp.url, { resolve }).authorization());
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(tokenRequests()).toHaveLength(0);
  });

  it('checks its options: one of secret and key, a usable key, counts', () => {
    const url = 'http://127.0.0.1:9/mcp';
    const invalid = (options: ClientCredentialsOptions): string => {
      try {
        createClientCredentials(url, options);
      } catch (error) {
        if (error instanceof RemoteError && error.code === 'INVALID_OPTIONS') return error.message;
        throw error;
      }
      throw new Error('accepted');
    };
    expect(invalid({ clientId: CLIENT })).toContain('exactly one of clientSecret and privateKeyPem');
    expect(invalid({ clientId: CLIENT, clientSecret: SECRET, privateKeyPem: EC_PEM })).toContain('exactly one of');
    expect(invalid({ clientId: '', clientSecret: SECRET })).toContain('clientId');
    expect(invalid({ clientId: CLIENT, privateKeyPem: generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string })).toContain('secp384r1');
    expect(invalid({ clientId: CLIENT, clientSecret: SECRET, maxStepUps: -1 })).toContain('maxStepUps');
    expect(invalid({ clientId: CLIENT, clientSecret: SECRET, refreshSkewMs: 1.5 })).toContain('refreshSkewMs');
  });
});
