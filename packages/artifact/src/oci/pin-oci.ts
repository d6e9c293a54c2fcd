/**
 * Pins the image of a `docker run` server by the digest of the manifest bytes the
 * registry serves, and checks a pin again in CI (digest still served, tag not moved).
 */
import type { OciArtifactPin } from '../artifact.types.js';
import { ArtifactError } from '../errors.js';
import type { GuardedClient } from '../net/guarded-client.types.js';
import type { DockerRun } from './docker-command.js';
import { parseImageReference } from './image-reference.js';
import { hostPlatform, resolveManifest } from './registry-client.js';
import type { OciPlatform } from './registry-client.js';

/** Options of {@link pinOciImage} and {@link verifyOciPin}. */
export interface OciOptions {
  client: GuardedClient;
  /** Platform to pin (default: this machine's, `linux/<arch>`). */
  platform?: OciPlatform;
}

function platformOf(options: OciOptions, pin?: OciArtifactPin): OciPlatform {
  if (options.platform !== undefined) return options.platform;
  if (pin?.platform !== undefined) {
    const [os, architecture, variant] = pin.platform.split('/');
    if (os !== undefined && architecture !== undefined) return { os, architecture, ...(variant === undefined ? {} : { variant }) };
  }
  return hostPlatform();
}

/** Pins the image a `docker run` command names. */
export async function pinOciImage(run: DockerRun, options: OciOptions): Promise<OciArtifactPin> {
  const ref = parseImageReference(run.image);
  const resolved = await resolveManifest(options.client, ref, { platform: platformOf(options) });
  return {
    type: 'oci',
    image: ref.name,
    ...(ref.tag === undefined ? {} : { tag: ref.tag }),
    digest: resolved.digest,
    ...(resolved.platform === undefined ? {} : { platform: resolved.platform }),
    ...(resolved.platformDigest === undefined ? {} : { platform_digest: resolved.platformDigest }),
    docker_args: run.options,
    argv: run.args,
  };
}

/** One difference between a pin and what the registry serves. */
export interface PinProblem {
  field: string;
  expected: string;
  found: string;
  message: string;
}

/** What {@link verifyOciPin} found. */
export interface OciPinVerification {
  ok: boolean;
  /** The pinned digest is still served, with the pinned bytes. */
  digestServed: boolean;
  /** What the pinned tag resolves to now. */
  tagDigest?: string;
  problems: PinProblem[];
}

/** Checks that the pinned digest is still served and the pinned tag still names it. */
export async function verifyOciPin(pin: OciArtifactPin, options: OciOptions): Promise<OciPinVerification> {
  const ref = parseImageReference(pin.image);
  const platform = platformOf(options, pin);
  const problems: PinProblem[] = [];
  let digestServed = false;
  try {
    const byDigest = await resolveManifest(options.client, { ...ref, digest: pin.digest, name: ref.name }, { platform });
    digestServed = true;
    if (pin.platform_digest !== undefined && byDigest.platformDigest !== pin.platform_digest) {
      problems.push({ field: 'server.artifact.platform_digest', expected: pin.platform_digest, found: byDigest.platformDigest ?? '(none)', message: `the ${pin.platform ?? 'platform'} manifest is now ${byDigest.platformDigest ?? 'absent'}` });
    }
  } catch (error) {
    if (!(error instanceof ArtifactError) || (error.code !== 'OCI_FAILED' && error.code !== 'INTEGRITY_MISMATCH')) throw error;
    problems.push({ field: 'server.artifact.digest', expected: pin.digest, found: '(not served)', message: error.message });
  }
  let tagDigest: string | undefined;
  if (pin.tag !== undefined) {
    const { digest: _digest, ...byTag } = { ...ref, tag: pin.tag };
    const now = await resolveManifest(options.client, byTag, { platform });
    tagDigest = now.digest;
    if (now.digest !== pin.digest) {
      problems.push({ field: 'server.artifact.tag', expected: pin.digest, found: now.digest, message: `tag ${pin.tag} moved: pinned ${pin.digest}, now ${now.digest}` });
    }
  }
  return { ok: problems.length === 0, digestServed, ...(tagDigest === undefined ? {} : { tagDigest }), problems };
}
