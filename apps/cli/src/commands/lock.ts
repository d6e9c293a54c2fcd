import { existsSync } from 'node:fs';
import { buildLockfile, compareLockfiles, readLockfile, serializeLockfile, writeLockfile } from '@mcptrust/lockfile';
import type { Lockfile, LockfileChange, ScanReport } from '@mcptrust/lockfile';
import { scanServer } from '@mcptrust/drift';
import type { ServerCommand } from '@mcptrust/drift';
import type { CommandContext, CommandModule } from '../main.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { parseDuration, serverCommandFrom } from '../options.js';
import { paint, say } from '../output.js';
import type { Io } from '../output.js';
import { printChanges, printFindings, summarize } from '../report.js';
import { VERSION } from '../version.js';

/** Default lockfile name. */
export const DEFAULT_LOCKFILE = 'mcp-lock.json';

/** Options of {@link lockServer}. */
export interface LockOptions {
  server: ServerCommand;
  output: string;
  force: boolean;
  timeoutMs: number;
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

  const scan = await scanServer(options.server, { timeoutMs: options.timeoutMs, signal: ctx.signal, env: io.env });
  printFindings(io, scan.findings);
  const next = buildLockfile(scan, { generator: `mcptrust ${VERSION}`, updatedAt: lockTimestamp(io) });

  if (previous === undefined) {
    await writeLockfile(options.output, next);
    return { status: 'written', lockfile: next, scan, changes: [] };
  }
  const changes = compareLockfiles(previous.lockfile, next);
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

/** `mcptrust lock [--output mcp-lock.json] [--force] [--timeout 10s] -- <server>`. */
export const lockCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'lock',
    'Create or update mcp-lock.json from what the server exposes (refuses drift unless --force)',
    (y) =>
      y
        .usage('Usage: $0 lock [--output mcp-lock.json] [--force] [--timeout 10s] -- <server command>')
        .option('output', { alias: ['o', 'lockfile', 'lock'], type: 'string', default: DEFAULT_LOCKFILE, describe: 'Lockfile to write' })
        .option('force', { type: 'boolean', default: false, describe: 'Overwrite a lockfile even when the server drifted from it' })
        .option('timeout', { type: 'string', default: '10s', describe: 'Deadline for start-up and every list (e.g. 500ms, 10s, 2m)' })
        .option('v3', { type: 'boolean', hidden: true, describe: 'Accepted for compatibility: lockfile v3 is the only format written' })
        .example('$0 lock -- npx -y @modelcontextprotocol/server-filesystem /tmp', 'pin a server given as argv')
        .example('$0 lock -- "npx -y @modelcontextprotocol/server-filesystem /tmp"', 'one quoted string, split like a shell (never run by one)')
        .example('$0 lock --force --output locks/fs.json -- node server.js', 'accept a reviewed change'),
    async (argv) => {
      const timeoutMs = parseDuration('timeout', argv.timeout);
      const server = serverCommandFrom(argv['--']);
      const output = String(argv.output);
      if (output.trim() === '') throw new UsageError('--output: expected a file path');
      const outcome = await lockServer({ server, output, force: argv.force === true, timeoutMs }, ctx);
      const { io } = ctx;
      if (outcome.status === 'refused') {
        say(io, `${paint(io, 'red', 'mcptrust: refused:')} ${output} is out of date: the server changed since it was locked.`);
        printChanges(io, outcome.changes);
        say(io, `Review the change; re-run with --force to accept it. (${outcome.changes.length} item${outcome.changes.length === 1 ? '' : 's'} changed)`);
        ctx.setExitCode(EXIT.FINDING);
        return;
      }
      if (outcome.changes.length > 0) {
        say(io, `${paint(io, 'yellow', 'accepted with --force:')}`);
        printChanges(io, outcome.changes);
      }
      const verb = outcome.status === 'unchanged' ? 'is up to date' : 'written';
      say(io, `${paint(io, 'green', '✓')} ${output} ${verb}: ${summarize(outcome.lockfile)}`);
    },
  );
