// Machine-to-machine OAuth end to end: the built CLI against the loopback authorization
// server and protected MCP endpoint, authenticating with `--client-credentials` (a client
// secret from the environment, or a private key file), as a CI job would. Tokens stay in
// memory: the temporary HOME never gets a token file.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { startOAuthServer, startProtectedMcpServer, type FixtureClient, type OAuthServer, type ProtectedMcpServer } from '@mcptrust/tooling/test-support/oauth-server.mjs';
import { NODE } from './helpers.js';
import type { CliResult } from './helpers.js';
import { Fixtures, closeRemoteHosts, connectRemoteHost, makeHome, readLock } from './remote-helpers.js';
import type { TestHome } from './remote-helpers.js';

const SECRET = 'cc-e2e-secret-7f3a9d';
const CLIENT = 'ci-bot';
const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const KEY_PEM = key.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const TOOLS = [{ name: 'read' }, { name: 'write', scope: 'mcp:write' }];

let home: TestHome;
const fixtures = new Fixtures();
/** Every output of the test, checked for secrets after it. */
let outputs: string[] = [];
let as: OAuthServer | undefined;

beforeAll(async () => {
  home = await makeHome('client-credentials');
  await writeFile(home.path('key.pem'), KEY_PEM, { mode: 0o600 });
  await writeFile(home.path('not-a-key.pem'), `${SECRET}\n`, { mode: 0o600 });
});
afterEach(async () => {
  await closeRemoteHosts();
  const secrets = [SECRET, KEY_PEM.split('\n')[1] ?? KEY_PEM, ...(as?.issuedAccessTokens() ?? []), ...(as?.requests.flatMap((r) => (r.params['client_assertion'] === undefined ? [] : [r.params['client_assertion']])) ?? [])];
  for (const output of outputs) for (const secret of secrets) expect(output).not.toContain(secret);
  outputs = [];
  as = undefined;
  await fixtures.closeAll();
});
afterAll(async () => {
  await home.remove();
});

async function servers(client: Partial<FixtureClient> = {}): Promise<{ as: OAuthServer; mcp: ProtectedMcpServer }> {
  as = fixtures.track(
    await startOAuthServer({
      clientCredentials: true,
      tokenEndpointAuthMethods: ['client_secret_basic', 'private_key_jwt'],
      clients: [{ client_id: CLIENT, client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic', ...client }],
    }),
  );
  const mcp = fixtures.track(await startProtectedMcpServer({ authServer: as, scopes: ['mcp:read'], tools: TOOLS }));
  return { as, mcp };
}

async function run(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  const result = await home.run(args, { NO_COLOR: '1', ...extra });
  outputs.push(result.stdout, result.stderr);
  return result;
}

const secretFlags = ['--client-credentials', '--client-id', CLIENT, '--client-secret-env', 'CC_SECRET'];
const tokenRequests = (server: OAuthServer) => server.requests.filter((r) => r.path === '/token');

/** No OAuth token file in the temporary HOME (the config directory is absent or holds none). */
async function noTokenFiles(): Promise<void> {
  const config = await readdir(home.path('.config/mcptrust')).catch(() => [] as string[]);
  expect(config.filter((name) => /token/i.test(name))).toEqual([]);
}

describe('--client-credentials with a client secret', () => {
  it('lock, then check, against a protected server: the lockfile has its tools; no token is stored', async () => {
    const { as, mcp } = await servers();
    const lock = home.path('cc-lock.json');
    const locked = await run(['lock', '-o', lock, '--url', mcp.url, ...secretFlags], { CC_SECRET: SECRET });
    expect(locked.code).toBe(0);
    expect(Object.keys((await readLock(lock)).tools).sort()).toEqual(['read', 'write']);
    const checked = await run(['check', '--lock', lock, '--url', mcp.url, ...secretFlags, '--format', 'json'], { CC_SECRET: SECRET });
    expect(checked.code).toBe(0);
    expect(tokenRequests(as).length).toBeGreaterThanOrEqual(2);
    for (const request of tokenRequests(as)) {
      expect(request.params['grant_type']).toBe('client_credentials');
      expect(request.params['client_secret']).toBeUndefined();
      expect(String(request.headers['authorization'])).toMatch(/^Basic /);
    }
    expect(mcp.requests.filter((r) => r.path === '/mcp' && r.authorization?.startsWith('Bearer ')).length).toBeGreaterThan(0);
    await noTokenFiles();
  });

  it('proxy --url under an SDK host: lists, calls, and steps up the scope for a tool that needs more', async () => {
    const { as, mcp } = await servers();
    const lock = home.path('cc-proxy-lock.json');
    expect((await run(['lock', '-o', lock, '--url', mcp.url, ...secretFlags], { CC_SECRET: SECRET })).code).toBe(0);
    const host = await connectRemoteHost(['--lock', lock, '--url', mcp.url, ...secretFlags], home.env({ CC_SECRET: SECRET }));
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['read', 'write']);
    expect(await host.client.callTool({ name: 'read', arguments: {} })).toMatchObject({ content: [{ type: 'text', text: 'called read' }] });
    expect(await host.client.callTool({ name: 'write', arguments: {} })).toMatchObject({ content: [{ type: 'text', text: 'called write' }] });
    expect(tokenRequests(as).at(-1)?.params['scope']).toBe('mcp:read mcp:write');
    outputs.push(host.stderr());
    await noTokenFiles();
  });

  it('a wrong secret fails naming the token request and invalid_client, never the secret', async () => {
    const { mcp } = await servers({ client_secret: 'the-real-secret' });
    const r = await run(['scan', '--url', mcp.url, ...secretFlags], { CC_SECRET: SECRET });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('OAuth token request failed: invalid_client');
  });
});

describe('--client-credentials with a private key', () => {
  it('lock and check sign a client assertion (private_key_jwt) the server verifies', async () => {
    const { as, mcp } = await servers({ token_endpoint_auth_method: 'private_key_jwt', client_secret: undefined, public_key_pem: key.publicKey.export({ format: 'pem', type: 'spki' }) as string });
    const flags = ['--client-credentials', '--client-id', CLIENT, '--private-key-file', home.path('key.pem'), '--key-id', 'ci-key-1'];
    const lock = home.path('cc-key-lock.json');
    expect((await run(['lock', '-o', lock, '--url', mcp.url, ...flags])).code).toBe(0);
    expect((await run(['check', '--lock', lock, '--url', mcp.url, ...flags])).code).toBe(0);
    expect(as.assertions.length).toBeGreaterThanOrEqual(2);
    for (const assertion of as.assertions) {
      expect(assertion.error).toBeUndefined();
      expect(assertion.header).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'ci-key-1' });
    }
    await noTokenFiles();
  });
});

describe('bad flag combinations: exit 2 naming the flag, before any request', () => {
  it.each([
    ['a client id without --client-credentials', ['--client-id', CLIENT], '--client-id needs --client-credentials', 'mcptrust auth login URL --client-id ID'],
    ['a key file without --client-credentials', ['--private-key-file', 'key.pem'], '--private-key-file needs --client-credentials', 'mcptrust auth login'],
    ['no client id', ['--client-credentials', '--client-secret-env', 'CC_SECRET'], '--client-credentials needs --client-id ID', ''],
    ['no secret or key', ['--client-credentials', '--client-id', CLIENT], '--client-credentials needs a client secret', ''],
    ['a secret and a key', [...secretFlags, '--private-key-file', 'key.pem'], '--client-secret-env and --private-key-file', ''],
    ['an unset secret variable', ['--client-credentials', '--client-id', CLIENT, '--client-secret-env', 'CC_UNSET'], '--client-secret-env: the environment variable CC_UNSET is not set', ''],
    ['a file that is not a key', ['--client-credentials', '--client-id', CLIENT, '--private-key-file', 'not-a-key.pem'], '--private-key-file: not-a-key.pem:', 'not a PEM private key'],
    ['a static Authorization header too', [...secretFlags, '--header', 'Authorization: Bearer ${CC_SECRET}'], '--client-credentials and --header Authorization', ''],
  ])('%s', async (_what, flags, message, more) => {
    const { as, mcp } = await servers();
    for (const command of ['lock', 'scan']) {
      const r = await run([command, ...(command === 'lock' ? ['-o', home.path('never.json')] : []), '--url', mcp.url, ...flags], { CC_SECRET: SECRET });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(more);
    }
    expect(as.requests).toEqual([]);
    expect(mcp.requests).toEqual([]);
  });

  it('credential flags without --url', async () => {
    const scan = await run(['scan', '--client-credentials', '--client-id', CLIENT, '--', NODE, '-e', '0']);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain('--client-credentials needs --url');
    const proxy = await run(['proxy', '--lock', home.path('cc-lock.json'), '--private-key-file', 'key.pem', '--', NODE, '-e', '0']);
    expect(proxy.code).toBe(2);
    expect(proxy.stderr).toContain('--private-key-file needs --url');
    // `run` starts the pinned package (it refuses --url): credential flags have nothing to do there.
    const pinned = await run(['run', '--lock', home.path('cc-lock.json'), '--client-credentials', '--client-id', CLIENT]);
    expect(pinned.code).toBe(2);
    expect(pinned.stderr).toContain('--client-credentials needs --url');
  });
});
