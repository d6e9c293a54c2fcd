/**
 * Machine-to-machine OAuth flags of the commands that talk to a remote server (lock,
 * scan, diff, check, policy, proxy): `--client-credentials` with `--client-id` and a
 * client secret (`--client-secret-env NAME` | `--client-secret-file FILE`) or a private
 * key (`--private-key-file FILE`, with an optional `--key-id`), and `--scope`. Only names
 * and paths go on the command line; the values are read when the credentials are built,
 * and never printed.
 */
import { UsageError } from './exit-codes.js';
import type { FlagSpec } from './observe/flag-spec.js';
import { printable } from './output.js';
import { readSecretFile, secretFromFlags, singleFlag } from './secret-flags.js';

/** The client credentials flags. */
export const CLIENT_CREDENTIAL_FLAG_SPECS: readonly FlagSpec[] = [
  {
    name: 'client-credentials',
    type: 'boolean',
    default: false,
    describe: 'With --url: authenticate as a machine (OAuth client credentials grant, for CI) with --client-id and a client secret or a private key; the token is kept in memory only',
  },
  { name: 'client-id', type: 'string', describe: 'With --client-credentials: the OAuth client id registered at the authorization server' },
  { name: 'client-secret-env', type: 'string', describe: 'With --client-credentials: the NAME of the environment variable holding the client secret (client_secret_basic)' },
  { name: 'client-secret-file', type: 'string', describe: 'With --client-credentials: a file holding the client secret' },
  { name: 'private-key-file', type: 'string', describe: 'With --client-credentials: a PEM private key (EC P-256 or RSA ≥ 2048 bits) signing client assertions (private_key_jwt) instead of a secret' },
  { name: 'key-id', type: 'string', describe: 'With --private-key-file: the key id (JWT kid) the authorization server knows the key by' },
  { name: 'scope', type: 'string', describe: 'With --client-credentials: the scopes to request (default: what the server asks for)' },
];

/** The names of the flags other than `--client-credentials`, in the order errors name them. */
const DETAIL_FLAGS = ['client-id', 'client-secret-env', 'client-secret-file', 'private-key-file', 'key-id', 'scope'] as const;

/** What the client credentials flags said (names and paths only; no secret values). */
export interface ClientCredentialFlags {
  /** `--client-id`. */
  clientId: string;
  /** `--client-secret-env NAME`. */
  clientSecretEnv?: string;
  /** `--client-secret-file FILE`. */
  clientSecretFile?: string;
  /** `--private-key-file FILE`. */
  privateKeyFile?: string;
  /** `--key-id`. */
  keyId?: string;
  /** `--scope`. */
  scope?: string;
}

/** The client credentials a command uses, once the secret or key has been read. */
export interface ClientCredentialValues {
  clientId: string;
  clientSecret?: string;
  privateKeyPem?: string;
  keyId?: string;
  scope?: string;
}

/** The first client credentials flag given, as `--name`, or undefined. */
export function givenCredentialFlag(argv: Record<string, unknown>): string | undefined {
  if (argv['client-credentials'] === true) return '--client-credentials';
  const found = DETAIL_FLAGS.find((name) => argv[name] !== undefined);
  return found === undefined ? undefined : `--${found}`;
}

/**
 * Refuses client credentials flags on a command without `--url` (a command after `--`,
 * or `mcptrust run`).
 *
 * @throws UsageError naming the flag
 */
export function refuseCredentialFlagsWithoutUrl(argv: Record<string, unknown>): void {
  const flag = givenCredentialFlag(argv);
  if (flag !== undefined) throw new UsageError(`${flag} needs --url: OAuth client credentials are for remote MCP servers`);
}

/**
 * The client credentials flags of a command with `--url`, checked: `--client-credentials`
 * needs `--client-id` and exactly one of a secret flag and `--private-key-file`; the
 * other flags need `--client-credentials` (a person logs in with `mcptrust auth login`);
 * a static `Authorization` header cannot be combined with them.
 *
 * @param argv - parsed flags
 * @param hasAuthorizationHeader - `--header "Authorization: …"` was given
 * @returns the flags, or undefined without `--client-credentials`
 * @throws UsageError naming the flag and what is missing
 */
export function clientCredentialFlags(argv: Record<string, unknown>, hasAuthorizationHeader: boolean): ClientCredentialFlags | undefined {
  const values: Partial<Record<(typeof DETAIL_FLAGS)[number], string>> = {};
  for (const name of DETAIL_FLAGS) {
    const value = singleFlag(name, argv[name]);
    if (value !== undefined) values[name] = value;
  }
  if (argv['client-credentials'] !== true) {
    const given = DETAIL_FLAGS.find((name) => values[name] !== undefined);
    if (given === undefined) return undefined;
    throw new UsageError(
      `--${given} needs --client-credentials (machine-to-machine OAuth, e.g. in CI); for a person, log in once with \`mcptrust auth login URL --client-id ID …\` and the stored tokens are then used automatically`,
    );
  }
  if (hasAuthorizationHeader) throw new UsageError('--client-credentials and --header Authorization: give one of them (the client credentials grant supplies the Authorization header)');
  const clientId = values['client-id'];
  if (clientId === undefined) throw new UsageError('--client-credentials needs --client-id ID (the client registered at the authorization server)');
  if (/[\0-\x1f\x7f]/.test(clientId)) throw new UsageError('--client-id: the value contains a control character');
  const secretEnv = values['client-secret-env'];
  const secretFile = values['client-secret-file'];
  const keyFile = values['private-key-file'];
  if (secretEnv !== undefined && secretFile !== undefined) throw new UsageError('--client-secret-env and --client-secret-file: give one of them');
  const secretFlag = secretEnv !== undefined ? '--client-secret-env' : secretFile !== undefined ? '--client-secret-file' : undefined;
  if (secretFlag !== undefined && keyFile !== undefined) throw new UsageError(`${secretFlag} and --private-key-file: give a client secret or a private key, not both`);
  if (secretFlag === undefined && keyFile === undefined) {
    throw new UsageError('--client-credentials needs a client secret (--client-secret-env NAME or --client-secret-file FILE) or a private key (--private-key-file FILE)');
  }
  if (values['key-id'] !== undefined && keyFile === undefined) throw new UsageError('--key-id needs --private-key-file: it names the key of the client assertions');
  if (secretEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretEnv)) {
    throw new UsageError('--client-secret-env: expected the NAME of an environment variable holding the secret (the secret itself never goes on the command line)');
  }
  const scope = values['scope'];
  if (scope !== undefined && !/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(scope)) {
    throw new UsageError(`--scope: expected scope words separated by single spaces (RFC 6749 §3.3), got "${printable(scope)}"`);
  }
  return {
    clientId,
    ...(secretEnv === undefined ? {} : { clientSecretEnv: secretEnv }),
    ...(secretFile === undefined ? {} : { clientSecretFile: secretFile }),
    ...(keyFile === undefined ? {} : { privateKeyFile: keyFile }),
    ...(values['key-id'] === undefined ? {} : { keyId: values['key-id'] }),
    ...(scope === undefined ? {} : { scope }),
  };
}

/**
 * Reads the secret or key the flags name. The key is checked (type, size, not encrypted)
 * by `check(pem)` so that a bad key stops the command before any request.
 *
 * @param flags - {@link clientCredentialFlags}' answer
 * @param env - the environment
 * @param checkKey - throws for an unusable key (its message never contains the key)
 * @throws UsageError (exit 2) naming the flag: an unset variable, an unreadable, empty or
 *   oversized file, a file that is not a usable private key
 */
export async function readClientCredentials(flags: ClientCredentialFlags, env: NodeJS.ProcessEnv, checkKey: (pem: string) => unknown): Promise<ClientCredentialValues> {
  const base = {
    clientId: flags.clientId,
    ...(flags.keyId === undefined ? {} : { keyId: flags.keyId }),
    ...(flags.scope === undefined ? {} : { scope: flags.scope }),
  };
  if (flags.privateKeyFile !== undefined) {
    const pem = await readSecretFile('private-key-file', flags.privateKeyFile);
    try {
      checkKey(pem);
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'not a usable private key';
      throw new UsageError(`--private-key-file: ${printable(flags.privateKeyFile)}: ${reason}`);
    }
    return { ...base, privateKeyPem: pem };
  }
  const secret = await secretFromFlags(
    {
      ...(flags.clientSecretEnv === undefined ? {} : { 'client-secret-env': flags.clientSecretEnv }),
      ...(flags.clientSecretFile === undefined ? {} : { 'client-secret-file': flags.clientSecretFile }),
    },
    env,
    { envFlag: 'client-secret-env', fileFlag: 'client-secret-file' },
  );
  if (secret === undefined) throw new UsageError('--client-credentials needs --client-secret-env NAME, --client-secret-file FILE or --private-key-file FILE');
  return { ...base, clientSecret: secret };
}
