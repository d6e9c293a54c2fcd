import { readLockfile } from '@mcptrust/lockfile';
import type { Lockfile } from '@mcptrust/lockfile';
import { serverSpawnOptions } from '@mcptrust/drift/server-spawn';
import type { ServerSpawnOptions } from '@mcptrust/drift/server-spawn';
import { createStdioBridge, effectiveAllowlist, ProxyError } from '@mcptrust/proxy-core';
import type { EnforcementMode, FailOn, PreflightDrift, ProxyEngineOptions, StdioBridgeExit } from '@mcptrust/proxy-core';
import type { Argv } from 'yargs';
import type { CommandContext, CommandModule } from '../command.js';
import { untilClosed } from './until-closed.js';
export { untilClosed } from './until-closed.js';
import { FindingError, UsageError } from '../exit-codes.js';
import { SIGNATURE_FLAG_SPECS } from '../signature-flags.js';
import { parseDuration, serverCommandFrom } from '../options.js';
import { paint, printable, say } from '../output.js';
import type { Io } from '../output.js';
import { createProxyAudit } from '../observe/proxy-audit.js';
import type { ProxyAudit } from '../observe/proxy-audit.js';
import { artifactReceipt } from '../observe/receipt-facts.js';
import { AUDIT_LOG_FLAGS, OBSERVE_FLAGS } from '../observe/observe-flags.js';
import type { FlagSpec } from '../observe/observe-flags.js';
import { ALLOW_URL_CHANGE_FLAG, checkEndpoint, REMOTE_FLAG_SPECS, remoteTargetFrom } from '../remote-target.js';

/**
 * Prepares the server a proxy starts from the validated flags (used by `run`);
 * undefined means there is nothing to start (e.g. `--dry-run`).
 */
export type PrepareServer = (flags: ProxyFlags) => Promise<ServerSpawnOptions | undefined>;

/** Default startup deadline (`initialize` answered, and each preflight list page). */
export const DEFAULT_PROXY_TIMEOUT = '10s';
/** Default per-request deadline of a host request waiting for the server. */
export const DEFAULT_PROXY_REQUEST_TIMEOUT = '300s';

const FAIL_ON: readonly FailOn[] = ['critical', 'moderate', 'info'];
const SEVERITY_RANK: Record<FailOn, number> = { info: 0, moderate: 1, critical: 2 };

/** The flags of `mcptrust proxy` once validated. */
export interface ProxyFlags {
  lockPath: string;
  /** SHA-256 of the lockfile bytes enforced (receipt, audit log). */
  lockSha256: string | undefined;
  lockfile: Lockfile;
  mode: EnforcementMode;
  failOn: FailOn;
  preflight: boolean;
  allowStaticResources: boolean;
  startupTimeoutMs: number;
  requestTimeoutMs: number;
  denySampling: boolean;
  denyRoots: boolean;
  denyElicitation: boolean;
  /** Runtime policy rules, compiled once (absent without --policy or when it has none). */
  callGuard?: ProxyEngineOptions['callGuard'];
}

export { auditLine, stderrAuditSink } from '../observe/proxy-audit.js';

/** The signature flags: any of them asks for a signature check before start-up. */
const SIGNATURE_FLAGS = SIGNATURE_FLAG_SPECS.map((f) => f.name);

/**
 * Verifies the lockfile signature when a signature flag is given. Signing code is
 * loaded only then, so a proxy without these flags starts as fast as before. A
 * signature that does not hold is a finding (exit 1) and the server is never started.
 */
export async function verifySignatureFlags(argv: Record<string, unknown>, lockPath: string, io: Io): Promise<void> {
  if (!SIGNATURE_FLAGS.some((f) => argv[f] !== undefined && argv[f] !== false)) return;
  const { checkSignature, describeVerification, signatureCheckFromFlags } = await import('../gate-flags.js');
  const request = signatureCheckFromFlags(argv, lockPath);
  if (request === undefined) return;
  const outcome = await checkSignature(request);
  if (!outcome.valid) throw new FindingError(`${lockPath}: the lockfile signature does not hold, so the server was not started: ${outcome.reason}`);
  say(io, `mcptrust: ${printable(lockPath)}: signature valid — ${describeVerification(outcome.verification)}`);
}

/** Loads and compiles `--policy`; its runtime rules become the engine's call guard. */
async function runtimeGuardFrom(path: string, io: Io): Promise<ProxyEngineOptions['callGuard']> {
  if (path.trim() === '') throw new UsageError('--policy: expected a file path');
  const { createRuntimeGuard, loadPolicy } = await import('@mcptrust/policy');
  const policy = await loadPolicy(path);
  if (policy.runtime.length === 0) {
    say(io, `${paint(io, 'yellow', 'mcptrust: notice:')} ${printable(path)} has no runtime: rules; only the lockfile allowlist applies to calls.`);
    return undefined;
  }
  return createRuntimeGuard(policy);
}

function failOnFrom(value: unknown): FailOn {
  const text = String(value);
  const found = FAIL_ON.find((f) => f === text);
  if (found === undefined) throw new UsageError(`--fail-on: expected one of ${FAIL_ON.join(', ')}, got "${text}"`);
  return found;
}

/**
 * One line naming a drifted item for the operator. Non-ASCII characters are listed by
 * code point, because a look-alike name (Cyrillic `а` for Latin `a`) reads exactly like
 * the pinned one on a terminal.
 */
function describeDrift(d: PreflightDrift): string {
  const fields = d.fields !== undefined && d.fields.length > 0 ? ` (${d.fields.join(', ')})` : '';
  const foreign = [...new Set([...d.id].filter((ch) => (ch.codePointAt(0) ?? 0) > 0x7e))];
  const note = foreign.length > 0 ? ` — non-ASCII: ${foreign.map((ch) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`).join(' ')}` : '';
  // The drift model's sentence (what changed, e.g. the new injection indicators) on its own line.
  const sentence = d.message === undefined ? '' : `\n      ${printable(d.message)}`;
  return `${d.kind} \`${printable(d.id)}\` ${d.change}${fields} [${d.severity}]${note}${sentence}`;
}

/**
 * Turns how the bridge ended into the command's outcome: returns normally for a clean
 * shutdown, throws a {@link ProxyError} otherwise (exit-codes.ts maps it). A preflight
 * refusal lists every drifted item first, so the operator sees what to review.
 */
export function settle(io: Io, flags: ProxyFlags, exit: Pick<StdioBridgeExit, 'error' | 'crashed' | 'signal' | 'exitCode'>, drift: readonly PreflightDrift[], signalled: boolean): void {
  const error = exit.error;
  if (error instanceof ProxyError && error.code === 'PREFLIGHT_DRIFT') {
    say(io, `${paint(io, 'red', 'mcptrust: refused:')} the server drifted from ${flags.lockPath}; the session was refused:`);
    const threshold = SEVERITY_RANK[flags.failOn];
    for (const d of drift) {
      if (SEVERITY_RANK[d.severity] >= threshold) say(io, `  ${paint(io, 'red', '✗')} ${describeDrift(d)}`);
    }
    say(io, `Review the change and re-lock (mcptrust lock --force), or lower the bar with --fail-on.`);
    throw error;
  }
  if (error !== undefined) throw error;
  if (exit.crashed && !signalled) {
    const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${String(exit.exitCode)}`;
    throw new ProxyError('SERVER_CLOSED', `the server ${how}`);
  }
}

/** Validates every flag and reads the lockfile; nothing is started before this passes. */
async function resolveFlags(argv: Record<string, unknown>, io: Io): Promise<ProxyFlags> {
  if (argv['audit-only'] === true && argv['filter-only'] === true) {
    throw new UsageError('--audit-only and --filter-only cannot be combined: pick one mode');
  }
  const startupTimeoutMs = parseDuration('timeout', argv['timeout']);
  const requestTimeoutMs = parseDuration('request-timeout', argv['request-timeout']);
  const failOn = failOnFrom(argv['fail-on']);
  const lockPath = typeof argv['lock'] === 'string' ? argv['lock'] : '';
  if (lockPath.trim() === '') throw new UsageError('--lock: expected the path of the lockfile (e.g. --lock mcp-lock.json)');
  await verifySignatureFlags(argv, lockPath, io);
  const callGuard = argv['policy'] === undefined ? undefined : await runtimeGuardFrom(String(argv['policy']), io);
  const parsed = await readLockfile(lockPath);
  for (const notice of parsed.notices) say(io, `${paint(io, 'cyan', 'notice:')} ${notice}`);
  return {
    lockPath,
    lockSha256: parsed.sha256,
    lockfile: parsed.lockfile,
    mode: argv['audit-only'] === true ? 'audit-only' : argv['filter-only'] === true ? 'filter-only' : 'enforce',
    failOn,
    preflight: argv['preflight'] !== false,
    allowStaticResources: argv['allow-static-resources'] === true,
    startupTimeoutMs,
    requestTimeoutMs,
    denySampling: argv['deny-sampling'] === true,
    denyRoots: argv['deny-roots'] === true,
    denyElicitation: argv['deny-elicitation'] === true,
    ...(callGuard === undefined ? {} : { callGuard }),
  };
}

function noPreflightNotice(io: Io, flags: ProxyFlags): void {
  if (flags.preflight) return;
  say(io, `${paint(io, 'yellow', 'mcptrust: notice:')} --no-preflight: the server is not compared with ${printable(flags.lockPath)} at start-up; items are checked as they are listed and called.`);
}

/** The engine's options from the validated flags and the audit destinations (stdio and remote proxies alike). */
export function engineOptionsOf(flags: ProxyFlags, audit: ProxyAudit): ProxyEngineOptions {
  return {
    lockfile: flags.lockfile,
    mode: flags.mode,
    failOn: flags.failOn,
    preflight: flags.preflight,
    allowStaticResources: flags.allowStaticResources,
    startupTimeoutMs: flags.startupTimeoutMs,
    requestTimeoutMs: flags.requestTimeoutMs,
    denySampling: flags.denySampling,
    denyRoots: flags.denyRoots,
    denyElicitation: flags.denyElicitation,
    ...(flags.callGuard === undefined ? {} : { callGuard: flags.callGuard }),
    audit: audit.sink,
    auditAllowed: audit.auditAllowed,
    auditPayloads: audit.auditPayloads,
  };
}

/**
 * Runs the proxy until the host goes away, the server exits, or a signal arrives.
 * stdin/stdout belong to the host's MCP session; everything else goes to stderr.
 */
export async function runProxy(argv: Record<string, unknown>, ctx: CommandContext, prepare?: PrepareServer): Promise<void> {
  const { io } = ctx;
  const flags = await resolveFlags(argv, io);
  // The digest of the bytes just parsed and enforced, not of a second read of the file.
  const lockDigest = flags.lockSha256 === undefined ? undefined : { path: flags.lockPath, sha256: flags.lockSha256 };
  ctx.run.note({ ...(lockDigest === undefined ? {} : { lockfile: lockDigest }), artifact: artifactReceipt(flags.lockfile.server.artifact) });
  if (argv['print-effective-allowlist'] === true) {
    io.stdout.write(JSON.stringify(effectiveAllowlist(flags.lockfile), null, 2) + '\n');
    return;
  }
  if (prepare !== undefined && argv['url'] !== undefined) throw new UsageError('--url: mcptrust run starts the pinned package; enforce a remote server with mcptrust proxy --url');
  const remote = prepare === undefined ? remoteTargetFrom(argv, io.env) : undefined;
  for (const warning of [...(remote?.warnings ?? []), ...checkEndpoint(flags.lockfile, flags.lockPath, remote, argv['allow-url-change'] === true)]) {
    say(io, `${paint(io, 'yellow', 'mcptrust: warning:')} ${printable(warning)}`);
  }
  if (remote !== undefined) {
    noPreflightNotice(io, flags);
    const { runRemoteProxy } = await import('./proxy-remote.js');
    await runRemoteProxy(argv, ctx, flags, remote, lockDigest);
    return;
  }
  // `run` starts the pinned, verified server instead of the command after --.
  const spawn = prepare === undefined ? serverSpawnOptions(serverCommandFrom(argv['--']), { env: io.env }) : await prepare(flags);
  if (spawn === undefined) return;
  noPreflightNotice(io, flags);
  if (ctx.signal.aborted) return;

  const audit = await createProxyAudit({
    io,
    run: ctx.run,
    lockfile: flags.lockfile,
    ...(lockDigest === undefined ? {} : { lockDigest }),
    mode: flags.mode,
    serverCommand: [spawn.command, ...spawn.args],
    ...(typeof argv['audit-log'] === 'string' ? { auditLogPath: argv['audit-log'] } : {}),
    ...(typeof argv['audit-key'] === 'string' ? { auditKeyPath: argv['audit-key'] } : {}),
  });
  try {
    await serve(io, ctx, flags, spawn, audit);
  } finally {
    audit.close();
  }
}

/** Runs the bridge until the session ends and settles its outcome. */
async function serve(io: Io, ctx: CommandContext, flags: ProxyFlags, spawn: ServerSpawnOptions, audit: ProxyAudit): Promise<void> {
  const hostInput = process.stdin;
  const bridge = createStdioBridge({
    ...engineOptionsOf(flags, audit),
    // The server gets the environment the host gave the proxy (API keys configured in
    // the host's MCP settings must reach it), plus what the command line added: built
    // by the function `lock`, `diff` and `check` use, so the proxy enforces the server
    // they saw.
    ...spawn,
    hostInput,
    hostOutput: io.stdout,
    // The server's own stderr passes through unchanged, even when JSONL records take
    // over the command's stderr lines.
    stderr: ctx.run.rawStderr,
    // stdout is the process's own stream: it is flushed on exit, never ended here.
    endHostOutput: false,
  });
  const { exit, signalled } = await untilClosed(ctx, bridge, hostInput);
  settle(io, flags, exit, bridge.engine.drift, signalled);
}


/** One flag of `mcptrust proxy`. */
type ProxyFlag = FlagSpec;

/**
 * Every flag of `mcptrust proxy`, in one table that both runners read: yargs
 * (`proxyOptions`) and the fast path (`parseProxyArgv`). A new flag goes here and
 * nowhere else, so the two cannot disagree on names, defaults or choices
 * (test/proxy-argv.test.ts compares them).
 */
export const PROXY_FLAGS: readonly ProxyFlag[] = [
  { name: 'lock', alias: ['l', 'lockfile'], type: 'string', demandOption: true, describe: 'Lockfile whose items are allowed (required)' },
  { name: 'timeout', type: 'string', default: DEFAULT_PROXY_TIMEOUT, describe: 'Start-up deadline: initialize answered, and each preflight list page' },
  { name: 'request-timeout', type: 'string', default: DEFAULT_PROXY_REQUEST_TIMEOUT, describe: 'Deadline of each host request (extended by progress); then the host gets an error and the server a cancellation' },
  { name: 'fail-on', type: 'string', choices: FAIL_ON, default: 'critical', describe: 'Preflight drift at or above this severity refuses the session (enforce mode only); below it, drifted items are denied' },
  { name: 'preflight', type: 'boolean', default: true, describe: 'Compare the whole server with the lockfile before answering initialize (--no-preflight: only check items as they are listed and called)' },
  { name: 'audit-only', type: 'boolean', default: false, describe: 'Training: change nothing, log what would have been blocked or filtered; drift never refuses the session' },
  { name: 'filter-only', type: 'boolean', default: false, describe: 'Visibility rollout: filter lists but let calls through (logged); drift never refuses the session' },
  { name: 'allow-static-resources', type: 'boolean', default: false, describe: 'Also allow the static resources the server lists at start-up' },
  { name: 'deny-sampling', type: 'boolean', default: false, describe: 'Answer sampling/createMessage from the server with -32601' },
  { name: 'deny-roots', type: 'boolean', default: false, describe: 'Answer roots/list from the server with -32601' },
  { name: 'deny-elicitation', type: 'boolean', default: false, describe: 'Answer elicitation/create from the server with -32601' },
  { name: 'policy', type: 'string', describe: 'Policy file whose runtime: rules decide each tools/call, prompts/get and resources/read (the first failing rule denies)' },
  ...REMOTE_FLAG_SPECS,
  ALLOW_URL_CHANGE_FLAG,
  ...SIGNATURE_FLAG_SPECS,
  ...AUDIT_LOG_FLAGS,
  { name: 'print-effective-allowlist', type: 'boolean', default: false, describe: 'Print the tools, prompts, templates and static resources the lockfile allows (JSON) and exit; starts nothing' },
];

/** Every flag of {@link PROXY_FLAGS} (also the proxy flags of `mcptrust run`). */
export function proxyFlagOptions(y: Argv): Argv {
  let cli = y;
  for (const { name, ...option } of PROXY_FLAGS) {
    cli = cli.option(name, { ...option, alias: option.alias === undefined ? undefined : [...option.alias], choices: option.choices === undefined ? undefined : [...option.choices] });
  }
  return cli;
}

/** The flags, usage and examples of `mcptrust proxy` (shared by every runner). */
export function proxyOptions(y: Argv): Argv {
  return proxyFlagOptions(y.usage('Usage: $0 proxy --lock mcp-lock.json [flags] (--url URL [--header "Name: value"]... | -- <server command>)\n\nstdin/stdout carry the MCP session with the host; audit lines and diagnostics go to stderr.'))
    .example('$0 proxy --lock mcp-lock.json -- npx -y @modelcontextprotocol/server-filesystem /tmp', 'enforce the lockfile in front of a server')
    .example('$0 proxy --lock mcp-lock.json --audit-only -- node server.js', 'trial run: log what would be blocked')
    .example('$0 proxy --lock mcp-lock.json --url https://mcp.example.com/mcp', 'enforce the lockfile in front of a remote server (the host speaks stdio to the proxy)')
    .example('$0 proxy --lock mcp-lock.json --print-effective-allowlist', 'show what the lockfile allows');
}

/**
 * `mcptrust proxy --lock mcp-lock.json [flags] -- <server command>`: the runtime
 * firewall between a host and one MCP server.
 */
export const proxyCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'proxy',
    'Run an MCP server behind the deny-by-default firewall: only what mcp-lock.json pins reaches the host',
    proxyOptions,
    async (argv) => runProxy(argv as unknown as Record<string, unknown>, ctx),
  );

/**
 * Every flag the proxy's command line may carry: its own and the observability flags
 * every command takes (yargs registers those globally).
 */
export const FAST_PATH_FLAGS: readonly ProxyFlag[] = [...PROXY_FLAGS, ...OBSERVE_FLAGS];

const FLAGS_BY_NAME: ReadonlyMap<string, ProxyFlag> = new Map(FAST_PATH_FLAGS.map((f) => [f.name, f]));

/**
 * The proxy's fast path: parses the plain, common form of a proxy command line
 * (`proxy --flag value … --flag … -- <server command>`) into exactly the values yargs
 * would hand to {@link runProxy}, so a proxy starts without loading yargs. It accepts
 * only long names from {@link PROXY_FLAGS}, each at most once (`--header` may repeat),
 * string values as `--flag value` or `--flag=value` (not starting with `-`), booleans as
 * a bare `--flag` or `--no-flag`, and a non-empty server command after `--` — or no
 * `--` at all with `--url`. Anything else
 * (help, version, aliases, repeated or unknown flags, a value outside `choices`, a
 * missing required flag) returns undefined and the caller runs yargs, which gives the
 * usual help and errors. `test/proxy-argv.test.ts` checks it against yargs.
 */
export function parseProxyArgv(argv: readonly string[]): Record<string, unknown> | undefined {
  if (argv[0] !== 'proxy') return undefined;
  const found = argv.indexOf('--');
  // A remote server (--url) has no server command: then there is no `--` at all.
  const dashes = found === -1 ? argv.length : found;
  if (dashes === argv.length - 1) return undefined;
  const out: Record<string, unknown> = {};
  for (const f of FAST_PATH_FLAGS) if (f.default !== undefined) out[f.name] = f.default;
  const seen = new Set<string>();
  for (let i = 1; i < dashes; i++) {
    const token = argv[i]!;
    if (!token.startsWith('--') || token.length < 3) return undefined;
    const eq = token.indexOf('=');
    let name = eq === -1 ? token.slice(2) : token.slice(2, eq);
    const flag = FLAGS_BY_NAME.get(name);
    let value: string | boolean;
    if (flag?.type === 'string') {
      if (eq !== -1) value = token.slice(eq + 1);
      else {
        if (i + 1 >= dashes) return undefined;
        value = argv[++i]!;
      }
      if (value.length === 0 || value.startsWith('-')) return undefined;
    } else if (eq === -1 && flag?.type === 'boolean') {
      value = true;
    } else if (eq === -1 && name.startsWith('no-') && FLAGS_BY_NAME.get(name.slice(3))?.type === 'boolean') {
      name = name.slice(3);
      value = false;
    } else {
      return undefined;
    }
    if (seen.has(name)) {
      // Only --header may repeat (yargs collects the values in order).
      if (name !== 'header' || typeof value !== 'string') return undefined;
      const previous = out[name];
      out[name] = Array.isArray(previous) ? [...(previous as string[]), value] : [previous, value];
      continue;
    }
    seen.add(name);
    out[name] = value;
  }
  for (const f of FAST_PATH_FLAGS) {
    if (f.demandOption === true && !seen.has(f.name)) return undefined;
    if (f.choices !== undefined && out[f.name] !== undefined && !f.choices.includes(String(out[f.name]))) return undefined;
  }
  if (found === -1) {
    if (!seen.has('url')) return undefined;
    return out;
  }
  out['--'] = argv.slice(dashes + 1);
  return out;
}
