/**
 * npm registry signatures: the registry signs `${name}@${version}:${integrity}` with
 * an ECDSA P-256 key published at `/-/npm/v1/keys`. Checked as the npm CLI does
 * (`npm audit signatures`): key found by id, not expired before the version was
 * published, signature valid.
 */
import { createPublicKey, verify } from 'node:crypto';
import * as v from 'valibot';
import type { RegistrySignaturePin } from '../artifact.types.js';
import { ArtifactError } from '../errors.js';
import type { GuardedClient } from '../net/guarded-client.types.js';
import { fetchOptionalJson } from './optional-json.js';

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
  const document = await fetchOptionalJson(client, url, keysSchema, { headers, maxBytes: 1024 * 1024, shape: '{keys:[{keyid, keytype, scheme, key, expires}]}' });
  return document?.keys.map((k) => ({ ...k, expires: k.expires ?? null }));
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
  /** Stands in for an unknown publish time when a key has expired (default now). */
  now?: Date;
}

/** Whether the key had expired when the version was published (unparsable dates count as expired). */
function expiredAtPublish(expires: string, publishedAt: string | undefined, now: Date): boolean {
  const expiry = Date.parse(expires);
  // Unknown publish time: only a key still valid now can be trusted to have signed it.
  const published = publishedAt === undefined ? now.getTime() : Date.parse(publishedAt);
  return Number.isNaN(expiry) || Number.isNaN(published) || expiry < published;
}

/**
 * Verifies one of the registry's signatures over `${name}@${version}:${integrity}`.
 * The first signature that verifies wins; a key that expired before the version was
 * published (or before now, when the publish time is unknown) does not count.
 *
 * @throws ArtifactError `SIGNATURE_INVALID`: no signature, unknown or expired key,
 *   a key that is not ECDSA P-256, or a signature that does not verify
 */
export function verifyRegistrySignature(input: RegistrySignatureInput): RegistrySignaturePin {
  const subject = `${input.name}@${input.version}`;
  if (input.signatures === undefined || input.signatures === null || (Array.isArray(input.signatures) && input.signatures.length === 0)) {
    throw new ArtifactError('SIGNATURE_INVALID', `the registry did not sign ${subject} (no dist.signatures)`, { field: 'dist.signatures' });
  }
  const parsed = v.safeParse(signaturesSchema, input.signatures);
  if (!parsed.success) throw new ArtifactError('SIGNATURE_INVALID', `dist.signatures of ${subject} is not a list of {keyid, sig}`, { field: 'dist.signatures' });
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
    if (key.expires !== null && expiredAtPublish(key.expires, input.publishedAt, input.now ?? new Date())) {
      problems.push(`key ${keyid} expired ${key.expires}, before ${subject} was published ${input.publishedAt ?? '(publish time unknown)'}`);
      continue;
    }
    let ok = false;
    try {
      const publicKey = createPublicKey({ key: Buffer.from(key.key, 'base64'), format: 'der', type: 'spki' });
      if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        problems.push(`key ${keyid} is not an ECDSA P-256 key`);
        continue;
      }
      ok = verify('sha256', Buffer.from(`${subject}:${input.integrity}`), publicKey, Buffer.from(sig, 'base64'));
    } catch {
      ok = false;
    }
    if (ok) return { keyid, verified: true };
    problems.push(`the signature made with ${keyid} does not verify`);
  }
  throw new ArtifactError('SIGNATURE_INVALID', `registry signature of ${subject} is INVALID: ${problems.join('; ')}`);
}
