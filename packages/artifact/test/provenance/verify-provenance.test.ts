import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { ArtifactError } from '../../src/errors.js';
import { parseExpectedSource } from '../../src/provenance/expected-source.js';
import { describeProvenance, verifyNpmProvenance } from '../../src/provenance/verify-provenance.js';
import type { NpmProvenanceInput } from '../../src/provenance/verify-provenance.js';
import { certificateClaims, FULCIO_OID } from '../../src/provenance/certificate-claims.js';
import { signStatement, startMockSigstore } from '../support/mock-sigstore.js';
import type { MockSigstore } from '../support/mock-sigstore.js';
import { npmProvenanceStatement, signProvenance, slsaV02Statement } from '../support/provenance-statements.js';

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

  it('refuses a predicate whose ref or commit differs from the signing certificate', async () => {
    const statement = npmProvenanceStatement({ name: NAME, version: VERSION, sha512hex: SHA512.toString('hex') });
    const otherRef = await signStatement(stack, statement, { ref: 'refs/heads/feature' });
    const refError = refusal({ attestations: [{ predicateType: PREDICATE, bundle: otherRef }] });
    expect(refError.message).toContain("predicate's source ref refs/tags/v1.0.0 differs from the signing certificate's refs/heads/feature");
    const otherCommit = await signStatement(stack, statement, { sha: 'f'.repeat(40) });
    const commitError = refusal({ attestations: [{ predicateType: PREDICATE, bundle: otherCommit }] });
    expect(commitError).toMatchObject({ code: 'PROVENANCE_INVALID', expected: 'f'.repeat(40), found: '0123456789abcdef0123456789abcdef01234567' });
  });

  it('refuses a DSSE payload that is not an in-toto statement', async () => {
    const statement = npmProvenanceStatement({ name: NAME, version: VERSION, sha512hex: SHA512.toString('hex') });
    const json = await signStatement(stack, statement, {}, { payloadType: 'application/json' });
    expect(refusal({ attestations: [{ predicateType: PREDICATE, bundle: json }] }).message).toContain('DSSE payload type is application/json');
    const notStatement = await signStatement(stack, { hello: 'world' });
    expect(refusal({ attestations: [{ predicateType: PREDICATE, bundle: notStatement }] }).message).toContain('not an in-toto statement');
  });

  it('refuses a statement whose signed predicate type is not the one the registry listed', async () => {
    const v02 = await signStatement(stack, slsaV02Statement({ name: NAME, version: VERSION, sha512hex: SHA512.toString('hex'), repository: 'https://github.com/o/r' }));
    const error = refusal({ attestations: [{ predicateType: PREDICATE, bundle: v02 }] });
    expect(error).toMatchObject({ code: 'PROVENANCE_INVALID', field: 'predicateType', found: 'https://slsa.dev/provenance/v0.2' });
  });

  it('verifies SLSA v0.2 provenance (invocation.configSource)', async () => {
    const served = await signProvenance(stack, slsaV02Statement({ name: NAME, version: VERSION, sha512hex: SHA512.toString('hex'), repository: 'https://github.com/o/r' }));
    const pin = verifyNpmProvenance(input({ attestations: served.attestations, expectedSource: 'https://github.com/o/r' }));
    expect(pin).toMatchObject({
      predicate_type: 'https://slsa.dev/provenance/v0.2',
      builder_id: 'https://gitlab.com/o/r/-/runners/1',
      source_repo: 'https://github.com/o/r',
      source_ref: 'refs/tags/v1.0.0',
      source_commit: '0123456789abcdef0123456789abcdef01234567',
      workflow_uri: 'release',
    });
  });

  it('reads the Fulcio claims of the signing certificate', () => {
    const chain = (goodBundle as { verificationMaterial: { x509CertificateChain: { certificates: Array<{ rawBytes: string }> } } }).verificationMaterial.x509CertificateChain;
    const claims = certificateClaims(Buffer.from(chain.certificates[0]!.rawBytes, 'base64'));
    expect(claims).toEqual({
      identity: 'https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.0.0',
      issuer: 'https://token.actions.githubusercontent.com',
      buildSignerUri: 'https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.0.0',
      sourceRepository: 'https://github.com/o/r',
      sourceCommit: '0123456789abcdef0123456789abcdef01234567',
      sourceRef: 'refs/tags/v1.0.0',
    });
    expect(FULCIO_OID.sourceRepositoryUri).toBe('1.3.6.1.4.1.57264.1.12');
  });

  it('describes verified provenance in one line', () => {
    const pin = verifyNpmProvenance(input({ now: new Date('2026-01-02T03:04:05Z') }));
    expect(pin.verified_at).toBe('2026-01-02T03:04:05.000Z');
    expect(describeProvenance(pin)).toBe(
      `verified sigstore_slsa: https://github.com/o/r refs/tags/v1.0.0 (.github/workflows/release.yml), signed by https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.0.0 (https://token.actions.githubusercontent.com), Rekor log index ${pin.rekor_log_index ?? ''}`,
    );
    expect(describeProvenance({ method: 'unverified', verified: false })).toBe('NOT verified unverified: unknown repository');
  });
});
