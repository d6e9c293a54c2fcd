/**
 * In-toto statements shaped like the SLSA provenance npm publishes from GitHub Actions
 * (libnpmpublish `provenance.js`) and GitLab CI (v0.2), and the registry answer that
 * serves them, for provenance tests.
 */
import { signStatement } from './mock-sigstore.js';
import type { GithubClaims, MockSigstore, SignOptions } from './mock-sigstore.js';

/** Options of {@link npmProvenanceStatement}. */
export interface StatementOptions {
  name: string;
  version: string;
  /** Hex SHA-512 of the tarball. */
  sha512hex: string;
  repository?: string;
  ref?: string;
  path?: string;
  commit?: string;
}

/** A purl as npm writes it: `pkg:npm/%40scope/name@1.2.3`. */
export function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;
}

/** An SLSA v1 provenance statement as npm writes it. */
export function npmProvenanceStatement(options: StatementOptions): Record<string, unknown> {
  const repository = options.repository ?? 'https://github.com/o/r';
  const ref = options.ref ?? 'refs/tags/v1.0.0';
  const path = options.path ?? '.github/workflows/release.yml';
  const commit = options.commit ?? '0123456789abcdef0123456789abcdef01234567';
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: npmPurl(options.name, options.version), digest: { sha512: options.sha512hex } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
        externalParameters: { workflow: { ref, repository, path } },
        internalParameters: { github: { event_name: 'push', repository_id: '1', repository_owner_id: '2' } },
        resolvedDependencies: [{ uri: `git+${repository}@${ref}`, digest: { gitCommit: commit } }],
      },
      runDetails: {
        builder: { id: 'https://github.com/actions/runner/github-hosted' },
        metadata: { invocationId: `${repository}/actions/runs/1/attempts/1` },
      },
    },
  };
}

/** An SLSA v0.2 statement as npm writes it for GitLab CI (`invocation.configSource`). */
export function slsaV02Statement(options: StatementOptions): Record<string, unknown> {
  const repository = options.repository ?? 'https://gitlab.com/o/r';
  const ref = options.ref ?? 'refs/tags/v1.0.0';
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    subject: [{ name: npmPurl(options.name, options.version), digest: { sha512: options.sha512hex } }],
    predicateType: 'https://slsa.dev/provenance/v0.2',
    predicate: {
      buildType: 'https://github.com/npm/cli/gitlab/v0alpha1',
      builder: { id: 'https://gitlab.com/o/r/-/runners/1' },
      invocation: {
        configSource: { uri: `git+${repository}@${ref}`, digest: { sha1: options.commit ?? '0123456789abcdef0123456789abcdef01234567' }, entryPoint: options.path ?? 'release' },
      },
    },
  };
}

/** Signs a statement and wraps it as the attestations endpoint serves it. */
export async function signProvenance(
  stack: MockSigstore,
  statement: Record<string, unknown>,
  claims: GithubClaims = {},
  options: SignOptions = {},
): Promise<{ attestations: Array<{ predicateType: string; bundle: unknown }> }> {
  const bundle = await signStatement(stack, statement, claims, options);
  return { attestations: [{ predicateType: String(statement['predicateType']), bundle }] };
}
