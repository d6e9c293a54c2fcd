import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  buildLockfile,
  DEFAULT_GENERATOR,
  hashJson,
  hashText,
  promptHashes,
  resourceTemplateHashes,
  serializeLockfile,
  staticResourceHashes,
  toolHashes,
} from '@mcptrust/lockfile';
import type { ScanReport } from '@mcptrust/lockfile';
import { caught } from './errors-helper.js';
import { sampleScan, UPDATED_AT } from './fixtures.js';

describe('buildLockfile', () => {
  describe('when given a scan', () => {
    const scan = sampleScan();
    const lockfile = buildLockfile(scan, { generator: 'mcptrust 9.9.9', updatedAt: UPDATED_AT });

    it('writes the header and the server identity', () => {
      expect(lockfile.lockFileVersion).toBe('3.0');
      expect(lockfile.meta).toEqual({ generator: 'mcptrust 9.9.9', updatedAt: UPDATED_AT });
      expect(lockfile.server).toEqual({
        name: 'example-server',
        version: '1.2.3',
        protocolVersion: '2025-06-18',
        capabilities: scan.server.capabilities,
        instructions: scan.server.instructions,
        instructionsHash: hashText('Use read_file for files.\nNever guess paths.'),
      });
    });

    it('pins each tool with the shared hash rules, its risk level and a snapshot of only the hashed fields', () => {
      const { riskReasons: _reasons, riskLevel: _risk, ...definition } = scan.tools[0]!;
      expect(lockfile.tools['read_file']).toEqual({
        ...toolHashes(definition),
        riskLevel: 'MEDIUM',
        snapshot: {
          title: 'Read file',
          description: 'Reads a file from the allowed directories.',
          inputSchema: definition.inputSchema,
          outputSchema: definition.outputSchema,
          annotations: definition.annotations,
        },
      });
      expect(lockfile.tools['exec_shell']?.snapshot).toEqual({ description: 'Runs a shell command.', inputSchema: scan.tools[1]!.inputSchema });
    });

    it('pins prompts, templates and static resources with their hash rules', () => {
      expect(lockfile.prompts.definitions['summarize']).toEqual({ ...promptHashes(scan.prompts[0]!), snapshot: { description: 'Summarize the given text', arguments: scan.prompts[0]!.arguments } });
      expect(lockfile.prompts.definitions['greet']).toEqual({ argumentsHash: hashJson([]), snapshot: {} });
      expect(lockfile.resources.templates).toEqual([
        {
          uriTemplate: 'file:///{path}',
          ...resourceTemplateHashes(scan.resourceTemplates[0]!),
          mimeType: 'application/octet-stream',
          snapshot: { name: 'Files', description: 'Any file', mimeType: 'application/octet-stream' },
        },
      ]);
      expect(lockfile.resources.static.map((r) => r.uri)).toEqual(['file:///LICENSE', 'file:///readme.md']);
      expect(lockfile.resources.static[0]).toEqual({ uri: 'file:///LICENSE', ...staticResourceHashes(scan.resources[1]!), snapshot: { name: 'License', title: 'License text' } });
    });

    it('copies the definitions: changing the scan afterwards changes nothing', () => {
      const before = serializeLockfile(lockfile);
      (scan.tools[0]!.inputSchema['properties'] as Record<string, unknown>)['path'] = { type: 'number' };
      (scan.server.capabilities as Record<string, unknown>)['sampling'] = {};
      expect(serializeLockfile(lockfile)).toBe(before);
    });
  });

  describe('when no generator or date is given', () => {
    it('uses DEFAULT_GENERATOR (this package version) and the current time in ISO 8601', () => {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
      const lockfile = buildLockfile(sampleScan());
      expect(DEFAULT_GENERATOR).toBe(`mcptrust ${pkg.version}`);
      expect(lockfile.meta.generator).toBe(DEFAULT_GENERATOR);
      expect(lockfile.meta.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });
  });

  describe('when the options are invalid', () => {
    it('throws INVALID_INPUT for a date that is not ISO 8601', () => {
      const error = caught(() => buildLockfile(sampleScan(), { updatedAt: 'today' }));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.jsonPath).toBe('options.updatedAt');
    });
  });

  describe('when the scan lists items in another order', () => {
    it('produces the same bytes whatever the order of tools, prompts, resources and templates', () => {
      const reference = serializeLockfile(buildLockfile(sampleScan(), { updatedAt: UPDATED_AT }));
      const scan = sampleScan();
      const extra = { ...scan.resourceTemplates[0]!, uriTemplate: 'db://{table}' };
      const withExtra = (s: ScanReport) => ({ ...s, resourceTemplates: [...s.resourceTemplates, extra] });
      const expected = serializeLockfile(buildLockfile(withExtra(sampleScan()), { updatedAt: UPDATED_AT }));
      expect(expected).not.toBe(reference);
      fc.assert(
        fc.property(
          fc.shuffledSubarray(scan.tools, { minLength: 2, maxLength: 2 }),
          fc.shuffledSubarray(scan.prompts, { minLength: 2, maxLength: 2 }),
          fc.shuffledSubarray(scan.resources, { minLength: 2, maxLength: 2 }),
          fc.shuffledSubarray([...scan.resourceTemplates, extra], { minLength: 2, maxLength: 2 }),
          (tools, prompts, resources, resourceTemplates) => {
            const shuffled = { ...scan, tools, prompts, resources, resourceTemplates };
            expect(serializeLockfile(buildLockfile(shuffled, { updatedAt: UPDATED_AT }))).toBe(expected);
          },
        ),
        { numRuns: 25 },
      );
    });
  });

  describe('when the scan lists one identity twice', () => {
    it.each<[string, (scan: ScanReport) => void, string]>([
      ['tool', (s) => s.tools.push({ ...s.tools[0]!, description: 'other' }), 'tool `read_file`'],
      ['prompt', (s) => s.prompts.push({ name: 'greet', description: 'twin' }), 'prompt `greet`'],
      ['resource', (s) => s.resources.push({ uri: 'file:///readme.md', name: 'Twin' }), 'resource `file:///readme.md`'],
      ['resource template', (s) => s.resourceTemplates.push({ uriTemplate: 'file:///{path}', name: 'Twin' }), 'resource template `file:///{path}`'],
    ])('throws DUPLICATE_ITEM naming the %s', (_label, edit, named) => {
      const scan = sampleScan();
      edit(scan);
      const error = caught(() => buildLockfile(scan, { updatedAt: UPDATED_AT }));
      expect(error.code).toBe('DUPLICATE_ITEM');
      expect(error.message).toContain(named);
      expect(error.message).toContain('ambiguous');
    });
  });

  describe('when the scan is malformed', () => {
    it.each<[string, (scan: any) => void, string]>([
      ['a description that is not text', (s) => (s.tools[0].description = 42), 'tools[0].description'],
      ['an input schema that is an array', (s) => (s.tools[1].inputSchema = []), 'tools[1].inputSchema'],
      ['an unknown risk level', (s) => (s.tools[0].riskLevel = 'NONE'), 'tools[0].riskLevel'],
      ['a prompt argument without a name', (s) => delete s.prompts[0].arguments[0].name, 'prompts[0].arguments[0].name'],
      ['missing capabilities', (s) => delete s.server.capabilities, 'server.capabilities'],
    ])('throws SCAN_INVALID naming the path of %s', (_label, edit, path) => {
      const scan = sampleScan();
      edit(scan);
      const error = caught(() => buildLockfile(scan, { updatedAt: UPDATED_AT }));
      expect(error.code).toBe('SCAN_INVALID');
      expect(error.jsonPath).toBe(path);
    });

    it('throws SCAN_INVALID naming the tool whose schema holds a value JSON cannot', () => {
      const scan = sampleScan();
      scan.tools[1]!.inputSchema = { type: 'object', maximum: Number.POSITIVE_INFINITY };
      const error = caught(() => buildLockfile(scan, { updatedAt: UPDATED_AT }));
      expect(error.code).toBe('SCAN_INVALID');
      expect(error.message).toContain('tool `exec_shell`');
      expect((error.cause as { code?: string }).code).toBe('CANONICALIZE_FAILED');
    });
  });

  describe('when a name is __proto__', () => {
    it('pins it as an ordinary entry', () => {
      const scan = sampleScan();
      scan.prompts.push({ name: '__proto__', description: 'sneaky' });
      const lockfile = buildLockfile(scan, { updatedAt: UPDATED_AT });
      expect(Object.keys(lockfile.prompts.definitions)).toContain('__proto__');
      expect(lockfile.prompts.definitions['__proto__']?.descriptionHash).toBe(hashText('sneaky'));
    });
  });
});
