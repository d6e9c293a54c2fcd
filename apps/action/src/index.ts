/**
 * @packageDocumentation
 * The MCPTrust GitHub Action, as a library: the action's run (with an injectable toolkit),
 * its inputs, the command line it runs, and the summary, annotations and SARIF handling.
 * The runner starts src/main.ts (bundled as dist/index.js).
 */
export { runAction } from './action.js';
export type { Outcome, Toolkit } from './action.js';
export { ACTION_MODES, ActionInputError, FAIL_ON, POLICY_PRESETS, REPORTS, envInputReader, parseActionInputs } from './inputs.js';
export type { ActionInputs, ActionMode, InputReader, ServerTarget } from './inputs.js';
export { cliArgs } from './cli-args.js';
export type { GateFiles } from './cli-args.js';
export { ANNOTATIONS_PER_KIND, annotate } from './annotations.js';
export type { AnnotationProperties, AnnotationSink } from './annotations.js';
export { checkReportFacts, findingsOf, policyReportFacts, rebaseSarif, repositoryPath } from './report.js';
export type { Finding, GateCheck, ReportFacts } from './report.js';
export { SUMMARY_BUDGET_BYTES, bySeverity, cell, renderSummary } from './summary.js';
export type { SummaryModel } from './summary.js';
export { cliEnvironment, runBundledCli } from './run-cli.js';
export type { CliRun, RunCliOptions } from './run-cli.js';
