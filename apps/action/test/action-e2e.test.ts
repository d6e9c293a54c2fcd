import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { FILESYSTEM, FIXTURE, NODE, actionYaml, runStep } from './runner.js';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
/** The SARIF 2.1.0 schema (rtm.5, as code scanning validates), from the @microsoft/jest-sarif devDependency (MIT). */
const SARIF_SCHEMA = fileURLToPath(new URL('../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json', import.meta.url));

let workspace: string;
let validateSarif: ValidateFunction;
const fixture = (...extra: string[]): string => [NODE, FIXTURE, '--tools', 'read_file,list_dir', ...extra].join('\n');

interface SarifLog {
  runs: Array<{ automationDetails: { id: string }; results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }>;
}

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'mcptrust-action-ws-'));
  const schema = JSON.parse(await readFile(SARIF_SCHEMA, 'utf8')) as Record<string, unknown>;
  delete schema['id'];
  delete schema['$schema'];
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  validateSarif = ajv.compile(schema);
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('the built action, run as the runner runs it', () => {
  it('locks the fixture server: PASS, the lockfile written, every declared output set', async () => {
    const step = await runStep({ workspace, with: { mode: 'lock', server_argv: fixture() } });
    expect(step.code).toBe(0);
    expect(step.outputs['outcome']).toBe('PASS');
    expect(step.outputs['lockfile_path']).toBe(join(workspace, 'mcp-lock.json'));
    expect(JSON.parse(await readFile(join(workspace, 'mcp-lock.json'), 'utf8'))).toHaveProperty('tools.read_file');
    expect(step.summary).toContain('## MCPTrust lock: ✅ PASS');
    expect(step.summary).toContain('2 tools');
    expect(Object.keys(step.outputs).sort()).toEqual(Object.keys((await actionYaml()).outputs).sort());
  });

  it('checks the same server: PASS, no findings, an empty valid SARIF run categorised by the lockfile', async () => {
    const step = await runStep({ workspace, with: { server_argv: fixture() } });
    expect(step.code).toBe(0);
    expect(step.outputs['outcome']).toBe('PASS');
    expect(step.outputs['findings']).toBe('0');
    expect(step.annotations.filter((a) => a.kind === 'error')).toEqual([]);
    const sarif = JSON.parse(await readFile(step.outputs['sarif_path'] ?? '', 'utf8')) as SarifLog;
    expect(validateSarif(sarif)).toBe(true);
    expect(sarif.runs[0]?.automationDetails.id).toBe('mcptrust/drift/mcp-lock.json/');
    expect(sarif.runs[0]?.results).toEqual([]);
    const report = JSON.parse(await readFile(step.outputs['check_json_path'] ?? '', 'utf8')) as { failed: boolean };
    expect(report.failed).toBe(false);
    expect(step.summary).toContain('## MCPTrust check: ✅ PASS');
  });

  it('fails the check on drift: annotations on the lockfile line, a summary table, SARIF, setFailed last', async () => {
    const step = await runStep({ workspace, with: { server_argv: fixture('--drift-after', '0', '--drift', 'add-tool') } });
    expect(step.code).toBe(1);
    expect(step.outputs['outcome']).toBe('FAIL');
    expect(Number(step.outputs['findings'])).toBeGreaterThan(0);
    const errors = step.annotations.filter((a) => a.kind === 'error');
    expect(errors[0]?.properties).toMatchObject({ file: 'mcp-lock.json', title: 'mcptrust/drift/item-added' });
    expect(Number(errors[0]?.properties['line'])).toBeGreaterThan(0);
    expect(errors[0]?.message).toContain('exec_shell');
    // The step's failure is the last workflow command it writes.
    expect(step.stdout.trimEnd().split('\n').at(-1)).toMatch(/^::error::MCPTrust check failed — drift: /);
    expect(step.summary).toContain('## MCPTrust check: ❌ FAIL');
    expect(step.summary).toContain("| 🔴 error | mcptrust/drift/item-added | tool `exec_shell` was added \\(HIGH risk: name contains `exec`; input property `command`\\) | mcp-lock.json:");
    const sarif = JSON.parse(await readFile(step.outputs['sarif_path'] ?? '', 'utf8')) as SarifLog;
    expect(validateSarif(sarif)).toBe(true);
    expect(sarif.runs[0]?.results.map((r) => r.ruleId)).toContain('mcptrust/drift/item-added');
    expect(await readFile(step.outputs['summary_path'] ?? '', 'utf8')).toBe(step.summary);
  });

  it('in a working_directory, locates SARIF results and annotations by their path in the repository', async () => {
    const dir = join(workspace, 'servers', 'fixture');
    await mkdir(dir, { recursive: true });
    expect((await runStep({ workspace, with: { mode: 'lock', server_argv: fixture(), working_directory: 'servers/fixture' } })).code).toBe(0);
    const step = await runStep({
      workspace,
      with: { server_argv: fixture('--drift-after', '0', '--drift', 'add-tool'), working_directory: 'servers/fixture', sarif: 'out/drift.sarif' },
    });
    expect(step.code).toBe(1);
    expect(step.outputs['sarif_path']).toBe(join(dir, 'out', 'drift.sarif'));
    const sarif = JSON.parse(await readFile(join(dir, 'out', 'drift.sarif'), 'utf8')) as SarifLog;
    expect(sarif.runs[0]?.automationDetails.id).toBe('mcptrust/drift/servers/fixture/mcp-lock.json/');
    expect(sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('servers/fixture/mcp-lock.json');
    expect(step.annotations.find((a) => a.kind === 'error')?.properties['file']).toBe('servers/fixture/mcp-lock.json');
  });

  it('gates the real filesystem server: lock, check PASS, policy strict FAIL with its rules as findings', async () => {
    const dir = join(workspace, 'fs');
    await mkdir(join(dir, 'data'), { recursive: true });
    const server = `${NODE} ${FILESYSTEM} data`;
    expect((await runStep({ workspace, with: { mode: 'lock', server_command: server, working_directory: 'fs' } })).outputs['outcome']).toBe('PASS');
    const check = await runStep({ workspace, with: { server_command: server, working_directory: 'fs', policy: 'baseline' } });
    expect(check.outputs['outcome']).toBe('PASS');
    const policy = await runStep({ workspace, with: { mode: 'policy', policy: 'strict', server_command: server, working_directory: 'fs' } });
    expect(policy.code).toBe(1);
    expect(policy.outputs['outcome']).toBe('FAIL');
    const result = JSON.parse(await readFile(policy.outputs['check_json_path'] ?? '', 'utf8')) as { rules: Array<{ name: string; status: string }> };
    const failing = result.rules.filter((r) => r.status !== 'pass').map((r) => r.name);
    expect(failing.length).toBeGreaterThan(0);
    expect(Number(policy.outputs['findings'])).toBe(failing.length);
    const sarif = JSON.parse(await readFile(policy.outputs['sarif_path'] ?? '', 'utf8')) as SarifLog;
    expect(validateSarif(sarif)).toBe(true);
    expect(sarif.runs[0]?.automationDetails.id).toBe('mcptrust/policy/fs/mcp-lock.json/');
    expect(policy.summary).toContain('## MCPTrust policy: ❌ FAIL');
    for (const name of failing) expect(policy.summary).toContain(name.replace(/([\\`*_~[\]()!|#])/g, '\\$1'));
    // In mode check, the same failing rules are findings too (a policy run beside drift's).
    const strictCheck = await runStep({ workspace, with: { server_command: server, working_directory: 'fs', policy: 'strict' } });
    expect(strictCheck.outputs['outcome']).toBe('FAIL');
    expect(Number(strictCheck.outputs['findings'])).toBe(failing.length);
    expect(strictCheck.annotations.filter((a) => a.kind === 'error').map((a) => a.properties['title']).sort()).toEqual([...failing].sort());
  }, 120_000);

  it('writes a receipt when asked, and names it in receipt_path', async () => {
    const step = await runStep({ workspace, with: { server_argv: fixture(), receipt: 'receipts/check.json' } });
    expect(step.outputs['receipt_path']).toBe(join(workspace, 'receipts', 'check.json'));
    expect((await stat(join(workspace, 'receipts', 'check.json'))).isFile()).toBe(true);
  });
});

describe('inputs that cannot run', () => {
  it.each([
    [{ mode: 'deploy', server_command: 'node x.js' }, 'input "mode": expected one of lock, check, policy, got "deploy"'],
    [{}, 'input "server_command": one of server_command, server_argv or url is required'],
    [{ server_command: 'node x.js', url: 'https://example.test/mcp' }, 'input "url": give one of server_command, server_argv or url'],
    [{ server_command: 'node fixture.mjs; touch pwned' }, 'input "server_command":'],
    [{ server_command: 'node $(touch pwned)' }, 'input "server_command":'],
    [{ server_command: 'node x.js', fail_on: 'high' }, 'input "fail_on": expected one of critical, moderate, info, got "high"'],
    [{ server_command: 'node x.js', annotations: 'yes' }, 'input "annotations": expected true or false, got "yes"'],
    [{ server_command: 'node x.js', timeout_seconds: '1h' }, 'input "timeout_seconds"'],
    [{ server_command: 'node x.js', pin: 'true' }, 'input "pin": applies to mode lock'],
    [{ server_command: 'node x.js', headers: 'Authorization: Bearer x' }, 'input "headers": only applies with url'],
    [{ server_command: 'node x.js', issuer: 'https://token.actions.githubusercontent.com' }, 'input "identity": is required with issuer'],
    [{ mode: 'lock', server_command: 'node x.js', sarif: 'x.sarif' }, 'input "sarif": mode lock writes a lockfile, not a report'],
  ])('%j fails the step with an error naming the input, and runs nothing', async (inputs, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'mcptrust-action-bad-'));
    try {
      const step = await runStep({ workspace: dir, with: inputs as Record<string, string> });
      expect(step.code).toBe(1);
      expect(step.outputs['outcome']).toBe('FAIL');
      expect(step.stdout).toContain(`::error::${message}`);
      // Validation happens before anything runs: no report directory, no injected file.
      await expect(stat(join(dir, '.mcptrust'))).rejects.toThrow();
      await expect(stat(join(dir, 'pwned'))).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never prints a header value of a url server in the log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcptrust-action-url-'));
    try {
      // Nothing listens on this loopback port: the run fails, after the command line was logged.
      const step = await runStep({ workspace: dir, with: { url: 'http://127.0.0.1:9/mcp', headers: 'Authorization: Bearer literal-secret-value', timeout_seconds: '5' } });
      expect(step.outputs['outcome']).toBe('FAIL');
      expect(step.stdout).toContain('--header Authorization: ***');
      expect(step.stdout).not.toContain('literal-secret-value');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails naming working_directory when it does not exist', async () => {
    const step = await runStep({ workspace, with: { server_argv: fixture(), working_directory: 'no/such/dir' } });
    expect(step.code).toBe(1);
    expect(step.stdout).toMatch(/::error::input "working_directory": .*no\/such\/dir is not a directory/);
  });
});

describe('a server that misbehaves', () => {
  it('shows what a server prints, never obeys it as a workflow command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcptrust-action-inject-'));
    try {
      const forged = 'console.error("::error file=README.md::forged annotation"); console.error("::add-mask::secret"); process.exit(3)';
      const step = await runStep({ workspace: dir, with: { mode: 'lock', server_argv: [NODE, '-e', forged].join('\n') } });
      expect(step.outputs['outcome']).toBe('FAIL');
      expect(step.stdout).toContain('forged annotation');
      expect(step.annotations.map((a) => a.message).join('\n')).not.toContain('forged annotation');
      expect(step.summary).toContain('mcptrust could not complete');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops a server that never answers at timeout_seconds and fails with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcptrust-action-hang-'));
    try {
      await writeFile(join(dir, 'hang.mjs'), 'setInterval(() => {}, 1000);\n');
      const step = await runStep({ workspace: dir, with: { mode: 'lock', server_argv: [NODE, 'hang.mjs'].join('\n'), timeout_seconds: '1' } });
      expect(step.code).toBe(1);
      expect(step.outputs['outcome']).toBe('FAIL');
      expect(step.stdout).toMatch(/::error::MCPTrust lock: mcptrust exited with code 2: .*(timed out|did not answer|within)/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
