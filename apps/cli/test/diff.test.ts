import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { FIXTURE, NODE, runCli } from './helpers.js';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

const REPORT_SCHEMA = fileURLToPath(new URL('../../../docs/drift-report.schema.json', import.meta.url));
/*
 * The SARIF 2.1.0 JSON Schema (rtm.5, the schemastore copy that GitHub code scanning
 * validates against), as shipped by the @microsoft/jest-sarif devDependency (MIT).
 * It is a draft-04 schema: its draft-04 `id` is dropped so that Ajv (draft-07) loads
 * it; it uses no keyword whose meaning changed between the drafts.
 */
const SARIF_SCHEMA = fileURLToPath(new URL('../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json', import.meta.url));

let dir: string;
let lock: string;
let validateReport: ValidateFunction;
let validateSarif: ValidateFunction;
const FIXTURE_ARGS = ['--tools', 'read_file,list_dir'];

function diff(args: string[], serverArgs: string[] = []): ReturnType<typeof runCli> {
  return runCli(['diff', '--lock', lock, ...args, '--', NODE, FIXTURE, ...FIXTURE_ARGS, ...serverArgs]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-diff-'));
  lock = join(dir, 'mcp-lock.json');
  const locked = await runCli(['lock', '--output', lock, '--', NODE, FIXTURE, ...FIXTURE_ARGS]);
  expect(locked.code).toBe(0);
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  validateReport = ajv.compile(JSON.parse(await readFile(REPORT_SCHEMA, 'utf8')) as object);
  const sarifSchema = JSON.parse(await readFile(SARIF_SCHEMA, 'utf8')) as Record<string, unknown>;
  delete sarifSchema['id'];
  delete sarifSchema['$schema'];
  // The schema's `language` pattern is not valid in Unicode mode (`[a-zA-Z]{2}]?`).
  const sarifAjv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(sarifAjv);
  validateSarif = sarifAjv.compile(sarifSchema);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Mode {
  drift: string;
  /** How many items of that severity the mode produces. */
  count?: number;
  severity: string;
  sentence: string;
  path: string;
}

/** Every drift mode of the fixture server (tooling/servers/fixture-server.mjs, "Drift"). */
const MODES: Mode[] = [
  { drift: 'widen-schema', severity: 'critical', sentence: 'tool `read_file` gained optional parameter `recursive` (boolean)', path: 'tools.read_file.inputSchemaHash' },
  { drift: 'inject-description', severity: 'critical', sentence: 'tool `read_file` description changed and the new text carries injection indicators', path: 'tools.read_file.descriptionHash' },
  { drift: 'change-annotations', count: 2, severity: 'critical', sentence: 'tool `read_file` annotation `destructiveHint` changed from unset (true) to false', path: 'tools.read_file.annotationsHash' },
  { drift: 'add-tool', severity: 'critical', sentence: 'tool `exec_shell` was added (HIGH risk', path: 'tools.exec_shell' },
  { drift: 'confusable-tool', severity: 'critical', sentence: 'looks like pinned tool `read_file` (r e U+0430 d _ f i l e vs r e a d _ f i l e)', path: 'tools["re\u0430d_file"]' },
  { drift: 'add-static-resource', severity: 'critical', sentence: 'resource `fixture://secrets/env` was added', path: 'resources.static' },
  { drift: 'add-prompt', severity: 'critical', sentence: 'prompt `debug_dump` was added', path: 'prompts.definitions.debug_dump' },
];

describe('mcptrust diff', () => {
  describe('when the server matches the lockfile', () => {
    it('exits 0 and says so', async () => {
      const result = await diff([]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('No drift: the server matches');
    });
  });

  describe.each(MODES)('when the fixture drifts with $drift', (mode) => {
    it(`exits 1 and reports "${mode.sentence}" as ${mode.severity} in every format`, async () => {
      const server = ['--drift-after', '0', '--drift', mode.drift];
      const [text, json, markdown, sarif] = await Promise.all([
        diff([], server),
        diff(['--format', 'json'], server),
        diff(['--format', 'markdown'], server),
        diff(['--format', 'sarif'], server),
      ]);
      for (const result of [text, json, markdown, sarif]) expect(result.code).toBe(1);

      expect(text.stdout).toContain(`${mode.severity.toUpperCase()} (${mode.count ?? 1})`);
      expect(text.stdout).toContain(mode.sentence);
      expect(text.stdout).toContain(`at ${mode.path}`);

      const report = JSON.parse(json.stdout) as { failed: boolean; items: Array<{ severity: string; message: string; path: string }> };
      expect(validateReport(report)).toBe(true);
      expect(report.failed).toBe(true);
      const item = report.items.find((i) => i.message.includes(mode.sentence));
      expect(item).toMatchObject({ severity: mode.severity, path: mode.path });

      expect(markdown.stdout).toContain('## MCPTrust diff: ❌ failed');
      expect(markdown.stdout).toContain(`🔴 ${mode.severity}`);
      expect(markdown.stdout).toContain(mode.sentence.split(' (')[0]);

      const log = JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ level: string; message: { text: string } }> }> };
      expect(validateSarif(log)).toBe(true);
      const result = log.runs[0]?.results.find((r) => r.message.text.includes(mode.sentence));
      expect(result?.level).toBe('error');
    });
  });

  describe('when --fail-on sets the threshold', () => {
    it.each([
      ['a removed tool (moderate)', 'critical', 0, ['--tools', 'read_file']],
      ['a removed tool (moderate)', 'moderate', 1, ['--tools', 'read_file']],
      ['a new server version (info)', 'moderate', 0, ['--server-version', '2.0.0']],
      ['a new server version (info)', 'info', 1, ['--server-version', '2.0.0']],
    ])('%s at --fail-on %s exits %i', async (_name, failOn, code, serverArgs) => {
      // Later flags win in the fixture, so `--tools read_file` narrows the surface.
      const result = await diff(['--fail-on', failOn, '--format', 'json'], serverArgs);
      expect(result.code).toBe(code);
      const report = JSON.parse(result.stdout) as { items: unknown[]; failOn: string };
      expect(report.items).toHaveLength(1);
      expect(report.failOn).toBe(failOn);
    });
  });

  describe('when the report is SARIF', () => {
    it('points at the line of the drifted item in the lockfile', async () => {
      const result = await diff(['--format', 'sarif'], ['--drift-after', '0', '--drift', 'widen-schema']);
      const log = JSON.parse(result.stdout) as {
        runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }>;
      };
      const [entry] = log.runs[0]?.results ?? [];
      expect(entry?.ruleId).toBe('mcptrust/drift/schema-widened');
      const location = entry?.locations[0]?.physicalLocation;
      expect(location?.artifactLocation.uri).toBe(lock);
      const lines = (await readFile(lock, 'utf8')).split('\n');
      const line = lines[(location?.region.startLine ?? 0) - 1] ?? '';
      expect(line).toContain('"inputSchemaHash"');
      // The line belongs to read_file: the nearest tool key above it is read_file.
      const above = lines.slice(0, location?.region.startLine).reverse().find((l) => /^ {4}"[^"]+": \{$/.test(l));
      expect(above).toContain('"read_file"');
    });
  });

  describe('when --sarif-output is given', () => {
    it('writes SARIF of the same run beside the JSON report, with the lockfile as its category', async () => {
      const sarifFile = join(dir, 'same-run.sarif');
      const result = await diff(['--format', 'json', '--sarif-output', sarifFile], ['--drift-after', '0', '--drift', 'add-tool']);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { items: Array<{ message: string }> };
      const log = JSON.parse(await readFile(sarifFile, 'utf8')) as { runs: Array<{ automationDetails: { id: string }; results: Array<{ message: { text: string } }> }> };
      expect(validateSarif(log)).toBe(true);
      expect(log.runs[0]?.automationDetails.id).toBe(`mcptrust/drift/${lock}/`);
      expect(log.runs[0]?.results.map((r) => r.message.text)).toEqual(report.items.map((i) => i.message));
    });

    it('exits 2 when it names the --output file', async () => {
      const same = join(dir, 'same.out');
      const result = await diff(['--output', same, '--sarif-output', same]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--sarif-output: names the same file as --output');
    });
  });

  describe('when --output is given', () => {
    it('writes the report to the file, nothing to stdout, and a verdict to stderr', async () => {
      const out = join(dir, 'report.md');
      const result = await diff(['--format', 'markdown', '--output', out], ['--drift-after', '0', '--drift', 'add-tool']);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('mcptrust diff: fail');
      expect(await readFile(out, 'utf8')).toContain('tool `exec_shell` was added');
    });
  });

  describe('when colours are forced on a text report', () => {
    it('colours the severity headings, and NO_COLOR turns them off', async () => {
      const server = [NODE, FIXTURE, ...FIXTURE_ARGS, '--drift-after', '0', '--drift', 'add-tool'];
      const colored = await runCli(['diff', '-l', lock, '--', ...server], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
      expect(colored.stdout).toContain('\u001b[31m');
      const plain = await runCli(['diff', '-l', lock, '--', ...server], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
      expect(plain.stdout).not.toContain('\u001b[');
    });
  });

  describe('when a flag or the setup is wrong', () => {
    it('exits 2 on a bad --fail-on, naming the flag', async () => {
      const result = await diff(['--fail-on', 'high']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--fail-on: expected one of critical, moderate, info, got "high"');
    });

    it('exits 2 on a bad --format, naming the flag', async () => {
      const result = await diff(['--format', 'xml']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--format: expected one of text, json, markdown, sarif');
    });

    it('exits 2 when the lockfile is missing, without starting the server', async () => {
      const result = await runCli(['diff', '--lockfile', join(dir, 'missing.json'), '--', NODE, FIXTURE]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('does not exist');
    });

    it('exits 2 when the server fails to start, with its stderr tail', async () => {
      const result = await runCli(['diff', '-l', lock, '--', NODE, '-e', 'console.error("fixture: cannot open database"); process.exit(3)']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('cannot open database');
    });

    it('exits 2 when the lockfile is not a lockfile', async () => {
      const bad = join(dir, 'bad.json');
      await writeFile(bad, '{"lockFileVersion": "3.0"}');
      const result = await runCli(['diff', '-l', bad, '--', NODE, FIXTURE]);
      expect(result.code).toBe(2);
    });
  });
});
