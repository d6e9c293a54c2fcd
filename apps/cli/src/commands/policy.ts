import { readLockfile } from '@mcptrust/lockfile';
import type { Lockfile } from '@mcptrust/lockfile';
import { compareToLockfile, scanServer } from '@mcptrust/drift';
import { buildPolicyInput, evaluatePolicy, loadPolicy, loadPreset, PRESET_NAMES } from '@mcptrust/policy';
import type { LoadedPolicy, PolicyDriftItem, PolicyInput, PolicyResult, RuleResult } from '@mcptrust/policy';
import type { Argv } from 'yargs';
import { policyReceipt } from '../observe/receipt-facts.js';
import type { CommandContext, CommandModule } from '../command.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { writeOutputFile } from '../write-output.js';
import { sarifLog } from '../sarif-log.js';
import { policySarifRun } from '../policy-sarif.js';
import { toPolicyDriftItems } from '../gate-flags.js';
import { parseDuration, serverCommandFrom } from '../options.js';
import { scanRemoteTarget, sayRemoteWarnings } from '../remote-scan.js';
import { checkEndpoint, remoteOptions, remoteTargetFrom } from '../remote-target.js';
import type { RemoteTarget } from '../remote-target.js';
import { paint, printable, say, terminalSafeJson } from '../output.js';
import type { Io } from '../output.js';
import { printFindings } from '../report.js';

const FORMATS = ['text', 'json', 'markdown', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

interface PolicyArgs {
  policy?: string;
  preset?: string;
  lock?: string;
  format: Format;
  output?: string;
  /** `--sarif-output`: a SARIF copy of the same result. */
  sarifOutput?: string;
  explain: boolean;
  timeoutMs: number;
}

/** Validates the flags shared by `policy check` and `policy explain`. */
function policyArgs(argv: Record<string, unknown>, explain: boolean): PolicyArgs {
  const policy = argv['policy'] === undefined ? undefined : String(argv['policy']);
  const preset = argv['preset'] === undefined ? undefined : String(argv['preset']);
  if (policy !== undefined && preset !== undefined) throw new UsageError('--policy and --preset: give one, not both');
  if (policy !== undefined && policy.trim() === '') throw new UsageError('--policy: expected a file path');
  if (preset !== undefined && !(PRESET_NAMES as readonly string[]).includes(preset)) {
    throw new UsageError(`--preset: expected one of ${PRESET_NAMES.join(', ')}, got "${preset}"`);
  }
  const format = String(argv['format'] ?? 'text');
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got "${format}"`);
  const lock = argv['lock'] === undefined ? undefined : String(argv['lock']);
  if (lock !== undefined && lock.trim() === '') throw new UsageError('--lock: expected a file path');
  const output = argv['output'] === undefined ? undefined : String(argv['output']);
  if (output !== undefined && output.trim() === '') throw new UsageError('--output: expected a file path');
  const sarifOutput = argv['sarif-output'] === undefined ? undefined : String(argv['sarif-output']);
  if (sarifOutput !== undefined && sarifOutput.trim() === '') throw new UsageError('--sarif-output: expected a file path');
  if (sarifOutput !== undefined && sarifOutput === output) throw new UsageError('--sarif-output: names the same file as --output');
  return {
    ...(policy === undefined ? {} : { policy }),
    ...(preset === undefined ? {} : { preset }),
    ...(lock === undefined ? {} : { lock }),
    ...(output === undefined ? {} : { output }),
    ...(sarifOutput === undefined ? {} : { sarifOutput }),
    format: format as Format,
    explain: explain || argv['explain'] === true,
    timeoutMs: parseDuration('timeout', argv['timeout'] ?? '10s'),
  };
}


function itemsText(rule: RuleResult): string[] {
  return rule.items.map((i) => `${printable(i.list)}[${i.index}] ${printable(i.id)}${i.error === undefined ? '' : ` (error: ${printable(i.error)})`}`);
}

function statusLabel(rule: RuleResult): string {
  if (rule.status === 'pass') return 'PASS';
  if (rule.status === 'error') return rule.severity === 'error' ? 'ERROR' : 'WARN (error)';
  return rule.severity === 'error' ? 'FAIL' : 'WARN';
}

/** Why warnings failed the check, when they did: strict mode makes every failure fatal. */
function strictNote(result: PolicyResult): string {
  return result.summary.fatalWarnings > 0 ? ' (strict mode: warnings fail)' : '';
}

/** The text report (colour only when the stream is a terminal on stderr; stdout stays plain unless asked). */
function renderText(io: Io, result: PolicyResult): string {
  const lines: string[] = [`Policy ${printable(result.policy)} (${printable(result.source)}, mode ${result.mode})`];
  for (const rule of result.rules) {
    const label = statusLabel(rule);
    const colour = rule.status === 'pass' ? 'green' : rule.failsCheck ? 'red' : 'yellow';
    lines.push(`  ${paint(io, colour, label.padEnd(5))} ${printable(rule.name)}${rule.status === 'pass' ? '' : `: ${printable(rule.failureMessage)}`}`);
    if (rule.error !== undefined) lines.push(`        evaluation error (fails closed): ${printable(rule.error)}`);
    for (const item of itemsText(rule)) lines.push(`        - ${item}`);
  }
  const s = result.summary;
  lines.push(`${result.passed ? 'passed' : 'failed'}: ${s.passed} passed, ${s.failed} failed, ${s.errors} errors, ${s.warnings} warnings${strictNote(result)}`);
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return printable(text).replaceAll('|', '\\|');
}

function renderMarkdown(result: PolicyResult): string {
  const lines = [
    `## Policy \`${cell(result.policy)}\` — ${result.passed ? 'passed' : 'failed'}${strictNote(result)}`,
    '',
    `Source: \`${cell(result.source)}\`, mode \`${result.mode}\``,
    '',
    '| Rule | Result | Severity | Message | Items |',
    '|---|---|---|---|---|',
  ];
  for (const rule of result.rules) {
    const message = rule.status === 'pass' ? '' : cell(rule.error === undefined ? rule.failureMessage : `${rule.failureMessage} (evaluation error: ${rule.error})`);
    lines.push(`| \`${cell(rule.name)}\` | ${statusLabel(rule)} | ${rule.severity} | ${message} | ${rule.items.map((i) => `\`${cell(i.id)}\``).join(', ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function render(io: Io, args: PolicyArgs, result: PolicyResult, input: PolicyInput): string {
  if (args.format === 'json') return `${terminalSafeJson(args.explain ? { input, result } : result, 2)}\n`;
  if (args.format === 'markdown') return renderMarkdown(result);
  if (args.format === 'sarif') return sarifLog(policySarifRun(result, args.lock));
  const report = renderText(io, result);
  if (!args.explain) return report;
  // JSON escapes control characters already; printable() also escapes invisible and bidi ones.
  const document = JSON.stringify(input, null, 2).split('\n').map(printable).join('\n');
  return `Input document:\n${document}\n\n${report}`;
}


async function runPolicy(argv: Record<string, unknown>, ctx: CommandContext, explain: boolean): Promise<void> {
  const args = policyArgs(argv, explain);
  const remote = remoteTargetFrom(argv, ctx.io.env);
  const server = remote === undefined ? serverCommandFrom(argv['--']) : undefined;
  // Load and compile the policy and read the lockfile before any server is started:
  // a broken rule or lockfile is an operational error, not a finding.
  const policy: LoadedPolicy = args.policy === undefined ? loadPreset(args.preset ?? 'baseline') : await loadPolicy(args.policy);
  const lockfile = args.lock === undefined ? undefined : (await readLockfile(args.lock)).lockfile;
  if (remote !== undefined) sayRemoteWarnings(ctx, remote);
  // The lockfile is compared only with the server it was locked from (remote or stdio) unless asked.
  const endpointWarnings = lockfile === undefined || args.lock === undefined ? [] : checkEndpoint(lockfile, args.lock, remote, argv['allow-url-change'] === true);
  for (const warning of endpointWarnings) say(ctx.io, `${paint(ctx.io, 'yellow', 'warning:')} ${warning}`);
  const scan =
    server === undefined
      ? await scanRemoteTarget(remote as RemoteTarget, { timeoutMs: args.timeoutMs, signal: ctx.signal }, ctx)
      : await scanServer(server, { timeoutMs: args.timeoutMs, signal: ctx.signal, env: ctx.io.env });
  printFindings(ctx.io, scan.findings);
  const input = buildPolicyInput(scan, lockfile === undefined ? {} : { lockfile, drift: toPolicyDriftItems(compareToLockfile(lockfile, scan)) });
  const result = evaluatePolicy(policy, input);
  ctx.run.note({ policy: policyReceipt(result.passed, result.rules, args.policy === undefined ? (args.preset ?? 'baseline') : undefined) });
  const report = render(args.format === 'text' && args.output === undefined ? ctx.io : { ...ctx.io, color: false }, args, result, input);
  if (args.sarifOutput !== undefined) await writeOutputFile(args.sarifOutput, sarifLog(policySarifRun(result, args.lock)));
  if (args.output === undefined) ctx.io.stdout.write(report);
  else {
    await writeOutputFile(args.output, report);
    say(ctx.io, `policy report written to ${args.output}`);
  }
  if (!result.passed) {
    const failing = result.rules.filter((r) => r.failsCheck).map((r) => r.name);
    say(ctx.io, `${paint(ctx.io, 'red', 'mcptrust: policy failed:')} ${failing.map(printable).join(', ')}${strictNote(result)}`);
    ctx.setExitCode(EXIT.FINDING);
  }
}

function sharedOptions(y: Argv): Argv {
  return remoteOptions(y, { allowUrlChange: true })
    .option('policy', { alias: ['p', 'P'], type: 'string', describe: 'Policy file (YAML)' })
    .option('preset', { type: 'string', describe: `Shipped preset: ${PRESET_NAMES.join(' | ')} (default baseline)` })
    .option('lock', { alias: ['l', 'lockfile'], type: 'string', describe: 'Lockfile to diff the server against (fills input.drift; its denied items are left out of input.tools and the other lists)' })
    .option('format', { alias: 'f', type: 'string', default: 'text', describe: `Report format: ${FORMATS.join(' | ')}` })
    .option('output', { alias: 'o', type: 'string', describe: 'Write the report to this file (atomically) instead of stdout' })
    .option('sarif-output', { type: 'string', describe: 'Also write the result as SARIF 2.1.0 to FILE (atomically), from the same run' })
    .option('timeout', { alias: 't', type: 'string', default: '10s', describe: 'Deadline for start-up and every list (e.g. 500ms, 10s, 2m)' });
}

/** `mcptrust policy check|explain [--policy FILE | --preset NAME] [--lock FILE] [--format F] -- <server>`. */
export const policyCommand: CommandModule = (cli, ctx) =>
  cli.command('policy', 'Evaluate CEL governance rules (a policy file or a preset) against a server', (y) =>
    y
      .usage('Usage: $0 policy <check|explain> [--policy FILE | --preset baseline|strict] [--lock mcp-lock.json] (--url URL | -- <server command>)')
      .command(
        'check',
        'Scan the server, evaluate the policy; exit 1 when a rule fails (with mode: warn, only an error-severity one)',
        (c) =>
          sharedOptions(c)
            .usage('Usage: $0 policy check [--policy FILE | --preset baseline|strict] [--lock mcp-lock.json] [--format text|json|markdown|sarif] [--explain] (--url URL | -- <server command>)')
            .option('explain', { type: 'boolean', default: false, describe: 'Also print the input document (same as policy explain)' })
            .example('$0 policy check --preset strict --lock mcp-lock.json -- npx -y @modelcontextprotocol/server-filesystem /tmp', 'fail closed in CI')
            .example('$0 policy check --policy team-policy.yaml --format sarif -o policy.sarif -- node server.js', 'SARIF for code scanning')
            .example('$0 policy check --preset baseline -- node server.js', 'warn about an unpinned server, fail only on critical drift'),
        (argv) => runPolicy(argv as Record<string, unknown>, ctx, false),
      )
      .command(
        'explain',
        'Print the input document and each rule\'s result (for writing rules)',
        (c) =>
          sharedOptions(c)
            .usage('Usage: $0 policy explain [--policy FILE | --preset baseline|strict] [--lock mcp-lock.json] [--format text|json] (--url URL | -- <server command>)')
            .example('$0 policy explain --policy team-policy.yaml -- node server.js', 'see every input field and why each rule passed or failed')
            .example('$0 policy explain --format json -- node server.js', '{ input, result } as JSON'),
        (argv) => runPolicy(argv as Record<string, unknown>, ctx, true),
      )
      .demandCommand(1, 'Specify a policy subcommand: check or explain.'),
  );
