import { describe, expect, it } from '@jest/globals';
import { ArtifactError } from '../../src/errors.js';
import { describePin, parseArtifactPin } from '../../src/pin-schema.js';

const SRI = `sha512-${'A'.repeat(86)}==`;
const npmPin = {
  type: 'npm',
  name: '@modelcontextprotocol/server-memory',
  version: '2026.1.26',
  registry: 'https://registry.npmjs.org/',
  integrity: SRI,
  tarball_url: 'https://registry.npmjs.org/@modelcontextprotocol/server-memory/-/server-memory-2026.1.26.tgz',
  tarball_sha256: 'a'.repeat(64),
  tarball_size: 12345,
  argv: [],
  tree: [{ path: 'node_modules/zod', name: 'zod', version: '3.25.0', resolved: 'https://registry.npmjs.org/zod/-/zod-3.25.0.tgz', integrity: SRI }],
};

function failure(value: unknown): ArtifactError {
  try {
    parseArtifactPin(value, 'mcp-lock.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    return error as ArtifactError;
  }
  throw new Error('expected the pin to be refused');
}

describe('parseArtifactPin', () => {
  it('reads an npm pin with its tree', () => {
    const pin = parseArtifactPin(npmPin, 'mcp-lock.json');
    expect(pin).toEqual(npmPin);
    expect(describePin(pin)).toBe('npm @modelcontextprotocol/server-memory@2026.1.26');
  });

  it('reads the pins the Go mcptrust writes unchanged (npm with cosign provenance, OCI without a tag)', () => {
    const goNpm = {
      type: 'npm',
      name: '@modelcontextprotocol/server-filesystem',
      version: '2025.8.21',
      registry: 'https://registry.npmjs.org',
      integrity: SRI,
      tarball_url: 'https://registry.npmjs.org/@modelcontextprotocol/server-filesystem/-/server-filesystem-2025.8.21.tgz',
      provenance: { method: 'cosign_slsa', predicate_type: 'https://slsa.dev/provenance/v1', builder_id: 'https://github.com/actions/runner/github-hosted', verified: true, verified_at: '2025-09-01T00:00:00Z' },
    };
    expect(parseArtifactPin(goNpm, 'go-lock.json')).toEqual(goNpm);
    const goOci = { type: 'oci', image: 'ghcr.io/org/server', digest: `sha256:${'b'.repeat(64)}` };
    expect(parseArtifactPin(goOci, 'go-lock.json')).toEqual(goOci);
    expect(describePin(parseArtifactPin(goOci, 'go-lock.json'))).toBe(`oci ghcr.io/org/server@sha256:${'b'.repeat(64)}`);
  });

  it('names the lockfile and JSON path of a bad field', () => {
    const error = failure({ ...npmPin, tarball_url: 'http://registry.npmjs.org/x.tgz' });
    expect(error.code).toBe('INVALID_PIN');
    expect(error.field).toBe('server.artifact.tarball_url');
    expect(error.message).toMatch(/^mcp-lock\.json: server\.artifact\.tarball_url: expected a tarball URL \(an https:\/\/ URL\)/);
  });

  it('refuses a tree entry without sha512 integrity, naming its index', () => {
    const error = failure({ ...npmPin, tree: [{ ...npmPin.tree[0], integrity: 'sha1-abc' }] });
    expect(error.field).toBe('server.artifact.tree[0].integrity');
  });

  it('refuses an unknown type and an OCI digest that is not sha256', () => {
    expect(failure({ type: 'pypi', name: 'x' }).field).toBe('server.artifact.type');
    expect(failure({ type: 'oci', image: 'ghcr.io/o/s', digest: 'sha256:short' }).field).toBe('server.artifact.digest');
  });
});
