/**
 * Reads `server.artifact` from a lockfile into a typed pin. The lockfile package keeps
 * the pin as opaque JSON; this is where its shape is checked. Pins the Go mcptrust
 * wrote (no `argv`, `tree` or OCI `tag`; provenance with `cosign_slsa`) read unchanged.
 */
import * as v from 'valibot';
import { ArtifactError } from './errors.js';
import type { ArtifactPin } from './artifact.types.js';

const SHA512_SRI = /^sha512-[A-Za-z0-9+/]{86}==$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const OCI_DIGEST = /^sha256:[0-9a-f]{64}$/;

const text = (what: string) => v.pipe(v.string(`${what} (a string)`), v.nonEmpty(`${what} (a non-empty string)`));
const https = (what: string) => v.pipe(text(what), v.url(`${what} (a URL)`), v.startsWith('https://', `${what} (an https:// URL)`));
const strings = (what: string) => v.array(v.string(`${what} (strings)`), `${what} (an array of strings)`);

const provenance = v.object(
  {
    method: text('a provenance method'),
    predicate_type: v.optional(v.string('a string')),
    builder_id: v.optional(v.string('a string')),
    source_repo: v.optional(v.string('a string')),
    source_ref: v.optional(v.string('a string')),
    source_commit: v.optional(v.string('a string')),
    workflow_uri: v.optional(v.string('a string')),
    issuer: v.optional(v.string('a string')),
    identity: v.optional(v.string('a string')),
    rekor_log_index: v.optional(v.string('a string')),
    trusted_root: v.optional(v.string('a string')),
    verified: v.boolean('true or false'),
    verified_at: v.optional(v.string('a string')),
  },
  'a provenance object',
);

const treeEntry = v.strictObject(
  {
    path: v.pipe(text('an install path'), v.startsWith('node_modules/', 'an install path under node_modules/')),
    name: text('a package name'),
    version: text('an exact version'),
    resolved: https('a tarball URL'),
    integrity: v.pipe(v.string('a string'), v.regex(SHA512_SRI, 'a sha512-… SRI integrity')),
    optional: v.optional(v.boolean('true or false')),
    os: v.optional(strings('os')),
    cpu: v.optional(strings('cpu')),
    libc: v.optional(strings('libc')),
  },
  'a dependency tree entry',
);

const npmPin = v.object(
  {
    type: v.literal('npm'),
    name: text('a package name'),
    version: text('an exact version'),
    registry: https('a registry URL'),
    // Go pins may carry a sha1 integrity; `run` refuses it with a message naming the field.
    integrity: v.pipe(v.string('a string'), v.regex(/^(sha512|sha384|sha256|sha1)-[A-Za-z0-9+/=]+$/, 'an SRI integrity such as sha512-…')),
    tarball_url: https('a tarball URL'),
    tarball_sha256: v.optional(v.pipe(v.string('a string'), v.regex(SHA256_HEX, '64 lowercase hex characters'))),
    tarball_size: v.optional(v.pipe(v.number('a size in bytes'), v.integer('a whole number of bytes'), v.minValue(1, 'a size of at least 1 byte'))),
    bin: v.optional(text('a bin name')),
    argv: v.optional(strings('argv')),
    tree: v.optional(v.array(treeEntry)),
    registry_signature: v.optional(v.strictObject({ keyid: text('a key id'), verified: v.boolean('true or false') })),
    provenance: v.optional(provenance),
  },
  'an npm pin',
);

const ociPin = v.object(
  {
    type: v.literal('oci'),
    image: text('an image repository'),
    tag: v.optional(text('a tag')),
    digest: v.pipe(v.string('a string'), v.regex(OCI_DIGEST, 'sha256:<64 hex>')),
    platform: v.optional(text('a platform such as linux/amd64')),
    platform_digest: v.optional(v.pipe(v.string('a string'), v.regex(OCI_DIGEST, 'sha256:<64 hex>'))),
    engine: v.optional(v.picklist(['docker', 'podman'], 'docker or podman')),
    docker_args: v.optional(strings('docker_args')),
    argv: v.optional(strings('argv')),
    provenance: v.optional(provenance),
  },
  'an OCI pin',
);

const pinSchema = v.variant('type', [npmPin, ociPin], 'a pin whose type is "npm" or "oci"');

function pathOf(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`)).join('');
}

/**
 * Validates a `server.artifact` value.
 *
 * @param value - the JSON value of `server.artifact`
 * @param source - the lockfile it came from, for messages
 * @throws ArtifactError `INVALID_PIN` naming the lockfile, the JSON path, what was expected and what was found
 */
export function parseArtifactPin(value: unknown, source: string): ArtifactPin {
  const result = v.safeParse(pinSchema, value);
  if (result.success) return result.output as ArtifactPin;
  const issue = result.issues[0];
  const field = `server.artifact${pathOf(issue)}`;
  const found = issue.received;
  throw new ArtifactError('INVALID_PIN', `${source}: ${field}: expected ${issue.message}, found ${found}`, { field });
}

/** One line naming a pin for operators: `npm @scope/pkg@1.2.3`, `oci ghcr.io/o/s:1.2@sha256:…`. */
export function describePin(pin: ArtifactPin): string {
  if (pin.type === 'npm') return `npm ${pin.name}@${pin.version}`;
  return `oci ${pin.image}${pin.tag === undefined ? '' : `:${pin.tag}`}@${pin.digest}`;
}
