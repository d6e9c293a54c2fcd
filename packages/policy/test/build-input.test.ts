import { describe, expect, it } from '@jest/globals';
import { buildLockfile, denyItems } from '@mcptrust/lockfile';
import type { LockfileItemRef } from '@mcptrust/lockfile';
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
        registry: '',
        treePinned: false,
        provenance: { present: false, verified: false, method: '', sourceRepository: '', sourceRef: '', builderId: '', issuer: '', identity: '' },
      });
      expect(input.tools[1]?.annotations).toEqual({});
      expect(input.tools[1]).not.toHaveProperty('outputSchema');
      expect(input.drift).toEqual({ checked: false, hasDrift: false, items: [] });
      expect(input.signature).toEqual({ present: false, verified: false, method: '' });
      expect(input.denied).toEqual([]);
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

    it('lists no denials for a lockfile without a denied section', () => {
      const scan = sampleScan();
      const input = buildPolicyInput(scan, { lockfile: buildLockfile(scan) });
      expect(input.denied).toEqual([]);
      expect(input.tools.map((t) => t.name)).toEqual(['read_file', 'write_file']);
    });

    it('treats an OCI digest as a pin', () => {
      const lockfile = buildLockfile(sampleScan());
      lockfile.server.artifact = { type: 'oci', name: 'ghcr.io/o/i', version: '1', digest: 'sha256:00' };
      expect(buildPolicyInput(sampleScan(), { lockfile }).server.artifact).toMatchObject({ pinned: true, type: 'oci', digest: 'sha256:00' });
    });
  });

  describe('when the lockfile denies items (lock --exclude)', () => {
    const EVERY_KIND: LockfileItemRef[] = [
      { itemType: 'tool', id: 'write_file' },
      { itemType: 'prompt', id: 'greet' },
      { itemType: 'resourceTemplate', id: 'mem://notes/{id}' },
      { itemType: 'resource', id: 'File:///etc/hosts' },
    ];

    it('leaves denied items out of every list and lists them in denied', () => {
      const scan = sampleScan();
      const input = buildPolicyInput(scan, { lockfile: buildLockfile(scan, { deny: EVERY_KIND }) });
      expect(input.tools.map((t) => t.name)).toEqual(['read_file']);
      expect(input.prompts).toEqual([]);
      expect(input.resources.templates).toEqual([]);
      expect(input.resources.static.map((r) => r.uri)).toEqual(['https://example.invalid/doc']);
      expect(input.resources.schemes).toEqual(['https']);
      expect(input.denied).toEqual([
        { itemType: 'tool', id: 'write_file', offered: true },
        { itemType: 'prompt', id: 'greet', offered: true },
        { itemType: 'resourceTemplate', id: 'mem://notes/{id}', offered: true },
        { itemType: 'resource', id: 'File:///etc/hosts', offered: true },
      ]);
    });

    it('drops the findings about denied items and keeps the others', () => {
      const scan = sampleScan();
      scan.findings.push({ code: 'URL', severity: 'warning', itemType: 'server', itemId: 'greet', field: 'instructions', message: 'server-level' });
      const input = buildPolicyInput(scan, { lockfile: buildLockfile(scan, { deny: [{ itemType: 'tool', id: 'write_file' }] }) });
      expect(input.findings.map((f) => `${f.itemType}:${f.itemId}`)).toEqual(['prompt:greet', 'server:greet']);
      expect(input.tools[0]?.findings).toEqual([]);
    });

    it('does not report a denied item as drift in the hash-level comparison', () => {
      const scan = sampleScan();
      const input = buildPolicyInput(scan, { lockfile: buildLockfile(scan, { deny: EVERY_KIND }) });
      expect(input.drift).toEqual({ checked: true, hasDrift: false, items: [] });
    });

    it('still reports an approved item that changed, beside a denied one', () => {
      const scan = sampleScan();
      const lockfile = buildLockfile({ ...scan, tools: [{ ...scan.tools[0]!, description: 'Read a file (old).' }, scan.tools[1]!] }, { deny: [{ itemType: 'tool', id: 'write_file' }] });
      const input = buildPolicyInput(scan, { lockfile });
      expect(input.drift.items.map((d) => `${d.kind}:${d.id}`)).toEqual(['changed:read_file']);
    });

    it('marks a denied item the server no longer offers as not offered', () => {
      const scan = sampleScan();
      const lockfile = denyItems(buildLockfile(scan), [{ itemType: 'tool', id: 'write_file' }]);
      const input = buildPolicyInput({ ...scan, tools: scan.tools.slice(0, 1) }, { lockfile });
      expect(input.denied).toEqual([{ itemType: 'tool', id: 'write_file', offered: false }]);
      expect(input.drift.items).toEqual([]);
    });

    it('leaves out only the kind that is denied: a prompt named like a denied tool stays', () => {
      const scan = sampleScan();
      scan.prompts.push({ name: 'write_file', description: 'same name, other kind' });
      const input = buildPolicyInput(scan, { lockfile: buildLockfile(scan, { deny: [{ itemType: 'tool', id: 'write_file' }] }) });
      expect(input.prompts.map((p) => p.name)).toEqual(['greet', 'write_file']);
    });
  });
});
