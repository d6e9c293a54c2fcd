import type { ActionInputs, OAuthClientInputs } from './inputs.js';

/** The files one run reads and writes, as paths relative to the working directory or absolute. */
export interface GateFiles {
  /** The JSON report (`check` and `policy`). */
  checkJson: string;
  /** The SARIF log (`check` and `policy`). */
  sarif: string;
  /** Whether the lockfile exists (in mode `policy` it is then the drift input). */
  lockfileExists: boolean;
}

function target(inputs: ActionInputs): string[] {
  if (inputs.server.kind === 'url') return ['--url', inputs.server.url, ...inputs.server.headers.flatMap((h) => ['--header', h]), ...oauthFlags(inputs.server.oauth)];
  return ['--', ...inputs.server.argv];
}

/** `--client-credentials` and its flags: names and paths only (the CLI reads the secret from the step's env or the key file). */
function oauthFlags(oauth: OAuthClientInputs | undefined): string[] {
  if (oauth === undefined) return [];
  return [
    '--client-credentials',
    '--client-id',
    oauth.clientId,
    ...(oauth.secretEnv === undefined ? [] : ['--client-secret-env', oauth.secretEnv]),
    ...(oauth.privateKeyFile === undefined ? [] : ['--private-key-file', oauth.privateKeyFile]),
    ...(oauth.keyId === undefined ? [] : ['--key-id', oauth.keyId]),
    ...(oauth.scope === undefined ? [] : ['--scope', oauth.scope]),
  ];
}

function policyFlags(inputs: ActionInputs): string[] {
  if (inputs.policy === undefined) return [];
  return 'preset' in inputs.policy ? ['--preset', inputs.policy.preset] : ['--policy', inputs.policy.file];
}

function signatureFlags(inputs: ActionInputs): string[] {
  if (inputs.signature === undefined) return [];
  return 'key' in inputs.signature ? ['--key', inputs.signature.key] : ['--issuer', inputs.signature.issuer, '--identity', inputs.signature.identity];
}

/**
 * The `mcptrust` command line of one run: the same commands and flags a user types, so the
 * action's verdict is the CLI's (`mcptrust lock`, `mcptrust check`, `mcptrust policy check`).
 * Every value is its own argv word: nothing passes through a shell.
 */
export function cliArgs(inputs: ActionInputs, files: GateFiles): string[] {
  const common = ['--timeout', `${inputs.timeoutSeconds}s`, ...(inputs.receipt === undefined ? [] : ['--receipt', inputs.receipt])];
  const reports = ['--format', 'json', '--output', files.checkJson, '--sarif-output', files.sarif];
  switch (inputs.mode) {
    case 'lock':
      return [
        'lock',
        '--output',
        inputs.lockfile,
        ...(inputs.pin ? ['--pin'] : []),
        ...(inputs.verifyProvenance ? ['--verify-provenance'] : []),
        ...common,
        ...target(inputs),
      ];
    case 'check':
      return ['check', '--lock', inputs.lockfile, '--fail-on', inputs.failOn, ...signatureFlags(inputs), ...policyFlags(inputs), ...reports, ...common, ...target(inputs)];
    case 'policy':
      return ['policy', 'check', ...policyFlags(inputs), ...(files.lockfileExists ? ['--lock', inputs.lockfile] : []), ...reports, ...common, ...target(inputs)];
  }
}
