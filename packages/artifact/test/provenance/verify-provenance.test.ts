import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { ArtifactError } from '../../src/errors.js';
import { parseExpectedSource } from '../../src/provenance/expected-source.js';
import { verifyRegistrySignature } from '../../src/provenance/registry-signatures.js';
import type { RegistryKey } from '../../src/provenance/registry-signatures.js';
import { describeProvenance, verifyNpmProvenance } from '../../src/provenance/verify-provenance.js';
import type { NpmProvenanceInput } from '../../src/provenance/verify-provenance.js';
import { signStatement, startMockSigstore } from '../support/mock-sigstore.js';
import type { MockSigstore } from '../support/mock-sigstore.js';
import { npmProvenanceStatement } from '../support/provenance-statements.js';

const NAME = '@acme/mcp-server';
const VERSION = '1.2.3';
const TARBALL = Buffer.from('the pinned tarball bytes');
const SHA512 = createHash('sha512').update(TARBALL).digest();
const INTEGRITY = `sha512-${SHA512.toString('base64')}`;
const PREDICATE = 'https://slsa.dev/provenance/v1';

let stack: MockSigstore;
let goodBundle: unknown;

beforeAll(async () => {
  stack = await startMockSigstore();
  goodBundle = await signStatement(stack, npmProvenanceStatement({ name: NAME, version: VERSION, sha512hex: SHA512.toString('hex') }));
}, 30_000);
afterAll(async () => stack.close());

function input(over: Partial<NpmProvenanceInput> = {}): NpmProvenanceInput {
  return {
    name: NAME,
    version: VERSION,
    integrity: INTEGRITY,
    attestations: [{ predicateType: PREDICATE, bundle: goodBundle }],
    trustedRoot: stack.trustedRoot,
    trustedRootDescription: 'the test root',
    ...over,
  };
}

function refusal(over: Partial<NpmProvenanceInput>): ArtifactError {
  try {
    verifyNpmProvenance(input(over));
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    return error as ArtifactError;
  }
  throw new Error('expected provenance to be refused');
}

describe('verifyNpmProvenance', () => {
  it('verifies npm-style SLSA v1 provenance and records the verified claims', () => {
    const pin = verifyNpmProvenance(input({ expectedSource: 'https://github.com/o/r', expectedIssuer: 'https://token.actions.githubusercontent.com' }));
    expect(pin).toMatchObject({
      method: 'sigstore_slsa',
      predicate_type: PREDICATE,
      builder_id: 'https://github.com/actions/runner/github-hosted',
      source_repo: 'https://github.com/o/r',
      source_ref: 'refs/tags/v1.0.0',
      source_commit: '0123456789abcdef0123456789abcdef01234567',
      workflow_uri: '.github/workflows/release.yml',
      issuer: 'https://token.actions.githubusercontent.com',
      identity: 'https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.0.0',
      trusted_root: 'the test root',
      verified: true,
    });
    expect(pin.rekor_log_index).toMatch(/^\d+$/);
    expect(describeProvenance(pin)).toContain('https://github.com/o/r refs/tags/v1.0.0');
  });

  it('accepts an anchored regular expression for the source and refuses an unanchored one', () => {
    expect(verifyNpmProvenance(input({ expectedSource: '^https://github\\.com/o/.*$' })).verified).toBe(true);
    expect(() => parseExpectedSource('github.com/o/r')).toThrow(/anchored regular expression/);
    expect(refusal({ expectedSource: 'github.com/o/r' }).code).toBe('INVALID_COMMAND');
  });

  it('refuses provenance built from another repository than expected (exact and regex)', () => {
    const exact = refusal({ expectedSource: 'https://github.com/o/other' });
    expect(exact.code).toBe('PROVENANCE_INVALID');
    expect(exact.message).toContain('built from https://github.com/o/r, expected https://github.com/o/other');
    expect(refusal({ expectedSource: '^https://github\\.com/evil/.*$' }).code).toBe('PROVENANCE_INVALID');
  });

  it('refuses another issuer than expected', () => {
    const error = refusal({ expectedIssuer: 'https://gitlab.com' });
    expect(error.code).toBe('PROVENANCE_INVALID');
    expect(error.found).toBe('https://token.actions.githubusercontent.com');
  });

  it('refuses a statement about another package (subject name)', () => {
    const error = refusal({ name: '@acme/other-server' });
    expect(error.code).toBe('PROVENANCE_INVALID');
    expect(error.field).toBe('subject[0].name');
    expect(error.expected).toBe('pkg:npm/%40acme/other-server@1.2.3');
  });

  it('refuses a statement about other bytes (SHA-512 of the pinned tarball)', () => {
    const other = `sha512-${createHash('sha512').update('swapped bytes').digest('base64')}`;
    const error = refusal({ integrity: other });
    expect(error.code).toBe('PROVENANCE_INVALID');
    expect(error.field).toBe('subject[0].digest.sha512');
  });

  it('refuses a bundle whose payload was altered after signing', () => {
    const tampered = JSON.parse(JSON.stringify(goodBundle)) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(tampered.dsseEnvelope.payload, 'base64').toString('utf8')) as Record<string, unknown>;
    (statement['predicate'] as { runDetails: { builder: { id: string } } }).runDetails.builder.id = 'https://evil.example/builder';
    tampered.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const error = refusal({ attestations: [{ predicateType: PREDICATE, bundle: tampered }] });
    expect(error.code).toBe('PROVENANCE_INVALID');
    expect(error.message).toContain('does not verify');
  });

  it('refuses a predicate whose repository differs from the signing certificate', async () => {
    const lying = await signStatement(stack, npmProvenanceStatement({ name: NAME, version: VERSION, sha512hex: SHA512.toString('hex'), repository: 'https://github.com/o/claimed' }));
    const error = refusal({ attestations: [{ predicateType: PREDICATE, bundle: lying }] });
    expect(error.code).toBe('PROVENANCE_INVALID');
    expect(error.message).toContain("predicate's source repository https://github.com/o/claimed differs from the signing certificate's https://github.com/o/r");
  });

  it('says provenance is missing when the registry serves none, or only other predicates', () => {
    const none = refusal({ attestations: undefined });
    expect(none.code).toBe('PROVENANCE_MISSING');
    expect(none.message).toContain('strips attestations');
    expect(refusal({ attestations: [{ predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1', bundle: goodBundle }] }).code).toBe('PROVENANCE_MISSING');
  });

  it('refuses a bundle that does not chain to the trusted root', async () => {
    const other = await startMockSigstore();
    try {
      const error = refusal({ trustedRoot: TrustedRoot.fromJSON(other.trustedRootJson) });
      expect(error.code).toBe('PROVENANCE_INVALID');
    } finally {
      await other.close();
    }
  });
});

describe('verifyRegistrySignature', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyid = `SHA256:${createHash('sha256').update(spki).digest('base64')}`;
  const key: RegistryKey = { keyid, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: spki.toString('base64'), expires: null };
  const sig = sign('sha256', Buffer.from(`${NAME}@${VERSION}:${INTEGRITY}`), privateKey).toString('base64');
  const base = { name: NAME, version: VERSION, integrity: INTEGRITY, signatures: [{ keyid, sig }], keys: [key] };

  it('accepts the registry signature over name@version:integrity', () => {
    expect(verifyRegistrySignature(base)).toEqual({ keyid, verified: true });
  });

  it('refuses a signature over another integrity', () => {
    const other = `sha512-${createHash('sha512').update('x').digest('base64')}`;
    expect(() => verifyRegistrySignature({ ...base, integrity: other })).toThrow(/does not verify/);
  });

  it('refuses an unknown key, an expired key and a missing signature', () => {
    expect(() => verifyRegistrySignature({ ...base, keys: [] })).toThrow(/no registry key/);
    expect(() => verifyRegistrySignature({ ...base, keys: [{ ...key, expires: '2020-01-01T00:00:00Z' }], publishedAt: '2021-01-01T00:00:00Z' })).toThrow(/expired/);
    expect(() => verifyRegistrySignature({ ...base, signatures: undefined })).toThrow(/not signed by its registry/);
    try {
      verifyRegistrySignature({ ...base, signatures: [] });
    } catch (error) {
      expect((error as ArtifactError).code).toBe('SIGNATURE_INVALID');
    }
  });
});
