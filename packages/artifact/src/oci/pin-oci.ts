/**
 * Pins the image of a `docker run` server by the digest of the manifest bytes the
 * registry serves, and checks a pin again in CI (digest still served, tag not moved).
 */
import type { OciArtifactPin } from '../artifact.types.js';
import { ArtifactError } from '../errors.js';
import type { GuardedClient } from '../net/guarded-client.types.js';
import type { DockerRun } from './docker-command.js';
import { platformOption } from './docker-command.js';
import type { ImageReference } from './image-reference.js';
import { parseImageReference } from './image-reference.js';
import { formatPlatform, hostPlatform, parsePlatform, resolveManifest } from './registry-client.js';
import type { OciPlatform } from './registry-client.js';

/** Options of {@link pinOciImage} and {@link verifyOciPin}. */
export interface OciOptions {
  /** The guarded HTTPS client every registry request goes through. */
  client: GuardedClient;
  /**
   * Platform to pin or check. Default: the command's `--platform` (pinning) or the
   * pin's `platform` (verifying), else this machine's (`linux/amd64`, `linux/arm64`...).
   */
  platform?: OciPlatform;
}

/**
 * Pins the image a `docker run` command names: the digest of the manifest (or index)
 * bytes served for its tag or digest, and for an index the manifest of the platform.
 * The tag is recorded only when the command named no digest.
 *
 * @throws ArtifactError `INVALID_COMMAND` (bad reference, `--platform` unreadable or
 *   contradicting `options.platform`), and the errors of {@link resolveManifest}
 */
export async function pinOciImage(run: DockerRun, options: OciOptions): Promise<OciArtifactPin> {
  const ref = parseImageReference(run.image);
  const asked = platformOption(run.options);
  let platform = options.platform;
  if (asked !== undefined) {
    const parsed = parsePlatform(asked);
    if (parsed === undefined) throw new ArtifactError('INVALID_COMMAND', `docker run --platform "${asked}" is not os/arch[/variant]`);
    if (platform !== undefined && formatPlatform(platform) !== formatPlatform(parsed)) {
      throw new ArtifactError('INVALID_COMMAND', `docker run asks for --platform ${asked}, but the platform to pin is ${formatPlatform(platform)}`);
    }
    platform = parsed;
  }
  const resolved = await resolveManifest(options.client, ref, { platform: platform ?? hostPlatform() });
  return {
    type: 'oci',
    image: ref.name,
    ...(ref.tag === undefined || ref.digest !== undefined ? {} : { tag: ref.tag }),
    digest: resolved.digest,
    ...(resolved.platform === undefined ? {} : { platform: resolved.platform }),
    ...(resolved.platformDigest === undefined ? {} : { platform_digest: resolved.platformDigest }),
    ...(run.engine === 'podman' ? { engine: 'podman' as const } : {}),
    docker_args: [...run.options],
    argv: [...run.args],
  };
}

/** One difference between a pin and what the registry serves. */
export interface PinProblem {
  /** The pin field concerned (`server.artifact.digest`, `server.artifact.tag`...). */
  field: string;
  expected: string;
  found: string;
  message: string;
}

/** What {@link verifyOciPin} found. */
export interface OciPinVerification {
  /** No problem. */
  ok: boolean;
  /** The pinned digest is still served, with the pinned bytes. */
  digestServed: boolean;
  /** What the pinned tag resolves to now (absent when no tag is pinned or it is gone). */
  tagDigest?: string;
  problems: PinProblem[];
}

/** Reads the pin's image and digest; a malformed pin is `INVALID_PIN` naming the field. */
function pinnedReference(pin: OciArtifactPin): ImageReference {
  if (typeof pin.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(pin.digest)) {
    throw new ArtifactError('INVALID_PIN', `server.artifact.digest "${String(pin.digest)}" is not sha256:<64 hex>`, { field: 'server.artifact.digest' });
  }
  let ref: ImageReference;
  try {
    ref = parseImageReference(`${pin.image}@${pin.digest}`);
  } catch (error) {
    throw new ArtifactError('INVALID_PIN', `server.artifact.image: ${(error as Error).message}`, { field: 'server.artifact.image', cause: error });
  }
  if (ref.tag !== undefined) throw new ArtifactError('INVALID_PIN', `server.artifact.image "${pin.image}" carries a tag`, { field: 'server.artifact.image' });
  return ref;
}

function pinPlatform(pin: OciArtifactPin, options: OciOptions): OciPlatform {
  if (options.platform !== undefined) return options.platform;
  if (pin.platform === undefined) return hostPlatform();
  const parsed = parsePlatform(pin.platform);
  if (parsed === undefined) throw new ArtifactError('INVALID_PIN', `server.artifact.platform "${pin.platform}" is not os/arch[/variant]`, { field: 'server.artifact.platform' });
  return parsed;
}

/** Registry answers that are findings about the pin (anything else, e.g. a network failure, is thrown). */
function isFinding(error: unknown): error is ArtifactError {
  return error instanceof ArtifactError && (error.code === 'OCI_FAILED' || error.code === 'INTEGRITY_MISMATCH');
}

/**
 * Checks a pin against the registry: the pinned digest must still be served (fetched
 * by digest, bytes hashed; for an index, the pinned platform manifest too), and a pinned
 * tag must still name the pinned digest (`tag 1.2 moved: pinned sha256:a…, now sha256:b…`).
 * Every difference is collected in `problems`.
 *
 * @throws ArtifactError `INVALID_PIN` for a malformed pin, and network or guard errors
 *   of the client (the check could not be made: fail closed)
 */
export async function verifyOciPin(pin: OciArtifactPin, options: OciOptions): Promise<OciPinVerification> {
  const ref = pinnedReference(pin);
  const platform = pinPlatform(pin, options);
  const problems: PinProblem[] = [];
  let digestServed = false;
  try {
    const byDigest = await resolveManifest(options.client, ref, { platform });
    digestServed = true;
    if (pin.platform_digest !== undefined && byDigest.platformDigest !== pin.platform_digest) {
      problems.push({
        field: 'server.artifact.platform_digest',
        expected: pin.platform_digest,
        found: byDigest.platformDigest ?? '(none)',
        message: `the ${formatPlatform(platform)} manifest of ${ref.name}@${pin.digest} is ${byDigest.platformDigest ?? 'absent'}, pinned ${pin.platform_digest}`,
      });
    }
  } catch (error) {
    if (!isFinding(error)) throw error;
    problems.push({ field: 'server.artifact.digest', expected: pin.digest, found: error.code === 'INTEGRITY_MISMATCH' ? (error.found ?? '(other bytes)') : '(not served)', message: error.message });
  }
  let tagDigest: string | undefined;
  if (pin.tag !== undefined) {
    const { digest: _pinned, ...byName } = ref;
    try {
      tagDigest = (await resolveManifest(options.client, { ...byName, tag: pin.tag }, { platform })).digest;
      if (tagDigest !== pin.digest) {
        problems.push({ field: 'server.artifact.tag', expected: pin.digest, found: tagDigest, message: `tag ${pin.tag} of ${ref.name} moved: pinned ${pin.digest}, now ${tagDigest}` });
      }
    } catch (error) {
      if (!isFinding(error)) throw error;
      problems.push({ field: 'server.artifact.tag', expected: pin.digest, found: '(not served)', message: error.message });
    }
  }
  return { ok: problems.length === 0, digestServed, ...(tagDigest === undefined ? {} : { tagDigest }), problems };
}
