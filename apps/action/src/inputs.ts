import { parseServerCommand } from '@mcptrust/drift/parse-server-command';

/** The modes the action runs in. */
export const ACTION_MODES = ['lock', 'check', 'policy'] as const;
/** One of {@link ACTION_MODES}. */
export type ActionMode = (typeof ACTION_MODES)[number];

/** Drift severities that can fail the gate. */
export const FAIL_ON = ['critical', 'moderate', 'info'] as const;
/** Where the report goes besides the files. */
export const REPORTS = ['step_summary', 'none'] as const;
/** The presets `policy` can name instead of a file. */
export const POLICY_PRESETS = ['baseline', 'strict'] as const;

/** The server to gate: a command (never run through a shell) or a remote URL. */
export type ServerTarget =
  | { kind: 'command'; /** Words passed after `--`, exactly as given. */ argv: string[] }
  | {
      kind: 'url';
      url: string;
      /** `Name: value` lines; `${VAR}` is expanded by mcptrust from the environment. */
      headers: string[];
      /** OAuth client credentials (machine-to-machine): only names and paths, never a secret. */
      oauth?: OAuthClientInputs;
    };

/** The `oauth_*` inputs: the client id, and the NAME of the variable holding its secret or the path of its private key. */
export interface OAuthClientInputs {
  clientId: string;
  secretEnv?: string;
  privateKeyFile?: string;
  keyId?: string;
  scope?: string;
}

/** The `oauth_*` inputs, in the order errors name them. */
const OAUTH_INPUTS = ['oauth_client_id', 'oauth_client_secret_env', 'oauth_private_key_file', 'oauth_key_id', 'oauth_scope'] as const;

/** The action's validated inputs. */
export interface ActionInputs {
  mode: ActionMode;
  server: ServerTarget;
  /** Lockfile path, relative to the working directory. */
  lockfile: string;
  failOn: (typeof FAIL_ON)[number];
  policy?: { preset: (typeof POLICY_PRESETS)[number] } | { file: string };
  signature?: { key: string } | { issuer: string; identity: string };
  pin: boolean;
  verifyProvenance: boolean;
  report: (typeof REPORTS)[number];
  /** SARIF output path (relative to the working directory); a default path under `.mcptrust/` when not given. */
  sarif?: string;
  annotations: boolean;
  receipt?: string;
  workingDirectory: string;
  timeoutSeconds: number;
}

/** An input the workflow gave is missing or invalid. */
export class ActionInputError extends Error {
  override readonly name = 'ActionInputError';
  /** The input's name, as written in the workflow (`fail_on`). */
  readonly input: string;
  constructor(input: string, message: string) {
    super(`input "${input}": ${message}`);
    this.input = input;
  }
}

/** Reads one input by its workflow name; `''` when not given (as `@actions/core` `getInput`). */
export type InputReader = (name: string) => string;

/** Reads inputs from the environment the runner sets (`INPUT_<NAME>`, trimmed), as `@actions/core` does. */
export function envInputReader(env: Record<string, string | undefined>): InputReader {
  return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new ActionInputError(input, `expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** YAML 1.2 core-schema booleans, as GitHub documents for boolean inputs. */
function bool(input: string, value: string, fallback: boolean): boolean {
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new ActionInputError(input, `expected true or false, got "${value}"`);
}

function serverTarget(read: InputReader): ServerTarget {
  const command = read('server_command');
  const argvText = read('server_argv');
  const url = read('url');
  const given = [command && 'server_command', argvText && 'server_argv', url && 'url'].filter(Boolean);
  if (given.length === 0) throw new ActionInputError('server_command', 'one of server_command, server_argv or url is required');
  if (given.length > 1) throw new ActionInputError(String(given[1]), `give one of server_command, server_argv or url, not ${given.join(' and ')}`);
  const headers = read('headers')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  if (!url && headers.length > 0) throw new ActionInputError('headers', 'only applies with url');
  if (url) {
    if (!/^https?:\/\//i.test(url)) throw new ActionInputError('url', `expected an http(s) URL, got "${url}"`);
    for (const h of headers) if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/.test(h)) throw new ActionInputError('headers', `expected "Name: value" on every line, got "${h.split(':')[0] ?? ''}…"`);
    const oauth = oauthOf(read, headers);
    return { kind: 'url', url, headers, ...(oauth === undefined ? {} : { oauth }) };
  }
  const stray = OAUTH_INPUTS.find((name) => read(name) !== '');
  if (stray !== undefined) throw new ActionInputError(stray, 'only applies with url');
  // One word per line; a trailing carriage return (a file saved on Windows) is not part of it.
  const argv = command ? [command] : argvText.split('\n').map((line) => line.replace(/\r$/, '')).filter((line) => line !== '');
  try {
    // Split (for server_command) and checked exactly as the CLI will: no shell, no expansion.
    parseServerCommand(argv);
  } catch (error) {
    throw new ActionInputError(command ? 'server_command' : 'server_argv', error instanceof Error ? error.message : String(error));
  }
  return { kind: 'command', argv };
}

/**
 * The OAuth client credentials inputs: `oauth_client_id` with exactly one of
 * `oauth_client_secret_env` (the NAME of an env variable of the step, set from a secret)
 * and `oauth_private_key_file`; a secret value is never an input.
 */
function oauthOf(read: InputReader, headers: string[]): OAuthClientInputs | undefined {
  const [clientId, secretEnv, privateKeyFile, keyId, scope] = OAUTH_INPUTS.map((name) => read(name));
  if (!clientId) {
    const stray = OAUTH_INPUTS.find((name) => read(name) !== '');
    if (stray !== undefined) throw new ActionInputError(stray, 'needs oauth_client_id');
    return undefined;
  }
  if (headers.some((h) => /^authorization\s*:/i.test(h))) throw new ActionInputError('oauth_client_id', 'give an Authorization header or OAuth client credentials, not both');
  if (!secretEnv === !privateKeyFile) throw new ActionInputError('oauth_client_id', 'needs exactly one of oauth_client_secret_env and oauth_private_key_file');
  if (secretEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretEnv)) {
    throw new ActionInputError('oauth_client_secret_env', 'expected the NAME of an environment variable of the step (set it from a secret), not the secret');
  }
  if (keyId && !privateKeyFile) throw new ActionInputError('oauth_key_id', 'applies with oauth_private_key_file');
  return {
    clientId: clientId as string,
    ...(secretEnv ? { secretEnv } : {}),
    ...(privateKeyFile ? { privateKeyFile } : {}),
    ...(keyId ? { keyId } : {}),
    ...(scope ? { scope } : {}),
  };
}

function policyOf(read: InputReader, mode: ActionMode): ActionInputs['policy'] {
  const policy = read('policy');
  if (policy === '') return mode === 'policy' ? { preset: 'baseline' } : undefined;
  if (mode === 'lock') throw new ActionInputError('policy', 'applies to modes check and policy, not lock');
  return (POLICY_PRESETS as readonly string[]).includes(policy) ? { preset: policy as (typeof POLICY_PRESETS)[number] } : { file: policy };
}

function signatureOf(read: InputReader, mode: ActionMode): ActionInputs['signature'] {
  const key = read('key');
  const issuer = read('issuer');
  const identity = read('identity');
  if (!key && !issuer && !identity) return undefined;
  const named = key ? 'key' : issuer ? 'issuer' : 'identity';
  if (mode !== 'check') throw new ActionInputError(named, 'signature verification applies to mode check');
  if (key && (issuer || identity)) throw new ActionInputError('key', 'give key (Ed25519) or issuer and identity (Sigstore), not both');
  if (key) return { key };
  if (!issuer) throw new ActionInputError('issuer', 'is required with identity (the OIDC issuer of the signing identity)');
  if (!identity) throw new ActionInputError('identity', 'is required with issuer (the signer: an email or a workflow URL)');
  return { issuer, identity };
}

/**
 * Validates the action's inputs. Empty inputs take the defaults of action.yml (the runner
 * applies them; this keeps a direct call equivalent).
 * @throws ActionInputError naming the input
 */
export function parseActionInputs(read: InputReader): ActionInputs {
  const mode = oneOf('mode', read('mode') || 'check', ACTION_MODES);
  const server = serverTarget(read);
  const lockfile = read('lockfile') || 'mcp-lock.json';
  const failOn = oneOf('fail_on', read('fail_on') || 'critical', FAIL_ON);
  const pin = bool('pin', read('pin'), false);
  const verifyProvenance = bool('verify_provenance', read('verify_provenance'), false);
  if (mode !== 'lock' && pin) throw new ActionInputError('pin', 'applies to mode lock (check and policy compare with the pin the lockfile holds)');
  if (mode !== 'lock' && verifyProvenance) throw new ActionInputError('verify_provenance', 'applies to mode lock');
  if (verifyProvenance && !pin) throw new ActionInputError('verify_provenance', 'needs pin: true');
  if (server.kind === 'url' && pin) throw new ActionInputError('pin', 'applies to a server command, not a url');
  const report = oneOf('report', read('report') || 'step_summary', REPORTS);
  const sarif = read('sarif');
  if (mode === 'lock' && sarif) throw new ActionInputError('sarif', 'mode lock writes a lockfile, not a report');
  const receipt = read('receipt');
  const timeoutText = read('timeout_seconds') || '120';
  const timeoutSeconds = Number(timeoutText);
  if (!/^\d+$/.test(timeoutText) || timeoutSeconds < 1 || timeoutSeconds > 3600) {
    throw new ActionInputError('timeout_seconds', `expected a whole number of seconds from 1 to 3600, got "${timeoutText}"`);
  }
  const policy = policyOf(read, mode);
  const signature = signatureOf(read, mode);
  return {
    mode,
    server,
    lockfile,
    failOn,
    ...(policy === undefined ? {} : { policy }),
    ...(signature === undefined ? {} : { signature }),
    pin,
    verifyProvenance,
    report,
    ...(sarif === '' ? {} : { sarif }),
    annotations: bool('annotations', read('annotations'), true),
    ...(receipt === '' ? {} : { receipt }),
    workingDirectory: read('working_directory') || '.',
    timeoutSeconds,
  };
}
