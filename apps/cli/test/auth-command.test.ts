import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startOAuthServer, startProtectedMcpServer, type OAuthServer, type ProtectedMcpServer } from '@mcptrust/tooling/test-support/oauth-server.mjs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../src/cli.js';
import { authCommand } from '../src/commands/auth.js';
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

/** Runs `mcptrust <args>` in-process; `onStderr` sees stderr as it is written. */
async function mcptrust(args: string[], onStderr?: (text: string) => void): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    onStderr?.(err);
  });
  const io: Io = { stdout, stderr, color: false, env: { XDG_CONFIG_HOME: join(root, 'config'), HOME: root } };
  const code = await runCli(args, [authCommand], io);
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

async function servers(failure?: 'deny'): Promise<{ as: OAuthServer; mcp: ProtectedMcpServer }> {
  as = await startOAuthServer(failure === undefined ? {} : { failure });
  mcp = await startProtectedMcpServer({ authServer: as, scopes: ['mcp:read'] });
  return { as, mcp };
}

describe('mcptrust auth', () => {
  it('login stores the tokens 0600 under XDG_CONFIG_HOME; status shows them without token values; logout removes them', async () => {
    const { as, mcp } = await servers();
    const login = await mcptrust(['auth', 'login', mcp.url, '--no-browser', '--timeout', '20s'], browserOnStderr());
    expect(login.stderr).toContain('/authorize?');
    expect(login.stderr).toContain(`logged in to ${mcp.url} (issuer ${as.issuer}, scope mcp:read, expires `);
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
