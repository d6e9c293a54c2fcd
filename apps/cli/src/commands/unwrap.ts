/**
 * `mcptrust unwrap --host H`: gives a host's wrapped servers their own command lines
 * back — the original bytes when the file is unchanged since `wrap`, else by removing the
 * wrapping from each entry. Lockfiles are kept: they are the record of what was approved.
 */
import { applyPlan, planUnwrap, unifiedDiff } from '@mcptrust/hosts';
import type { CommandModule } from '../command.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { paint, printable, say } from '../output.js';
import { checkServerNames, configLocations, entryLabel, hostEnvironment, hostFlag, loadConfigs, mcptrustConfigDir, serverNames } from '../host-configs.js';
import { warnAboutHost } from './wrap.js';

/** `mcptrust unwrap --host H [--server NAME]... [--config FILE] [--dry-run]`. */
export const unwrapCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'unwrap',
    "Undo wrap: give a host's servers their own command lines back (the original bytes when the file is unchanged since wrap)",
    (y) =>
      y
        .usage('Usage: $0 unwrap --host HOST [--server NAME]... [--config FILE] [--dry-run]')
        .option('host', { type: 'string', describe: 'The host whose config to edit (mcptrust hosts lists them)' })
        .option('server', { type: 'string', describe: 'Only this server (repeatable); default: every wrapped server' })
        .option('config', { type: 'string', describe: "The config file to edit instead of the host's user config" })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Print the change as a unified diff on stdout; write nothing' })
        .example('$0 unwrap --host claude-desktop', 'restore Claude Desktop config as it was before wrap')
        .example('$0 unwrap --host cursor --server github', 'unwrap one server'),
    async (argv) => {
      const { io } = ctx;
      const def = hostFlag(argv.host);
      const servers = serverNames(argv.server);
      const dryRun = argv['dry-run'] === true;
      const env = hostEnvironment(io);
      const locations = configLocations(def, env, argv.config === undefined ? undefined : String(argv.config));
      if (locations.length === 0) throw new UsageError(`no ${def.name} config found; give --config FILE`);
      const loaded = await loadConfigs(def, locations);
      checkServerNames(def, loaded, servers);
      if (!dryRun) await warnAboutHost(ctx, def, env);
      const stateDir = mcptrustConfigDir(env);
      let unwrapped = 0;
      for (const { file, entries } of loaded) {
        const plan = await planUnwrap(file, entries, { ...(servers.length > 0 ? { servers } : {}), stateDir });
        say(io, `${def.name}: ${printable(file.location.path)}`);
        if (plan.newText === file.text) {
          say(io, '  nothing to unwrap');
          continue;
        }
        if (dryRun) io.stdout.write(unifiedDiff(file.location.path, file.text, plan.newText));
        else {
          const { backupPath } = await applyPlan(plan, { stateDir });
          say(io, `${paint(io, 'green', '✓')} ${printable(file.location.path)} ${plan.byteRestore ? 'restored to its bytes before wrap' : 'unwrapped entry by entry (the file changed since wrap)'}${backupPath === undefined ? '' : `; backup: ${printable(backupPath)}`}`);
        }
        for (const change of plan.changes) {
          if (change.action !== 'unwrap') continue;
          unwrapped++;
          say(io, `  ${dryRun ? 'would unwrap' : 'unwrapped'} ${printable(entryLabel(change.entry))}${change.entry.wrapped === undefined ? '' : ` (its lockfile stays: ${printable(change.entry.wrapped.lockPath)})`}`);
        }
      }
      if (dryRun) say(io, 'dry run: nothing was written (the diff is on stdout)');
      else if (unwrapped > 0) say(io, `${unwrapped} server${unwrapped === 1 ? '' : 's'} unwrapped. ${def.reloadHint}`);
      ctx.setExitCode(EXIT.OK);
    },
  );
