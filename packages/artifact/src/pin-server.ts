/**
 * `lock --pin` as one library call: recognise the server command, pin the package
 * (whole dependency tree) or image, check the registry's signature and, when asked,
 * the provenance. Nothing is installed or run here: {@link prepareServerLaunch} does
 * that from the pin, so the surface a lockfile records is the one of the pinned bytes.
 */
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { ArtifactPin, NpmArtifactPin } from './artifact.types.js';
import { ArtifactError } from './errors.js';
import type { GuardedClient } from './net/guarded-client.types.js';
import type { NpmConfig } from './npm/npm-config.js';
import { storeTarball } from './npm/cache.js';
import { pinNpmPackage } from './npm/pin-npm.js';
import { pinOciImage } from './oci/pin-oci.js';
import { fetchAttestations } from './provenance/attestations.js';
import { fetchRegistryKeys, verifyRegistrySignature } from './provenance/registry-signatures.js';
import { verifyNpmProvenance } from './provenance/verify-provenance.js';
import { recognizeServerCommand } from './server-command.js';

/** What provenance must show (`--verify-provenance`, `--require-provenance`). */
export interface ProvenanceRequirement {
  /** The Sigstore trusted root that must have signed the bundle. */
  trustedRoot: TrustedRoot;
  /** Which root it is, for the record and for messages. */
  trustedRootDescription: string;
  /** Exact repository URL or anchored regular expression (`--expected-source`). */
  expectedSource?: string;
  /** Exact certificate OIDC issuer. */
  expectedIssuer?: string;
}

/** Options of {@link pinServerCommand}. */
export interface PinServerOptions {
  /** The guarded HTTPS client every download goes through. */
  client: GuardedClient;
  /** The user's npm registry configuration (registry URL and auth). */
  npmConfig: NpmConfig;
  /** Environment for the npm resolution of the dependency tree. */
  env: NodeJS.ProcessEnv;
  /** Working directory (the project `.npmrc` is read from here). */
  cwd?: string;
  /** Verify provenance and record its claims; without it, provenance is not checked. */
  provenance?: ProvenanceRequirement;
  /** Pin the whole npm dependency tree (default true). */
  tree?: boolean;
  /** The install cache: the verified root tarball is stored there, so the install that follows does not fetch it again. */
  cacheRoot?: string;
  /** Check the registry's signature (default true; off for a quick identity lookup). */
  checkRegistrySignature?: boolean;
  /** Receives notices (e.g. provenance not checked, registry signature absent). */
  onWarning?: (message: string) => void;
}

/**
 * Checks the registry's signature over `name@version:integrity`. Present signatures
 * must verify; absent ones (a registry or mirror that does not sign) are a warning,
 * or a failure when provenance is required, because a mirror that strips signatures
 * also strips attestations.
 */
async function checkRegistrySignature(pin: NpmArtifactPin, manifest: unknown, packument: unknown, options: PinServerOptions): Promise<NpmArtifactPin> {
  const headers = options.npmConfig.authHeadersFor(pin.registry);
  const dist = (manifest as { dist?: { signatures?: unknown } }).dist;
  const signatures = dist?.signatures;
  const keys = await fetchRegistryKeys(options.client, pin.registry, headers);
  if (signatures === undefined || !Array.isArray(signatures) || signatures.length === 0 || keys === undefined) {
    const why = keys === undefined ? `${pin.registry} publishes no signing keys (-/npm/v1/keys)` : `${pin.name}@${pin.version} carries no registry signature`;
    if (options.provenance !== undefined) throw new ArtifactError('SIGNATURE_INVALID', `${why}: refused, because provenance was asked for and a registry that strips signatures can strip attestations too`);
    options.onWarning?.(`registry signature not checked: ${why}`);
    return pin;
  }
  const time = (packument as { time?: Record<string, string> }).time;
  const signature = verifyRegistrySignature({
    name: pin.name,
    version: pin.version,
    integrity: pin.integrity,
    signatures,
    keys,
    ...(time?.[pin.version] === undefined ? {} : { publishedAt: time[pin.version] }),
  });
  return { ...pin, registry_signature: signature };
}

/**
 * Pins what a server command runs: `npx`/`npm exec`/`pnpm dlx` of a registry
 * package, or `docker run IMAGE`.
 *
 * @param argv - the server command, environment assignments already removed
 * @throws ArtifactError `UNPINNABLE_COMMAND` for anything else (naming what can be
 *   pinned), and any resolution, download, integrity, signature or provenance error
 */
export async function pinServerCommand(argv: readonly string[], options: PinServerOptions): Promise<ArtifactPin> {
  const recognised = recognizeServerCommand([...argv]);
  if (recognised.kind === 'oci') {
    if (options.provenance !== undefined) {
      throw new ArtifactError('PROVENANCE_MISSING', 'provenance of container images is not verified yet: pin the image without --verify-provenance, or pin an npm package');
    }
    return pinOciImage(recognised.run, { client: options.client });
  }
  const { pin, manifest, packument, tarball } = await pinNpmPackage(recognised.launch, {
    client: options.client,
    config: options.npmConfig,
    env: options.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    tree: options.tree ?? true,
  });
  // pinNpmPackage verified these bytes against dist.integrity; the cache re-hashes them on every read.
  if (options.cacheRoot !== undefined) await storeTarball(options.cacheRoot, pin.integrity, tarball);
  if (options.checkRegistrySignature === false) return pin;
  let signed = await checkRegistrySignature(pin, manifest, packument, options);
  if (options.provenance === undefined) {
    options.onWarning?.(`provenance of ${pin.name}@${pin.version} was not checked (add --verify-provenance)`);
    return signed;
  }
  signed = { ...signed, provenance: await verifyPinnedProvenance(signed, options.client, options.npmConfig, options.provenance) };
  return signed;
}

/** Fetches the attestations of a pinned package and verifies them against the pin. */
export async function verifyPinnedProvenance(
  pin: NpmArtifactPin,
  client: GuardedClient,
  npmConfig: Pick<NpmConfig, 'authHeadersFor'>,
  requirement: ProvenanceRequirement,
): Promise<NonNullable<NpmArtifactPin['provenance']>> {
  const attestations = await fetchAttestations(client, pin.registry, pin.name, pin.version, npmConfig.authHeadersFor(pin.registry));
  return verifyNpmProvenance({
    name: pin.name,
    version: pin.version,
    integrity: pin.integrity,
    attestations,
    trustedRoot: requirement.trustedRoot,
    trustedRootDescription: requirement.trustedRootDescription,
    ...(requirement.expectedSource === undefined ? {} : { expectedSource: requirement.expectedSource }),
    ...(requirement.expectedIssuer === undefined ? {} : { expectedIssuer: requirement.expectedIssuer }),
  });
}
