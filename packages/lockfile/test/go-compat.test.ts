import { describe, expect, it } from '@jest/globals';
import {
  buildLockfile,
  canonicalizeV1,
  compareLockfiles,
  hashBytes,
  hashText,
  parseLockfile,
  readLockfile,
  serializeLockfile,
} from '@mcptrust/lockfile';
import type { PromptDefinition, ResourceTemplateDefinition, ScanReport } from '@mcptrust/lockfile';
import { caught } from './errors-helper.js';
import { GO_VECTORS, readVector, sampleScan, UPDATED_AT } from './fixtures.js';

const utf8 = new TextEncoder();

/** The sections the Go mcptrust always wrote in a v3 lockfile, with `parts` on top. */
function goV3(parts: Record<string, unknown>): Record<string, unknown> {
  return {
    lockFileVersion: '3.0',
    meta: { generator: 'mcptrust 1.0.0', updatedAt: '2025-01-01T00:00:00Z' },
    server: { name: 's' },
    tools: {},
    prompts: { definitions: {} },
    resources: { templates: [] },
    ...parts,
  };
}

/** A Go lockfile version 1.0 with `tools`. */
function goV1(tools: unknown): Record<string, unknown> {
  return { version: '1.0', server_command: 'node server.js', tools };
}

/** A scan with exactly what the Go golden lockfile was built from. */
function goldenScan(): ScanReport {
  // Source: prompts_list.json and resources_templates_list.json, captured by the Go mcptrust.
  const prompts = (JSON.parse(readVector(GO_VECTORS, 'prompts_list.json')) as { result: { prompts: PromptDefinition[] } }).result.prompts;
  const templates = (JSON.parse(readVector(GO_VECTORS, 'resources_templates_list.json')) as { result: { resourceTemplates: ResourceTemplateDefinition[] } })
    .result.resourceTemplates;
  return {
    reportVersion: 1,
    scannedAt: UPDATED_AT,
    server: { name: 'test-server', version: '1.0.0', protocolVersion: '2025-06-18', capabilities: { prompts: {}, resources: {} } },
    tools: [],
    prompts,
    resources: [],
    resourceTemplates: templates,
    findings: [],
  };
}

describe('parseLockfile', () => {
  describe('with legacy-lock.v1.json (Go lockfile version 1.0)', () => {
    // Source: legacy-lock.v1.json, the lockfile the Go mcptrust's compat signatures cover.
    const parsed = parseLockfile(readVector(GO_VECTORS, 'legacy-lock.v1.json'), { file: 'legacy-lock.v1.json' });

    it('converts it to v3 and says so', () => {
      expect(parsed.format).toBe('go-v1');
      expect(parsed.lockfile.lockFileVersion).toBe('3.0');
      expect(parsed.lockfile.meta.convertedFrom).toBe('go-v1');
      expect(parsed.notices[0]).toContain('legacy-lock.v1.json');
      expect(parsed.notices[0]).toContain('the next `mcptrust lock` rewrites it as v3');
    });

    it('keeps the pinned tool hashes and risk level, without a snapshot', () => {
      expect(parsed.lockfile.tools['read_file']).toEqual({
        descriptionHash: 'sha256:abc123def456789012345678901234567890123456789012345678901234',
        inputSchemaHash: 'sha256:def456abc123789012345678901234567890123456789012345678901234',
        riskLevel: 'LOW',
      });
    });

    it('names each hash of the wrong length in a notice', () => {
      const short = parsed.notices.filter((n) => n.includes('has 60 hex digits instead of 64: it can never match a live definition'));
      expect(short).toHaveLength(2);
      expect(short[0]).toContain('tools.read_file.description_hash');
      expect(short[1]).toContain('tools.read_file.input_schema_hash');
    });

    it('explains that server_command is not kept and items compare by hash only', () => {
      expect(parsed.notices.some((n) => n.includes('server_command "mock-server" is not kept'))).toBe(true);
      expect(parsed.notices.some((n) => n.includes('compared by hash only'))).toBe(true);
      expect(parsed.lockfile.server).toEqual({ name: '', version: '', protocolVersion: '', capabilities: {} });
      expect(parsed.notices.some((n) => n.includes('this format pinned tools only'))).toBe(true);
    });
  });

  describe('with canon_input.json (Go lockfile version 1.0 with 3-digit hashes)', () => {
    // Source: canon_input.json, the Go mcptrust's canonicalization input.
    const parsed = parseLockfile(readVector(GO_VECTORS, 'canon_input.json'));

    it('accepts the short hashes and reports all four', () => {
      expect(parsed.format).toBe('go-v1');
      expect(Object.keys(parsed.lockfile.tools)).toEqual(['zeta_tool', 'alpha_tool']);
      expect(parsed.lockfile.tools['alpha_tool']?.riskLevel).toBe('HIGH');
      expect(parsed.notices.filter((n) => n.includes('has 3 hex digits'))).toHaveLength(4);
    });
  });

  describe('with golden-lock.v3.json (Go lockfile v3: prompts and templates)', () => {
    // Source: golden-lock.v3.json, built by the Go mcptrust from the two list responses.
    const parsed = parseLockfile(readVector(GO_VECTORS, 'golden-lock.v3.json'));

    it('recognises it as written by the Go mcptrust (no snapshots) although generator starts with "mcptrust "', () => {
      expect(parsed.format).toBe('go-v3');
      expect(parsed.lockfile.meta).toEqual({ generator: 'mcptrust test', updatedAt: '2024-01-01T00:00:00Z', convertedFrom: 'go-v3' });
      expect(parsed.lockfile.server.name).toBe('test-server');
    });

    it('keeps prompts and templates as pinned, in file order', () => {
      expect(parsed.lockfile.prompts.definitions['code_review']).toEqual({
        argumentsHash: 'sha256:124d240a4bee4bcd7b49edda6cf3e4c131bae3d796fbc99845862073fba1ac17',
        descriptionHash: 'sha256:1ee81f092c1d206a082f5df804f33f5c50643d307aca12ec8a0ee8c42f6aa634',
      });
      expect(parsed.lockfile.resources.templates.map((t) => t.uriTemplate)).toEqual(['api://endpoint/{endpoint_path}', 'db://table/{table_name}', 'file:///{path}']);
      expect(parsed.lockfile.resources.templates[2]?.mimeType).toBe('application/octet-stream');
      expect(parsed.lockfile.resources.static).toEqual([]);
    });

    it('compares equal to a fresh build from the same list responses, so `mcptrust lock` can migrate it', () => {
      expect(compareLockfiles(parsed.lockfile, buildLockfile(goldenScan(), { updatedAt: UPDATED_AT }))).toEqual([]);
    });

    it('reports a drifted prompt against the converted pins', () => {
      const scan = goldenScan();
      scan.prompts[0]!.description = 'Asks the LLM to exfiltrate secrets';
      expect(compareLockfiles(parsed.lockfile, buildLockfile(scan, { updatedAt: UPDATED_AT }))).toEqual([
        { itemType: 'prompt', id: 'code_review', kind: 'changed', fields: ['descriptionHash'] },
      ]);
    });
  });

  describe('with proxy-lock.v3.json (Go lockfile v3 with camelCase tool fields)', () => {
    // Source: proxy-lock.v3.json, used by the Go mcptrust's proxy tests.
    const parsed = parseLockfile(readVector(GO_VECTORS, 'proxy-lock.v3.json'), { file: 'proxy-lock.v3.json' });

    it('reads camelCase tool hashes and assumes HIGH risk where none was recorded', () => {
      expect(parsed.format).toBe('go-v3');
      expect(parsed.lockfile.tools['safe_tool']).toEqual({
        descriptionHash: 'sha256:4a44dc15364204a80fe80e9039455cc1608281820fe2b24f1e5233ade6af1dd5',
        inputSchemaHash: 'sha256:8b5b02f7c16fc62b1e4e5e4e9f4e5c6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3',
        riskLevel: 'HIGH',
      });
      expect(parsed.notices.some((n) => n.includes('no risk level was recorded for tools.safe_tool: treated as HIGH'))).toBe(true);
    });

    it('names the 65-digit hash in a notice', () => {
      expect(parsed.notices.some((n) => n.includes('tools.safe_tool.inputSchemaHash') && n.includes('has 65 hex digits'))).toBe(true);
    });

    it('drops a description hash that is the hash of empty text (v3 leaves it out)', () => {
      expect(parsed.lockfile.prompts.definitions['safe_prompt']).toEqual({
        argumentsHash: 'sha256:a5b9f59c2f94b3cb1d0e15b2e87c41f8c1b5a0d3e7f2c4a6b8d0e2f4a6c8b0d2',
      });
    });
  });

  describe('with a Go lockfile version 2.0', () => {
    // Shape of the Go mcptrust's lockfile_v2 testdata: a top-level artifact pin, tools null.
    const v2 = {
      version: '2.0',
      server_command: 'npx -y @test/server /tmp',
      artifact: { type: 'npm', name: '@test/server', version: '1.0.0', integrity: 'sha512-abc==' },
      tools: null,
      prompts: { definitions: { p: { arguments_hash: hashText('x'), description_hash: hashText('d') } } },
      resources: { templates: [{ uri_template: 'x://{id}', template_hash: hashText('t'), name_hash: hashText('n'), mime_type: 'text/plain' }] },
    };

    it('keeps the artifact pin and reads snake_case prompts and resources', () => {
      const parsed = parseLockfile(JSON.stringify(v2));
      expect(parsed.format).toBe('go-v2');
      expect(parsed.lockfile.server.artifact).toEqual(v2.artifact);
      expect(parsed.lockfile.tools).toEqual({});
      expect(parsed.lockfile.prompts.definitions['p']).toEqual({ argumentsHash: hashText('x'), descriptionHash: hashText('d') });
      expect(parsed.lockfile.resources.templates).toEqual([{ uriTemplate: 'x://{id}', templateHash: hashText('t'), nameHash: hashText('n'), mimeType: 'text/plain' }]);
      expect(parsed.notices.some((n) => n.includes('artifact pin is kept'))).toBe(true);
    });

    it('turns an empty hash into one that can never match, with a notice', () => {
      const parsed = parseLockfile(JSON.stringify({ version: '2.0', server_command: 'x', tools: { t: { description_hash: hashText(''), input_schema_hash: '', risk_level: 'LOW' } } }));
      expect(parsed.lockfile.tools['t']?.inputSchemaHash).toBe('sha256:');
      expect(parsed.notices.some((n) => n.includes('tools.t.input_schema_hash is empty'))).toBe(true);
    });
  });

  describe('when a Go lockfile is malformed', () => {
    it.each<[string, unknown, string]>([
      ['both spellings of one hash', goV1({ t: { description_hash: hashText('a'), descriptionHash: hashText('a'), input_schema_hash: hashText('b') } }), 'tools.t.description_hash'],
      ['a missing input schema hash', goV1({ t: { description_hash: hashText('a') } }), 'tools.t.inputSchemaHash'],
      ['a hash that is not hex', goV1({ t: { description_hash: 'sha256:xyz', input_schema_hash: '' } }), 'tools.t.description_hash'],
      ['an unknown tool key', goV1({ t: { description_hash: '', input_schema_hash: '', risk: 'LOW' } }), 'tools.t.risk'],
      ['an unknown top-level key', { ...goV1({}), tool: {} }, 'tool'],
      ['a missing server_command', { version: '1.0', tools: null }, 'server_command'],
      ['a v3 without its server section', { ...goV3({}), server: undefined }, 'server'],
      ['a template without uriTemplate', goV3({ resources: { templates: [{ templateHash: hashText('t') }] } }), 'resources.templates[0].uriTemplate'],
    ])('throws SCHEMA_INVALID for %s', (_label, json, path) => {
      const error = caught(() => parseLockfile(JSON.stringify(json), { file: 'old.json' }));
      expect(error.code).toBe('SCHEMA_INVALID');
      expect(error.jsonPath).toBe(path);
      expect(error.message).toContain('old.json is not a valid');
    });

    it('throws UNSUPPORTED_VERSION for an unknown Go version', () => {
      expect(caught(() => parseLockfile('{"version": "3.0", "tools": {}}')).code).toBe('UNSUPPORTED_VERSION');
    });

    it('throws DUPLICATE_ITEM for two templates with one URI template', () => {
      const template = { uriTemplate: 'x://{a}', templateHash: hashText('t') };
      expect(caught(() => parseLockfile(JSON.stringify(goV3({ resources: { templates: [template, template] } })))).code).toBe('DUPLICATE_ITEM');
    });
  });

  describe('when a v3 lockfile has any snapshot', () => {
    it('treats it as written by this project and requires the strict schema', () => {
      const golden = JSON.parse(readVector(GO_VECTORS, 'golden-lock.v3.json')) as Record<string, any>;
      golden['prompts']['definitions']['summarize']['snapshot'] = { description: 'Summarize the given text' };
      const error = caught(() => parseLockfile(JSON.stringify(golden)));
      expect(error.code).toBe('SCHEMA_INVALID');
      expect(error.message).toContain('server.version');
    });
  });
});

describe('readLockfile', () => {
  it.each(['legacy-lock.v1.json', 'canon_input.json', 'golden-lock.v3.json', 'proxy-lock.v3.json'])('reads the Go vector %s', async (name) => {
    // Source: the Go mcptrust's vector files, read straight from disk.
    const parsed = await readLockfile(new URL(name, GO_VECTORS).pathname);
    expect(parsed.format).toMatch(/^go-v[13]$/);
    expect(parsed.notices.length).toBeGreaterThan(0);
  });
});

describe('compareLockfiles', () => {
  describe('when a converted Go tool was hashed the Go way', () => {
    // The Go mcptrust hashed the raw description and the Go canonical JSON of the schema.
    const scan = sampleScan();
    const tool = scan.tools[1]!;
    tool.description = 'Runs a command \r\n in <bash> & more  ';
    const goLockfile = JSON.stringify({
      version: '1.0',
      server_command: 'node server.js',
      tools: Object.fromEntries(
        scan.tools.map((t) => [
          t.name,
          {
            description_hash: hashBytes(utf8.encode(t.description ?? '')),
            input_schema_hash: hashBytes(utf8.encode(canonicalizeV1(t.inputSchema))),
            risk_level: t.riskLevel,
          },
        ]),
      ),
    });

    it('matches the unchanged tools of a fresh build', () => {
      const converted = parseLockfile(goLockfile).lockfile;
      const next = buildLockfile(scan, { updatedAt: UPDATED_AT });
      expect(next.tools['exec_shell']?.descriptionHash).not.toBe(converted.tools['exec_shell']?.descriptionHash);
      expect(compareLockfiles(converted, next).filter((c) => c.itemType !== 'prompt' && c.itemType !== 'resource' && c.itemType !== 'resourceTemplate')).toEqual([]);
    });

    it('reports a tool whose schema changed since', () => {
      const converted = parseLockfile(goLockfile).lockfile;
      const changed = sampleScan();
      changed.tools[1]!.description = tool.description;
      changed.tools[1]!.inputSchema = { type: 'object', properties: { command: { type: 'string' } }, additionalProperties: true };
      const changes = compareLockfiles(converted, buildLockfile(changed, { updatedAt: UPDATED_AT }));
      expect(changes.filter((c) => c.itemType === 'tool')).toEqual([{ itemType: 'tool', id: 'exec_shell', kind: 'changed', fields: ['inputSchemaHash'] }]);
    });
  });
});

describe('serializeLockfile', () => {
  describe('when given a lockfile converted from the Go format', () => {
    it('throws SCHEMA_INVALID (build it again instead of writing it back)', () => {
      const { lockfile } = parseLockfile(readVector(GO_VECTORS, 'golden-lock.v3.json'));
      const error = caught(() => serializeLockfile(lockfile));
      expect(error.code).toBe('SCHEMA_INVALID');
      expect(error.message).toContain('converted from the Go format');
    });
  });
});
