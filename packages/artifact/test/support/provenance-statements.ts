/**
 * In-toto statements shaped like the SLSA provenance npm publishes from GitHub Actions
 * (libnpmpublish `provenance.js`), for provenance tests.
 */

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
