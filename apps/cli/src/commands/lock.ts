import { existsSync } from 'node:fs';
import { buildLockfile, compareLockfiles, deniedItems, denyItems, readLockfile, serializeLockfile, writeLockfile } from '@mcptrust/lockfile';
import type { Lockfile, LockfileChange, LockfileItemRef, ScanReport } from '@mcptrust/lockfile';
import { compareDeniedItems, scanServer } from '@mcptrust/drift';
import type { DeniedItem, ServerCommand } from '@mcptrust/drift';
import { decideDenials, describeItem, exclusionHint, parseSelectorFlag } from '../denial-selection.js';
import type { DenialDecision, DenialFlags } from '../denial-selection.js';
import type { CommandContext, CommandModule } from '../command.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { parseDuration, serverCommandFrom } from '../options.js';
import { paint, printable, say } from '../output.js';
import type { Io } from '../output.js';
import { printChanges, printFindings, summarize } from '../report.js';
import { artifactNetworkOptions } from '../artifact-flags.js';
import { pinAndPrepare, pinRequestFrom, withPin } from '../pin-server.js';
import type { PinRequest } from '../pin-server.js';
import { VERSION } from '../version.js';
import { scanRemoteTarget, sayRemoteWarnings } from '../remote-scan.js';
import { remoteOptions, remoteTargetFrom } from '../remote-target.js';
import type { RemoteTarget } from '../remote-target.js';

/** Default lockfile name. */
export const DEFAULT_LOCKFILE = 'mcp-lock.json';

/** Options of {@link lockServer}. */
export interface LockOptions {
  /** The stdio server to lock (exactly one of `server` and `remote`). */
  server?: ServerCommand;
  /** The remote server to lock (`--url`). */
  remote?: RemoteTarget;
  output: string;
  force: boolean;
  timeoutMs: number;
  /** `--exclude` / `--include` selectors (none when absent). */
  denials?: DenialFlags;
  /** `--pin`: pin the artifact and scan the server from the pinned, verified install. */
  pin?: PinRequest;
}

/** What {@link lockServer} did. */
export interface LockOutcome {
  /** `written` (new or updated), `unchanged` (already up to date) or `refused` (drift without --force). */
  status: 'written' | 'unchanged' | 'refused';
  lockfile: Lockfile;
  scan: ScanReport;
  changes: LockfileChange[];
}

/** The lockfile timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
export function lockTimestamp(io: Io): string {
  const epoch = io.env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d{1,12}$/.test(epoch)) throw new UsageError(`SOURCE_DATE_EPOCH: expected whole seconds since 1970, got "${epoch}"`);
    return new Date(Number(epoch) * 1000).toISOString();
  }
  return new Date().toISOString();
}

/**
 * Scans the server and writes the lockfile. An existing lockfile is only replaced when
 * the server matches it, or with `force`: drift is refused and reported, never silently
 * accepted. A lockfile that is already up to date is left byte-for-byte as it is.
 */
export async function lockServer(options: LockOptions, ctx: CommandContext): Promise<LockOutcome> {
  const { io } = ctx;
  // Read the existing lockfile first: an unreadable or invalid one stops us before
  // any server is started.
  const previous = existsSync(options.output) ? await readLockfile(options.output) : undefined;
  for (const notice of previous?.notices ?? []) say(io, `${paint(io, 'cyan', 'notice:')} ${notice}`);

  // With --pin the scanned server is the pinned one: installed from verified bytes
  // without lifecycle scripts, so the surface recorded belongs to the bytes pinned.
  let scan: ScanReport;
  let pinned: Awaited<ReturnType<typeof pinAndPrepare>> | undefined;
  if (options.remote !== undefined) {
    scan = await scanRemoteTarget(options.remote, { timeoutMs: options.timeoutMs, signal: ctx.signal }, ctx);
  } else {
    if (options.server === undefined) throw new UsageError('missing server: give --url or a server command after --');
    pinned = options.pin === undefined ? undefined : await pinAndPrepare(options.server, options.pin, ctx);
    scan = await scanServer(pinned?.server ?? options.server, { timeoutMs: options.timeoutMs, signal: ctx.signal, env: pinned?.env ?? io.env });
  }
  printFindings(io, scan.findings);
  const built = buildLockfile(scan, { generator: `mcptrust ${VERSION}`, updatedAt: lockTimestamp(io) });
  const live = pinned === undefined ? built : withPin(built, pinned.pin, previous?.lockfile);
  // Denials carry over from the previous lockfile whatever the flags (--force included):
  // a re-lock never approves again what was denied, only --include does.
  const decision = decideDenials(live, previous?.lockfile, options.denials ?? { exclude: [], include: [] });
  const next = denyItems(live, decision.deny);
  printDenialNotices(io, decision, previous === undefined ? [] : compareDeniedItems(previous.lockfile, scan));

  if (previous === undefined) {
    await writeLockfile(options.output, next);
    return { status: 'written', lockfile: next, scan, changes: [] };
  }
  // An item approved again by --include shows as added; the flag is the review.
  const changes = compareLockfiles(previous.lockfile, next).filter(
    (c) => !(c.kind === 'added' && decision.approvedAgain.some((item) => item.itemType === c.itemType && item.id === c.id)),
  );
  if (changes.length > 0 && !options.force) {
    return { status: 'refused', lockfile: previous.lockfile, scan, changes };
  }
  if (changes.length === 0 && previous.format === 'v3') {
    // Same pinned surface: keep the original timestamp so that re-locking is a no-op
    // in version control and keeps an existing signature valid.
    const kept: Lockfile = { ...next, meta: previous.lockfile.meta };
    if (serializeLockfile(kept) === serializeLockfile(previous.lockfile)) {
      return { status: 'unchanged', lockfile: previous.lockfile, scan, changes };
    }
    await writeLockfile(options.output, kept);
    return { status: 'written', lockfile: kept, scan, changes };
  }
  await writeLockfile(options.output, next);
  return { status: 'written', lockfile: next, scan, changes };
}

/** Names both endpoints when the change is the server's endpoint (`server.url`). */
function printEndpointChange(io: Io, changes: readonly LockfileChange[], locked: string | undefined, live: string | undefined): void {
  if (!changes.some((c) => c.itemType === 'server' && c.fields.includes('url'))) return;
  say(io, `    endpoint: ${printable(locked ?? 'a stdio server')} → ${printable(live ?? 'a stdio server')}`);
}

/** Says on stderr what changed in the denied set, and what a denied item did on the server. */
function printDenialNotices(io: Io, decision: DenialDecision, deniedNow: readonly DeniedItem[]): void {
  const notice = (text: string): void => say(io, `${paint(io, 'cyan', 'notice:')} ${text}`);
  for (const item of decision.newlyDenied) notice(`${describeItem(item)} is denied: the proxy hides it and refuses calls to it`);
  for (const item of decision.approvedAgain) notice(`${describeItem(item)} is approved again (--include)`);
  for (const item of decision.dropped) notice(`denied ${describeItem(item)} is no longer offered by the server: dropped from the denied items`);
  for (const d of deniedNow) if (d.status === 'changed') notice(`${printable(d.message)}; its new definition is recorded`);
  for (const s of decision.unusedIncludes) say(io, `${paint(io, 'yellow', 'warning:')} --include "${printable(s.text)}" matches no denied item: nothing to approve`);
}

/** `mcptrust lock [--output mcp-lock.json] [--force] [--exclude SELECTOR] [--include SELECTOR] [--timeout 10s] -- <server>`. */
export const lockCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'lock',
    'Create or update mcp-lock.json from what the server exposes (refuses drift unless --force)',
    (y) =>
      remoteOptions(artifactNetworkOptions(y, { trustedRoot: true }), { allowUrlChange: false })
        .usage('Usage: $0 lock [--output mcp-lock.json] [--force] [--pin [--verify-provenance]] [--exclude KIND:NAME]... [--include KIND:NAME]... [--timeout 10s] (--url URL [--header "Name: value"]... | -- <server command>)')
        .option('output', { alias: ['o', 'lockfile', 'lock'], type: 'string', default: DEFAULT_LOCKFILE, describe: 'Lockfile to write' })
        .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Overwrite a lockfile even when the server drifted from it' })
        .option('exclude', {
          type: 'string',
          describe: 'Deny an item the server offers (repeatable): tool:NAME, prompt:NAME, template:URI_TEMPLATE or resource:URI; * matches any run of characters',
        })
        .option('include', { type: 'string', describe: 'Approve again an item an earlier lock denied (repeatable; same selectors; wins over --exclude)' })
        .option('pin', { type: 'boolean', default: false, describe: 'Pin the npm package (whole dependency tree) or image the command runs, and scan the server from the pinned, verified install' })
        .option('verify-provenance', { type: 'boolean', default: false, describe: 'With --pin: verify the SLSA provenance (Sigstore) and registry signature, and record the verified claims' })
        .option('timeout', { alias: 't', type: 'string', default: '10s', describe: 'Deadline for start-up and every list (e.g. 500ms, 10s, 2m)' })
        .option('v3', { type: 'boolean', hidden: true, describe: 'Accepted for compatibility: lockfile v3 is the only format written' })
        .example('$0 lock -- npx -y @modelcontextprotocol/server-filesystem /tmp', 'pin a server given as argv')
        .example('$0 lock --pin --verify-provenance --expected-source https://github.com/modelcontextprotocol/servers -- npx -y @modelcontextprotocol/server-filesystem /srv', 'pin the package, its tree and its verified provenance')
        .example('$0 lock -- "npx -y @modelcontextprotocol/server-filesystem /tmp"', 'one quoted string, split like a shell (never run by one)')
        .example('$0 lock --force --output locks/fs.json -- node server.js', 'accept a reviewed change')
        .example("$0 lock --exclude tool:write_file --exclude 'tool:*_file' -- node server.js", 'approve the server except the tools selected')
        .example('$0 lock --url https://mcp.example.com/mcp --header "Authorization: Bearer ${EXAMPLE_TOKEN}"', 'pin a remote server; server.url records its endpoint'),
    async (argv) => {
      const timeoutMs = parseDuration('timeout', argv.timeout);
      const remote = remoteTargetFrom(argv, ctx.io.env);
      if (remote !== undefined && argv.pin === true) throw new UsageError('--pin pins the package or image a command runs; a remote server (--url) has none to pin');
      const server = remote === undefined ? serverCommandFrom(argv['--']) : undefined;
      if (remote !== undefined) sayRemoteWarnings(ctx, remote);
      const output = String(argv.output);
      if (output.trim() === '') throw new UsageError('--output: expected a file path');
      // Selectors are checked before any server starts.
      const denials = { exclude: parseSelectorFlag('exclude', argv['exclude']), include: parseSelectorFlag('include', argv['include']) };
      const pin = await pinRequestFrom(argv as unknown as Record<string, unknown>, ctx.io);
      const outcome = await lockServer(
        { ...(server === undefined ? {} : { server }), ...(remote === undefined ? {} : { remote }), output, force: argv.force === true, timeoutMs, denials, ...(pin === undefined ? {} : { pin }) },
        ctx,
      );
      const { io } = ctx;
      if (outcome.status === 'refused') {
        say(io, `${paint(io, 'red', 'mcptrust: refused:')} ${output} is out of date: the server changed since it was locked.`);
        printChanges(io, outcome.changes);
        printEndpointChange(io, outcome.changes, outcome.lockfile.server.url, outcome.scan.server.url);
        say(io, `Review the change; re-run with --force to accept it. (${outcome.changes.length} item${outcome.changes.length === 1 ? '' : 's'} changed)`);
        if (pin === undefined && outcome.lockfile.server.artifact !== undefined) say(io, `${output} pins an artifact: re-lock with --pin to keep it pinned (without --pin the pin would be dropped).`);
        const hint = exclusionHint(outcome.changes.filter((c) => c.kind === 'added' && c.itemType !== 'server') as LockfileItemRef[]);
        if (hint !== undefined) say(io, hint);
        ctx.setExitCode(EXIT.FINDING);
        return;
      }
      if (outcome.changes.length > 0) {
        say(io, `${paint(io, 'yellow', 'accepted with --force:')}`);
        printChanges(io, outcome.changes);
      }
      const verb = outcome.status === 'unchanged' ? 'is up to date' : 'written';
      const denied = deniedItems(outcome.lockfile).length;
      say(io, `${paint(io, 'green', '✓')} ${output} ${verb}: ${summarize(outcome.lockfile)}${denied > 0 ? `; ${denied} denied item${denied === 1 ? '' : 's'}` : ''}`);
    },
  );
