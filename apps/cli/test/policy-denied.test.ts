/**
 * Policies see the approved surface: items a lockfile denies (`lock --exclude`) are
 * left out of `input.tools` and the other lists, listed in `input.denied`, and never
 * counted as drift. End to end through the built CLI against the real
 * `@modelcontextprotocol/server-filesystem`, whose HIGH-risk tools are write_file,
 * edit_file and move_file (as `mcptrust scan` rates them; checked below).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FILESYSTEM, NODE, runCli } from './helpers.js';

const HIGH_RISK = ['edit_file', 'move_file', 'write_file'];

interface RuleJson {
  name: string;
  status: string;
  items: { id: string }[];
}
interface PolicyJson {
  passed: boolean;
  rules: RuleJson[];
}
interface ExplainJson {
  input: {
    tools: { name: string; riskLevel: string }[];
    findings: { itemId: string }[];
    drift: { checked: boolean; hasDrift: boolean; items: unknown[] };
    denied: { itemType: string; id: string; offered: boolean }[];
  };
  result: PolicyJson;
}
interface CheckJson {
  failed: boolean;
  sections: { name: string; status: string; summary: string }[];
}

let dir = '';
let fsServer: string[] = [];
/** Locked with every HIGH-risk tool excluded. */
let excluded = '';
/** The same server locked with nothing excluded. */
let full = '';
/** A Go-style policy (no mode: strict) holding only the strict preset's no-high-risk-tools rule. */
let noHighRisk = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-policy-denied-'));
  fsServer = ['--', NODE, FILESYSTEM, dir];
  excluded = join(dir, 'excluded-lock.json');
  full = join(dir, 'full-lock.json');
  const exclude = HIGH_RISK.flatMap((name) => ['--exclude', `tool:${name}`]);
  expect((await runCli(['lock', '--output', excluded, ...exclude, ...fsServer])).code).toBe(0);
  expect((await runCli(['lock', '--output', full, ...fsServer])).code).toBe(0);
  noHighRisk = join(dir, 'no-high-risk.yaml');
  await writeFile(
    noHighRisk,
    ['name: no-high-risk', 'rules:', '  - name: no-high-risk-tools', '    expr: input.tools.all(t, t.riskLevel != "HIGH")', '    failure_msg: HIGH-risk tools need a security review', ''].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rule = (result: PolicyJson, name: string): RuleJson | undefined => result.rules.find((r) => r.name === name);

describe('the server-filesystem tools mcptrust rates HIGH', () => {
  it('are exactly the ones these tests exclude', async () => {
    const r = await runCli(['scan', ...fsServer]);
    expect(r.code).toBe(0);
    const scan = JSON.parse(r.stdout) as { tools: { name: string; riskLevel: string }[] };
    expect(scan.tools.filter((t) => t.riskLevel === 'HIGH').map((t) => t.name).sort()).toEqual(HIGH_RISK);
  });
});

describe('mcptrust check with a lockfile that denies the HIGH-risk tools', () => {
  it('passes the strict preset\'s no-high-risk-tools rule; only the pin rules fail', async () => {
    const r = await runCli(['check', '--lock', excluded, '--preset', 'strict', '--format', 'json', ...fsServer]);
    // Nothing can be pinned here, so the preset as a whole still fails on the pin rules.
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as CheckJson;
    expect(report.sections.find((s) => s.name === 'drift')?.status).toBe('pass');
    const policy = report.sections.find((s) => s.name === 'policy');
    expect(policy?.summary).toContain('artifact-pinned');
    expect(policy?.summary).not.toContain('no-high-risk-tools');
  });

  it('fails the same rule with the lockfile that approves every tool, naming the three tools', async () => {
    const r = await runCli(['check', '--lock', full, '--preset', 'strict', '--format', 'json', ...fsServer]);
    expect(r.code).toBe(1);
    const policy = (JSON.parse(r.stdout) as CheckJson).sections.find((s) => s.name === 'policy');
    expect(policy?.summary).toContain('no-high-risk-tools (error): the server exposes HIGH-risk tools');
    for (const name of HIGH_RISK) expect(policy?.summary).toContain(name);
  });

  it('exits 0 with a policy of only that rule, and 1 with the lockfile that approves every tool', async () => {
    const denied = await runCli(['check', '--lock', excluded, '--policy', noHighRisk, ...fsServer]);
    expect(denied.code).toBe(0);
    expect(denied.stdout).toContain('all 1 rules pass');
    const approved = await runCli(['check', '--lock', full, '--policy', noHighRisk, ...fsServer]);
    expect(approved.code).toBe(1);
    expect(approved.stdout).toContain('no-high-risk-tools (error)');
  });
});

describe('mcptrust policy check --lock with a lockfile that denies the HIGH-risk tools', () => {
  it('passes no-high-risk-tools and no-critical-drift of the strict preset', async () => {
    const r = await runCli(['policy', 'check', '--preset', 'strict', '--lock', excluded, '--format', 'json', ...fsServer]);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as PolicyJson;
    expect(rule(result, 'no-high-risk-tools')?.status).toBe('pass');
    expect(rule(result, 'no-critical-drift')?.status).toBe('pass');
    expect(rule(result, 'has-tools')?.status).toBe('pass');
    expect(result.rules.filter((x) => x.status !== 'pass').map((x) => x.name)).toEqual(['artifact-pinned', 'provenance-verified']);
  });

  it('fails no-high-risk-tools without the lockfile, listing the three tools', async () => {
    const r = await runCli(['policy', 'check', '--preset', 'strict', '--format', 'json', ...fsServer]);
    const result = JSON.parse(r.stdout) as PolicyJson;
    expect(rule(result, 'no-high-risk-tools')?.status).toBe('fail');
    expect(rule(result, 'no-high-risk-tools')?.items.map((i) => i.id).sort()).toEqual(HIGH_RISK);
  });

  it('shows no drift for the denied tools and lists them in input.denied instead', async () => {
    const r = await runCli(['policy', 'explain', '--policy', noHighRisk, '--lock', excluded, '--format', 'json', ...fsServer]);
    expect(r.code).toBe(0);
    const { input, result } = JSON.parse(r.stdout) as ExplainJson;
    expect(result.passed).toBe(true);
    expect(input.drift).toEqual({ checked: true, hasDrift: false, items: [] });
    expect(input.denied).toEqual(HIGH_RISK.map((id) => ({ itemType: 'tool', id, offered: true })));
    expect(input.tools.map((t) => t.name)).not.toEqual(expect.arrayContaining(['write_file']));
    expect(input.tools).toHaveLength(11);
    expect(input.tools.every((t) => t.riskLevel !== 'HIGH')).toBe(true);
    expect(input.findings.filter((f) => HIGH_RISK.includes(f.itemId))).toEqual([]);
  });

  it('keeps input.denied empty and every tool listed with the lockfile that approves every tool', async () => {
    const r = await runCli(['policy', 'explain', '--policy', noHighRisk, '--lock', full, '--format', 'json', ...fsServer]);
    expect(r.code).toBe(1);
    const { input } = JSON.parse(r.stdout) as ExplainJson;
    expect(input.denied).toEqual([]);
    expect(input.tools).toHaveLength(14);
    expect(input.drift.hasDrift).toBe(false);
  });
});
