import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { buildLockfile, parseLockfile, serializeLockfile } from '@mcptrust/lockfile';
import type { JsonObject, ScanReport } from '@mcptrust/lockfile';
import { caught } from './errors-helper.js';
import { sampleScan, UPDATED_AT } from './fixtures.js';

const text = fc.string({ unit: 'binary', maxLength: 24 });
const jsonObject: fc.Arbitrary<JsonObject> = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) as fc.Arbitrary<JsonObject>;
const schema = jsonObject.map((properties) => ({ type: 'object', properties }) as JsonObject);

/** Scans with arbitrary (but well-typed) definitions, names and texts. */
const scanArbitrary: fc.Arbitrary<ScanReport> = fc.record({
  reportVersion: fc.constant(1 as const),
  scannedAt: fc.constant(UPDATED_AT),
  server: fc.record(
    { name: text, version: text, protocolVersion: text, title: text, instructions: text, capabilities: jsonObject },
    { requiredKeys: ['name', 'version', 'protocolVersion', 'capabilities'] },
  ),
  tools: fc.uniqueArray(
    fc.record(
      {
        name: text,
        title: text,
        description: text,
        inputSchema: schema,
        outputSchema: schema,
        annotations: jsonObject,
        riskLevel: fc.constantFrom('LOW' as const, 'MEDIUM' as const, 'HIGH' as const),
        riskReasons: fc.constant([] as string[]),
      },
      { requiredKeys: ['name', 'inputSchema', 'riskLevel', 'riskReasons'] },
    ),
    { selector: (t) => t.name, maxLength: 4 },
  ),
  prompts: fc.uniqueArray(
    fc.record(
      {
        name: text,
        title: text,
        description: text,
        arguments: fc.array(
          fc.record({ name: text, title: text, description: text, required: fc.boolean() }, { requiredKeys: ['name'] }),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: ['name'] },
    ),
    { selector: (p) => p.name, maxLength: 3 },
  ),
  resources: fc.uniqueArray(
    fc.record({ uri: text, name: text, title: text, description: text, mimeType: text }, { requiredKeys: ['uri', 'name'] }),
    { selector: (r) => r.uri, maxLength: 3 },
  ),
  resourceTemplates: fc.uniqueArray(
    fc.record({ uriTemplate: text, name: text, title: text, description: text, mimeType: text }, { requiredKeys: ['uriTemplate', 'name'] }),
    { selector: (r) => r.uriTemplate, maxLength: 3 },
  ),
  findings: fc.constant([]),
});

function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) out[key] = sortedDeep(record[key]);
  return out;
}

describe('serializeLockfile', () => {
  describe('when given a lockfile with no items', () => {
    it('writes sorted keys, 2-space indentation and a trailing newline', () => {
      const scan: ScanReport = { ...sampleScan(), server: { name: 's', version: '1', protocolVersion: '2025-06-18', capabilities: {} }, tools: [], prompts: [], resources: [], resourceTemplates: [] };
      expect(serializeLockfile(buildLockfile(scan, { generator: 'mcptrust 0.1.0', updatedAt: UPDATED_AT }))).toBe(
        `{
  "lockFileVersion": "3.0",
  "meta": {
    "generator": "mcptrust 0.1.0",
    "updatedAt": "2025-01-31T12:00:00.000Z"
  },
  "prompts": {
    "definitions": {}
  },
  "resources": {
    "static": [],
    "templates": []
  },
  "server": {
    "capabilities": {},
    "name": "s",
    "protocolVersion": "2025-06-18",
    "version": "1"
  },
  "tools": {}
}
`,
      );
    });
  });

  describe('when given built lockfiles (property)', () => {
    it('is a fixed point of parse → serialize and sorts every object by code units', () => {
      fc.assert(
        fc.property(scanArbitrary, (scan) => {
          const lockfile = buildLockfile(scan, { updatedAt: UPDATED_AT });
          const bytes = serializeLockfile(lockfile);
          const parsed = parseLockfile(bytes);
          expect(parsed.format).toBe('v3');
          expect(parsed.lockfile).toEqual(lockfile);
          expect(serializeLockfile(parsed.lockfile)).toBe(bytes);
          expect(bytes).toBe(`${JSON.stringify(sortedDeep(JSON.parse(bytes)), null, 2)}\n`);
        }),
        { numRuns: 60 },
      );
    });

    it('gives the same bytes for the same scan', () => {
      fc.assert(
        fc.property(scanArbitrary, (scan) => {
          expect(serializeLockfile(buildLockfile(scan, { updatedAt: UPDATED_AT }))).toBe(serializeLockfile(buildLockfile(structuredClone(scan), { updatedAt: UPDATED_AT })));
        }),
        { numRuns: 20 },
      );
    });
  });

  describe('when arrays are not in the builder order', () => {
    it('keeps their order', () => {
      const lockfile = buildLockfile(sampleScan(), { updatedAt: UPDATED_AT });
      lockfile.resources.static.reverse();
      const { lockfile: parsed } = parseLockfile(serializeLockfile(lockfile));
      expect(parsed.resources.static.map((r) => r.uri)).toEqual(['file:///readme.md', 'file:///LICENSE']);
    });
  });

  describe('when the lockfile would not load again', () => {
    it('throws SNAPSHOT_MISMATCH for an edited snapshot', () => {
      const lockfile = buildLockfile(sampleScan(), { updatedAt: UPDATED_AT });
      lockfile.tools['exec_shell']!.snapshot!.inputSchema = { type: 'object' };
      expect(caught(() => serializeLockfile(lockfile)).code).toBe('SNAPSHOT_MISMATCH');
    });

    it('throws SCHEMA_INVALID for a field the format does not have', () => {
      const lockfile = buildLockfile(sampleScan(), { updatedAt: UPDATED_AT });
      (lockfile.server as unknown as Record<string, unknown>)['pid'] = 42;
      const error = caught(() => serializeLockfile(lockfile));
      expect(error.code).toBe('SCHEMA_INVALID');
      expect(error.jsonPath).toBe('server.pid');
    });
  });
});
