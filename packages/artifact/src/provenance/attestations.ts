/**
 * The npm attestations endpoint (`/-/npm/v1/attestations/<name>@<version>`): the
 * Sigstore bundles a package was published with. Queried directly, not through
 * `dist.attestations`, so that a registry or mirror that strips the pointer cannot
 * make provenance look absent-by-design.
 */
import * as v from 'valibot';
import { ArtifactError } from '../errors.js';
import type { GuardedClient } from '../net/guarded-client.types.js';
import { fetchOptionalJson } from './optional-json.js';

/** One attestation as the registry serves it. */
export interface NpmAttestation {
  /** `https://slsa.dev/provenance/v1`, `https://github.com/npm/attestation/tree/main/specs/publish/v0.1`… */
  predicateType: string;
  /** The Sigstore bundle (JSON), verified by `verifyNpmProvenance`. */
  bundle: unknown;
}

const MAX_ATTESTATIONS_BYTES = 16 * 1024 * 1024;

const responseSchema = v.object({
  attestations: v.array(v.object({ predicateType: v.string(), bundle: v.custom<unknown>((b) => typeof b === 'object' && b !== null, 'a bundle object') })),
});

/** The attestations URL of a package version on a registry (`registry` ends with `/`). */
export function attestationsUrl(registry: string, name: string, version: string): string {
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  return `${base}-/npm/v1/attestations/${name.replace('/', '%2f')}@${encodeURIComponent(version)}`;
}

/**
 * Fetches a version's attestations.
 *
 * @returns the attestations, or undefined when the registry has none (404)
 * @throws ArtifactError `RESOLVE_FAILED` for another status or a malformed answer
 */
export async function fetchAttestations(
  client: GuardedClient,
  registry: string,
  name: string,
  version: string,
  headers: Record<string, string>,
): Promise<NpmAttestation[] | undefined> {
  const url = attestationsUrl(registry, name, version);
  const document = await fetchOptionalJson(client, url, responseSchema, { headers, maxBytes: MAX_ATTESTATIONS_BYTES, shape: '{attestations:[{predicateType, bundle}]}' });
  return document?.attestations;
}
