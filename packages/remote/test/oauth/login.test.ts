import { afterEach, describe, expect, it } from '@jest/globals';
import {
  startOAuthServer,
  startProtectedMcpServer,
  type OAuthServer,
  type OAuthServerOptions,
  type ProtectedMcpServer,
  type ProtectedMcpServerOptions,
} from '@mcptrust/tooling/test-support/oauth-server.mjs';
import { startMcpHttpServer } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { readFile, stat } from 'node:fs/promises';
import { RemoteError } from '../../src/errors.js';
import { loginRemote, type LoginRemoteOptions } from '../../src/oauth/login.js';
import type { HostResolver } from '../../src/upstream.types.js';
import { pasteQueue, oauthTestHooks, testBrowser } from './helpers.js';

// Loopback only: an authorization server and a protected MCP endpoint on 127.0.0.1; the
// "browser" is the test fetching the authorization URL and the callback. Blocked targets
// come from injected resolvers or IP literals and are never dialled (dial guard).

const env = oauthTestHooks();
let as: OAuthServer | undefined;
let mcp: ProtectedMcpServer | undefined;

afterEach(async () => {
  await mcp?.close();
  await as?.close();
  mcp = undefined;
  as = undefined;
});

async function start(asOptions: OAuthServerOptions = {}, mcpOptions: Omit<ProtectedMcpServerOptions, 'authServer'> = {}): Promise<{ as: OAuthServer; mcp: ProtectedMcpServer }> {
  as = await startOAuthServer(asOptions);
  mcp = await startProtectedMcpServer({ authServer: as, ...mcpOptions });
  return { as, mcp };
}

async function failure(promise: Promise<unknown>): Promise<RemoteError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

describe('loginRemote', () => {
  it('runs discovery, registration, PKCE authorization with state and resource, the code exchange, and stores the tokens 0600', async () => {
    const { as, mcp } = await start({}, { scopes: ['mcp:read'] });
    const browser = testBrowser();
    const messages: string[] = [];
    const result = await loginRemote(mcp.url, { store: env.store, openBrowser: browser.open, onMessage: (m) => messages.push(m), timeoutMs: 10_000 });

    expect(result).toMatchObject({ issuer: as.issuer, resource: mcp.url, scope: 'mcp:read', refreshable: true });
    expect(Date.parse(result.expiresAt ?? '')).toBeGreaterThan(Date.now() + 3_000_000);

    // The authorization request.
    expect(browser.visits).toHaveLength(1);
    const visit = browser.visits[0]!;
    const query = visit.authorizationUrl.searchParams;
    expect(visit.authorizationUrl.origin + visit.authorizationUrl.pathname).toBe(`${as.issuer}/authorize`);
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('resource')).toBe(mcp.url);
    expect(query.get('scope')).toBe('mcp:read');
    expect(query.get('state')?.length).toBeGreaterThanOrEqual(32);
    expect(query.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(visit.callbackStatus).toBe(200);
    expect(visit.callbackPage).toContain('Login complete');
    expect(messages.some((m) => m.includes(visit.authorizationUrl.href))).toBe(true);

    // Registration and token request.
    const register = as.requests.find((r) => r.path === '/register');
    expect(register?.json).toMatchObject({ redirect_uris: [query.get('redirect_uri')], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] });
    const token = as.requests.find((r) => r.path === '/token');
    expect(token?.params).toMatchObject({ grant_type: 'authorization_code', resource: mcp.url, redirect_uri: query.get('redirect_uri') });
    expect(token?.params['code_verifier']).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);

    // The store: 0600 file in a 0700 directory, the issued token, the registration, the metadata.
    expect((await stat(env.store.path)).mode & 0o777).toBe(0o600);
    expect((await stat(env.store.dir)).mode & 0o777).toBe(0o700);
    const entry = await env.store.find(mcp.url);
    expect(entry).toMatchObject({ issuer: as.issuer, resource: mcp.url, authorizationServerUrl: as.issuer, metadata: { issuer: as.issuer } });
    expect(as.validate(entry!.tokens.access_token, mcp.url)).toBe(true);
    expect(entry!.client.client_id).toMatch(/^client-/);
    // No message ever carries a token.
    const file = await readFile(env.store.path, 'utf8');
    expect(file).toContain(entry!.tokens.access_token);
    for (const m of messages) expect(m).not.toContain(entry!.tokens.access_token);
  });

  it('takes the protected resource metadata from the well-known location when the 401 does not name it', async () => {
    const { mcp } = await start({}, { resourceMetadataUrl: null });
    const result = await loginRemote(mcp.url, { store: env.store, openBrowser: testBrowser().open, timeoutMs: 10_000 });
    expect(result.resource).toBe(mcp.url);
    expect(mcp.requests.some((r) => r.method === 'GET' && r.path === '/.well-known/oauth-protected-resource/mcp')).toBe(true);
  });

  it('uses a pre-registered client id when the server offers no dynamic registration, and says so without one', async () => {
    const { as, mcp } = await start({ failure: 'no-dcr', preregisteredClients: ['pre-registered'] });
    const error = await failure(loginRemote(mcp.url, { store: env.store, openBrowser: testBrowser().open, timeoutMs: 10_000 }));
    expect(error.code).toBe('OAUTH_FAILED');
    expect(error.message).toMatch(/no client id was given \(--client-id\).*no Client ID Metadata Document support.*no dynamic client registration.*pass --client-id ID/);
    const result = await loginRemote(mcp.url, { store: env.store, clientId: 'pre-registered', openBrowser: testBrowser().open, timeoutMs: 10_000 });
    expect(result.issuer).toBe(as.issuer);
    expect((await env.store.find(mcp.url))?.client.client_id).toBe('pre-registered');
  });

  it('refuses an authorization server that does not advertise PKCE S256, before any browser', async () => {
    const { mcp } = await start({ failure: 'no-s256' });
    const browser = testBrowser();
    const error = await failure(loginRemote(mcp.url, { store: env.store, openBrowser: browser.open, timeoutMs: 10_000 }));
    expect(error.code).toBe('OAUTH_FAILED');
    expect(error.message).toMatch(/PKCE S256/);
    expect(browser.visits).toHaveLength(0);
  });

  it.each([
    ['javascript:', 'javascript:alert(document.domain)//'],
    ['file:', 'file:///etc/passwd'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['http: to a non-loopback host', 'http://auth.example.com/authorize'],
  ])('refuses an authorization endpoint %s and never opens it', async (_name, endpoint) => {
    const { mcp } = await start({ metadataOverrides: { authorization_endpoint: endpoint } });
    const opened: string[] = [];
    const error = await failure(loginRemote(mcp.url, { store: env.store, openBrowser: async (url) => void opened.push(url), timeoutMs: 10_000 }));
    expect(['INSECURE_URL', 'OAUTH_FAILED']).toContain(error.code);
    expect(error.message).not.toContain('alert');
    expect(opened).toEqual([]);
    expect(await env.store.find(mcp.url)).toBeUndefined();
  });

  it.each([
    ['wrong-state', /wrong state/],
    ['wrong-iss', /another issuer/],
    ['deny', /refused the login: access_denied/],
  ] as const)('fails closed on a redirect with %s, stores nothing, answers a failure page', async (mode, message) => {
    const { as, mcp } = await start({ failure: mode });
    const browser = testBrowser();
    const error = await failure(loginRemote(mcp.url, { store: env.store, openBrowser: browser.open, timeoutMs: 10_000 }));
    expect(error.code).toBe('OAUTH_FAILED');
    expect(error.message).toMatch(message);
    expect(browser.visits[0]?.callbackStatus).toBe(400);
    expect(browser.visits[0]?.callbackPage).toContain('Login failed');
    expect(as.requests.some((r) => r.path === '/token')).toBe(false);
    expect(await env.store.find(mcp.url)).toBeUndefined();
  });

  it('gives up at the deadline when no answer comes, and closes its listener', async () => {
    const { mcp } = await start();
    let redirectUri = '';
    const error = await failure(
      loginRemote(mcp.url, { store: env.store, openBrowser: async (url) => void (redirectUri = new URL(url).searchParams.get('redirect_uri') ?? ''), timeoutMs: 300 }),
    );
    expect(error.code).toBe('OAUTH_FAILED');
    expect(error.message).toMatch(/No authorization answer within/);
    await expect(fetch(redirectUri)).rejects.toThrow();
  });

  it('prints the URL only (no opener) with openBrowser false; the user completes it', async () => {
    const { mcp } = await start();
    const browser = testBrowser();
    const done = loginRemote(mcp.url, {
      store: env.store,
      openBrowser: false,
      timeoutMs: 10_000,
      onMessage: (m) => {
        const found = /https?:\/\/\S+\/authorize\?\S+/.exec(m);
        if (found !== null) void browser.open(found[0]);
      },
    });
    await expect(done).resolves.toMatchObject({ resource: mcp.url });
  });

  it('takes the redirect pasted by the user (--no-browser on another machine): refused lines are reported, the listener is never hit', async () => {
    const { as, mcp } = await start();
    const paste = pasteQueue();
    const messages: string[] = [];
    let authorizationUrl = '';
    const done = loginRemote(mcp.url, {
      store: env.store,
      openBrowser: false,
      redirectInput: paste.input,
      timeoutMs: 10_000,
      onMessage: (m) => {
        messages.push(m);
        authorizationUrl ||= /https?:\/\/\S+\/authorize\?\S+/.exec(m)?.[0] ?? '';
      },
    });
    while (authorizationUrl === '') await new Promise((r) => setTimeout(r, 10));
    // The user's browser, elsewhere: the authorization server redirects to a listener it cannot reach.
    const answer = await fetch(authorizationUrl, { redirect: 'manual' });
    const location = answer.headers.get('location') ?? '';
    const redirected = new URL(location);
    const code = redirected.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    paste.push('');
    paste.push(location.replace(`:${redirected.port}/`, `:${Number(redirected.port) + 1}/`));
    paste.push(`   ${location}   `);
    const result = await done;
    expect(result).toMatchObject({ resource: mcp.url, issuer: as.issuer });
    expect(as.requests.filter((r) => r.path === '/token')).toHaveLength(1);
    expect(as.requests.find((r) => r.path === '/token')?.params['code']).toBe(code);
    const port = redirected.port;
    expect(messages).toContain(`That is not the redirect of this login: paste the whole address the browser was sent to, starting with http://127.0.0.1:${port}/callback?`);
    expect(messages.join('\n')).toContain(`Waiting up to 10 s for the browser's redirect to http://127.0.0.1:${port}/callback (browser on another machine? forward the port from there first: ssh -L ${port}:127.0.0.1:${port} <this host>)`);
    expect(messages.join('\n')).toContain(`or paste here the address the browser was sent to (it starts with http://127.0.0.1:${port}/callback?)`);
    const entry = await env.store.find(mcp.url);
    for (const m of messages) {
      expect(m).not.toContain(code);
      expect(m).not.toContain(entry!.tokens.access_token);
    }
    expect(paste.returned()).toBe(true);
  });

  it('keeps waiting for the listener when the pasted input ends (stdin closed), and stops reading once decided', async () => {
    const { mcp } = await start();
    const closed = pasteQueue();
    closed.end();
    const browser = testBrowser();
    const done = loginRemote(mcp.url, {
      store: env.store,
      openBrowser: async (url) => void setTimeout(() => void browser.open(url), 100),
      redirectInput: closed.input,
      timeoutMs: 10_000,
    });
    await expect(done).resolves.toMatchObject({ resource: mcp.url });
    expect(browser.visits[0]?.callbackStatus).toBe(200);

    const open = pasteQueue();
    await expect(loginRemote(mcp.url, { store: env.store, openBrowser: testBrowser().open, redirectInput: open.input, timeoutMs: 10_000 })).resolves.toMatchObject({ resource: mcp.url });
    expect(open.returned()).toBe(true);

    const silent = pasteQueue();
    silent.end();
    const error = await failure(loginRemote(mcp.url, { store: env.store, openBrowser: false, redirectInput: silent.input, timeoutMs: 300 }));
    expect(error.message).toBe('No authorization answer within 0.3 s; login aborted');
  });

  it('refuses protected resource metadata for another resource', async () => {
    const { mcp } = await start({}, { resourceMetadata: { resource: 'http://127.0.0.1:1/other' } });
    const error = await failure(loginRemote(mcp.url, { store: env.store, openBrowser: testBrowser().open, timeoutMs: 10_000 }));
    expect(error.code).toBe('OAUTH_FAILED');
    expect(error.message).toMatch(/is for http:\/\/127\.0\.0\.1:1\/other, not for/);
  });

  it('refuses a resource_metadata URL to the metadata address without dialling it (http to a non-loopback host)', async () => {
    const { mcp } = await start({}, { resourceMetadataUrl: 'http://169.254.169.254/latest/meta-data/' });
    const before = env.guard.connects.length;
    const error = await failure(loginRemote(mcp.url, { store: env.store, openBrowser: testBrowser().open, timeoutMs: 10_000 }));
    expect(error.code).toBe('INSECURE_URL');
    expect(env.guard.connects.slice(before).every((host) => host === '127.0.0.1')).toBe(true);
  });

  it('refuses an https resource_metadata URL whose name resolves to 169.254.169.254 (guard, never dialled)', async () => {
    const { mcp } = await start({}, { resourceMetadataUrl: 'https://metadata.attacker.test/prm' });
    const resolve: HostResolver = async (host) => (host === 'metadata.attacker.test' ? [{ address: '169.254.169.254', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const before = env.guard.connects.length;
    const error = await failure(loginRemote(mcp.url, { store: env.store, resolve, openBrowser: testBrowser().open, timeoutMs: 10_000 }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(env.guard.connects.slice(before)).not.toContain('169.254.169.254');
  });

  it('refuses an authorization server at a link-local address named by the metadata', async () => {
    const { mcp } = await start({}, { resourceMetadata: { authorization_servers: ['https://169.254.169.254'] } });
    const before = env.guard.connects.length;
    const error = await failure(loginRemote(mcp.url, { store: env.store, openBrowser: testBrowser().open, timeoutMs: 10_000 }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(env.guard.connects.slice(before)).not.toContain('169.254.169.254');
  });

  it('says there is nothing to log in to for a server that needs no authorization, and ends the probe session', async () => {
    const open = await startMcpHttpServer();
    try {
      const error = await failure(loginRemote(open.url, { store: env.store, openBrowser: testBrowser().open, timeoutMs: 10_000 }));
      expect(error.code).toBe('OAUTH_FAILED');
      expect(error.message).toBe(`OAuth discovery failed: ${open.url} did not ask for authorization and publishes no OAuth metadata: there is nothing to log in to`);
      await open.waitForRequest((r) => r.method === 'DELETE');
      expect(open.sessionIds()).toEqual([]);
    } finally {
      await open.close();
    }
  });

  it('refuses a configured URL that is not https or loopback http before any request', async () => {
    const options: LoginRemoteOptions = { store: env.store, openBrowser: testBrowser().open };
    await expect(loginRemote('http://mcp.example.com/mcp', options)).rejects.toMatchObject({ code: 'INSECURE_URL' });
    await expect(loginRemote('not a url', options)).rejects.toMatchObject({ code: 'INSECURE_URL' });
    await expect(loginRemote('file:///etc/passwd', options)).rejects.toMatchObject({ code: 'INSECURE_URL' });
  });
});
