/**
 * `mcptrust run` (and `lock --pin`'s scan) as one library call: from a pin to the
 * exact process to start. npm: every tarball of the pinned tree verified, installed
 * without scripts into the content-addressed cache (re-verified on every use), the
 * package's bin started with this Node (no shell, no `.bin` shim, no PATH lookup).
 * OCI: `docker run` of the image by digest, options re-validated.
 */
import type { ArtifactPin, NpmArtifactPin, ProvenancePin } from './artifact.types.js';
import { ArtifactError } from './errors.js';
import type { GuardedClient } from './net/guarded-client.types.js';
import { installPinnedTree } from './npm/install-tree.js';
import { npmLaunchSpec } from './npm/launch-spec.js';
import { dockerRunArgv } from './oci/docker-command.js';
import { verifyPinnedProvenance } from './pin-server.js';
import type { ProvenanceRequirement } from './pin-server.js';
import { recognizeServerCommand } from './server-command.js';

/** The process to start. */
export interface ServerLaunch {
  /** Program (`process.execPath` for npm, `docker` for images). */
  command: string;
  /** Its arguments. */
  args: string[];
  /** The environment it gets. */
  env: NodeJS.ProcessEnv;
  /** What runs, for the operator (`npm @scope/pkg@1.2.3, bin server (cached install)`). */
  description: string;
  /** Provenance verified just now (`requireProvenance`). */
  provenance?: ProvenancePin;
}

/** Options of {@link prepareServerLaunch}. */
export interface PrepareLaunchOptions {
  /** The guarded HTTPS client every download goes through. */
  client: GuardedClient;
  /** Cache root (`artifactCacheRoot`). */
  cacheRoot: string;
  /** Registry auth headers for a URL (only sent to the registry's origin). */
  headersFor?: (url: string) => Record<string, string>;
  /** The environment the server starts from (`NODE_OPTIONS` and `npm_config_*` removed unless `keepEnv`). */
  env: NodeJS.ProcessEnv;
  /** Keep `NODE_OPTIONS`/`npm_config_*` in the server's environment. */
  keepEnv?: boolean;
  /** The bin to start (a package with several). */
  bin?: string;
  /**
   * A server command given at run time (`run --lock L -- npx -y pkg@1.2.3 args`): it
   * must name the pinned package (and version, when it names one); its arguments
   * replace the pinned ones. A lockfile written by the Go mcptrust stores none.
   */
  override?: readonly string[];
  /** Verify the provenance again against the registry before anything is installed. */
  provenance?: ProvenanceRequirement;
  /** Progress notices (downloads, cache re-verification). */
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

function overrideArgs(pin: ArtifactPin, override: readonly string[] | undefined): string[] | undefined {
  if (override === undefined || override.length === 0) return undefined;
  const recognised = recognizeServerCommand([...override]);
  if (pin.type === 'npm') {
    if (recognised.kind !== 'npm' || recognised.launch.name !== pin.name) {
      throw new ArtifactError('INSTALL_MISMATCH', `the command after -- must start the pinned package ${pin.name}, got: ${override.join(' ')}`, { field: 'server.artifact.name', expected: pin.name });
    }
    const { specType, fetchSpec } = recognised.launch;
    if (!(specType === 'tag' && fetchSpec === 'latest') && fetchSpec !== pin.version) {
      throw new ArtifactError('INSTALL_MISMATCH', `the command after -- names ${pin.name}@${fetchSpec}, but the lockfile pins ${pin.version}`, { field: 'server.artifact.version', expected: pin.version, found: fetchSpec });
    }
    return recognised.launch.args;
  }
  if (recognised.kind !== 'oci') throw new ArtifactError('INSTALL_MISMATCH', `the command after -- must be docker run ${pin.image}, got: ${override.join(' ')}`);
  return recognised.run.args;
}

async function launchNpm(pin: NpmArtifactPin, options: PrepareLaunchOptions): Promise<ServerLaunch> {
  const args = overrideArgs(pin, options.override);
  let provenance: ProvenancePin | undefined;
  if (options.provenance !== undefined) {
    provenance = await verifyPinnedProvenance(pin, options.client, { authHeadersFor: options.headersFor ?? (() => ({})) }, options.provenance);
    const recorded = pin.provenance;
    // The lockfile's claims were reviewed: the registry must still attest the same source.
    if (recorded?.source_repo !== undefined && recorded.source_repo !== provenance.source_repo) {
      throw new ArtifactError('PROVENANCE_INVALID', `provenance of ${pin.name}@${pin.version} now names ${provenance.source_repo ?? 'no repository'}, the lockfile recorded ${recorded.source_repo}`, {
        field: 'server.artifact.provenance.source_repo',
        expected: recorded.source_repo,
        ...(provenance.source_repo === undefined ? {} : { found: provenance.source_repo }),
      });
    }
  }
  const installed = await installPinnedTree(pin, {
    client: options.client,
    cacheRoot: options.cacheRoot,
    ...(options.headersFor === undefined ? {} : { headersFor: options.headersFor }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const spec = npmLaunchSpec(pin, installed.packageDir, {
    env: options.env,
    ...(options.bin === undefined ? {} : { bin: options.bin }),
    ...(args === undefined ? {} : { args }),
    ...(options.keepEnv === undefined ? {} : { keepEnv: options.keepEnv }),
  });
  return {
    command: spec.command,
    args: spec.args,
    env: spec.env,
    description: `npm ${pin.name}@${pin.version}, bin ${spec.binName} (${installed.reused ? 'cached install, re-verified' : `installed, ${installed.downloaded} tarball${installed.downloaded === 1 ? '' : 's'} downloaded`})`,
    ...(provenance === undefined ? {} : { provenance }),
  };
}

/**
 * Turns a pin into the process to start. Fails closed before anything starts: any
 * hash, size, name or version that differs from the pin is an `ArtifactError` naming
 * the field and both values.
 */
export async function prepareServerLaunch(pin: ArtifactPin, options: PrepareLaunchOptions): Promise<ServerLaunch> {
  if (pin.type === 'npm') return launchNpm(pin, options);
  if (options.provenance !== undefined) {
    throw new ArtifactError('PROVENANCE_MISSING', 'provenance of container images is not verified yet; run the image without --require-provenance');
  }
  const args = overrideArgs(pin, options.override);
  return {
    command: pin.engine ?? 'docker',
    args: dockerRunArgv(pin, args === undefined ? undefined : { args }),
    env: { ...options.env },
    description: `oci ${pin.image}@${pin.digest}${pin.tag === undefined ? '' : ` (tag ${pin.tag})`}`,
  };
}
