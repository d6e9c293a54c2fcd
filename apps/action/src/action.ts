import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '@mcptrust/lockfile';
import { annotate } from './annotations.js';
import type { AnnotationSink } from './annotations.js';
import { cliArgs } from './cli-args.js';
import { ActionInputError, parseActionInputs } from './inputs.js';
import type { ActionInputs, InputReader } from './inputs.js';
import { checkReportFacts, findingsOf, policyReportFacts, rebaseSarif, repositoryPath } from './report.js';
import type { Finding, ReportFacts } from './report.js';
import { cliEnvironment, runBundledCli } from './run-cli.js';
import type { CliRun } from './run-cli.js';
import { renderSummary } from './summary.js';
import type { SummaryModel } from './summary.js';

/** What the action needs from the runner (`@actions/core` in a workflow; a fake in tests). */
export interface Toolkit extends AnnotationSink {
  getInput: InputReader;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  info(message: string): void;
  /** Appends Markdown to the step's job summary. */
  writeSummary(markdown: string): Promise<void>;
  env: NodeJS.ProcessEnv;
  /** The step's log, where mcptrust's own output is shown. */
  log: NodeJS.WritableStream;
  /** The bundled `mcptrust` CLI. */
  cli: string;
}

/** The verdict of one run. */
export type Outcome = 'PASS' | 'FAIL';

/** Grace after `timeout_seconds` before the run is stopped, so that mcptrust's own deadline speaks first. */
const GRACE_MS = 5_000;

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}

/** The one-line reason a run that could not complete gives (its last stderr line, else its exit). */
function problemOf(run: CliRun, inputs: ActionInputs): string {
  if (run.timedOut) return `did not finish within timeout_seconds (${inputs.timeoutSeconds} s) and was stopped`;
  const last = run.stderrTail.at(-1);
  return `mcptrust exited with code ${run.code ?? 'none (killed)'}${last === undefined ? '' : `: ${last}`}`;
}

interface Paths {
  workspace: string;
  workdir: string;
  lockfile: string;
  checkJson: string;
  sarif: string;
  summary: string;
  receipt?: string;
}

/** Reads the lockfile `lock` just wrote, for the summary's one line about it. */
async function lockFacts(paths: Paths, shown: string): Promise<string> {
  const lock = (await readJson(paths.lockfile).catch(() => ({}))) as { server?: { name?: unknown; version?: unknown }; tools?: object; prompts?: { definitions?: object } };
  const tools = Object.keys(lock.tools ?? {}).length;
  const prompts = Object.keys(lock.prompts?.definitions ?? {}).length;
  return `Wrote \`${shown}\` from server \`${String(lock.server?.name ?? '?').replace(/`/g, "'")}\` ${String(lock.server?.version ?? '').replace(/`/g, "'")}: ${tools} tool${tools === 1 ? '' : 's'}, ${prompts} prompt${prompts === 1 ? '' : 's'}. Commit it to pin what was approved.`;
}

/** Reads the reports of a `check` or `policy` run; the SARIF is rebased onto the repository. */
async function readReports(inputs: ActionInputs, paths: Paths, lockShown: string, lockfileUsed: boolean): Promise<{ facts: ReportFacts; findings: Finding[] }> {
  const report = await readJson(paths.checkJson);
  const sarif = rebaseSarif(await readJson(paths.sarif), (p) => repositoryPath(paths.workspace, paths.workdir, p));
  await writeFileAtomic(paths.sarif, `${JSON.stringify(sarif, null, 2)}\n`, { what: 'SARIF log' });
  const facts = inputs.mode === 'check' ? checkReportFacts(report, lockShown) : policyReportFacts(report, lockfileUsed ? lockShown : undefined);
  return { facts, findings: findingsOf(sarif) };
}

/**
 * One run of the action: validate the inputs, run the same `mcptrust` command a user would
 * (`lock`, `check` or `policy check`) once, then write the job summary, the annotations and
 * the outputs from its reports, and fail the step last.
 */
export async function runAction(tk: Toolkit): Promise<Outcome> {
  let inputs: ActionInputs;
  try {
    inputs = parseActionInputs(tk.getInput);
  } catch (error) {
    if (!(error instanceof ActionInputError)) throw error;
    tk.setOutput('outcome', 'FAIL');
    tk.setFailed(error.message);
    return 'FAIL';
  }
  const workspace = resolve(tk.env['GITHUB_WORKSPACE'] || process.cwd());
  const workdir = resolve(workspace, inputs.workingDirectory);
  if (!(await isDirectory(workdir))) {
    tk.setOutput('outcome', 'FAIL');
    tk.setFailed(`input "working_directory": ${workdir} is not a directory`);
    return 'FAIL';
  }
  const out = join(workdir, '.mcptrust');
  const paths: Paths = {
    workspace,
    workdir,
    lockfile: resolve(workdir, inputs.lockfile),
    checkJson: join(out, 'check.json'),
    sarif: resolve(workdir, inputs.sarif ?? join('.mcptrust', 'mcptrust.sarif')),
    summary: join(out, 'summary.md'),
    ...(inputs.receipt === undefined ? {} : { receipt: resolve(workdir, inputs.receipt) }),
  };
  await mkdir(out, { recursive: true });
  await mkdir(dirname(paths.sarif), { recursive: true });
  // Reports of an earlier run never stand in for this run's.
  if (inputs.mode !== 'lock') await Promise.all([rm(paths.checkJson, { force: true }), rm(paths.sarif, { force: true })]);
  const lockfileExists = await exists(paths.lockfile);
  const args = cliArgs(inputs, { checkJson: paths.checkJson, sarif: paths.sarif, lockfileExists });
  // The command line as the log shows it: header values (credentials) are not printed.
  const shown = args.slice(0, args.indexOf('--') === -1 ? args.length : args.indexOf('--')).map((a, i) => (args[i - 1] === '--header' ? `${a.split(':')[0] ?? ''}: ***` : a));
  tk.info(`mcptrust ${shown.join(' ')}`);
  const run = await runBundledCli({ cli: tk.cli, args, cwd: workdir, env: cliEnvironment(tk.env), timeoutMs: inputs.timeoutSeconds * 1000 + GRACE_MS, log: tk.log });

  const lockShown = repositoryPath(workspace, workdir, inputs.lockfile);
  const completed = !run.timedOut && (run.code === 0 || run.code === 1);
  const title = inputs.mode === 'lock' ? 'MCPTrust lock' : inputs.mode === 'check' ? 'MCPTrust check' : 'MCPTrust policy';
  const model: SummaryModel = { title, outcome: completed && run.code === 0 ? 'PASS' : 'FAIL', intro: [], checks: [], findings: [], files: [] };
  if (!completed) model.problem = { message: problemOf(run, inputs), log: run.stderrTail };
  else if (inputs.mode === 'lock') {
    if (run.code === 0) model.intro.push(await lockFacts(paths, lockShown));
    else model.problem = { message: `the server differs from \`${lockShown}\` and the lockfile was not overwritten: review the change, re-lock with \`mcptrust lock --force\` and commit it`, log: run.stderrTail };
  } else {
    try {
      const { facts, findings } = await readReports(inputs, paths, lockShown, lockfileExists);
      model.intro.push(facts.subject);
      model.checks = facts.checks;
      model.findings = findings;
      model.files = [repositoryPath(workspace, workdir, paths.checkJson), repositoryPath(workspace, workdir, paths.sarif)];
    } catch (error) {
      model.outcome = 'FAIL';
      model.problem = { message: `mcptrust's report could not be read: ${error instanceof Error ? error.message : String(error)}`, log: run.stderrTail };
    }
  }

  const markdown = renderSummary(model);
  await writeFileAtomic(paths.summary, markdown, { what: 'summary' });
  if (inputs.report === 'step_summary') {
    await tk.writeSummary(markdown).catch((error: unknown) => tk.warning(`the job summary was not written: ${error instanceof Error ? error.message : String(error)}`, {}));
  }
  if (inputs.annotations && model.findings.length > 0) annotate(model.findings, tk, `the job summary and ${repositoryPath(workspace, workdir, paths.sarif)}`);

  tk.setOutput('outcome', model.outcome);
  tk.setOutput('findings', String(model.findings.length));
  tk.setOutput('lockfile_path', paths.lockfile);
  tk.setOutput('summary_path', paths.summary);
  tk.setOutput('check_json_path', inputs.mode !== 'lock' && (await exists(paths.checkJson)) ? paths.checkJson : '');
  tk.setOutput('sarif_path', inputs.mode !== 'lock' && (await exists(paths.sarif)) ? paths.sarif : '');
  tk.setOutput('receipt_path', paths.receipt !== undefined && (await exists(paths.receipt)) ? paths.receipt : '');

  if (model.outcome === 'FAIL') tk.setFailed(failure(model));
  return model.outcome;
}

/** The message of a failed step: why, in one line. */
function failure(model: SummaryModel): string {
  if (model.problem !== undefined) return `${model.title}: ${model.problem.message.replace(/`/g, '')}`;
  const failing = model.checks.filter((c) => c.status !== 'pass' && c.status !== 'skipped');
  const why = failing.map((c) => `${c.name}: ${c.summary || c.status}`).join('; ');
  return `${model.title} failed${why === '' ? '' : ` — ${why}`} (${model.findings.length} finding${model.findings.length === 1 ? '' : 's'})`;
}
