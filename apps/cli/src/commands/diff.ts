import { readFile } from 'node:fs/promises';
import { checkDrift, DEFAULT_FAIL_ON, DRIFT_SEVERITIES, scanServer } from '@mcptrust/drift';
import type { Lockfile } from '@mcptrust/lockfile';
import type { CheckDriftOptions, CheckDriftResult, DriftSeverity } from '@mcptrust/drift';
import type { Argv } from 'yargs';
import type { CommandContext, CommandModule } from '../command.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { writeOutputFile } from '../write-output.js';
import { parseDuration, serverCommandFrom } from '../options.js';
import { paint, say, terminalSafeJson } from '../output.js';
import { renderMarkdown } from '../drift-report/markdown.js';
import { buildDriftReport } from '../drift-report/report.js';
import type { CheckSection, DriftReport } from '../drift-report/report.js';
import { renderSarif } from '../drift-report/sarif.js';
import type { SarifRun } from '../sarif-log.js';
import { renderText } from '../drift-report/text.js';
import { DEFAULT_LOCKFILE } from './lock.js';
import { scanRemoteTarget, sayRemoteWarnings } from '../remote-scan.js';
import { checkEndpoint, remoteFlagValues, remoteOptions, remoteTargetFrom } from '../remote-target.js';

/** Output formats of `diff` and `check`. */
export const REPORT_FORMATS = ['text', 'json', 'markdown', 'sarif'] as const;
/** One of {@link REPORT_FORMATS}. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The flags `diff` and `check` share. */
export function driftOptions(y: Argv): Argv {
  return remoteOptions(y, { allowUrlChange: true })
    .option('lock', { alias: ['l', 'lockfile'], type: 'string', default: DEFAULT_LOCKFILE, describe: 'Lockfile to compare against' })
    .option('fail-on', { type: 'string', default: DEFAULT_FAIL_ON, describe: 'Lowest severity that fails: critical, moderate or info' })
    .option('format', { alias: 'f', type: 'string', default: 'text', describe: 'Report format: text, json, markdown or sarif' })
    .option('output', { alias: 'o', type: 'string', describe: 'Write the report to FILE (atomically) instead of stdout' })
    .option('sarif-output', { type: 'string', describe: 'Also write the report as SARIF 2.1.0 to FILE (atomically), from the same run' })
    .option('timeout', { alias: 't', type: 'string', default: '10s', describe: 'Deadline for start-up and every list (e.g. 500ms, 10s, 2m)' })
    .option('unsafe-allow-private-tarball-hosts', {
      type: 'boolean',
      default: false,
      describe: 'UNSAFE: with a pinned lockfile, let registry lookups reach loopback, private and link-local addresses. HTTPS is still required',
    });
}

/** The validated shared flags. */
export interface DriftFlags {
  lock: string;
  failOn: DriftSeverity;
  format: ReportFormat;
  output: string | undefined;
  /** `--sarif-output`: a SARIF copy of the same report. */
  sarifOutput: string | undefined;
  timeoutMs: number;
  /** The raw flags the pin comparison reads (`--unsafe-allow-private-tarball-hosts`). */
  artifactArgv: Record<string, unknown>;
  /** The remote-server flags (`--url`, `--header`, `--transport`, `--allow-url-change`) and the server command after `--`. */
  targetArgv: Record<string, unknown>;
}

/** Validates the shared flags; every bad value is a usage error naming its flag. */
export function parseDriftFlags(argv: Record<string, unknown>): DriftFlags {
  const lock = String(argv['lock']);
  if (lock.trim() === '') throw new UsageError('--lock: expected a file path');
  const failOn = String(argv['fail-on']);
  if (!(DRIFT_SEVERITIES as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on: expected one of ${DRIFT_SEVERITIES.join(', ')}, got "${failOn}"`);
  }
  const format = String(argv['format']);
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format: expected one of ${REPORT_FORMATS.join(', ')}, got "${format}"`);
  }
  const output = argv['output'] === undefined ? undefined : String(argv['output']);
  if (output !== undefined && output.trim() === '') throw new UsageError('--output: expected a file path');
  const sarifOutput = argv['sarif-output'] === undefined ? undefined : String(argv['sarif-output']);
  if (sarifOutput !== undefined && sarifOutput.trim() === '') throw new UsageError('--sarif-output: expected a file path');
  if (sarifOutput !== undefined && sarifOutput === output) throw new UsageError('--sarif-output: names the same file as --output');
  return {
    lock,
    failOn: failOn as DriftSeverity,
    format: format as ReportFormat,
    output,
    sarifOutput,
    timeoutMs: parseDuration('timeout', argv['timeout']),
    artifactArgv: { 'unsafe-allow-private-tarball-hosts': argv['unsafe-allow-private-tarball-hosts'] === true },
    targetArgv: remoteFlagValues(argv),
  };
}


/**
 * What `checkDrift` scans: the stdio server after `--` (and its pinned artifact), or the
 * remote server of `--url` — refused before connecting when the lockfile was made for
 * another origin, unless `--allow-url-change`.
 */
function driftTarget(flags: DriftFlags, rest: unknown, ctx: CommandContext): Pick<CheckDriftOptions, 'server' | 'scan' | 'resolveArtifact'> {
  const remote = remoteTargetFrom({ ...flags.targetArgv, '--': rest }, ctx.io.env);
  const allowUrlChange = flags.targetArgv['allow-url-change'] === true;
  const endpointChecked = (lockfile: Lockfile): void => {
    for (const warning of checkEndpoint(lockfile, flags.lock, remote, allowUrlChange)) say(ctx.io, `${paint(ctx.io, 'yellow', 'warning:')} ${warning}`);
  };
  if (remote === undefined) {
    const server = serverCommandFrom(rest);
    return {
      scan: async (lockfile, signal) => {
        // A lockfile locked from a remote server is not compared with a command unless asked.
        endpointChecked(lockfile);
        return scanServer(server, { timeoutMs: flags.timeoutMs, env: ctx.io.env, ...(signal === undefined ? {} : { signal }) });
      },
      // A pinned lockfile: what the command would run now is compared with the pin.
      resolveArtifact: async () => (await import('../pin-server.js')).currentArtifactOf(server, flags.artifactArgv, ctx),
    };
  }
  sayRemoteWarnings(ctx, remote);
  return {
    scan: async (lockfile, signal) => {
      endpointChecked(lockfile);
      return scanRemoteTarget(remote, { timeoutMs: flags.timeoutMs, ...(signal === undefined ? {} : { signal }) }, ctx);
    },
  };
}

/**
 * Runs the drift check and emits the report: the requested format on stdout (or in
 * `--output`), a one-line verdict on stderr when the report is not already text on the
 * terminal, and exit code 1 when the report fails.
 */
export async function runDriftReport(
  command: DriftReport['command'],
  flags: DriftFlags,
  rest: unknown,
  ctx: CommandContext,
  sections: readonly CheckSection[] | ((result: CheckDriftResult) => readonly CheckSection[]) = [],
  /** More SARIF runs of the same scan (the policy run of `check`), read once the sections are built. */
  extraSarifRuns: () => readonly SarifRun[] = () => [],
): Promise<DriftReport> {
  const result = await checkDrift({ lockfilePath: flags.lock, failOn: flags.failOn, timeoutMs: flags.timeoutMs, signal: ctx.signal, env: ctx.io.env, ...driftTarget(flags, rest, ctx) });
  const report = buildDriftReport(command, flags.lock, result, typeof sections === 'function' ? sections(result) : sections);
  ctx.run.note({
    drift: {
      critical: report.summary.critical,
      moderate: report.summary.moderate,
      benign: report.summary.info,
      summary: report.summary.total === 0 ? 'no drift' : `${report.summary.total} change(s), highest ${report.highestSeverity ?? 'none'}`,
    },
  });
  const { io } = ctx;
  let text: string;
  switch (flags.format) {
    case 'json':
      text = `${terminalSafeJson(report, 2)}\n`;
      break;
    case 'markdown':
      text = renderMarkdown(report);
      break;
    case 'sarif':
      text = renderSarif(report, await readFile(flags.lock, 'utf8'), extraSarifRuns());
      break;
    default:
      // Colours only on a terminal that wants them, never in a file.
      text = renderText(report, flags.output === undefined && io.color ? (style, t) => paint(io, style, t) : (_style, t) => t);
  }
  if (flags.sarifOutput !== undefined) await writeOutputFile(flags.sarifOutput, renderSarif(report, await readFile(flags.lock, 'utf8'), extraSarifRuns()));
  if (flags.output !== undefined) await writeOutputFile(flags.output, text);
  else io.stdout.write(text);
  if (flags.format !== 'text' || flags.output !== undefined) {
    const verdict = report.failed ? paint(io, 'red', `mcptrust ${command}: fail`) : paint(io, 'green', `mcptrust ${command}: pass`);
    say(io, `${verdict} — ${report.sections.map((s) => `${s.name}: ${s.summary}`).join('; ')}`);
  }
  if (report.failed) ctx.setExitCode(EXIT.FINDING);
  return report;
}

/** `mcptrust diff [--lock mcp-lock.json] [--fail-on critical] [--format text] [--output FILE] -- <server>`. */
export const diffCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'diff',
    'Compare a live server with mcp-lock.json and explain every change (exit 1 on drift at or above --fail-on)',
    (y) =>
      driftOptions(y)
        .usage('Usage: $0 diff [--lock mcp-lock.json] [--fail-on critical|moderate|info] [--format text|json|markdown|sarif] [--output FILE] (--url URL [--header "Name: value"]... | -- <server command>)')
        .example('$0 diff -- npx -y @modelcontextprotocol/server-filesystem /srv', 'explain what changed since the server was locked')
        .example('$0 diff --fail-on moderate --format markdown -o drift.md -- node server.js', 'a PR comment, failing on moderate drift too')
        .example('$0 diff --format sarif -o drift.sarif -- node server.js', 'SARIF 2.1.0 for code scanning, located in mcp-lock.json')
        .example('$0 diff --url https://mcp.example.com/mcp', 'a remote server against the lockfile locked from it'),
    async (argv) => {
      const flags = parseDriftFlags(argv);
      await runDriftReport('diff', flags, argv['--'], ctx);
    },
  );
