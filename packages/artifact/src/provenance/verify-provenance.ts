/**
 * SLSA provenance of an npm package, verified end to end: the Sigstore bundle against
 * an injected trusted root (no TUF refresh, no network), the in-toto statement's
 * subject against the pinned tarball (purl and SHA-512), the certificate's claims
 * against the predicate (repository, ref, commit), then the operator's expectations.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import npa from 'npm-package-arg';
import type { ProvenancePin } from '../artifact.types.js';
import { ArtifactError } from '../errors.js';
import type { NpmAttestation } from './attestations.js';
import { certificateClaims } from './certificate-claims.js';
import type { CertificateClaims } from './certificate-claims.js';
import { normalizeRepositoryUrl, parseExpectedSource, sourceMatches } from './expected-source.js';
import { statementClaims } from './statement.js';
import type { StatementClaims } from './statement.js';

/** Input of {@link verifyNpmProvenance}. */
export interface NpmProvenanceInput {
  name: string;
  version: string;
  /** The pinned SHA-512 SRI integrity of the tarball. */
  integrity: string;
  /** What the attestations endpoint served (undefined: none). */
  attestations: NpmAttestation[] | undefined;
  trustedRoot: TrustedRoot;
  /** Which root it is (recorded in the pin). */
  trustedRootDescription: string;
  /** Exact repository URL or anchored regular expression. */
  expectedSource?: string;
  /** Exact OIDC issuer of the signing certificate. */
  expectedIssuer?: string;
  /** Verification time (default now). */
  now?: Date;
}

const SLSA_PREDICATES = ['https://slsa.dev/provenance/v1', 'https://slsa.dev/provenance/v0.2'];

function invalid(subject: string, why: string, extra: { field?: string; expected?: string; found?: string } = {}): ArtifactError {
  return new ArtifactError('PROVENANCE_INVALID', `provenance of ${subject} is INVALID: ${why}`, extra);
}

function sha512Hex(integrity: string): string | undefined {
  const entry = integrity.split(/\s+/).find((e) => e.startsWith('sha512-'));
  return entry === undefined ? undefined : Buffer.from(entry.slice('sha512-'.length), 'base64').toString('hex');
}

/** Verifies the bundle; returns its certificate's claims, the DSSE payload and the Rekor index. */
function verifyBundle(subject: string, bundleJson: unknown, root: TrustedRoot): { claims: CertificateClaims; payload: Buffer; logIndex?: string } {
  let bundle: ReturnType<typeof bundleFromJSON>;
  try {
    bundle = bundleFromJSON(bundleJson);
  } catch (error) {
    throw invalid(subject, `the attestation is not a Sigstore bundle: ${(error as Error).message}`);
  }
  if (bundle.content.$case !== 'dsseEnvelope') throw invalid(subject, 'the bundle holds no DSSE envelope');
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== 'application/vnd.in-toto+json') throw invalid(subject, `DSSE payload type is ${envelope.payloadType}, expected application/vnd.in-toto+json`);
  try {
    // A root without CT logs (a private instance) cannot require SCTs; the public-good root has them.
    const verifier = new Verifier(toTrustMaterial(root), { tlogThreshold: 1, ctlogThreshold: root.ctlogs.length > 0 ? 1 : 0 });
    verifier.verify(toSignedEntity(bundle));
  } catch (error) {
    throw invalid(subject, `the Sigstore bundle does not verify: ${(error as Error).message}`);
  }
  const material = bundle.verificationMaterial.content;
  const der =
    material.$case === 'certificate'
      ? material.certificate.rawBytes
      : material.$case === 'x509CertificateChain'
        ? material.x509CertificateChain.certificates[0]?.rawBytes
        : undefined;
  if (der === undefined) throw invalid(subject, 'the bundle is signed with a key, not a Fulcio certificate: no identity to check');
  const logIndex = bundle.verificationMaterial.tlogEntries[0]?.logIndex;
  return { claims: certificateClaims(der), payload: envelope.payload, ...(logIndex === undefined ? {} : { logIndex: String(logIndex) }) };
}

/** The predicate must agree with the certificate wherever both speak. */
function crossCheck(subject: string, cert: CertificateClaims, stmt: StatementClaims): void {
  const pairs: Array<[string, string | undefined, string | undefined, (s: string) => string]> = [
    ['source repository', stmt.repository, cert.sourceRepository, normalizeRepositoryUrl],
    ['source ref', stmt.ref, cert.sourceRef, (s) => s],
    ['source commit', stmt.commit, cert.sourceCommit, (s) => s.toLowerCase()],
  ];
  for (const [what, fromPredicate, fromCert, norm] of pairs) {
    if (fromPredicate !== undefined && fromCert !== undefined && norm(fromPredicate) !== norm(fromCert)) {
      throw invalid(subject, `the predicate's ${what} ${fromPredicate} differs from the signing certificate's ${fromCert}`, { expected: fromCert, found: fromPredicate });
    }
  }
}

/**
 * Verifies a package version's SLSA provenance and returns the verified claims.
 *
 * @throws ArtifactError `PROVENANCE_MISSING` when the registry served no SLSA
 *   provenance; `PROVENANCE_INVALID` when the bundle, subject, claims or
 *   expectations do not hold; `INVALID_COMMAND` for a malformed expected source
 */
export function verifyNpmProvenance(input: NpmProvenanceInput): ProvenancePin {
  const subject = `${input.name}@${input.version}`;
  const expected = input.expectedSource === undefined ? undefined : parseExpectedSource(input.expectedSource);
  const attestation = input.attestations?.find((a) => SLSA_PREDICATES.includes(a.predicateType));
  if (attestation === undefined) {
    throw new ArtifactError(
      'PROVENANCE_MISSING',
      `provenance was asked for, but the registry serves no SLSA provenance for ${subject} (a package published without provenance, or a registry or mirror that strips attestations)`,
    );
  }
  const { claims: cert, payload, logIndex } = verifyBundle(subject, attestation.bundle, input.trustedRoot);
  const stmt = statementClaims(subject, payload);
  // The registry's predicateType is unsigned: the signed statement must say the same.
  if (stmt.predicateType !== attestation.predicateType) {
    throw invalid(subject, `the signed statement's predicate type ${stmt.predicateType ?? '(none)'} is not the ${attestation.predicateType} the registry listed it under`, { field: 'predicateType', expected: attestation.predicateType, ...(stmt.predicateType === undefined ? {} : { found: stmt.predicateType }) });
  }
  // npm-package-arg's toPurl (pkg:npm/%40scope/name@1.2.3), missing from its published types.
  const purl = (npa as unknown as { toPurl(spec: string): string }).toPurl(subject);
  if (stmt.subjectName !== purl) throw invalid(subject, `the statement is about ${stmt.subjectName ?? 'nothing'}, not ${purl}`, { field: 'subject[0].name', expected: purl, ...(stmt.subjectName === undefined ? {} : { found: stmt.subjectName }) });
  const digest = sha512Hex(input.integrity);
  if (digest === undefined) throw invalid(subject, 'the pin has no sha512 integrity to compare the statement with');
  if (stmt.subjectSha512?.toLowerCase() !== digest) {
    throw invalid(subject, `the statement's SHA-512 ${stmt.subjectSha512 ?? '(none)'} is not the pinned tarball's ${digest}`, { field: 'subject[0].digest.sha512', expected: digest, ...(stmt.subjectSha512 === undefined ? {} : { found: stmt.subjectSha512 }) });
  }
  crossCheck(subject, cert, stmt);
  const repository = stmt.repository ?? cert.sourceRepository;
  if (expected !== undefined && (repository === undefined || !sourceMatches(expected, repository))) {
    const want = expected.kind === 'exact' ? expected.url : `/${expected.pattern}/`;
    throw invalid(subject, `built from ${repository ?? 'an unnamed repository'}, expected ${want}`, { field: 'provenance.source_repo', expected: want, ...(repository === undefined ? {} : { found: repository }) });
  }
  if (input.expectedIssuer !== undefined && cert.issuer !== input.expectedIssuer) {
    throw invalid(subject, `signed by a certificate from issuer ${cert.issuer ?? '(none)'}, expected ${input.expectedIssuer}`, { field: 'provenance.issuer', expected: input.expectedIssuer, ...(cert.issuer === undefined ? {} : { found: cert.issuer }) });
  }
  const pin: ProvenancePin = { method: 'sigstore_slsa', predicate_type: attestation.predicateType, verified: true, verified_at: (input.now ?? new Date()).toISOString() };
  const optional: Array<[keyof ProvenancePin, string | undefined]> = [
    ['builder_id', stmt.builderId],
    ['source_repo', repository === undefined ? undefined : normalizeRepositoryUrl(repository)],
    ['source_ref', stmt.ref ?? cert.sourceRef],
    ['source_commit', stmt.commit ?? cert.sourceCommit],
    ['workflow_uri', stmt.workflowPath],
    ['issuer', cert.issuer],
    ['identity', cert.identity],
    ['rekor_log_index', logIndex],
    ['trusted_root', input.trustedRootDescription],
  ];
  for (const [key, value] of optional) if (value !== undefined) (pin as unknown as Record<string, unknown>)[key] = value;
  return pin;
}

/** One line for operators: `https://github.com/o/r refs/tags/v1 (release.yml), signed by … via …`. */
export function describeProvenance(p: ProvenancePin): string {
  const where = [p.source_repo ?? 'unknown repository', p.source_ref, p.workflow_uri === undefined ? undefined : `(${p.workflow_uri})`].filter((s) => s !== undefined).join(' ');
  return `${p.verified ? 'verified' : 'NOT verified'} ${p.method}: ${where}${p.identity === undefined ? '' : `, signed by ${p.identity}`}${p.issuer === undefined ? '' : ` (${p.issuer})`}${p.rekor_log_index === undefined ? '' : `, Rekor log index ${p.rekor_log_index}`}`;
}
