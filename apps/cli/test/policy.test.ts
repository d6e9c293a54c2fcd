/**
 * `mcptrust policy check` / `policy explain` end to end: the built CLI against the real
 * server-filesystem (and server-everything for drift), with lockfiles made by the
 * built CLI's own `lock`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EVERYTHING, FILESYSTEM, NODE, runCli } from './helpers.js';

let dir: string;
let fsServer: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-policy-cli-'));
  fsServer = ['--', NODE, FILESYSTEM, dir];
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function policyFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('mcptrust policy check', () => {
  describe('with the presets against server-filesystem', () => {
    it('baseline warns about the unpinned server and its HIGH-risk tools and exits 0', async () => {
      const r = await runCli(['policy', 'check', '--preset', 'baseline', ...fsServer]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('WARN  artifact-pinned');
      expect(r.stdout).toContain('WARN  no-high-risk-tools');
      expect(r.stdout).toContain('input.tools[4] write_file');
      expect(r.stdout).toContain('PASS  no-critical-drift');
    });

    it('strict fails closed because nothing is pinned and exits 1', async () => {
      const r = await runCli(['policy', 'check', '--preset', 'strict', '--format', 'json', ...fsServer]);
      expect(r.code).toBe(1);
      const result = JSON.parse(r.stdout) as { passed: boolean; rules: { name: string; status: string; severity: string }[] };
      expect(result.passed).toBe(false);
      expect(result.rules.filter((x) => x.status !== 'pass').map((x) => x.name)).toEqual(['artifact-pinned', 'provenance-verified', 'no-high-risk-tools']);
      expect(r.stderr).toContain('policy failed: artifact-pinned, provenance-verified, no-high-risk-tools');
    });
  });

  describe('with a custom rule file', () => {
    it('exits 0 when the rules pass and 1 when one fails, naming the tools that matched', async () => {
      const file = await policyFile(
        'team.yaml',
        [
          'name: team',
          'mode: strict',
          'rules:',
          '  - name: lists-directories',
          '    expr: input.tools.exists(t, t.name == "list_directory")',
          '    failure_msg: must list directories',
          '  - name: no-destructive',
          '    expr: input.tools.all(t, !("destructiveHint" in t.annotations) || t.annotations.destructiveHint == false)',
          '    failure_msg: destructive tools are not approved',
          '',
        ].join('\n'),
      );
      const r = await runCli(['policy', 'check', '--policy', file, '--format', 'markdown', ...fsServer]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('| `lists-directories` | PASS |');
      expect(r.stdout).toMatch(/\| `no-destructive` \| FAIL \| error \| destructive tools are not approved \| .*`write_file`/);
    });

    it('fails closed (exit 1) when a rule cannot be evaluated', async () => {
      const file = await policyFile(
        'eval.yaml',
        'name: eval\nmode: strict\nrules:\n  - name: all-approved\n    expr: input.tools.all(t, t.annotations.approvedBy == "security")\n    failure_msg: every tool must be approved\n',
      );
      const r = await runCli(['policy', 'check', '--policy', file, ...fsServer]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('ERROR all-approved: every tool must be approved');
      expect(r.stdout).toContain('evaluation error (fails closed): No such key: approvedBy');
      expect(r.stdout).toContain('- input.tools[0] read_file (error: No such key: approvedBy)');
    });

    it.each([
      ['a syntax error', 'input.tools.all(t, t.riskLevel ==)', 'CEL syntax error at 1:'],
      ['a type error', 'input.tools.size() + "x" == 1', 'CEL type error at 1:1'],
    ])('exits 2 on %s naming the file, the rule and the position, before starting the server', async (_label, expr, expected) => {
      const file = await policyFile('bad.yaml', `name: bad\nrules:\n  - name: broken-rule\n    expr: '${expr}'\n    failure_msg: m\n`);
      const r = await runCli(['policy', 'check', '--policy', file, '--', NODE, '-e', 'process.exit(7)']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${file}:4: rule "broken-rule": ${expected}`);
    });
  });

  describe('with a policy file written for the Go mcptrust (name and rules, no mode)', () => {
    const GO_STYLE = [
      'name: go-style',
      'rules:',
      '  - name: no-high-risk-tools',
      '    expr: input.tools.all(t, t.riskLevel != "HIGH")',
      '    failure_msg: HIGH-risk tools need a security review',
      '',
    ].join('\n');

    it('fails the build (exit 1) when a rule without a severity fails', async () => {
      const file = await policyFile('go-style.yaml', GO_STYLE);
      const r = await runCli(['policy', 'check', '--policy', file, ...fsServer]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`Policy go-style (${file}, mode strict)`);
      expect(r.stdout).toContain('FAIL  no-high-risk-tools: HIGH-risk tools need a security review');
      expect(r.stderr).toContain('policy failed: no-high-risk-tools');
    });

    it('only warns (exit 0) when the file says mode: warn', async () => {
      const file = await policyFile('go-style-warn.yaml', GO_STYLE.replace('name: go-style\n', 'name: go-style\nmode: warn\n'));
      const r = await runCli(['policy', 'check', '--policy', file, ...fsServer]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('WARN  no-high-risk-tools: HIGH-risk tools need a security review');
      expect(r.stderr).not.toContain('policy failed');
    });

    const WARN_SEVERITY = `${GO_STYLE}    severity: warn\n`;

    it.each([
      ['without mode', WARN_SEVERITY],
      ['with mode: strict', WARN_SEVERITY.replace('name: go-style\n', 'name: go-style\nmode: strict\n')],
    ])('fails the build (exit 1) when a severity: warn rule fails in a file %s, saying strict mode makes warnings fail', async (label, text) => {
      const file = await policyFile(`go-style-warn-severity-${label.length}.yaml`, text);
      const r = await runCli(['policy', 'check', '--policy', file, ...fsServer]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('WARN  no-high-risk-tools: HIGH-risk tools need a security review');
      expect(r.stdout).toContain('failed: 0 passed, 1 failed, 0 errors, 1 warnings (strict mode: warnings fail)');
      expect(r.stderr).toContain('policy failed: no-high-risk-tools (strict mode: warnings fail)');
    });

    it('only warns (exit 0) for a failing severity: warn rule when the file says mode: warn', async () => {
      const file = await policyFile('go-style-warn-both.yaml', WARN_SEVERITY.replace('name: go-style\n', 'name: go-style\nmode: warn\n'));
      const r = await runCli(['policy', 'check', '--policy', file, ...fsServer]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('passed: 0 passed, 1 failed, 0 errors, 1 warnings\n');
      expect(r.stderr).not.toContain('policy failed');
    });

    it('reports a fatal warning as a SARIF error', async () => {
      const file = await policyFile('go-style-warn-sarif.yaml', WARN_SEVERITY);
      const r = await runCli(['policy', 'check', '--policy', file, '--format', 'sarif', ...fsServer]);
      expect(r.code).toBe(1);
      const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; level: string; properties: { severity: string } }[] }[] };
      expect(sarif.runs[0]?.results.map((x) => [x.ruleId, x.level, x.properties.severity])).toEqual([['no-high-risk-tools', 'error', 'warn']]);
    });

    it('fails mcptrust check (exit 1) on the same warn-severity rule, naming strict mode in the policy section', async () => {
      const file = await policyFile('go-style-warn-gate.yaml', WARN_SEVERITY);
      const lock = join(dir, 'warn-gate-lock.json');
      expect((await runCli(['lock', '--output', lock, ...fsServer])).code).toBe(0);
      const r = await runCli(['check', '--lock', lock, '--policy', file, '--format', 'json', ...fsServer]);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { sections: { name: string; status: string; summary: string }[] };
      const section = report.sections.find((x) => x.name === 'policy');
      expect(section?.status).toBe('fail');
      expect(section?.summary).toContain('no-high-risk-tools (warn; strict mode: warnings fail)');
    });
  });

  describe('with --lock', () => {
    it('fills input.drift from the lockfile: none for the same server, critical for another one', async () => {
      const lock = join(dir, 'mcp-lock.json');
      const locked = await runCli(['lock', '--output', lock, ...fsServer]);
      expect(locked.code).toBe(0);
      const drift = await policyFile(
        'drift.yaml',
        'name: drift\nmode: strict\nrules:\n  - name: compared\n    expr: input.drift.checked && !input.drift.hasDrift\n    failure_msg: drifted\n',
      );
      const same = await runCli(['policy', 'check', '--policy', drift, '--lock', lock, ...fsServer]);
      expect(same.code).toBe(0);
      const other = await runCli(['policy', 'check', '--preset', 'baseline', '--lock', lock, '--format', 'sarif', '--', NODE, EVERYTHING, 'stdio'], { timeoutMs: 60_000 });
      expect(other.code).toBe(1);
      const sarif = JSON.parse(other.stdout) as { version: string; runs: { results: { ruleId: string; level: string }[] }[] };
      expect(sarif.version).toBe('2.1.0');
      expect(sarif.runs[0]?.results).toContainEqual(expect.objectContaining({ ruleId: 'no-critical-drift', level: 'error' }));
    });

    it('mcptrust check --sarif-output gives the policy its own SARIF run beside drift\'s, from the same scan', async () => {
      const lock = join(dir, 'check-sarif-lock.json');
      expect((await runCli(['lock', '--output', lock, ...fsServer])).code).toBe(0);
      const sarifFile = join(dir, 'check-policy.sarif');
      const r = await runCli(['check', '--lock', lock, '--preset', 'strict', '--format', 'json', '--sarif-output', sarifFile, ...fsServer]);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { items: unknown[]; sections: { name: string; status: string }[] };
      expect(report.sections.find((x) => x.name === 'policy')?.status).toBe('fail');
      const sarif = JSON.parse(await readFile(sarifFile, 'utf8')) as { runs: { automationDetails: { id: string }; results: { ruleId: string; level: string }[] }[] };
      expect(sarif.runs.map((run) => run.automationDetails.id)).toEqual([`mcptrust/drift/${lock}/`, `mcptrust/policy/${lock}/`]);
      expect(sarif.runs[0]?.results).toHaveLength(report.items.length);
      expect(sarif.runs[1]?.results.length).toBeGreaterThan(0);
      expect(sarif.runs[1]?.results.every((x) => x.level === 'error')).toBe(true);
    });

    it('--sarif-output writes the same result as SARIF located in the lockfile, beside the JSON report', async () => {
      const lock = join(dir, 'sarif-output-lock.json');
      expect((await runCli(['lock', '--output', lock, ...fsServer])).code).toBe(0);
      const sarifFile = join(dir, 'policy-same-run.sarif');
      const r = await runCli(['policy', 'check', '--preset', 'strict', '--lock', lock, '--format', 'json', '--sarif-output', sarifFile, ...fsServer]);
      const result = JSON.parse(r.stdout) as { rules: { name: string; status: string }[] };
      const sarif = JSON.parse(await readFile(sarifFile, 'utf8')) as {
        runs: { automationDetails: { id: string }; results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
      };
      const run = sarif.runs[0];
      expect(run?.automationDetails.id).toBe(`mcptrust/policy/${lock}/`);
      expect(run?.results.map((x) => x.ruleId)).toEqual(result.rules.filter((x) => x.status !== 'pass').map((x) => x.name));
      expect(run?.results.length).toBeGreaterThan(0);
      for (const x of run?.results ?? []) expect(x.locations[0]?.physicalLocation.artifactLocation.uri).toBe(lock);
    });
  });

  describe('with bad flags', () => {
    it.each([
      [['--policy', 'a.yaml', '--preset', 'strict'], '--policy and --preset'],
      [['--preset', 'lenient'], '--preset'],
      [['--format', 'html'], '--format'],
      [['--timeout', 'soon'], '--timeout'],
    ])('exits 2 naming the flag for %j', async (flags, expected) => {
      const r = await runCli(['policy', 'check', ...flags, '--', NODE, '-e', 'process.exit(7)']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(expected);
    });
  });
});

describe('mcptrust policy explain', () => {
  it('prints the input document and every rule result as JSON, and writes --output atomically', async () => {
    const out = join(dir, 'explain.json');
    const r = await runCli(['policy', 'explain', '--preset', 'strict', '--format', 'json', '--output', out, ...fsServer]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(await readFile(out, 'utf8')) as { input: Record<string, unknown>; result: { rules: unknown[] } };
    expect(Object.keys(doc.input).sort()).toEqual(['denied', 'drift', 'findings', 'prompts', 'resources', 'server', 'signature', 'tools']);
    expect(doc.result.rules).toHaveLength(6);
  });

  it('prints the input document before the text report', async () => {
    const r = await runCli(['policy', 'explain', ...fsServer]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Input document:\n\{\n {2}"server": \{/);
    expect(r.stdout).toContain('Policy baseline (preset:baseline, mode warn)');
  });
});
