import { describe, expect, it } from '@jest/globals';
import { buildLockfile, compareLockfiles } from '@mcptrust/lockfile';
import type { JsonObject, ScanReport } from '@mcptrust/lockfile';
import { compareArtifactPins, compareToLockfile } from '../src/index.js';

const SRI_A = `sha512-${'A'.repeat(86)}==`;
const SRI_B = `sha512-${'B'.repeat(86)}==`;
const npmPin = (over: JsonObject = {}): JsonObject => ({
  type: 'npm',
  name: '@scope/server',
  version: '1.0.0',
  registry: 'https://registry.npmjs.org/',
  integrity: SRI_A,
  tarball_url: 'https://registry.npmjs.org/@scope/server/-/server-1.0.0.tgz',
  ...over,
});

function scan(): ScanReport {
  return {
    reportVersion: 1,
    scannedAt: '2026-01-01T00:00:00.000Z',
    server: { name: 's', version: '1', protocolVersion: '2025-06-18', capabilities: { tools: {} } },
    tools: [{ name: 'echo', description: 'Echo', inputSchema: { type: 'object' }, riskLevel: 'LOW', riskReasons: [] }],
    prompts: [],
    resources: [],
    resourceTemplates: [],
    findings: [],
  } as unknown as ScanReport;
}

describe('compareArtifactPins', () => {
  it('reports nothing when nothing is pinned or the pin is the same', () => {
    expect(compareArtifactPins(undefined, npmPin())).toEqual([]);
    expect(compareArtifactPins(npmPin(), npmPin())).toEqual([]);
  });

  it('reports another version and integrity as critical, naming the field and both values', () => {
    const items = compareArtifactPins(npmPin(), npmPin({ version: '1.0.1', integrity: SRI_B }));
    expect(items.map((i) => [i.path, i.severity, i.rule])).toEqual([
      ['server.artifact.version', 'critical', 'artifact-changed'],
      ['server.artifact.integrity', 'critical', 'artifact-changed'],
    ]);
    expect(items[0]?.message).toBe('pinned artifact @scope/server@1.0.0: version changed from 1.0.0 to 1.0.1');
    expect(items[0]?.details).toEqual({ field: 'artifact.version', before: '1.0.0', after: '1.0.1' });
  });

  it('rates a registry change moderate and ignores fields only one side has (a Go pin without tarball_sha256)', () => {
    const items = compareArtifactPins(npmPin(), npmPin({ registry: 'https://mirror.example/', tarball_sha256: 'ab'.repeat(32) }));
    expect(items.map((i) => [i.path, i.severity])).toEqual([['server.artifact.registry', 'moderate']]);
  });

  it('reports an image whose digest moved as critical', () => {
    const locked = { type: 'oci', image: 'ghcr.io/o/s', tag: '1.2', digest: `sha256:${'a'.repeat(64)}` };
    const items = compareArtifactPins(locked, { ...locked, digest: `sha256:${'b'.repeat(64)}` });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ itemType: 'artifact', itemId: 'ghcr.io/o/s@1.2', severity: 'critical', path: 'server.artifact.digest' });
  });

  it('reports a command that no longer names a pinnable artifact as critical', () => {
    const items = compareArtifactPins(npmPin(), undefined);
    expect(items).toEqual([expect.objectContaining({ kind: 'removed', rule: 'artifact-unpinned', severity: 'critical', path: 'server.artifact' })]);
  });
});

describe('a pinned lockfile compared with a scan', () => {
  it('is not drift by itself: the scan knows nothing of the artifact', () => {
    const lockfile = buildLockfile(scan());
    lockfile.server.artifact = npmPin();
    expect(compareToLockfile(lockfile, scan())).toEqual([]);
  });

  it('makes a re-lock with another pin a server change (artifact), but not a re-verification of the same bytes', () => {
    const a = buildLockfile(scan());
    a.server.artifact = npmPin({ provenance: { method: 'sigstore_slsa', verified: true, verified_at: '2026-01-01T00:00:00Z' } });
    const same = buildLockfile(scan());
    same.server.artifact = npmPin({ provenance: { method: 'sigstore_slsa', verified: true, verified_at: '2026-02-02T00:00:00Z' } });
    expect(compareLockfiles(a, same)).toEqual([]);
    const other = buildLockfile(scan());
    other.server.artifact = npmPin({ version: '1.0.1' });
    expect(compareLockfiles(a, other)).toEqual([{ itemType: 'server', id: 's', kind: 'changed', fields: ['artifact'] }]);
    expect(compareLockfiles(a, buildLockfile(scan()))).toEqual([{ itemType: 'server', id: 's', kind: 'changed', fields: ['artifact'] }]);
  });
});
