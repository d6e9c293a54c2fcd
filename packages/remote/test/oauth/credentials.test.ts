import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  startOAuthServer,
  startProtectedMcpServer,
  type OAuthServer,
  type OAuthServerOptions,
  type ProtectedMcpServer,
} from '@mcptrust/tooling/test-support/oauth-server.mjs';
import { startLegacySseServer } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { chmod } from 'node:fs/promises';
import { RemoteError } from '../../src/errors.js';
import { createOAuthCredentials } from '../../src/credentials.js';
import { loginRemote } from '../../src/oauth/login.js';
import type { TokenStore } from '../../src/oauth/token-store.js';
import { openUpstream } from '../../src/open-upstream.js';
import type { CredentialSource } from '../../src/upstream.types.js';
import { tempStore, testBrowser } from './helpers.js';

// Loopback only. Each test logs in for real against the loopback authorization server,
// then uses the stored tokens the way lock/scan/proxy do.

let as: OAuthServer | undefined;
let mcp: ProtectedMcpServer | undefined;
let store: TokenStore;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
});
afterEach(async () => {
  await mcp?.close();
  await as?.close();
  mcp = undefined;
  as = undefined;
  await cleanup();
});

async function loggedIn(options: OAuthServerOptions = {}): Promise<{ as: OAuthServer; mcp: ProtectedMcpServer }> {
  as = await startOAuthServer(options);
  mcp = await startProtectedMcpServer({ authServer: as });
  await loginRemote(mcp.url, { store, openBrowser: testBrowser().open, timeoutMs: 10_000 });
  return { as, mcp };
}

const refreshes = (server: OAuthServer) => server.requests.filter((r) => r.path === '/token' && r.params['grant_type'] === 'refresh_token');

/** Sends `initialize` over a real upstream connection; resolves with the answer or the failure. */
function initialize(url: string, credentials: CredentialSource): Promise<{ message?: string; error?: RemoteError }> {
  return new Promise((resolve) => {
    const connection = openUpstream(
      { endpoint: { url, transport: 'streamable-http' }, credentials, headersTimeoutMs: 5_000 },
      {
        message: (text) => {
          resolve({ message: text });
          void connection.close();
        },
        requestFailed: (_id, error) => {
          resolve({ error });
          void connection.close();
        },
        sessionLost: () => undefined,
        closed: () => undefined,
      },
    );
    connection.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }));
  });
}

describe('createOAuthCredentials', () => {
  it('gives the stored bearer token for the server it was issued for, and the upstream accepts it', async () => {
    const { as, mcp } = await loggedIn();
    const credentials = createOAuthCredentials(mcp.url, { store });
    const authorization = await credentials.authorization();
    expect(authorization).toMatch(/^Bearer at-/);
    expect(as.validate(authorization!.slice(7), mcp.url)).toBe(true);
    const answer = await initialize(mcp.url, credentials);
    expect(answer.error).toBeUndefined();
    expect(JSON.parse(answer.message ?? '{}')).toMatchObject({ id: 1, result: { serverInfo: { name: 'oauth-protected-fixture' } } });
    expect(mcp.requests.filter((r) => r.path === '/mcp').at(-1)?.authorization).toBe(authorization);
    expect(refreshes(as)).toHaveLength(0);
  });

  it('logs in to a legacy HTTP+SSE server and the SSE transport uses the stored token', async () => {
    as = await startOAuthServer({ accessToken: () => 'legacy-fixture-token' });
    const resourceMetadata: Record<string, unknown> = { authorization_servers: [as.issuer] };
    const legacy = await startLegacySseServer({ requireAuth: 'legacy-fixture-token', resourceMetadata });
    try {
      resourceMetadata['resource'] = legacy.url;
      const result = await loginRemote(legacy.url, { store, openBrowser: testBrowser().open, timeoutMs: 10_000 });
      expect(result.resource).toBe(legacy.url);
      const credentials = createOAuthCredentials(legacy.url, { store });
      const answer = await new Promise<{ message?: string; error?: RemoteError }>((resolve) => {
        const connection = openUpstream(
          { endpoint: { url: legacy.url, transport: 'sse' }, credentials, headersTimeoutMs: 5_000 },
          {
            message: (text) => {
              resolve({ message: text });
              void connection.close();
            },
            requestFailed: (_id, error) => {
              resolve({ error });
              void connection.close();
            },
            sessionLost: () => undefined,
            closed: () => undefined,
          },
        );
        connection.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 't', version: '1' } } }));
      });
      expect(answer.error).toBeUndefined();
      expect(JSON.parse(answer.message ?? '{}')).toMatchObject({ id: 1, result: { serverInfo: { name: 'mcptrust-sse-fixture' } } });
      expect(legacy.requests.filter((r) => r.authorization !== undefined).every((r) => r.authorization === 'Bearer legacy-fixture-token')).toBe(true);
    } finally {
      await legacy.close();
    }
  });

  it('gives nothing for another server (another path or port), nor for a server without a login', async () => {
    const { mcp } = await loggedIn();
    expect(await createOAuthCredentials(`${mcp.origin}/other`, { store }).authorization()).toBeUndefined();
    expect(await createOAuthCredentials('http://127.0.0.1:1/mcp', { store }).authorization()).toBeUndefined();
    const warnings: string[] = [];
    const none = createOAuthCredentials('https://mcp.example.com/mcp', { store, onWarning: (w) => warnings.push(w) });
    expect(await none.unauthorized?.('Bearer', 401)).toBe(false);
    expect(warnings.join('\n')).toContain('run `mcptrust auth login https://mcp.example.com/mcp`');
  });

  it('refreshes silently when the access token is about to expire (resource sent), stores the new tokens, once for concurrent callers', async () => {
    const { as, mcp } = await loggedIn();
    const before = await store.find(mcp.url);
    const later = Date.parse(before!.expiresAt!) - 30_000; // inside the 60 s margin
    const credentials = createOAuthCredentials(mcp.url, { store, now: () => later });
    const [a, b] = await Promise.all([credentials.authorization(), credentials.authorization()]);
    expect(a).toBe(b);
    expect(a).not.toBe(`Bearer ${before!.tokens.access_token}`);
    expect(as.validate(a!.slice(7), mcp.url)).toBe(true);
    expect(refreshes(as)).toHaveLength(1);
    expect(refreshes(as)[0]?.params).toMatchObject({ resource: mcp.url, client_id: before!.client.client_id, refresh_token: before!.tokens.refresh_token });
    const after = await store.find(mcp.url);
    expect(after?.tokens.access_token).toBe(a!.slice(7));
    expect(after?.tokens.refresh_token).not.toBe(before!.tokens.refresh_token);
    // Another credential source (another process) picks the new tokens up without refreshing.
    expect(await createOAuthCredentials(mcp.url, { store }).authorization()).toBe(a);
    expect(refreshes(as)).toHaveLength(1);
  });

  it('refreshes once on a 401 and the request goes through; a refreshed token that is refused again is not refreshed again', async () => {
    const { as, mcp } = await loggedIn();
    const warnings: string[] = [];
    const credentials = createOAuthCredentials(mcp.url, { store, onWarning: (w) => warnings.push(w) });
    as.expireAccessTokens();
    const answer = await initialize(mcp.url, credentials);
    expect(answer.error).toBeUndefined();
    expect(refreshes(as)).toHaveLength(1);
    // After the login's unauthenticated probe: the refused token, then the refreshed one.
    const sent = mcp.requests.filter((r) => r.path === '/mcp' && r.method === 'POST' && r.authorization !== undefined).map((r) => r.authorization);
    expect(sent).toHaveLength(2);
    expect(sent[0]).not.toBe(sent[1]);
    expect(sent[1]).toBe(await credentials.authorization());

    as.expireAccessTokens();
    expect(await credentials.unauthorized?.('Bearer error="invalid_token"', 401)).toBe(false);
    expect(refreshes(as)).toHaveLength(1);
    expect(warnings.join('\n')).toContain('mcptrust auth login');
  });

  it('fails with UNAUTHORIZED and the login hint when the refresh is refused, never starting a login', async () => {
    const { as, mcp } = await loggedIn();
    const warnings: string[] = [];
    const credentials = createOAuthCredentials(mcp.url, { store, onWarning: (w) => warnings.push(w) });
    as.expireAccessTokens();
    as.setFailure('refresh-fails');
    const answer = await initialize(mcp.url, credentials);
    expect(answer.error?.code).toBe('UNAUTHORIZED');
    expect(warnings.join('\n')).toMatch(/Refreshing the OAuth token for http:\/\/127\.0\.0\.1:\d+\/mcp failed .*invalid_grant.*run `mcptrust auth login/);
    expect(as.requests.filter((r) => r.path === '/authorize')).toHaveLength(1); // the login's only
    for (const w of warnings) expect(w).not.toContain((await store.find(mcp.url))!.tokens.access_token);
  });

  it('does not refresh on a 403 insufficient_scope: it fails with the login to run, naming the union of the granted and asked scopes', async () => {
    const { as, mcp } = await loggedIn();
    const warnings: string[] = [];
    const credentials = createOAuthCredentials(mcp.url, { store, onWarning: (w) => warnings.push(w) });
    await credentials.authorization();
    const granted = (await store.find(mcp.url))?.tokens.scope;
    const error = await credentials.unauthorized?.('Bearer error="insufficient_scope", scope="files:read files:write"', 403).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe('UNAUTHORIZED');
    expect((error as RemoteError).status).toBe(403);
    const union = [...new Set([...(granted ?? '').split(' '), 'files:read', 'files:write'].filter((w) => w !== ''))].join(' ');
    const expected = `${mcp.url} refused the stored OAuth token (HTTP 403, it asks for the scope "files:read files:write"); run \`mcptrust auth login ${mcp.url} --scope "${union}"\``;
    expect((error as RemoteError).message).toBe(`step-up authorization needed: ${expected}`);
    expect(warnings).toEqual([expected]);
    await expect(credentials.unauthorized?.('Bearer error="insufficient_scope", scope="a\nb"', 403)).rejects.toThrow(/run `mcptrust auth login/);
    expect(warnings[1]).not.toContain('a\nb');
    expect(refreshes(as)).toHaveLength(0);
  });

  it('a 403 step-up retries when a newer login (another process) is in the store', async () => {
    const { mcp } = await loggedIn();
    const credentials = createOAuthCredentials(mcp.url, { store });
    await credentials.authorization();
    const entry = (await store.find(mcp.url))!;
    const { savedAt: _s, ...rest } = entry;
    await store.save({ ...rest, tokens: { ...entry.tokens, access_token: 'at-newer-login', scope: 'mcp:read files:write' } });
    expect(await credentials.unauthorized?.('Bearer error="insufficient_scope", scope="files:write"', 403)).toBe(true);
    expect(await credentials.authorization()).toBe('Bearer at-newer-login');
  });

  it('without a refresh token, an expired access token is not sent', async () => {
    const { mcp } = await loggedIn({ refreshTokens: false });
    const entry = await store.find(mcp.url);
    const warnings: string[] = [];
    const credentials = createOAuthCredentials(mcp.url, { store, now: () => Date.parse(entry!.expiresAt!) + 1, onWarning: (w) => warnings.push(w) });
    expect(await credentials.authorization()).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/expired and cannot be refreshed/);
  });

  it('refuses a token store that group or others can read, saying how to fix it', async () => {
    const { mcp } = await loggedIn();
    await chmod(store.path, 0o644);
    await expect(createOAuthCredentials(mcp.url, { store }).authorization()).rejects.toMatchObject({
      code: 'TOKEN_STORE',
      message: expect.stringContaining(`chmod 600 '${store.path}'`),
    });
  });
});
