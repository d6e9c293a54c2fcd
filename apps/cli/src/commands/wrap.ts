/**
 * `mcptrust wrap --host H`: locks every stdio server of a host's config and rewrites its
 * `command` and `args` so that the host starts it through `mcptrust proxy`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { applyPlan, HostsError, lockFileName, planWrap, runningProcesses, hostIsRunning, unifiedDiff } from '@mcptrust/hosts';
import type { HostDefinition, HostEnvironment, ServerEntry, ConfigLocation } from '@mcptrust/hosts';
import type { CommandContext, CommandModule } from '../command.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { parseDuration } from '../options.js';
import { paint, printable, say } from '../output.js';
import { checkServerNames, configLocations, currentLauncher, defaultLockDir, entryLabel, hostEnvironment, hostFlag, loadConfigs, mcptrustConfigDir, serverNames } from '../host-configs.js';
import type { LoadedConfig } from '../host-configs.js';
import { lockServer } from './lock.js';

/** The flags of `wrap` once validated. */
interface WrapFlags {
  def: HostDefinition;
  servers: string[];
  config: string | undefined;
  lockDir: string;
  dryRun: boolean;
  lock: boolean;
  timeoutMs: number;
}

/** What happened to one entry. */
interface Outcome {
  entry: ServerEntry;
  status: 'wrap' | 'already' | 'remote' | 'unsupported' | 'disabled' | 'failed';
  detail: string;
  lockPath?: string;
}

/** Shows a command line for the user to copy (each word quoted when needed). */
export function shellWords(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Says which hosts are running and which configs override the user's, before anything is written. */
export async function warnAboutHost(ctx: CommandContext, def: HostDefinition, env: HostEnvironment): Promise<void> {
  const { io } = ctx;
  const warn = (text: string): void => say(io, `${paint(io, 'yellow', 'warning:')} ${text}`);
  for (const path of def.overrides(env, existsSync)) warn(`${printable(path)} overrides the user's ${def.name} config: entries wrapped here may be ignored`);
  if (hostIsRunning(def, await runningProcesses())) {
    warn(`${def.name} is running. MCPTrust re-checks the file just before replacing it and writes nothing if ${def.name} changed it meanwhile; ${def.reloadHint}`);
  }
}

async function lockEntry(ctx: CommandContext, flags: WrapFlags, env: HostEnvironment, location: ConfigLocation, entry: ServerEntry, lockPath: string): Promise<Outcome> {
  const argv = entry.argv as { command: string; args: string[] };
  const words = [argv.command, ...argv.args];
  if (!flags.lock) {
    const note = existsSync(lockPath) ? `uses the existing lock ${lockPath}` : `no lockfile yet: the proxy refuses to start it until you run: mcptrust lock --output ${shellWords([lockPath])} -- ${shellWords(words)}`;
    return { entry, status: 'wrap', detail: note, lockPath };
  }
  if (flags.dryRun) return { entry, status: 'wrap', detail: `would be locked to ${lockPath}`, lockPath };
  let resolved;
  try {
    resolved = flags.def.resolveEntry(entry, location, env);
  } catch (error) {
    if (error instanceof HostsError && error.code === 'UNRESOLVED_VARIABLE') {
      return { entry, status: 'failed', detail: `${error.message}; lock it yourself (mcptrust lock --output ${shellWords([lockPath])} -- <the command with the values>) and wrap with --no-lock` };
    }
    throw error;
  }
  try {
    await mkdir(dirname(lockPath), { recursive: true });
    const outcome = await lockServer(
      { server: { command: resolved.command, args: resolved.args, env: resolved.env, ...(resolved.cwd === undefined ? {} : { cwd: resolved.cwd }) }, output: lockPath, force: false, timeoutMs: flags.timeoutMs },
      ctx,
    );
    if (outcome.status === 'refused') {
      return { entry, status: 'failed', detail: `the server changed since ${lockPath} was written (${outcome.changes.length} item(s)); review with mcptrust diff --lock ${shellWords([lockPath])} -- ${shellWords(words)}, accept with mcptrust lock --force` };
    }
    return { entry, status: 'wrap', detail: `${outcome.status === 'unchanged' ? 'lock up to date' : 'locked'}: ${lockPath}`, lockPath };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return { entry, status: 'failed', detail: `could not lock it: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function wrapFile(ctx: CommandContext, flags: WrapFlags, env: HostEnvironment, loaded: LoadedConfig, launcher: ReturnType<typeof currentLauncher>['launcher']): Promise<Outcome[]> {
  const { file, entries } = loaded;
  const outcomes: Outcome[] = [];
  for (const entry of entries) {
    const named = flags.servers.includes(entry.name);
    if (flags.servers.length > 0 && !named) continue;
    if (entry.transport === 'remote') outcomes.push({ entry, status: 'remote', detail: entry.reason ?? 'a remote server: not wrapped (the proxy wraps stdio servers)' });
    else if (entry.transport === 'unsupported') outcomes.push({ entry, status: 'unsupported', detail: entry.reason ?? 'cannot be wrapped' });
    else if (entry.wrapped !== undefined) outcomes.push({ entry, status: 'already', detail: `already wrapped (lock ${entry.wrapped.lockPath})` });
    else if (entry.disabled && !named) outcomes.push({ entry, status: 'disabled', detail: 'disabled in the host: not wrapped (name it with --server to wrap it anyway)' });
    else outcomes.push(await lockEntry(ctx, flags, env, file.location, entry, resolve(flags.lockDir, lockFileName(file.location, entry))));
  }
  const targets = outcomes.filter((o) => o.status === 'wrap').map((o) => ({ entry: o.entry, lockPath: o.lockPath as string }));
  const plan = planWrap(file, targets, launcher);
  const { io } = ctx;
  if (flags.dryRun) {
    if (plan.newText !== file.text) io.stdout.write(unifiedDiff(file.location.path, file.text, plan.newText));
  } else if (plan.newText !== file.text) {
    const { backupPath } = await applyPlan(plan, { stateDir: mcptrustConfigDir(env) });
    say(io, `${paint(io, 'green', '✓')} ${printable(file.location.path)} updated${backupPath === undefined ? '' : `; backup: ${printable(backupPath)}`}`);
  }
  return outcomes;
}

const MARK: Record<Outcome['status'], string> = { wrap: 'wrapped', already: 'unchanged', remote: 'remote', unsupported: 'skipped', disabled: 'skipped', failed: 'FAILED' };

/** Runs `wrap` with validated flags; resolves to the exit code. */
export async function runWrap(ctx: CommandContext, flags: WrapFlags): Promise<number> {
  const { io } = ctx;
  const env = hostEnvironment(io);
  const locations = configLocations(flags.def, env, flags.config);
  if (locations.length === 0) throw new UsageError(`no ${flags.def.name} config found (looked for ${flags.def.locations(env).filter((l) => l.scope === 'user').map((l) => l.path).join(', ')}); give --config FILE`);
  const loaded = await loadConfigs(flags.def, locations);
  checkServerNames(flags.def, loaded, flags.servers);
  const { launcher, warning } = currentLauncher();
  if (warning !== undefined) say(io, `${paint(io, 'yellow', 'warning:')} ${warning}`);
  if (!flags.dryRun) await warnAboutHost(ctx, flags.def, env);
  let failed = 0;
  let wrapped = 0;
  for (const config of loaded) {
    const outcomes = await wrapFile(ctx, flags, env, config, launcher);
    say(io, `${flags.def.name}: ${printable(config.file.location.path)}`);
    for (const o of outcomes) {
      const mark = MARK[o.status];
      const painted = o.status === 'failed' ? paint(io, 'red', mark) : o.status === 'wrap' ? paint(io, 'green', flags.dryRun ? 'would wrap' : mark) : mark;
      say(io, `  ${painted.padEnd(10)} ${printable(entryLabel(o.entry))}: ${printable(o.detail)}`);
      if (o.status === 'failed') failed++;
      if (o.status === 'wrap') wrapped++;
    }
  }
  if (flags.dryRun) say(io, 'dry run: nothing was written (the diff is on stdout)');
  else if (wrapped > 0) say(io, `${wrapped} server${wrapped === 1 ? '' : 's'} wrapped. ${flags.def.reloadHint} Undo with: mcptrust unwrap --host ${flags.def.id}`);
  if (failed > 0) {
    say(io, `${paint(io, 'red', 'mcptrust:')} ${failed} server${failed === 1 ? ' was' : 's were'} not wrapped (see above); the others are`);
    return EXIT.ERROR;
  }
  return EXIT.OK;
}

/** `mcptrust wrap --host H [--server NAME]... [--config FILE] [--lock-dir DIR] [--dry-run] [--no-lock]`. */
export const wrapCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'wrap',
    "Put a host's MCP servers behind the firewall: lock each stdio server and make the host start it through mcptrust proxy",
    (y) =>
      y
        .usage('Usage: $0 wrap --host HOST [--server NAME]... [--config FILE] [--lock-dir DIR] [--dry-run] [--no-lock] [--timeout 10s]')
        .option('host', { type: 'string', describe: 'The host whose config to edit (mcptrust hosts lists them)' })
        .option('server', { type: 'string', describe: 'Only this server (repeatable); default: every stdio server' })
        .option('config', { type: 'string', describe: "The config file to edit instead of the host's user config (project files such as .mcp.json are edited only when named here)" })
        .option('lock-dir', { type: 'string', describe: 'Where the lockfiles go (<host>-<server>.mcp-lock.json); default: locks/ in the mcptrust config directory' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Print the change as a unified diff on stdout; start nothing, write nothing' })
        .option('lock', { type: 'boolean', default: true, describe: 'Lock each server before wrapping it (--no-lock: wrap only; the proxy refuses a server until its lockfile exists)' })
        .option('timeout', { alias: 't', type: 'string', default: '10s', describe: 'Deadline for locking each server (e.g. 10s, 2m)' })
        .example('$0 wrap --host claude-desktop', 'lock and wrap every stdio server of Claude Desktop')
        .example('$0 wrap --host cursor --server github --dry-run', 'show what wrapping one server would change')
        .example('$0 wrap --host claude-code --config .mcp.json', "wrap a project's servers"),
    async (argv) => {
      const def = hostFlag(argv.host);
      const lockDirFlag = argv['lock-dir'];
      if (lockDirFlag !== undefined && String(lockDirFlag).trim() === '') throw new UsageError('--lock-dir: expected a directory');
      const env = hostEnvironment(ctx.io);
      const flags: WrapFlags = {
        def,
        servers: serverNames(argv.server),
        config: argv.config === undefined ? undefined : String(argv.config),
        lockDir: lockDirFlag === undefined ? defaultLockDir(env) : resolve(String(lockDirFlag)),
        dryRun: argv['dry-run'] === true,
        lock: argv.lock !== false,
        timeoutMs: parseDuration('timeout', argv.timeout),
      };
      ctx.setExitCode(await runWrap(ctx, flags));
    },
  );
