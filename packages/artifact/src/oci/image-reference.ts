/**
 * Image references normalised as Docker does: `alpine` is
 * `docker.io/library/alpine:latest`; the first path component names a registry when it
 * has a `.` or `:` or is `localhost`.
 */
import { ArtifactError } from '../errors.js';

/** A parsed image reference. */
export interface ImageReference {
  /** `docker.io`, `ghcr.io`, `localhost:5000`. */
  registry: string;
  /** `library/alpine`, `org/server`. */
  repository: string;
  /** The tag (`latest` when neither tag nor digest was given). */
  tag?: string;
  /** `sha256:<hex>`. */
  digest?: string;
  /** `registry/repository`. */
  name: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

function bad(text: string, why: string): ArtifactError {
  return new ArtifactError('INVALID_COMMAND', `image reference "${text}" is invalid: ${why}`);
}

/**
 * Parses and normalises an image reference.
 *
 * @throws ArtifactError `INVALID_COMMAND` naming the reference and what is wrong
 */
export function parseImageReference(text: string): ImageReference {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(text, 'the digest is not sha256:<64 hex>');
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(text, `the tag "${tag}" is not valid`);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
    if (!HOST.test(registry)) throw bad(text, `the registry "${registry}" is not a host name`);
  }
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) throw bad(text, 'repository names are lowercase letters, digits and separators');
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (`${registry}/${repository}`.length > 255) throw bad(text, 'the name is longer than 255 characters');
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { registry, repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }), name: `${registry}/${repository}` };
}

/** The Distribution API base URL of a registry (`docker.io` → `https://registry-1.docker.io`). */
export function registryApiBase(ref: Pick<ImageReference, 'registry'>): string {
  return ref.registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${ref.registry}`;
}
