/**
 * The remote-server flags every server-facing command shares (`--url`, `--header`,
 * `--transport`, `--allow-url-change`) and what they become: the endpoint the
 * `@mcptrust/remote` client connects to, its static headers with `${VAR}` taken from
 * the environment, and the rule that a lockfile is only enforced against the origin it
 * was made for.
 */
import type { Lockfile } from '@mcptrust/lockfile';
import type { Argv } from 'yargs';
import type { RemoteEndpoint, RemoteTransport } from '@mcptrust/remote';
import { RemoteError } from '@mcptrust/remote/errors';
// The URL rules only: the HTTP client is loaded when a remote server is really used.
import { parseUpstreamUrl } from '@mcptrust/remote/url';
import { CLIENT_CREDENTIAL_FLAG_SPECS, clientCredentialFlags, refuseCredentialFlagsWithoutUrl, type ClientCredentialFlags } from './credential-flags.js';
import { UsageError } from './exit-codes.js';
import type { FlagSpec } from './observe/flag-spec.js';
import { printable } from './output.js';

/** The transports `--transport` accepts. */
export const REMOTE_TRANSPORTS: readonly RemoteTransport[] = ['auto', 'streamable-http', 'sse'];

/** The flags naming a remote server (lock, scan, diff, check, policy, proxy). */
export const REMOTE_FLAG_SPECS: readonly FlagSpec[] = [
  { name: 'url', type: 'string', describe: 'A remote MCP server (Streamable HTTP endpoint, or the SSE URL of a legacy server) instead of a command after --: https://, or http:// to a loopback address' },
  {
    name: 'header',
    type: 'string',
    describe: 'With --url: a header sent on every request to the server, "Name: value" (repeatable); ${VAR} is replaced by the environment variable, so secrets stay out of command lines and configs',
  },
  { name: 'transport', type: 'string', choices: REMOTE_TRANSPORTS, default: 'auto', describe: 'With --url: streamable-http, sse (the 2024-11-05 transport), or auto (Streamable HTTP, falling back to SSE as the MCP spec says)' },
  ...CLIENT_CREDENTIAL_FLAG_SPECS,
];

/** `--allow-url-change`, for the commands that compare with a lockfile (diff, check, policy, proxy). */
export const ALLOW_URL_CHANGE_FLAG: FlagSpec = {
  name: 'allow-url-change',
  type: 'boolean',
  default: false,
  describe: 'Compare or enforce the lockfile against a server at another origin than the one it was locked from (server.url)',
};

/** Header names the transport sets itself. */
const CONTROLLED_HEADERS = new Set(['accept', 'content-type', 'content-length', 'host', 'connection', 'transfer-encoding', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id']);
/** RFC 9110 token characters. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A remote server named on the command line. */
export interface RemoteTarget {
  /** What the client connects to (headers already expanded; values never printed). */
  endpoint: RemoteEndpoint;
  /** The URL as given (validated by the client when it connects). */
  url: URL;
  /** Warnings to print before connecting (never a header value). */
  warnings: string[];
  /** `--client-credentials` and its flags (names and paths only: the secret or key is read when the credentials are built). */
  clientCredentials?: ClientCredentialFlags;
}

/** The header flag's values as a list (yargs gives a string for one, an array for more). */
function headerValues(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * Parses `--header "Name: value"` flags. `${VAR}` is replaced by the variable's value
 * from `env`; an unset variable is an error naming it. Errors name the header, never its
 * value. A literal `Authorization` value earns a warning: command lines are visible in
 * `ps` and in host configs.
 */
export function parseHeaderFlags(value: unknown, env: NodeJS.ProcessEnv, warnings: string[] = []): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const raw of headerValues(value)) {
    const colon = raw.indexOf(':');
    const name = colon === -1 ? '' : raw.slice(0, colon).trim();
    if (colon === -1 || !TOKEN.test(name)) {
      throw new UsageError(`--header: expected "Name: value" with a header name of letters, digits and !#$%&'*+.^_\`|~-, got a value without one${name === '' ? '' : ` ("${printable(name)}")`}`);
    }
    const lower = name.toLowerCase();
    if (CONTROLLED_HEADERS.has(lower)) throw new UsageError(`--header ${name}: this header is set by the MCP transport itself and cannot be given`);
    if (Object.hasOwn(headers, lower)) throw new UsageError(`--header ${name}: given twice`);
    const template = raw.slice(colon + 1).trim();
    let usedVariable = false;
    const expanded = template.replace(VARIABLE, (_match, variable: string) => {
      const found = env[variable];
      if (found === undefined) throw new UsageError(`--header ${name}: the environment variable ${variable} is not set`);
      usedVariable = true;
      return found;
    });
    if (/[\r\n\0]/.test(expanded)) throw new UsageError(`--header ${name}: the value contains a line break or NUL byte`);
    if (expanded === '') throw new UsageError(`--header ${name}: the value is empty`);
    if (!usedVariable && (lower === 'authorization' || lower === 'proxy-authorization' || lower === 'cookie' || lower.includes('token') || lower.includes('key'))) {
      warnings.push(`--header ${name} carries a literal value: command lines are visible in ps and in host configs; use "${name}: \${VARIABLE}" and set the variable instead`);
    }
    headers[lower] = expanded;
  }
  return headers;
}

/**
 * The remote server named by `--url`, or undefined when the command names a stdio
 * server after `--`. Exactly one of the two; `--header`/`--transport` and the client
 * credentials flags need `--url` (see `credential-flags.ts` for their rules).
 */
export function remoteTargetFrom(argv: Record<string, unknown>, env: NodeJS.ProcessEnv): RemoteTarget | undefined {
  const rawUrl = argv['url'];
  const rest = Array.isArray(argv['--']) ? argv['--'] : [];
  if (rawUrl === undefined) {
    if (headerValues(argv['header']).length > 0) throw new UsageError('--header needs --url: headers are sent to a remote server');
    if (argv['transport'] !== undefined && argv['transport'] !== 'auto') throw new UsageError('--transport needs --url');
    refuseCredentialFlagsWithoutUrl(argv);
    return undefined;
  }
  if (Array.isArray(rawUrl)) throw new UsageError('--url: given more than once');
  if (rest.length > 0) throw new UsageError('give either --url or a server command after --, not both');
  let url: URL;
  try {
    url = parseUpstreamUrl(String(rawUrl).trim());
  } catch (error) {
    if (error instanceof RemoteError) throw new UsageError(`--url: ${error.message}`);
    throw error;
  }
  const transport = String(argv['transport'] ?? 'auto');
  if (!(REMOTE_TRANSPORTS as readonly string[]).includes(transport)) throw new UsageError(`--transport: expected one of ${REMOTE_TRANSPORTS.join(', ')}, got "${printable(transport)}"`);
  const warnings: string[] = [];
  const headers = parseHeaderFlags(argv['header'], env, warnings);
  const clientCredentials = clientCredentialFlags(argv, Object.hasOwn(headers, 'authorization'));
  if (url.search !== '') warnings.push('--url has a query string: it is sent to the server but not recorded in the lockfile (server.url is origin and path)');
  return { endpoint: { url: url.href, transport: transport as RemoteTransport, headers }, url, warnings, ...(clientCredentials === undefined ? {} : { clientCredentials }) };
}

/**
 * The values of every remote-server flag ({@link REMOTE_FLAG_SPECS} and
 * `--allow-url-change`) in `argv`, for a command that passes them on to
 * {@link remoteTargetFrom} separately from its other flags.
 */
export function remoteFlagValues(argv: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const { name } of [...REMOTE_FLAG_SPECS, ALLOW_URL_CHANGE_FLAG]) if (argv[name] !== undefined) picked[name] = argv[name];
  return picked;
}

/** `https://host:port/path` of a URL, for messages (no query: it may carry a token). */
export function describeUrl(url: URL | string): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * Refuses to compare or enforce `lockfile` against a server it was not made for: a
 * remote target at another origin than `server.url`, a remote target with a lockfile of
 * a stdio server, or a stdio server with a lockfile of a remote one — unless
 * `--allow-url-change`. Another path on the same origin is only a warning.
 *
 * @returns warnings to print
 * @throws UsageError naming both endpoints and the flag
 */
export function checkEndpoint(lockfile: Lockfile, lockPath: string, target: RemoteTarget | undefined, allowUrlChange: boolean): string[] {
  const locked = lockfile.server.url;
  const file = printable(lockPath);
  if (target === undefined) {
    if (locked === undefined || allowUrlChange) return [];
    throw new UsageError(`${file} was locked from the remote server ${printable(locked)}, not from a command; pass --url ${printable(locked)} (or --allow-url-change to use it with this command anyway)`);
  }
  const live = describeUrl(target.url);
  if (locked === undefined) {
    if (allowUrlChange) return [`${file} was locked from a stdio server; enforcing it against ${printable(live)} (--allow-url-change)`];
    throw new UsageError(`${file} was locked from a stdio server, not from ${printable(live)}; lock the remote server with mcptrust lock --url, or pass --allow-url-change`);
  }
  const lockedUrl = new URL(locked);
  if (lockedUrl.origin !== target.url.origin) {
    if (allowUrlChange) return [`${file} was locked from ${printable(locked)}; using it with ${printable(live)} (--allow-url-change)`];
    throw new UsageError(`${file} was locked from ${printable(locked)}, not from ${printable(live)} (another origin); re-lock, or pass --allow-url-change if the same server moved`);
  }
  if (lockedUrl.pathname !== target.url.pathname) return [`${file} was locked from ${printable(locked)}; the server is now at ${printable(live)} (same origin, another path)`];
  return [];
}

/** Registers {@link REMOTE_FLAG_SPECS} (and `--allow-url-change` when the command compares with a lockfile). */
export function remoteOptions(y: Argv, options: { allowUrlChange: boolean }): Argv {
  let cli = y;
  for (const { name, ...spec } of [...REMOTE_FLAG_SPECS, ...(options.allowUrlChange ? [ALLOW_URL_CHANGE_FLAG] : [])]) {
    cli = cli.option(name, { ...spec, alias: spec.alias === undefined ? undefined : [...spec.alias], choices: spec.choices === undefined ? undefined : [...spec.choices] });
  }
  return cli;
}
