import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadPolicy, loadPreset, parsePolicy, PolicyError, PRESET_NAMES } from '../src/index.js';

function policyError(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError');
}

const VALID = `name: team
mode: strict
rules:
  - name: no-high
    expr: input.tools.all(t, t.riskLevel != "HIGH")
    failure_msg: no HIGH tools
    severity: warn
    control_refs: [CC6.1]
    evidence: [scan]
    evidence_commands: [mcptrust scan]
runtime:
  - name: tmp-only
    expr: call.tool != "write_file" || normalizePath(call.arguments.path).startsWith("/tmp/")
    failure_msg: writes only under /tmp
`;

describe('parsePolicy', () => {
  describe('when the policy is valid', () => {
    it('compiles rules and runtime rules with their severity', () => {
      const policy = parsePolicy(VALID, { file: 'team.yaml' });
      expect(policy.document.name).toBe('team');
      expect(policy.rules.map((r) => [r.rule.name, r.severity])).toEqual([['no-high', 'warn']]);
      expect(policy.rules[0]?.rule.control_refs).toEqual(['CC6.1']);
      expect(policy.runtime.map((r) => r.rule.name)).toEqual(['tmp-only']);
      expect(policy.rules[0]?.explainers.map((e) => e.list)).toEqual(['input.tools']);
    });

    it('defaults the severity to the mode (error in strict, warn in warn)', () => {
      const rules = 'rules:\n  - name: r\n    expr: "true"\n    failure_msg: m\n';
      expect(parsePolicy(`name: a\nmode: strict\n${rules}`).rules[0]?.severity).toBe('error');
      expect(parsePolicy(`name: a\nmode: warn\n${rules}`).rules[0]?.severity).toBe('warn');
    });
  });

  describe('when the file has no mode (a policy written for the Go mcptrust)', () => {
    const GO_STYLE = 'name: go-style\nrules:\n  - name: r\n    expr: "true"\n    failure_msg: m\n  - name: w\n    expr: "true"\n    failure_msg: m\n    severity: warn\n';

    it('reads it as strict: a rule without a severity is an error', () => {
      const policy = parsePolicy(GO_STYLE);
      expect(policy.document.mode).toBe('strict');
      expect(policy.rules.map((r) => [r.rule.name, r.severity])).toEqual([
        ['r', 'error'],
        ['w', 'warn'],
      ]);
    });
  });

  describe('when the file is malformed', () => {
    it.each([
      ['an unknown top-level key', 'name: a\nmode: warn\nrulez: []\nrules: []\n', 'rulez: unknown key'],
      ['an unknown rule key', 'name: a\nrules:\n  - name: r\n    expr: "true"\n    failure_msg: m\n    sevrity: warn\n', 'rules[0].sevrity: unknown key'],
      ['a bad mode', 'name: a\nmode: loud\nrules: []\n', 'mode: expected "warn" or "strict"'],
      ['a bad severity', 'name: a\nrules:\n  - name: r\n    expr: "true"\n    failure_msg: m\n    severity: fatal\n', 'rules[0].severity'],
      ['a missing expr', 'name: a\nrules:\n  - name: r\n    failure_msg: m\n', 'rules[0].expr: is required'],
      ['a duplicate rule name', 'name: a\nrules:\n  - {name: r, expr: "true", failure_msg: m}\n  - {name: r, expr: "true", failure_msg: m}\n', 'duplicate rule name'],
      ['evidence that is not a list', 'name: a\nrules:\n  - {name: r, expr: "true", failure_msg: m, evidence: x}\n', 'expected a list of strings'],
      ['a top level that is a list', '- a\n', 'expected a mapping'],
      ['a duplicate YAML key', 'name: a\nname: b\nrules: []\n', 'not valid YAML'],
    ])('throws POLICY_INVALID naming the place for %s', (_label, text, expected) => {
      const error = policyError(() => parsePolicy(text, { file: 'p.yaml' }));
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.message).toContain('p.yaml');
      expect(error.message).toContain(expected);
    });

    it('throws POLICY_INVALID on an alias bomb instead of expanding it', () => {
      const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
      for (let i = 0; i < 8; i++) {
        const prev = String.fromCharCode(97 + i);
        const next = String.fromCharCode(98 + i);
        lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(',')}]`);
      }
      const error = policyError(() => parsePolicy(`${lines.join('\n')}\nname: a\nrules: []\n`));
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.message).toMatch(/alias/i);
    });

    it('throws POLICY_INVALID on a file over the size cap', () => {
      const error = policyError(() => parsePolicy(`name: a\nrules: []\n#${'x'.repeat(1024 * 1024)}\n`));
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.message).toContain('larger than');
    });
  });

  describe('when a rule has a CEL syntax error', () => {
    it('throws RULE_SYNTAX_ERROR naming the file, the rule and the position', () => {
      const text = 'name: a\nrules:\n  - name: broken\n    expr: input.tools.all(t, t.)\n    failure_msg: m\n';
      const error = policyError(() => parsePolicy(text, { file: 'p.yaml' }));
      expect(error.code).toBe('RULE_SYNTAX_ERROR');
      expect(error.rule).toBe('broken');
      expect(error.file).toBe('p.yaml');
      expect(error.position).toEqual({ line: 1, column: 22 });
      expect(error.message).toContain('p.yaml:4: rule "broken": CEL syntax error at 1:22');
    });
  });

  describe('when a rule has a CEL type error', () => {
    it.each([
      ['a misspelt field', 'input.toolz.size() > 0', 7],
      ['a wrong operand', 'input.server.name + 1 == 2', 1],
      ['a non-boolean result', 'input.server.name', 1],
      ['an undeclared variable', 'scan.tools.size() > 0', 1],
      ['a misspelt field of a denied item', 'input.denied.exists(d, d.name == "x")', 26],
    ])('throws RULE_TYPE_ERROR with the position for %s', (_label, expr, column) => {
      const text = `name: a\nrules:\n  - name: typed\n    expr: '${expr}'\n    failure_msg: m\n`;
      const error = policyError(() => parsePolicy(text, { file: 'p.yaml' }));
      expect(error.code).toBe('RULE_TYPE_ERROR');
      expect(error.rule).toBe('typed');
      expect(error.position).toEqual({ line: 1, column });
      expect(error.message).toContain('p.yaml:4: rule "typed": CEL type error');
    });

    it('checks runtime rules against the call type', () => {
      const text = 'name: a\nrules: []\nruntime:\n  - name: rt\n    expr: call.toolname == "x"\n    failure_msg: m\n';
      const error = policyError(() => parsePolicy(text));
      expect(error.code).toBe('RULE_TYPE_ERROR');
      expect(error.message).toContain('runtime rule "rt"');
    });
  });
});

describe('loadPolicy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcptrust-policy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and compiles a file', async () => {
    const file = join(dir, 'team.yaml');
    await writeFile(file, VALID);
    const policy = await loadPolicy(file);
    expect(policy.source).toBe(file);
    expect(policy.rules).toHaveLength(1);
  });

  it('throws POLICY_READ_FAILED for a missing file', async () => {
    await expect(loadPolicy(join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'POLICY_READ_FAILED' });
  });
});

describe('loadPreset', () => {
  it.each(PRESET_NAMES.map((n) => [n]))('compiles the %s preset', (name) => {
    const policy = loadPreset(name);
    expect(policy.source).toBe(`preset:${name}`);
    expect(policy.rules.length).toBeGreaterThan(3);
  });

  it('keeps baseline a warning preset: only no-critical-drift is an error', () => {
    const policy = loadPreset('baseline');
    expect(policy.document.mode).toBe('warn');
    expect(policy.rules.filter((r) => r.severity === 'error').map((r) => r.rule.name)).toEqual(['no-critical-drift']);
  });

  it('throws UNKNOWN_PRESET for another name', () => {
    expect(policyError(() => loadPreset('lenient')).code).toBe('UNKNOWN_PRESET');
  });
});
