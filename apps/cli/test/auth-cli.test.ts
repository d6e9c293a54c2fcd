import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startMcpHttpServer, type McpHttpServer } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { startOAuthServer, type OAuthServer } from '@mcptrust/tooling/test-support/oauth-server.mjs';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, NODE, runCli } from './helpers.js';

// The built CLI, with HOME and XDG_CONFIG_HOME in a temporary directory. The remote
// server is the project's Streamable HTTP fixture requiring a bearer token; the loopback
// authorization server issues exactly that token. The test plays the browser: it reads
// the authorization URL the CLI prints on stderr and follows it to the loopback callback.

const TOKEN = 'fixture-access-token-7d1c';

let root = '';
let as: OAuthServer | undefined;
let server: McpHttpServer | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mcptrust-auth-cli-'));
});
afterEach(async () => {
  await server?.close();
  await as?.close();
  server = undefined;
  as = undefined;
  await rm(root, { recursive: true, force: true });
});

function env(): Record<string, string> {
  return { HOME: root, XDG_CONFIG_HOME: join(root, 'config'), USERPROFILE: root, APPDATA: join(root, 'appdata') };
}

/** A protected fixture server whose metadata names the loopback authorization server. */
async function protectedServer(): Promise<{ as: OAuthServer; server: McpHttpServer }> {
  as = await startOAuthServer({ accessToken: () => TOKEN });
  const resourceMetadata: Record<string, unknown> = { authorization_servers: [as.issuer], bearer_methods_supported: ['header'] };
  server = await startMcpHttpServer({ requireAuth: TOKEN, resourceMetadata });
  resourceMetadata['resource'] = server.url; // read on each request
  return { as, server };
}

/** `mcptrust auth login URL --no-browser`, following the printed URL like a browser. */
function login(url: string, extra: string[] = []): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, 'auth', 'login', url, '--no-browser', '--timeout', '20s', ...extra], {
      env: { ...process.env, ...env(), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    let opened = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(stderr);
      if (found === null || opened) return;
      opened = true;
      void (async () => {
        const answer = await fetch(found[1]!, { redirect: 'manual' });
        const location = answer.headers.get('location');
        if (location !== null) await (await fetch(location)).text();
      })().catch(reject);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('mcptrust auth (built CLI)', () => {
  it('login once, then status, scan --url with the stored token, logout; no token value printed', async () => {
    const { as, server } = await protectedServer();
    const done = await login(server.url);
    expect(done.stderr).toContain(`logged in to ${server.url} (issuer ${as.issuer}`);
    expect(done.code).toBe(0);
    const file = join(root, 'config', 'mcptrust', 'oauth-tokens.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'config', 'mcptrust'))).mode & 0o777).toBe(0o700);
    expect(await readFile(file, 'utf8')).toContain(TOKEN);

    const status = await runCli(['auth', 'status', server.url, '--json'], { env: env() });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject([{ issuer: as.issuer, resource: server.url, hasRefreshToken: true, expired: false }]);

    const scan = await runCli(['scan', '--url', server.url], { env: env(), timeoutMs: 60_000 });
    expect(scan.stderr).not.toContain('auth login');
    expect(scan.code).toBe(0);
    expect(JSON.parse(scan.stdout)).toMatchObject({ tools: expect.arrayContaining([expect.objectContaining({ name: 'echo' })]) });
    expect(server.requests.some((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);

    for (const run of [done, status, scan]) expect(run.stdout + run.stderr).not.toContain(TOKEN);

    const logout = await runCli(['auth', 'logout', server.url], { env: env() });
    expect(logout.code).toBe(0);
    const after = await runCli(['scan', '--url', server.url], { env: env(), timeoutMs: 60_000 });
    expect(after.code).not.toBe(0);
    expect(after.stderr).toContain(`mcptrust auth login ${server.url}`);
  });

  it('exit 1 for a denied login, exit 2 for a URL that is not https or loopback http', async () => {
    const { as, server } = await protectedServer();
    as.setFailure('deny');
    const denied = await login(server.url);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('access_denied');
    const bad = await runCli(['auth', 'login', 'http://mcp.example.com/mcp'], { env: env() });
    expect(bad.code).toBe(2);
    const none = await runCli(['auth', 'logout'], { env: env() });
    expect(none.code).toBe(2);
  });

  it('auth login --help shows the login flags; a secret on the command line is refused (exit 2) without being echoed', async () => {
    const help = await runCli(['auth', 'login', '--help'], { env: env() });
    expect(help.code).toBe(0);
    for (const flag of ['--no-browser', '$BROWSER', 'ssh -L', '--client-id', '--client-secret-env', '--client-secret-file', '--client-metadata-url', '--timeout', '--scope']) {
      expect(help.stdout).toContain(flag);
    }
    const secret = 'argv-secret-31ab';
    const refused = await runCli(['auth', 'login', 'https://mcp.example.com/mcp', '--client-id', 'x', '--client-secret', secret], { env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Unknown argument');
    expect(refused.stdout + refused.stderr).not.toContain(secret);
  });
});
