/**
 * The flags and set-up every artifact step shares (`lock --pin`, `run`, `artifact
 * verify`, and the pin comparison of `diff`/`check`): the guarded HTTPS client, the
 * user's npm configuration, the Sigstore trusted root and the expected source.
 */
import { homedir } from 'node:os';
import type { Argv } from 'yargs';
import { artifactCacheRoot, createGuardedClient, parseExpectedSource, readNpmConfig } from '@mcptrust/artifact';
import type { GuardedClient, NpmConfig, ProvenanceRequirement } from '@mcptrust/artifact';
import { UsageError } from './exit-codes.js';
import { paint, printable, say } from './output.js';
import type { Io } from './output.js';

/** `--unsafe-allow-private-tarball-hosts`, `--expected-source`, `--expected-issuer` (and `--trusted-root` when a command lacks it). */
export function artifactNetworkOptions(y: Argv, options: { trustedRoot: boolean; provenance?: boolean }): Argv {
  let cli = y.option('unsafe-allow-private-tarball-hosts', {
    type: 'boolean',
    default: false,
    describe: 'UNSAFE: let downloads reach loopback, private and link-local addresses (a registry inside your network). HTTPS is still required',
  });
  if (options.provenance !== false) {
    cli = cli
      .option('expected-source', { type: 'string', describe: 'Provenance must name this source repository: an exact URL, or an anchored regular expression ^…$' })
      .option('expected-issuer', { type: 'string', describe: 'Provenance must be signed by a certificate from this OIDC issuer (exact)' });
  }
  if (options.trustedRoot) {
    cli = cli.option('trusted-root', { type: 'string', describe: 'Sigstore trusted_root.json that provenance must chain to (default: the root shipped with mcptrust, offline)' });
  }
  return cli;
}

/** The guarded client, warning loudly (once) when private hosts are allowed. */
export function guardedClientFrom(argv: Record<string, unknown>, io: Io, signal: AbortSignal): GuardedClient {
  const allowPrivateHosts = argv['unsafe-allow-private-tarball-hosts'] === true;
  return createGuardedClient({
    allowPrivateHosts,
    signal,
    onWarning: (message) => say(io, `mcptrust: ${paint(io, 'red', printable(message))}`),
  });
}

/** The user's npm registry configuration, as npm itself reads it. */
export function npmConfigFrom(io: Io): NpmConfig {
  return readNpmConfig({ env: io.env, cwd: process.cwd(), home: io.env['HOME'] ?? homedir() });
}

/** Where verified installs are cached (`$XDG_CACHE_HOME/mcptrust`). */
export function cacheRootFrom(io: Io): string {
  return artifactCacheRoot(io.env, io.env['HOME'] ?? homedir());
}

/**
 * What provenance must show, or undefined when it is not asked for. `--expected-source`
 * is checked before anything is downloaded; the trusted root is loaded (offline) only
 * when provenance is asked for.
 */
export async function provenanceRequirementFrom(argv: Record<string, unknown>, asked: boolean, io: Io): Promise<ProvenanceRequirement | undefined> {
  const source = argv['expected-source'];
  if (source !== undefined) {
    if (typeof source !== 'string' || source.trim() === '') throw new UsageError('--expected-source: expected a repository URL or an anchored regular expression ^…$');
    try {
      parseExpectedSource(source);
    } catch (error) {
      throw new UsageError(`--expected-source: ${(error as Error).message}`);
    }
  }
  const issuer = argv['expected-issuer'];
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer.trim() === '')) throw new UsageError('--expected-issuer: expected an issuer URL');
  if (!asked) {
    if (source !== undefined || issuer !== undefined) throw new UsageError('--expected-source and --expected-issuer check provenance: add --verify-provenance (lock) or --require-provenance (run)');
    return undefined;
  }
  const path = argv['trusted-root'];
  if (path !== undefined && (typeof path !== 'string' || path.trim() === '')) throw new UsageError('--trusted-root: expected a file path');
  const { loadTrustedRoot } = await import('@mcptrust/signing');
  const root = await loadTrustedRoot(typeof path === 'string' ? { path } : {});
  say(io, `mcptrust: provenance is checked against ${printable(root.description)}`);
  return {
    trustedRoot: root.trustedRoot,
    trustedRootDescription: root.description,
    ...(typeof source === 'string' ? { expectedSource: source } : {}),
    ...(typeof issuer === 'string' ? { expectedIssuer: issuer } : {}),
  };
}
