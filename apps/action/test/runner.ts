/**
 * Runs the built action (dist/index.js) the way the GitHub runner does: `node` on the file
 * action.yml names, inputs as `INPUT_<NAME>` with action.yml's defaults applied, and
 * `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY` files the test then reads.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ACTION_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
export const NODE = process.execPath;
export const FIXTURE = join(REPO, 'tooling/servers/fixture-server.mjs');
export const FILESYSTEM = join(REPO, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

interface ActionYaml {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
}

/** action.yml, parsed. */
export async function actionYaml(path = join(ACTION_DIR, 'action.yml')): Promise<ActionYaml> {
  return parse(await readFile(path, 'utf8')) as ActionYaml;
}

/** One annotation the step wrote (`::error file=…,line=…,title=…::message`). */
export interface Annotation {
  kind: string;
  properties: Record<string, string>;
  message: string;
}

/** What a step produced. */
export interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
}

/** Reads `$GITHUB_OUTPUT` (`name<<delimiter` … `delimiter` blocks). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (m?.[1] === undefined || m[2] === undefined) continue;
    const end = lines.indexOf(m[2], i + 1);
    out[m[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return out;
}

const unescapeData = (s: string): string => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string): string => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');

/** The annotations in a step's stdout (outside any `::stop-commands::` block, as the runner reads them). */
export function parseAnnotations(stdout: string): Annotation[] {
  const found: Annotation[] = [];
  let stoppedUntil: string | undefined;
  for (const line of stdout.split('\n')) {
    if (stoppedUntil !== undefined) {
      if (line === `::${stoppedUntil}::`) stoppedUntil = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop?.[1] !== undefined) {
      stoppedUntil = stop[1];
      continue;
    }
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (m?.[1] === undefined) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    found.push({ kind: m[1], properties, message: unescapeData(m[3] ?? '') });
  }
  return found;
}

/** Options of {@link runStep}. */
export interface StepOptions {
  /** The workspace (`GITHUB_WORKSPACE`). */
  workspace: string;
  /** Inputs as a workflow's `with:` gives them; action.yml's defaults fill the rest. */
  with: Record<string, string>;
  env?: Record<string, string>;
  /** Which action.yml to run (default apps/action/action.yml). */
  actionYml?: string;
  timeoutMs?: number;
}

/** Runs one step of the action to completion. */
export async function runStep(options: StepOptions): Promise<StepResult> {
  const ymlPath = options.actionYml ?? join(ACTION_DIR, 'action.yml');
  const yml = await actionYaml(ymlPath);
  const files = await mkdtemp(join(tmpdir(), 'mcptrust-action-step-'));
  try {
    const outputFile = join(files, 'output');
    const summaryFile = join(files, 'summary');
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('INPUT_') && !k.startsWith('GITHUB_') && v !== undefined) env[k] = v;
    for (const [name, spec] of Object.entries(yml.inputs)) env[`INPUT_${name.toUpperCase()}`] = spec.default ?? '';
    for (const [name, value] of Object.entries(options.with)) env[`INPUT_${name.toUpperCase()}`] = value;
    Object.assign(env, { GITHUB_WORKSPACE: options.workspace, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, RUNNER_TEMP: files, NO_COLOR: '1' }, options.env);
    const main = join(ymlPath, '..', yml.runs.main);
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(NODE, [main], { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the action did not finish in ${options.timeoutMs ?? 60_000} ms\n${out}\n${err}`));
      }, options.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stdout: out, stderr: err });
      });
    });
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8'),
      annotations: parseAnnotations(stdout),
    };
  } finally {
    await rm(files, { recursive: true, force: true });
  }
}
