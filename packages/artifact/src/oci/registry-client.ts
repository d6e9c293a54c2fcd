/**
 * OCI Distribution API v2, the little of it pinning needs: a manifest by tag or
 * digest, through the guarded client, with the anonymous bearer-token exchange. The
 * digest is computed from the bytes received; a registry's `Docker-Content-Digest`
 * header is only compared, never trusted.
 */
import { createHash } from 'node:crypto';
import { ArtifactError } from '../errors.js';
import type { GuardedClient, GuardedResponse } from '../net/guarded-client.types.js';
import type { ImageReference } from './image-reference.js';
import { registryApiBase } from './image-reference.js';

/** An OCI platform. */
export interface OciPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A resolved manifest. */
export interface ResolvedManifest {
  /** `sha256:` of the manifest (or index) bytes received. */
  digest: string;
  /** Media type of the manifest or index. */
  mediaType: string;
  /** `os/arch[/variant]` when the digest is an index and a platform was chosen. */
  platform?: string;
  /** The chosen platform manifest's digest (verified against its bytes). */
  platformDigest?: string;
  /** Size of the manifest (or index) in bytes. */
  bytes: number;
}

const INDEX_TYPES: readonly string[] = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES: readonly string[] = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const ACCEPT = [...INDEX_TYPES, ...MANIFEST_TYPES].join(', ');
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_TOKEN_BYTES = 1024 * 1024;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The platform of this machine in OCI terms (containers run Linux: `linux/amd64`, `linux/arm64`, `linux/arm/v7`...). */
export function hostPlatform(): OciPlatform {
  const names: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' };
  const architecture = names[process.arch] ?? process.arch;
  return { os: 'linux', architecture, ...(process.arch === 'arm' ? { variant: 'v7' } : {}) };
}

/** `os/arch[/variant]`. */
export function formatPlatform(p: OciPlatform): string {
  return `${p.os}/${p.architecture}${p.variant === undefined || p.variant === '' ? '' : `/${p.variant}`}`;
}

/**
 * Parses `os/arch[/variant]` (as `--platform` and the pin write it).
 *
 * @returns undefined when the text is not of that form
 */
export function parsePlatform(text: string): OciPlatform | undefined {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) return undefined;
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return { os: os.toLowerCase(), architecture: architecture.toLowerCase(), ...(variant === undefined ? {} : { variant: variant.toLowerCase() }) };
}

/** Whether an index entry's platform is the wanted one (`arm64` and `arm64/v8` are the same). */
function samePlatform(entry: OciPlatform | undefined, want: OciPlatform): boolean {
  if (entry === undefined || entry.os !== want.os || entry.architecture !== want.architecture) return false;
  if (want.variant === undefined) return true;
  const implied = want.architecture === 'arm64' ? 'v8' : undefined;
  return (entry.variant ?? implied) === want.variant;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Parses `Bearer realm="…",service="…",scope="…"`. */
function bearerChallenge(header: string | undefined): Record<string, string> | undefined {
  if (header === undefined || !/^bearer\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-zA-Z]+)="([^"]*)"/g)) out[m[1]!.toLowerCase()] = m[2]!;
  return out['realm'] === undefined ? undefined : out;
}

/** A registry session: remembers the anonymous token once obtained. */
class RegistrySession {
  private token: string | undefined;
  constructor(
    private readonly client: GuardedClient,
    private readonly ref: ImageReference,
  ) {}

  private async anonymousToken(url: string, challenge: Record<string, string>): Promise<string> {
    let realm: URL;
    try {
      realm = new URL(challenge['realm']!);
    } catch (error) {
      throw new ArtifactError('OCI_FAILED', `${url} names a token service "${challenge['realm']!}" that is not a URL`, { cause: error });
    }
    if (challenge['service'] !== undefined) realm.searchParams.set('service', challenge['service']);
    realm.searchParams.set('scope', challenge['scope'] ?? `repository:${this.ref.repository}:pull`);
    // The realm goes through the guarded client like any URL (HTTPS, address guard);
    // it may be on another origin and is sent no credentials: the token is anonymous.
    const answer = await this.client.getJson(realm.toString(), { maxBytes: MAX_TOKEN_BYTES });
    const fields = (answer ?? {}) as { token?: unknown; access_token?: unknown };
    const token = typeof fields.token === 'string' ? fields.token : typeof fields.access_token === 'string' ? fields.access_token : undefined;
    if (token === undefined || token === '') throw new ArtifactError('OCI_FAILED', `the token service ${realm.origin}${realm.pathname} gave no token for ${this.ref.name}`);
    return token;
  }

  /** GET `/v2/<repository>/<path>`, answering one bearer challenge with an anonymous token. */
  async get(path: string): Promise<GuardedResponse> {
    const url = `${registryApiBase(this.ref)}/v2/${this.ref.repository}/${path}`;
    const headers = (): Record<string, string> => ({ accept: ACCEPT, ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }) });
    const response = await this.client.request(url, { headers: headers(), maxBytes: MAX_MANIFEST_BYTES });
    if (response.status !== 401 || this.token !== undefined) return response;
    const challenge = bearerChallenge(response.headers['www-authenticate']);
    if (challenge === undefined) throw new ArtifactError('OCI_FAILED', `${url} asks for credentials mcptrust does not have (only anonymous pulls are supported)`);
    this.token = await this.anonymousToken(url, challenge);
    return this.client.request(url, { headers: headers(), maxBytes: MAX_MANIFEST_BYTES });
  }
}

/** The error of a manifest request that did not answer 200, with the registry's error code. */
function failure(ref: ImageReference, reference: string, response: GuardedResponse): ArtifactError {
  let code = '';
  try {
    const errors = (JSON.parse(response.body.toString('utf8')) as { errors?: Array<{ code?: unknown }> }).errors;
    code = typeof errors?.[0]?.code === 'string' ? errors[0].code : '';
  } catch {
    code = '';
  }
  const what = reference.startsWith('sha256:') ? `${ref.name}@${reference}` : `${ref.name}:${reference}`;
  const why = code === 'NAME_UNKNOWN' ? `the registry has no repository ${ref.repository}` : code === 'MANIFEST_UNKNOWN' || response.status === 404 ? 'the registry has no such manifest' : 'the registry refused it';
  return new ArtifactError('OCI_FAILED', `${what} is not served: ${why} (HTTP ${response.status}${code === '' ? '' : `, ${code}`})`);
}

interface FetchedManifest {
  digest: string;
  mediaType: string;
  document: Record<string, unknown>;
  bytes: number;
}

/** Fetches one manifest and checks its bytes against the expected digest and the header. */
async function fetchManifest(session: RegistrySession, ref: ImageReference, reference: string, expected?: string): Promise<FetchedManifest> {
  const what = reference.startsWith('sha256:') ? `${ref.name}@${reference}` : `${ref.name}:${reference}`;
  const response = await session.get(`manifests/${reference}`);
  if (response.status !== 200) throw failure(ref, reference, response);
  const digest = sha256(response.body);
  if (expected !== undefined && digest !== expected) {
    throw new ArtifactError('INTEGRITY_MISMATCH', `${ref.name}@${expected}: the registry sent a manifest whose digest is ${digest}`, { expected, found: digest });
  }
  const header = response.headers['docker-content-digest']?.trim();
  if (header !== undefined && header !== '' && header !== digest) {
    throw new ArtifactError('OCI_FAILED', `${what}: the registry's Docker-Content-Digest header ${header} does not match the manifest it sent (${digest}): refused`, { expected: digest, found: header });
  }
  let document: unknown;
  try {
    document = JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    throw new ArtifactError('OCI_FAILED', `${what}: the manifest is not JSON`, { cause: error });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new ArtifactError('OCI_FAILED', `${what}: the manifest is not a JSON object`);
  const record = document as Record<string, unknown>;
  const declared = typeof record['mediaType'] === 'string' ? record['mediaType'] : undefined;
  const served = (response.headers['content-type'] ?? '').split(';')[0]!.trim();
  const mediaType = declared ?? (Array.isArray(record['manifests']) ? INDEX_TYPES[0]! : served);
  if (!INDEX_TYPES.includes(mediaType) && !MANIFEST_TYPES.includes(mediaType)) {
    throw new ArtifactError('OCI_FAILED', `${what}: media type "${mediaType}" is not an OCI or Docker v2 manifest or index`);
  }
  return { digest, mediaType, document: record, bytes: response.body.length };
}

/** Index entries, read defensively. */
function indexEntries(document: Record<string, unknown>): Array<{ digest?: string; mediaType?: string; platform?: OciPlatform }> {
  const manifests = document['manifests'];
  if (!Array.isArray(manifests)) return [];
  return manifests.filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null).map((m) => {
    const p = m['platform'] as Record<string, unknown> | undefined;
    const platform =
      typeof p === 'object' && p !== null && typeof p['os'] === 'string' && typeof p['architecture'] === 'string'
        ? { os: p['os'], architecture: p['architecture'], ...(typeof p['variant'] === 'string' ? { variant: p['variant'] } : {}) }
        : undefined;
    return {
      ...(typeof m['digest'] === 'string' ? { digest: m['digest'] } : {}),
      ...(typeof m['mediaType'] === 'string' ? { mediaType: m['mediaType'] } : {}),
      ...(platform === undefined ? {} : { platform }),
    };
  });
}

/**
 * Resolves a tag (or digest) to the digest of the bytes served; for an index, also
 * picks the manifest of the platform and checks its bytes against the index entry.
 * `docker.io` is reached at `https://registry-1.docker.io`; a `401` with a bearer
 * challenge is answered once with an anonymous token. Manifests are capped at 4 MiB.
 *
 * @throws ArtifactError `OCI_FAILED` (unknown repository or tag, a lying digest header,
 *   an unusable media type, no manifest for the platform), `INTEGRITY_MISMATCH` (bytes
 *   not matching the digest asked for), and the guarded client's errors
 */
export async function resolveManifest(client: GuardedClient, ref: ImageReference, options: { platform: OciPlatform }): Promise<ResolvedManifest> {
  const session = new RegistrySession(client, ref);
  const top = await fetchManifest(session, ref, ref.digest ?? ref.tag ?? 'latest', ref.digest);
  if (!INDEX_TYPES.includes(top.mediaType)) return { digest: top.digest, mediaType: top.mediaType, bytes: top.bytes };
  const entries = indexEntries(top.document);
  const want = options.platform;
  const match = entries.find((m) => samePlatform(m.platform, want));
  if (match === undefined) {
    const offered = entries.flatMap((m) => (m.platform === undefined || m.platform.os === 'unknown' ? [] : [formatPlatform(m.platform)]));
    throw new ArtifactError('OCI_FAILED', `${ref.name}@${top.digest} has no manifest for ${formatPlatform(want)} (offered: ${offered.join(', ') || 'none'})`);
  }
  if (match.digest === undefined || !DIGEST.test(match.digest)) {
    throw new ArtifactError('OCI_FAILED', `${ref.name}@${top.digest}: the ${formatPlatform(want)} entry has no sha256 digest ("${match.digest ?? ''}")`);
  }
  const platformManifest = await fetchManifest(session, ref, match.digest, match.digest);
  if (!MANIFEST_TYPES.includes(platformManifest.mediaType)) {
    throw new ArtifactError('OCI_FAILED', `${ref.name}@${match.digest}: the ${formatPlatform(want)} entry is a ${platformManifest.mediaType}, not an image manifest`);
  }
  return { digest: top.digest, mediaType: top.mediaType, platform: formatPlatform(match.platform ?? want), platformDigest: match.digest, bytes: top.bytes };
}
