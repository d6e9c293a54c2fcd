/**
 * The credentials of a remote server: a static `Authorization` header from `--header`
 * wins; otherwise the OAuth tokens `mcptrust auth login` stored for this server, if any.
 */
import type { CredentialSource } from '@mcptrust/remote';
import type { CommandContext } from './command.js';
import { printable, say } from './output.js';
import type { RemoteTarget } from './remote-target.js';

/**
 * The dynamic credentials for `target`, or undefined (static headers only). Without a
 * stored login the source still answers a 401 with the `mcptrust auth login URL` hint.
 */
export async function remoteCredentials(target: RemoteTarget, ctx: CommandContext): Promise<CredentialSource | undefined> {
  if (target.endpoint.headers !== undefined && Object.hasOwn(target.endpoint.headers, 'authorization')) return undefined;
  // Loaded here, not at start-up: a command against a stdio server never needs it.
  const { createOAuthCredentials, defaultConfigDir, openTokenStore } = await import('@mcptrust/remote');
  const store = openTokenStore({ dir: defaultConfigDir({ env: ctx.io.env }) });
  return createOAuthCredentials(target.url.href, { store, onWarning: (message) => say(ctx.io, `mcptrust: ${printable(message)}`) });
}
