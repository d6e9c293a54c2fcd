import { describe, expect, it } from '@jest/globals';
import { buildLockfile } from '@mcptrust/lockfile';
import { buildPolicyInput } from '../src/index.js';
import { sampleScan } from './fixtures.js';

describe('buildPolicyInput', () => {
  describe('when only a scan is given', () => {
    it('fills absent strings and maps and marks drift as not checked', () => {
      const input = buildPolicyInput(sampleScan());
      expect(input.server.artifact).toEqual({
        pinned: false,
        type: '',
        name: '',
        version: '',
        integrity: '',
        tarballSha256: '',
        digest: '',
        provenance: { present: false, verified: false, method: '', sourceRepository: '' },
      });
      expect(input.tools[1]?.annotations).toEqual({});
      expect(input.tools[1]).not.toHaveProperty('outputSchema');
      expect(input.drift).toEqual({ checked: false, hasDrift: false, items: [] });
      expect(input.signature).toEqual({ present: false, verified: false, method: '' });
    });

    it('collects the sorted set of lower-case URI schemes', () => {
      expect(buildPolicyInput(sampleScan()).resources.schemes).toEqual(['file', 'https', 'mem']);
    });
  });

  describe('when a lockfile is given', () => {
    it('reports no drift when the server matches it', () => {
      const scan = sampleScan();
      const input = buildPolicyInput(scan, { lockfile: buildLockfile(scan) });
      expect(input.drift).toEqual({ checked: true, hasDrift: false, items: [] });
    });

    it('rates every hash-level change as critical when no semantic drift is given', () => {
      const scan = sampleScan();
      const lockfile = buildLockfile({ ...scan, tools: scan.tools.slice(1) });
      const input = buildPolicyInput(scan, { lockfile });
      expect(input.drift.items).toEqual([expect.objectContaining({ kind: 'added', itemType: 'tool', id: 'read_file', severity: 'critical' })]);
    });

    it('prefers the drift items it is given', () => {
      const scan = sampleScan();
      const lockfile = buildLockfile({ ...scan, tools: [] });
      const item = { kind: 'changed', itemType: 'server', id: 'version', severity: 'info', fields: ['version'], rule: 'server-info-changed', path: 'server.version', message: 'version changed' };
      expect(buildPolicyInput(scan, { lockfile, drift: [item] }).drift.items).toEqual([item]);
    });

    it('treats an OCI digest as a pin', () => {
      const lockfile = buildLockfile(sampleScan());
      lockfile.server.artifact = { type: 'oci', name: 'ghcr.io/o/i', version: '1', digest: 'sha256:00' };
      expect(buildPolicyInput(sampleScan(), { lockfile }).server.artifact).toMatchObject({ pinned: true, type: 'oci', digest: 'sha256:00' });
    });
  });
});
