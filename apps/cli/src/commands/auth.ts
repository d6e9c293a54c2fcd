/**
 * `mcptrust auth login|logout|status`: OAuth logins to remote MCP servers. `login` runs
 * the browser flow once and stores the tokens (0600, under the user's configuration
 * directory); `lock|scan|diff|check|proxy --url URL` then use and refresh them silently.
 * Token values, client secrets and authorization codes are never printed.
 *
 * The browser is `$BROWSER` when set, else the system's. With `--no-browser` the
 * authorization URL is only printed, and the login waits both for the browser's redirect
 * on the loopback port (which `ssh -L` can forward from another machine) and for the
 * redirected address pasted on stdin; stdin closing does not end the wait.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import { canonicalResource, checkClientMetadataUrl, defaultConfigDir, loginRemote, openTokenStore, parseUpstreamUrl, RemoteError, systemBrowserOpener } from '@mcptrust/remote';
import type { ClientRoute, TokenEntrySummary, TokenStore } from '@mcptrust/remote';
import type { CommandContext, CommandModule } from '../command.js';
import { FindingError, UsageError } from '../exit-codes.js';
import { parseDuration } from '../options.js';
import { paint, printable, say } from '../output.js';
import { secretFromFlags } from '../secret-flags.js';

const DESCRIBE = 'Log in to remote MCP servers that need OAuth (auth login URL), list or remove stored logins (auth status, auth logout)';

/** The user's token store (`$XDG_CONFIG_HOME/mcptrust`, `~/.config/mcptrust`, `%APPDATA%\mcptrust`). */
function storeOf(ctx: CommandContext): TokenStore {
  return openTokenStore({ dir: defaultConfigDir({ env: ctx.io.env }) });
}

/** The URL positional, checked like `--url`: bad input is exit 2. */
function serverUrl(value: unknown, command: string): URL {
  if (value === undefined || Array.isArray(value) || String(value).trim() === '') throw new UsageError(`auth ${command}: expected the MCP server URL`);
  try {
    return parseUpstreamUrl(String(value).trim());
  } catch (error) {
    if (error instanceof RemoteError) throw new UsageError(`auth ${command}: ${error.message}`);
    throw error;
  }
}

function optionalText(flag: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (text === '' || Array.isArray(value)) throw new UsageError(`--${flag}: expected one non-empty value`);
  return text;
}

/** When a token expires, for people. */
function expiry(summary: TokenEntrySummary, now: number): string {
  if (summary.expiresAt === undefined) return 'no expiry given';
  const at = Date.parse(summary.expiresAt);
  const state = at <= now ? 'expired' : 'expires';
  return `${state} ${summary.expiresAt}${summary.hasRefreshToken ? ' (refreshable)' : ''}`;
}

/** How the success line names the client. */
const ROUTE_LABEL: Record<ClientRoute, string> = {
  'pre-registered': 'pre-registered client',
  'client-metadata-document': 'client metadata document',
  'dynamic-registration': 'dynamically registered client',
};

/** `--client-metadata-url`, checked (exit 2 naming the flag). */
function clientMetadataUrl(value: unknown): string | undefined {
  const text = optionalText('client-metadata-url', value);
  if (text === undefined) return undefined;
  try {
    return checkClientMetadataUrl(text);
  } catch (error) {
    if (error instanceof RemoteError) throw new UsageError(`--client-metadata-url: ${error.message}`);
    throw error;
  }
}

/** The client flags of `login`: id, secret (env or file, never argv), metadata document URL. */
async function clientFlags(ctx: CommandContext, argv: Record<string, unknown>): Promise<{ clientId?: string; clientSecret?: string; clientMetadataUrl?: string }> {
  const clientId = optionalText('client-id', argv['client-id']);
  if (clientId === undefined && (argv['client-secret-env'] !== undefined || argv['client-secret-file'] !== undefined)) {
    throw new UsageError('--client-secret-env/--client-secret-file: a client secret needs its --client-id');
  }
  const clientSecret = await secretFromFlags(argv, ctx.io.env, { envFlag: 'client-secret-env', fileFlag: 'client-secret-file' });
  const metadataUrl = clientMetadataUrl(argv['client-metadata-url']);
  return {
    ...(clientId === undefined ? {} : { clientId }),
    ...(clientSecret === undefined ? {} : { clientSecret }),
    ...(metadataUrl === undefined ? {} : { clientMetadataUrl: metadataUrl }),
  };
}

/**
 * Lines pasted on `stdin`, and how to stop reading. The reader starts only when the login
 * asks for the lines (once the URL is printed), so nothing is read before; none when stdin
 * is already closed.
 */
function pastedLines(stdin: Readable): { lines?: AsyncIterable<string>; close(): void } {
  if (stdin.destroyed || stdin.readableEnded) return { close: () => undefined };
  let reader: Interface | undefined;
  let closed = false;
  const empty: AsyncIterator<string> = { next: async () => ({ done: true, value: undefined }) };
  return {
    lines: {
      [Symbol.asyncIterator]: () => {
        if (closed) return empty;
        reader = createInterface({ input: stdin, terminal: false, crlfDelay: Infinity });
        // An input error (stdin gone) only ends the pasting; the listener still waits.
        reader.on('error', () => reader?.close());
        return reader[Symbol.asyncIterator]();
      },
    },
    close: () => {
      closed = true;
      if (reader === undefined) return;
      reader.close();
      // Paused, stdin no longer keeps the process alive after the login.
      stdin.pause();
    },
  };
}

/** Options of {@link makeAuthCommand}. */
export interface AuthCommandOptions {
  /** Where `auth login --no-browser` reads a pasted redirect URL. Default `process.stdin`. */
  stdin?: () => Readable;
}

async function login(ctx: CommandContext, argv: Record<string, unknown>, options: AuthCommandOptions): Promise<void> {
  const url = serverUrl(argv['url'], 'login');
  const timeoutMs = parseDuration('timeout', argv['timeout'] ?? '300s');
  const scope = optionalText('scope', argv['scope']);
  const client = await clientFlags(ctx, argv);
  const { io } = ctx;
  const noBrowser = argv['browser'] === false;
  const pasted = noBrowser ? pastedLines((options.stdin ?? (() => process.stdin))()) : undefined;
  try {
    const result = await loginRemote(url.href, {
      store: storeOf(ctx),
      timeoutMs,
      signal: ctx.signal,
      onMessage: (message) => say(io, message),
      openBrowser: noBrowser ? false : systemBrowserOpener({ env: io.env }),
      ...(pasted?.lines === undefined ? {} : { redirectInput: pasted.lines }),
      ...(scope === undefined ? {} : { scope }),
      ...client,
    });
    const scopes = result.scope === undefined ? '' : `, scope ${printable(result.scope)}`;
    const expires = result.expiresAt === undefined ? '' : `, expires ${result.expiresAt}${result.refreshable ? ' (refreshed automatically)' : ''}`;
    say(io, `${paint(io, 'green', '✓')} logged in to ${result.resource} (issuer ${printable(result.issuer)}, ${ROUTE_LABEL[result.clientRoute]}${scopes}${expires})`);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    // The token store is operational (exit 2); every other failure is a failed login (exit 1).
    if (error instanceof RemoteError && error.code === 'TOKEN_STORE') throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new FindingError(`login to ${canonicalResource(url)} failed: ${printable(message)}`);
  } finally {
    pasted?.close();
  }
}

async function logout(ctx: CommandContext, argv: Record<string, unknown>): Promise<void> {
  const all = argv['all'] === true;
  const store = storeOf(ctx);
  const { io } = ctx;
  if (argv['url'] === undefined) {
    if (!all) throw new UsageError('auth logout: give the server URL, or --all to remove every stored login');
    const removed = await store.remove();
    say(io, `${paint(io, 'green', '✓')} removed ${removed} stored login${removed === 1 ? '' : 's'}`);
    return;
  }
  if (all) throw new UsageError('auth logout: give either a URL or --all, not both');
  const resource = canonicalResource(serverUrl(argv['url'], 'logout'));
  const removed = await store.remove(resource);
  say(io, removed === 0 ? `no stored login for ${resource}` : `${paint(io, 'green', '✓')} removed the stored login for ${resource}`);
}

async function status(ctx: CommandContext, argv: Record<string, unknown>): Promise<void> {
  const resource = argv['url'] === undefined ? undefined : canonicalResource(serverUrl(argv['url'], 'status'));
  const entries = await storeOf(ctx).list(resource);
  const now = Date.now();
  const { io } = ctx;
  if (argv['json'] === true) {
    const shown = entries.map((e) => ({ ...e, expired: e.expiresAt !== undefined && Date.parse(e.expiresAt) <= now }));
    io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  } else {
    for (const e of entries) {
      io.stdout.write(`${e.resource}\n  issuer: ${printable(e.issuer)}\n  ${expiry(e, now)}\n  scope: ${e.scope === undefined ? '(not given)' : printable(e.scope)}\n`);
    }
    if (entries.length === 0 && resource === undefined) say(io, 'no stored logins');
  }
  if (entries.length === 0 && resource !== undefined) {
    say(io, `not logged in to ${resource}: run \`mcptrust auth login ${resource}\``);
    ctx.setExitCode(1);
  }
}

/**
 * `mcptrust auth login URL | logout [URL] [--all] | status [URL] [--json]`, reading a
 * pasted redirect from `options.stdin`.
 *
 * @param options - {@link AuthCommandOptions}
 * @returns the command module
 */
export const makeAuthCommand =
  (options: AuthCommandOptions = {}): CommandModule =>
  (cli, ctx) =>
    cli.command(
    'auth',
    DESCRIBE,
    (y) =>
      y
        .command(
          'login <url>',
          'Log in to a remote MCP server with OAuth (browser, PKCE); later commands with --url use and refresh the stored tokens',
          (b) =>
            b
              .usage(
                'Usage: $0 auth login <url> [--no-browser] [--timeout 300s] [--scope SCOPES] [--client-id ID [--client-secret-env NAME | --client-secret-file FILE]] [--client-metadata-url URL]',
              )
              .positional('url', { type: 'string', describe: 'The MCP server URL (https://, or http:// to a loopback host)' })
              .option('browser', {
                type: 'boolean',
                default: true,
                describe:
                  'Open the authorization URL in the browser ($BROWSER, else the system\'s). --no-browser: only print it, then wait for the redirect on the printed loopback port (forward it with ssh -L from the browser\'s machine) or for the redirected address pasted on stdin',
              })
              .option('timeout', { type: 'string', default: '300s', describe: 'How long to wait for the authorization (e.g. 300s, 5m)' })
              .option('scope', { type: 'string', describe: 'Scopes to ask for (default: what the server asks for)' })
              .option('client-id', { type: 'string', describe: 'A client id registered with the authorization server (used before a client metadata document or dynamic registration)' })
              .option('client-secret-env', { type: 'string', describe: "With --client-id: the NAME of the environment variable holding the client's secret (a confidential client)" })
              .option('client-secret-file', { type: 'string', describe: "With --client-id: a file holding the client's secret" })
              .option('client-metadata-url', { type: 'string', describe: 'The https:// URL of the Client ID Metadata Document to use as client id where the server supports them (default: the project\'s)' })
              .example('$0 auth login https://mcp.example.com/mcp', 'log in once; then: mcptrust lock --url https://mcp.example.com/mcp')
              .example('$0 auth login https://mcp.example.com/mcp --no-browser', 'over ssh: open the printed URL on your machine, then forward the printed port (ssh -L) or paste the address the browser ends on')
              .example('MCP_CLIENT_SECRET=… $0 auth login https://mcp.example.com/mcp --client-id mcptrust --client-secret-env MCP_CLIENT_SECRET', 'a confidential client registered with the server\'s administrator'),
          (raw) => login(ctx, raw as unknown as Record<string, unknown>, options),
        )
        .command(
          'logout [url]',
          'Remove the stored login of a server (every issuer), or every stored login with --all',
          (b) =>
            b
              .usage('Usage: $0 auth logout <url> | --all')
              .positional('url', { type: 'string', describe: 'The MCP server URL' })
              .option('all', { type: 'boolean', default: false, describe: 'Remove every stored login' }),
          (raw) => logout(ctx, raw as unknown as Record<string, unknown>),
        )
        .command(
          'status [url]',
          'Show stored logins: server, issuer, expiry, scopes (never token values); exit 1 when URL has none',
          (b) =>
            b
              .usage('Usage: $0 auth status [url] [--json]')
              .positional('url', { type: 'string', describe: 'Only this MCP server' })
              .option('json', { type: 'boolean', default: false, describe: 'Print the logins as JSON on stdout' }),
          (raw) => status(ctx, raw as unknown as Record<string, unknown>),
        )
        .demandCommand(1, 'Specify a subcommand: auth login, auth logout or auth status'),
    () => undefined,
  );

/** `mcptrust auth` reading a pasted redirect from `process.stdin`. */
export const authCommand: CommandModule = makeAuthCommand();
