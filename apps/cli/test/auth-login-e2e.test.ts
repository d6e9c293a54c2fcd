// `mcptrust auth login`, end to end with the built CLI: a loopback authorization server and
// protected MCP endpoint; the browser is either the stand-in `follow-browser.mjs` named by
// BROWSER (it follows the authorization URL to the loopback callback, as a browser would),
// or, with --no-browser, the test itself: it follows the printed URL to the listener, or
// pastes the redirected address on the CLI's stdin. HOME and XDG_CONFIG_HOME are a
// temporary folder. No secret (client secret, token, code) may appear in any output.
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { followBrowserCommand, type FollowBrowserRecord } from '@mcptrust/tooling/test-support/follow-browser.mjs';
import { startOAuthServer, startProtectedMcpServer, type OAuthServer, type OAuthServerOptions, type ProtectedMcpServer } from '@mcptrust/tooling/test-support/oauth-server.mjs';
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { CLI, NODE } from './helpers.js';
import { Fixtures, closeRemoteHosts, connectRemoteHost, makeHome, readLock, type TestHome } from './remote-helpers.js';

const TOOLS = [{ name: 'list_files' }, { name: 'read_file' }];

let home: TestHome;
const fixtures = new Fixtures();
/** Every output of the CLI in this test, for the no-secret assertions. */
let outputs: string[] = [];

beforeEach(async () => {
  home = await makeHome('auth-login-e2e');
  outputs = [];
});
afterEach(async () => {
  await closeRemoteHosts();
  await fixtures.closeAll();
  await home.remove();
});
afterAll(async () => {
  await closeRemoteHosts();
});

async function servers(asOptions: OAuthServerOptions = {}): Promise<{ as: OAuthServer; mcp: ProtectedMcpServer }> {
  const as = fixtures.track(await startOAuthServer(asOptions));
  const mcp = fixtures.track(await startProtectedMcpServer({ authServer: as, tools: TOOLS, scopes: ['mcp:read'] }));
  return { as, mcp };
}

/** Runs the built CLI in the test home and keeps its output. */
async function run(args: string[], extra: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const result = await home.run(args, extra, 60_000);
  outputs.push(result.stdout, result.stderr);
  return result;
}

/** A running `mcptrust auth login … --no-browser`, its stdin a pipe the test writes to (or closed). */
interface LoginProcess {
  /** Resolves with the authorization URL once the CLI printed it and the wait line. */
  authorizationUrl: Promise<string>;
  stdin: NodeJS.WritableStream | null;
  done: Promise<{ code: number | null; stderr: string; stdout: string }>;
}

function startLogin(url: string, extra: string[], stdin: 'pipe' | 'ignore', env: Record<string, string> = {}): LoginProcess {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...home.env(), NO_COLOR: '1', ...env })) if (value !== undefined && key !== 'BROWSER') merged[key] = value;
  const child = spawn(NODE, [CLI, 'auth', 'login', url, '--no-browser', ...extra], { env: merged, cwd: home.dir, stdio: [stdin, 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  let found: (url: string) => void = () => undefined;
  const authorizationUrl = new Promise<string>((resolve) => (found = resolve));
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    const match = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(stderr);
    if (match !== null && /Waiting up to/.test(stderr)) found(match[1]!);
  });
  const done = new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      outputs.push(stdout, stderr);
      resolve({ code, stderr, stdout });
    });
  });
  return { authorizationUrl, stdin: child.stdin, done };
}

/** The secrets of the stored login: tokens and the client secret, if any. */
async function storedSecrets(): Promise<string[]> {
  const file = JSON.parse(await readFile(home.path('.config/mcptrust/oauth-tokens.json'), 'utf8')) as {
    entries: Record<string, { tokens: { access_token: string; refresh_token?: string }; client: { client_secret?: string } }>;
  };
  return Object.values(file.entries).flatMap((e) => [e.tokens.access_token, e.tokens.refresh_token ?? '', e.client.client_secret ?? ''].filter((s) => s !== ''));
}

/** Every output so far is free of `secrets` and of the authorization codes the server issued. */
function expectNoSecretsPrinted(as: OAuthServer, secrets: string[]): void {
  const codes = as.requests.filter((r) => r.path === '/token' && r.params['code'] !== undefined).map((r) => r.params['code']!);
  const all = outputs.join('\n');
  for (const secret of [...secrets, ...codes]) expect(all).not.toContain(secret);
}

async function followLog(path: string): Promise<FollowBrowserRecord[]> {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as FollowBrowserRecord);
}

describe('mcptrust auth login (built CLI)', () => {
  it('opens BROWSER, stores the tokens 0600; lock and proxy --url use them; status and logout', async () => {
    const { as, mcp } = await servers();
    const log = home.path('browser.jsonl');
    const login = await run(['auth', 'login', mcp.url, '--timeout', '30s'], { BROWSER: followBrowserCommand(), FOLLOW_BROWSER_LOG: log });
    expect(login.stderr).toContain(`logged in to ${mcp.url} (issuer ${as.issuer}, dynamically registered client, scope mcp:read`);
    expect(login.code).toBe(0);
    expect(login.stderr).not.toContain('Could not open a browser');
    const file = home.path('.config/mcptrust/oauth-tokens.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The browser got the URL as its one argument and landed on the loopback callback.
    const [visit] = await followLog(log);
    expect(visit).toMatchObject({ argc: 1, target: { url: `${as.issuer}/authorize` } });
    expect(visit!.target!.params).toEqual(expect.arrayContaining(['state', 'code_challenge', 'resource', 'redirect_uri']));
    expect(visit!.callback).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/callback$/), status: 200, params: expect.arrayContaining(['code', 'state', 'iss']) });

    const lock = home.path('mcp-lock.json');
    const locked = await run(['lock', '-o', lock, '--url', mcp.url]);
    expect(locked.stderr).not.toContain('auth login');
    expect(locked.code).toBe(0);
    expect(Object.keys((await readLock(lock)).tools).sort()).toEqual(['list_files', 'read_file']);

    const host = await connectRemoteHost(['--lock', lock, '--url', mcp.url], home.env({ BROWSER: undefined }));
    expect((await host.client.listTools()).tools.map((t) => t.name).sort()).toEqual(['list_files', 'read_file']);
    await expect(host.client.ping()).resolves.toEqual({});
    outputs.push(host.stderr());
    const [access] = await storedSecrets();
    expect(mcp.requests.some((r) => r.authorization === `Bearer ${access}`)).toBe(true);

    expect((await run(['auth', 'status', mcp.url])).code).toBe(0);
    expect((await run(['auth', 'logout', mcp.url])).code).toBe(0);
    const after = await run(['auth', 'status', mcp.url]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain(`mcptrust auth login ${mcp.url}`);
    expectNoSecretsPrinted(as, [access!]);
  });

  it('--no-browser with stdin closed: the printed URL, followed by the test, reaches the loopback listener', async () => {
    const { as, mcp } = await servers();
    const login = startLogin(mcp.url, ['--timeout', '30s'], 'ignore');
    const answer = await fetch(await login.authorizationUrl, { redirect: 'manual' });
    const location = answer.headers.get('location') ?? '';
    expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    const callback = await fetch(location);
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain('Login complete');
    const done = await login.done;
    expect(done.stderr).toMatch(/ssh -L (\d+):127\.0\.0\.1:\1 <this host>/);
    expect(done.code).toBe(0);
    expectNoSecretsPrinted(as, await storedSecrets());
  });

  it('--no-browser: the redirected address pasted on stdin completes the login without the listener being reached, and the CLI exits with stdin still open', async () => {
    const { as, mcp } = await servers();
    const login = startLogin(mcp.url, ['--timeout', '30s'], 'pipe');
    const answer = await fetch(await login.authorizationUrl, { redirect: 'manual' });
    const location = answer.headers.get('location') ?? '';
    const code = new URL(location).searchParams.get('code');
    expect(code).toMatch(/^code-/);
    login.stdin?.write('this is not the address\n');
    login.stdin?.write(`${location}\n`);
    const done = await login.done;
    login.stdin?.end();
    expect(done.stderr).toContain('That is not the redirect of this login');
    expect(done.stderr).toContain(`logged in to ${mcp.url}`);
    expect(done.code).toBe(0);
    // The token request carried the pasted code; nothing ever requested the callback.
    expect(as.requests.filter((r) => r.path === '/token').map((r) => r.params['code'])).toEqual([code]);
    expectNoSecretsPrinted(as, await storedSecrets());
  });

  it('--no-browser --timeout 1s with nobody answering: exit 1 with the timeout', async () => {
    const { mcp } = await servers();
    const done = await startLogin(mcp.url, ['--timeout', '1s'], 'ignore').done;
    expect(done.code).toBe(1);
    expect(done.stderr).toContain('No authorization answer within 1 s; login aborted');
  });

  it('a BROWSER that cannot start: the URL stays printed and the login waits for its deadline', async () => {
    const { mcp } = await servers();
    const done = await run(['auth', 'login', mcp.url, '--timeout', '1s'], { BROWSER: 'mcptrust-no-such-browser --new-window' });
    expect(done.stderr).toContain('Could not open a browser (Cannot start the browser named by BROWSER: mcptrust-no-such-browser (ENOENT)); open the URL above yourself.');
    expect(done.stderr).toMatch(/http:\/\/127\.0\.0\.1:\d+\/authorize\?/);
    expect(done.code).toBe(1);
  });

  it('--client-id with --client-secret-env: a confidential pre-registered client, its secret sent as Basic auth and never printed', async () => {
    const secret = 'e2e-client-secret-5b7c';
    const { as, mcp } = await servers({
      clients: [{ client_id: 'mcptrust-e2e', client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' }],
      tokenEndpointAuthMethods: ['client_secret_basic'],
    });
    const login = await run(['auth', 'login', mcp.url, '--client-id', 'mcptrust-e2e', '--client-secret-env', 'MCP_E2E_SECRET', '--timeout', '30s'], {
      BROWSER: followBrowserCommand(),
      MCP_E2E_SECRET: secret,
    });
    expect(login.stderr).toContain('pre-registered client');
    expect(login.code).toBe(0);
    const token = as.requests.find((r) => r.path === '/token');
    expect(token?.headers['authorization']).toBe(`Basic ${Buffer.from(`mcptrust-e2e:${secret}`).toString('base64')}`);
    expect(token?.params['client_secret']).toBeUndefined();
    expect(as.requests.some((r) => r.path === '/register')).toBe(false);
    const secrets = await storedSecrets();
    expect(secrets).toContain(secret);
    const lock = home.path('mcp-lock.json');
    expect((await run(['lock', '-o', lock, '--url', mcp.url])).code).toBe(0);
    expectNoSecretsPrinted(as, secrets);
  });
});
