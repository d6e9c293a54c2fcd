/**
 * The credentials of a remote server: a static `Authorization` header from `--header`
 * wins; `--client-credentials` makes the command authenticate as a machine (OAuth client
 * credentials, the token in memory only); otherwise the OAuth tokens `mcptrust auth
 * login` stored for this server, if any.
 */
import type { CredentialSource } from '@mcptrust/remote';
import type { CommandContext } from './command.js';
import { readClientCredentials } from './credential-flags.js';
import { UsageError } from './exit-codes.js';
import { printable, say } from './output.js';
import type { RemoteTarget } from './remote-target.js';

/**
 * The dynamic credentials for `target`, or undefined (static headers only). Without a
 * stored login the source still answers a 401 with the `mcptrust auth login URL` hint.
 *
 * @throws UsageError (exit 2) for a client secret or private key that cannot be read or
 *   used, before any request is made
 */
export async function remoteCredentials(target: RemoteTarget, ctx: CommandContext): Promise<CredentialSource | undefined> {
  if (target.endpoint.headers !== undefined && Object.hasOwn(target.endpoint.headers, 'authorization')) return undefined;
  const onWarning = (message: string): void => say(ctx.io, `mcptrust: ${printable(message)}`);
  // Loaded here, not at start-up: a command against a stdio server never needs it.
  const remote = await import('@mcptrust/remote');
  if (target.clientCredentials !== undefined) {
    const { createClientCredentials, privateKeyAlgorithm } = remote;
    const values = await readClientCredentials(target.clientCredentials, ctx.io.env, privateKeyAlgorithm);
    try {
      return createClientCredentials(target.url.href, { ...values, onWarning });
    } catch (error) {
      // A bad option (e.g. the key) is the user's to fix: exit 2; the message names no secret.
      if (error instanceof remote.RemoteError && error.code === 'INVALID_OPTIONS') throw new UsageError(`--client-credentials: ${error.message}`);
      throw error;
    }
  }
  const store = remote.openTokenStore({ dir: remote.defaultConfigDir({ env: ctx.io.env }) });
  return remote.createOAuthCredentials(target.url.href, { store, onWarning });
}
