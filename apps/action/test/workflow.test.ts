import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { REPO, actionYaml, runStep } from './runner.js';
import type { StepResult } from './runner.js';

const run = promisify(execFile);

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
}

const WORKFLOW = join(REPO, '.github/workflows/action-selftest.yml');
let workspace: string;

beforeAll(async () => {
  // The checkout the workflow sees: the repository's fixture servers under the workspace.
  workspace = await mkdtemp(join(tmpdir(), 'mcptrust-action-workflow-'));
  await symlink(join(REPO, 'tooling'), join(workspace, 'tooling'), 'dir');
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

/** `${{ steps.ID.outputs.NAME }}`, the only expression the selftest's env uses. */
function evaluate(value: string, outputs: Map<string, Record<string, string>>): string {
  return value.replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/g, (_m, id: string, name: string) => outputs.get(id)?.[name] ?? '');
}

describe('the action-selftest workflow', () => {
  it('names only inputs the action declares, and pins every remote action by commit', async () => {
    const workflow = parse(await readFile(WORKFLOW, 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
    for (const step of steps.filter((s) => s.uses?.startsWith('./'))) {
      const declared = Object.keys((await actionYaml(join(REPO, step.uses ?? '', 'action.yml'))).inputs);
      for (const input of Object.keys(step.with ?? {})) expect(declared).toContain(input);
    }
    for (const step of steps.filter((s) => s.uses !== undefined && !s.uses.startsWith('./'))) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    // Expressions reach a script only through env, never by interpolation into it.
    for (const step of steps) expect(step.run ?? '').not.toContain('${{');
  });

  it('passes when its steps run here as the runner would run them', async () => {
    const workflow = parse(await readFile(WORKFLOW, 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
    const outputs = new Map<string, Record<string, string>>();
    const results: Array<[string, StepResult]> = [];
    for (const step of Object.values(workflow.jobs).flatMap((j) => j.steps)) {
      if (step.uses?.startsWith('./')) {
        const result = await runStep({ workspace, with: step.with ?? {}, actionYml: join(REPO, step.uses, 'action.yml') });
        results.push([step.id ?? step.uses, result]);
        if (step.id !== undefined) outputs.set(step.id, result.outputs);
        if (step['continue-on-error'] !== true) expect([step.id, result.code, result.stdout]).toEqual([step.id, 0, expect.any(String)]);
      } else if (step.run !== undefined) {
        const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(v, outputs)]));
        await run('bash', ['-e', '-c', step.run], { cwd: workspace, env: { ...process.env, ...env } });
      }
    }
    expect(results.map(([id]) => id)).toEqual(['lock', 'check', 'drifted', 'legacy-path']);
    expect(outputs.get('drifted')?.['outcome']).toBe('FAIL');
  }, 120_000);
});

describe('.github/actions/mcptrust', () => {
  it('declares exactly the inputs, defaults and outputs of apps/action', async () => {
    const legacy = await actionYaml(join(REPO, '.github/actions/mcptrust/action.yml'));
    const main = await actionYaml();
    expect(legacy.inputs).toEqual(main.inputs);
    expect(legacy.outputs).toEqual(main.outputs);
    expect(legacy.runs.using).toBe(main.runs.using);
  });
});

describe('docs/github-action.md', () => {
  it('documents every input and output of action.yml', async () => {
    const docs = await readFile(join(REPO, 'docs/github-action.md'), 'utf8');
    const yml = await actionYaml();
    for (const name of [...Object.keys(yml.inputs), ...Object.keys(yml.outputs)]) expect([name, docs.includes(`\`${name}\``)]).toEqual([name, true]);
  });
});

describe('the committed dist/', () => {
  it('is what the build produces from this commit (CI builds first; a stale dist fails here)', async () => {
    const inside = await run('git', ['-C', REPO, 'rev-parse', '--is-inside-work-tree']).then(
      (r) => r.stdout.trim() === 'true',
      () => false,
    );
    if (!inside) throw new Error('not a git checkout: the committed dist/ cannot be compared (run the tests from a clone)');
    const { stdout } = await run('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=all', '--', 'apps/action/dist']);
    expect(stdout).toBe('');
  });
});
