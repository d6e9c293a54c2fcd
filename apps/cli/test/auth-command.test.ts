import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startOAuthServer, startProtectedMcpServer, type OAuthServer, type OAuthServerOptions, type ProtectedMcpServer } from '@mcptrust/tooling/test-support/oauth-server.mjs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../src/cli.js';
import { makeAuthCommand } from '../src/commands/auth.js';
import type { Io } from '../src/output.js';

// The `auth` command module in-process (the same yargs runner as the CLI), with the token
// store in a temporary XDG_CONFIG_HOME. The test plays the browser: it takes the printed
// authorization URL and follows it to the loopback callback.

let as: OAuthServer | undefined;
let mcp: ProtectedMcpServer | undefined;
let root = '';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mcptrust-auth-'));
});
afterEach(async () => {
  await mcp?.close();
  await as?.close();
  mcp = undefined;
  as = undefined;
  await rm(root, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Stdin with nothing typed and never closed (a terminal nobody types in). */
function idleStdin(): PassThrough {
  return new PassThrough();
}

/** Runs `mcptrust <args>` in-process; `onStderr` sees stderr as it is written; `stdin` is what `--no-browser` reads. */
async function mcptrust(args: string[], onStderr?: (text: string) => void, stdin: PassThrough = idleStdin(), env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    onStderr?.(err);
  });
  const io: Io = { stdout, stderr, color: false, env: { XDG_CONFIG_HOME: join(root, 'config'), HOME: root, ...env } };
  const code = await runCli(args, [makeAuthCommand({ stdin: () => stdin })], io);
  return { code, stdout: out, stderr: err };
}

/** A browser that opens the first authorization URL printed on stderr. */
function browserOnStderr(): (text: string) => void {
  let opened = false;
  return (text) => {
    const found = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(text);
    if (found === null || opened) return;
    opened = true;
    void (async () => {
      const answer = await fetch(found[1]!, { redirect: 'manual' });
      const location = answer.headers.get('location');
      if (location !== null) await (await fetch(location)).text();
    })();
  };
}

async function servers(failure?: 'deny', asOptions: OAuthServerOptions = {}): Promise<{ as: OAuthServer; mcp: ProtectedMcpServer }> {
  as = await startOAuthServer({ ...(failure === undefined ? {} : { failure }), ...asOptions });
  mcp = await startProtectedMcpServer({ authServer: as, scopes: ['mcp:read'] });
  return { as, mcp };
}

describe('mcptrust auth', () => {
  it('login stores the tokens 0600 under XDG_CONFIG_HOME; status shows them without token values; logout removes them', async () => {
    const { as, mcp } = await servers();
    const login = await mcptrust(['auth', 'login', mcp.url, '--no-browser', '--timeout', '20s'], browserOnStderr());
    expect(login.stderr).toContain('/authorize?');
    expect(login.stderr).toContain(`logged in to ${mcp.url} (issuer ${as.issuer}, dynamically registered client, scope mcp:read, expires `);
    expect(login.code).toBe(0);
    expect(login.stdout).toBe('');
    const file = join(root, 'config', 'mcptrust', 'oauth-tokens.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { entries: Record<string, { tokens: { access_token: string; refresh_token: string } }> };
    const tokens = Object.values(stored.entries)[0]!.tokens;

    const status = await mcptrust(['auth', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual([
      { issuer: as.issuer, resource: mcp.url, expiresAt: expect.any(String), scope: 'mcp:read', hasRefreshToken: true, savedAt: expect.any(String), expired: false },
    ]);
    const text = await mcptrust(['auth', 'status', mcp.url]);
    expect(text.stdout).toContain(`${mcp.url}\n  issuer: ${as.issuer}\n  expires `);
    for (const run of [login, status, text]) {
      expect(run.stdout + run.stderr).not.toContain(tokens.access_token);
      expect(run.stdout + run.stderr).not.toContain(tokens.refresh_token);
    }

    const logout = await mcptrust(['auth', 'logout', mcp.url]);
    expect(logout.code).toBe(0);
    expect(logout.stderr).toContain(`removed the stored login for ${mcp.url}`);
    const after = await mcptrust(['auth', 'status', mcp.url]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain(`run \`mcptrust auth login ${mcp.url}\``);
  });

  it('--no-browser takes the redirected address pasted on stdin (the browser on another machine), after a line that is not it', async () => {
    const { as, mcp } = await servers();
    const stdin = new PassThrough();
    let pasted = false;
    let code = '';
    const login = await mcptrust(
      ['auth', 'login', mcp.url, '--no-browser', '--timeout', '20s'],
      (text) => {
        const found = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(text);
        if (found === null || pasted || !text.includes('press Enter')) return;
        pasted = true;
        void (async () => {
          const answer = await fetch(found[1]!, { redirect: 'manual' });
          const location = answer.headers.get('location') ?? '';
          code = new URL(location).searchParams.get('code') ?? '';
          stdin.write('https://example.com/not-it\n');
          stdin.write(`${location}\n`);
        })();
      },
      stdin,
    );
    expect(login.stderr).toMatch(/Waiting up to 20 s for the browser's redirect to http:\/\/127\.0\.0\.1:(\d+)\/callback \(browser on another machine\? forward the port from there first: ssh -L \1:127\.0\.0\.1:\1 <this host>\)/);
    expect(login.stderr).toContain('That is not the redirect of this login');
    expect(login.code).toBe(0);
    expect(login.stderr).toContain(`logged in to ${mcp.url} (issuer ${as.issuer}, dynamically registered client`);
    expect(code).not.toBe('');
    expect(login.stdout + login.stderr).not.toContain(code);
    // The reader was released: stdin is paused, nothing is listening for lines any more.
    expect(stdin.isPaused()).toBe(true);
    expect(stdin.listenerCount('data')).toBe(0);
  });

  it('--client-id with --client-secret-env: a confidential client authenticates with Basic auth; the secret is never printed', async () => {
    const secret = 'confidential-secret-9f2a';
    const { as, mcp } = await servers(undefined, {
      clients: [{ client_id: 'mcptrust-ci', client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' }],
      tokenEndpointAuthMethods: ['client_secret_basic'],
      preregisteredClients: [],
    });
    const login = await mcptrust(['auth', 'login', mcp.url, '--no-browser', '--timeout', '20s', '--client-id', 'mcptrust-ci', '--client-secret-env', 'MCP_CLIENT_SECRET'], browserOnStderr(), idleStdin(), {
      MCP_CLIENT_SECRET: secret,
    });
    expect(login.stderr).toContain(`logged in to ${mcp.url} (issuer ${as.issuer}, pre-registered client`);
    expect(login.code).toBe(0);
    const token = as.requests.find((r) => r.path === '/token');
    expect(token?.headers['authorization']).toBe(`Basic ${Buffer.from(`mcptrust-ci:${secret}`).toString('base64')}`);
    expect(as.requests.some((r) => r.path === '/register')).toBe(false);
    expect(login.stdout + login.stderr).not.toContain(secret);
  });

  it('--client-metadata-url names the Client ID Metadata Document used as client id where the server supports them', async () => {
    const document = 'https://client.example/oauth/mcptrust.json';
    const { as, mcp } = await servers(undefined, {
      cimdDocuments: { [document]: { client_id: document, client_name: 'MCPTrust', redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' } },
    });
    const login = await mcptrust(['auth', 'login', mcp.url, '--no-browser', '--timeout', '20s', '--client-metadata-url', document], browserOnStderr());
    expect(login.stderr).toContain(`logged in to ${mcp.url} (issuer ${as.issuer}, client metadata document`);
    expect(login.code).toBe(0);
    expect(as.cimdLookups).toContain(document);
    expect(as.requests.find((r) => r.path === '/authorize')?.params['client_id']).toBe(document);
  });

  it('exit 1 when the login is denied, nothing stored', async () => {
    const { mcp } = await servers('deny');
    const login = await mcptrust(['auth', 'login', mcp.url, '--no-browser', '--timeout', '20s'], browserOnStderr());
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(/login to http:\/\/127\.0\.0\.1:\d+\/mcp failed: The authorization server refused the login: access_denied/);
    expect((await mcptrust(['auth', 'status', '--json'])).stdout).toBe('[]\n');
  });

  it('exit 1 when nobody answers before --timeout', async () => {
    const { mcp } = await servers();
    const login = await mcptrust(['auth', 'login', mcp.url, '--no-browser', '--timeout', '200ms']);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('No authorization answer within');
  });

  it.each([
    [['auth', 'login', 'not-a-url'], /auth login: Refusing the upstream URL/],
    [['auth', 'login', 'http://mcp.example.com/mcp'], /plain http:\/\/ is allowed only to a loopback host/],
    [['auth', 'login', 'file:///etc/passwd'], /only https:\/\//],
    [['auth', 'login', 'https://mcp.example.com/mcp', '--timeout', 'soon'], /--timeout: expected a duration/],
    [['auth', 'login', 'https://mcp.example.com/mcp', '--client-secret-env', 'MCP_SECRET'], /a client secret needs its --client-id/],
    [['auth', 'login', 'https://mcp.example.com/mcp', '--client-secret-file', '/nonexistent'], /a client secret needs its --client-id/],
    [['auth', 'login', 'https://mcp.example.com/mcp', '--client-id', 'x', '--client-secret-env', 'MCPTRUST_UNSET_SECRET'], /--client-secret-env: the environment variable MCPTRUST_UNSET_SECRET is not set/],
    [['auth', 'login', 'https://mcp.example.com/mcp', '--client-id', 'x', '--client-secret-env', 'A', '--client-secret-file', 'f'], /give one of them/],
    [['auth', 'login', 'https://mcp.example.com/mcp', '--client-metadata-url', 'http://example.com/client.json'], /--client-metadata-url: The client metadata URL must be an https:\/\/ URL/],
    [['auth', 'login', 'https://mcp.example.com/mcp', '--client-metadata-url', 'https://example.com/'], /--client-metadata-url: .*with a path/],
    [['auth', 'logout'], /give the server URL, or --all/],
    [['auth', 'logout', 'https://mcp.example.com/mcp', '--all'], /either a URL or --all/],
    [['auth'], /Specify a subcommand/],
  ])('exit 2 for bad input: %j', async (args, message) => {
    const run = await mcptrust(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('logout --all removes every login; status without logins says so', async () => {
    const run = await mcptrust(['auth', 'logout', '--all']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('removed 0 stored logins');
    const status = await mcptrust(['auth', 'status']);
    expect(status.code).toBe(0);
    expect(status.stderr).toContain('no stored logins');
  });
});
