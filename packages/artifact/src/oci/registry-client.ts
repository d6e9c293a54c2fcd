/**
 * OCI Distribution API v2, the little of it pinning needs: a manifest by tag or
 * digest, through the guarded client, with the anonymous bearer-token dance. The
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
  mediaType: string;
  /** `os/arch[/variant]` when the digest is an index and a platform was chosen. */
  platform?: string;
  /** The chosen platform manifest's digest (verified against its bytes). */
  platformDigest?: string;
  bytes: number;
}

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const ACCEPT = [...INDEX_TYPES, ...MANIFEST_TYPES].join(', ');
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** The default platform of this machine in OCI terms. */
export function hostPlatform(): OciPlatform {
  const architecture = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  return { os: 'linux', architecture, ...(process.arch === 'arm' ? { variant: 'v7' } : {}) };
}

/** `os/arch[/variant]`. */
export function formatPlatform(p: OciPlatform): string {
  return `${p.os}/${p.architecture}${p.variant === undefined ? '' : `/${p.variant}`}`;
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

  async get(path: string): Promise<GuardedResponse> {
    const url = `${registryApiBase(this.ref)}/v2/${this.ref.repository}/${path}`;
    const headers: Record<string, string> = { accept: ACCEPT, ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }) };
    let response = await this.client.request(url, { headers, maxBytes: MAX_MANIFEST_BYTES });
    if (response.status === 401 && this.token === undefined) {
      const challenge = bearerChallenge(response.headers['www-authenticate']);
      if (challenge === undefined) throw new ArtifactError('OCI_FAILED', `${url} asks for credentials mcptrust does not have (only anonymous pulls are supported)`);
      const realm = new URL(challenge['realm']!);
      if (challenge['service'] !== undefined) realm.searchParams.set('service', challenge['service']);
      realm.searchParams.set('scope', challenge['scope'] ?? `repository:${this.ref.repository}:pull`);
      const answer = (await this.client.getJson(realm.toString(), { maxBytes: 1024 * 1024 })) as { token?: unknown; access_token?: unknown };
      const token = typeof answer.token === 'string' ? answer.token : typeof answer.access_token === 'string' ? answer.access_token : undefined;
      if (token === undefined) throw new ArtifactError('OCI_FAILED', `the token service ${realm.origin} gave no token`);
      this.token = token;
      response = await this.client.request(url, { headers: { ...headers, authorization: `Bearer ${token}` }, maxBytes: MAX_MANIFEST_BYTES });
    }
    return response;
  }
}

function failure(ref: ImageReference, what: string, response: GuardedResponse): ArtifactError {
  let code = '';
  try {
    const errors = (JSON.parse(response.body.toString('utf8')) as { errors?: Array<{ code?: string }> }).errors;
    code = errors?.[0]?.code ?? '';
  } catch {
    code = '';
  }
  return new ArtifactError('OCI_FAILED', `${ref.name}: ${what} is not served (HTTP ${response.status}${code === '' ? '' : `, ${code}`})`);
}

/** Fetches one manifest and checks its bytes against the expected digest and the header. */
async function fetchManifest(session: RegistrySession, ref: ImageReference, reference: string, expected?: string): Promise<{ digest: string; mediaType: string; body: Buffer }> {
  const response = await session.get(`manifests/${reference}`);
  if (response.status !== 200) throw failure(ref, reference.startsWith('sha256:') ? `manifest ${reference}` : `tag ${reference}`, response);
  const digest = sha256(response.body);
  const header = response.headers['docker-content-digest'];
  if (header !== undefined && header !== digest) {
    throw new ArtifactError('OCI_FAILED', `${ref.name}:${reference}: the registry's Docker-Content-Digest header ${header} does not match the manifest it sent (${digest}): refused`, { expected: digest, found: header });
  }
  if (expected !== undefined && digest !== expected) {
    throw new ArtifactError('INTEGRITY_MISMATCH', `${ref.name}@${expected}: the registry sent a manifest whose digest is ${digest}`, { expected, found: digest });
  }
  let mediaType = (response.headers['content-type'] ?? '').split(';')[0]!.trim();
  try {
    const declared = (JSON.parse(response.body.toString('utf8')) as { mediaType?: unknown }).mediaType;
    if (typeof declared === 'string') mediaType = declared;
  } catch {
    throw new ArtifactError('OCI_FAILED', `${ref.name}:${reference}: the manifest is not JSON`);
  }
  return { digest, mediaType, body: response.body };
}

/**
 * Resolves a tag (or digest) to the digest of the bytes served; for an index, also
 * picks and verifies the manifest of the platform.
 *
 * @throws ArtifactError `OCI_FAILED` (unknown image or tag, a lying digest header, no
 *   manifest for the platform), `INTEGRITY_MISMATCH` (bytes not matching a digest)
 */
export async function resolveManifest(client: GuardedClient, ref: ImageReference, options: { platform: OciPlatform }): Promise<ResolvedManifest> {
  const session = new RegistrySession(client, ref);
  const top = await fetchManifest(session, ref, ref.digest ?? ref.tag ?? 'latest', ref.digest);
  if (!INDEX_TYPES.includes(top.mediaType)) return { digest: top.digest, mediaType: top.mediaType, bytes: top.body.length };
  const index = JSON.parse(top.body.toString('utf8')) as { manifests?: Array<{ digest?: string; platform?: OciPlatform }> };
  const entries = index.manifests ?? [];
  const want = options.platform;
  const match = entries.find((m) => m.platform?.os === want.os && m.platform.architecture === want.architecture && (want.variant === undefined || m.platform.variant === want.variant));
  if (match?.digest === undefined) {
    const offered = entries.map((m) => (m.platform === undefined ? '?' : formatPlatform(m.platform))).join(', ');
    throw new ArtifactError('OCI_FAILED', `${ref.name}: no manifest for ${formatPlatform(want)} (offered: ${offered || 'none'})`);
  }
  await fetchManifest(session, ref, match.digest, match.digest);
  return { digest: top.digest, mediaType: top.mediaType, platform: formatPlatform(match.platform ?? want), platformDigest: match.digest, bytes: top.body.length };
}
