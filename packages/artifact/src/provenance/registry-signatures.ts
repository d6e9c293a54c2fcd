/**
 * npm registry signatures: the registry signs `${name}@${version}:${integrity}` with
 * an ECDSA P-256 key published at `/-/npm/v1/keys`. Checked as the npm CLI does
 * (`npm audit signatures`): key found by id, not expired before the version was
 * published, signature valid.
 */
import { verify } from 'node:crypto';
import * as v from 'valibot';
import type { RegistrySignaturePin } from '../artifact.types.js';
import { ArtifactError } from '../errors.js';
import type { GuardedClient } from '../net/guarded-client.types.js';

/** One registry signing key. */
export interface RegistryKey {
  keyid: string;
  keytype: string;
  scheme: string;
  /** Base64 SPKI DER. */
  key: string;
  /** ISO time after which the key no longer signs, or null. */
  expires: string | null;
}

const keysSchema = v.object({
  keys: v.array(v.object({ keyid: v.string(), keytype: v.string(), scheme: v.string(), key: v.string(), expires: v.nullish(v.string(), null) })),
});

const signaturesSchema = v.array(v.object({ keyid: v.string(), sig: v.string() }));

/**
 * Fetches the registry's signing keys.
 *
 * @returns the keys, or undefined when the registry publishes none (404)
 */
export async function fetchRegistryKeys(client: GuardedClient, registry: string, headers: Record<string, string>): Promise<RegistryKey[] | undefined> {
  const url = `${registry.endsWith('/') ? registry : `${registry}/`}-/npm/v1/keys`;
  const response = await client.request(url, { headers: { accept: 'application/json', ...headers }, maxBytes: 1024 * 1024 });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new ArtifactError('RESOLVE_FAILED', `${url} answered HTTP ${response.status}`);
  let json: unknown;
  try {
    json = JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    throw new ArtifactError('RESOLVE_FAILED', `${url} did not answer JSON`, { cause: error });
  }
  const parsed = v.safeParse(keysSchema, json);
  if (!parsed.success) throw new ArtifactError('RESOLVE_FAILED', `${url} answered something other than {keys:[{keyid, keytype, scheme, key, expires}]}`);
  return parsed.output.keys.map((k) => ({ ...k, expires: k.expires ?? null }));
}

/** Input of {@link verifyRegistrySignature}. */
export interface RegistrySignatureInput {
  name: string;
  version: string;
  /** The integrity the registry signed (`dist.integrity`). */
  integrity: string;
  /** `dist.signatures` as the packument gives it. */
  signatures: unknown;
  keys: readonly RegistryKey[];
  /** `time[version]` of the packument: a key that expired before this did not sign it. */
  publishedAt?: string;
}

/**
 * Verifies one of the registry's signatures over `${name}@${version}:${integrity}`.
 *
 * @throws ArtifactError `SIGNATURE_INVALID`: no signature, unknown or expired key,
 *   unsupported key type, or a signature that does not verify
 */
export function verifyRegistrySignature(input: RegistrySignatureInput): RegistrySignaturePin {
  const subject = `${input.name}@${input.version}`;
  const parsed = v.safeParse(signaturesSchema, input.signatures);
  if (!parsed.success || parsed.output.length === 0) throw new ArtifactError('SIGNATURE_INVALID', `${subject} is not signed by its registry (no dist.signatures)`);
  const problems: string[] = [];
  for (const { keyid, sig } of parsed.output) {
    const key = input.keys.find((k) => k.keyid === keyid);
    if (key === undefined) {
      problems.push(`no registry key ${keyid}`);
      continue;
    }
    if (key.keytype !== 'ecdsa-sha2-nistp256') {
      problems.push(`key ${keyid} has unsupported type ${key.keytype}`);
      continue;
    }
    if (key.expires !== null && input.publishedAt !== undefined && Date.parse(key.expires) < Date.parse(input.publishedAt)) {
      problems.push(`key ${keyid} expired ${key.expires}, before ${subject} was published ${input.publishedAt}`);
      continue;
    }
    let ok = false;
    try {
      const pem = `-----BEGIN PUBLIC KEY-----\n${key.key}\n-----END PUBLIC KEY-----`;
      ok = verify('sha256', Buffer.from(`${subject}:${input.integrity}`), pem, Buffer.from(sig, 'base64'));
    } catch {
      ok = false;
    }
    if (ok) return { keyid, verified: true };
    problems.push(`the signature made with ${keyid} does not verify`);
  }
  throw new ArtifactError('SIGNATURE_INVALID', `registry signature of ${subject} is INVALID: ${problems.join('; ')}`);
}
