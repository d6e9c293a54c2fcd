/**
 * `mcptrust hosts`: which hosts have a config on this machine, their MCP servers, and
 * which of them already run through the firewall. Reads only.
 */
import { existsSync } from 'node:fs';
import { HOSTS, hostIsRunning, HostsError, readConfigFile, runningProcesses } from '@mcptrust/hosts';
import type { HostDefinition, HostEnvironment, ServerEntry } from '@mcptrust/hosts';
import type { CommandModule } from '../command.js';
import { printable, terminalSafeJson } from '../output.js';
import { entryLabel, hostEnvironment, hostFlag } from '../host-configs.js';

/** One server as `hosts --json` reports it. */
export interface HostServerReport {
  name: string;
  section?: string;
  /** `wrapped`, `stdio` (not wrapped), `remote`, `unsupported`. */
  status: 'wrapped' | 'stdio' | 'remote' | 'unsupported';
  disabled: boolean;
  /** The lockfile a wrapped server is enforced with. */
  lock?: string;
  /** Why a remote or unsupported server is not wrapped. */
  reason?: string;
}

/** One config file as `hosts --json` reports it. */
export interface HostFileReport {
  path: string;
  scope: string;
  label: string;
  exists: boolean;
  readOnly: boolean;
  /** Set when the file exists but cannot be read or parsed. */
  error?: string;
  servers: HostServerReport[];
}

/** One host as `hosts --json` reports it. */
export interface HostReport {
  id: string;
  name: string;
  /** True when at least one of its config files exists. */
  found: boolean;
  running: boolean;
  files: HostFileReport[];
}

function serverReport(entry: ServerEntry): HostServerReport {
  const status = entry.transport === 'stdio' ? (entry.wrapped !== undefined ? 'wrapped' : 'stdio') : entry.transport;
  return {
    name: entry.name,
    ...(entry.section === undefined ? {} : { section: entry.section }),
    status,
    disabled: entry.disabled,
    ...(entry.wrapped === undefined ? {} : { lock: entry.wrapped.lockPath }),
    ...(entry.reason === undefined || entry.transport === 'stdio' ? {} : { reason: entry.reason }),
  };
}

/** Reads every config file of a host that exists (bad files are reported, not fatal). */
export async function hostReport(def: HostDefinition, env: HostEnvironment, processes: readonly string[]): Promise<HostReport> {
  const files: HostFileReport[] = [];
  for (const location of def.locations(env)) {
    const base = { path: location.path, scope: location.scope, label: location.label, readOnly: location.readOnly };
    if (!existsSync(location.path)) {
      files.push({ ...base, exists: false, servers: [] });
      continue;
    }
    try {
      const file = await readConfigFile(location);
      files.push({ ...base, exists: true, servers: def.readEntries(file.document, location).map(serverReport) });
    } catch (error) {
      if (!(error instanceof HostsError)) throw error;
      files.push({ ...base, exists: true, error: error.message, servers: [] });
    }
  }
  return { id: def.id, name: def.name, found: files.some((f) => f.exists), running: hostIsRunning(def, [...processes]), files };
}

function textReport(reports: readonly HostReport[]): string {
  const lines: string[] = [];
  for (const host of reports) {
    lines.push(`${host.id} (${host.name})${host.found ? '' : ': no config found'}${host.running ? ' — running' : ''}`);
    for (const file of host.files) {
      if (!file.exists) continue;
      const servers = file.servers;
      const wrapped = servers.filter((s) => s.status === 'wrapped').length;
      const stdio = servers.filter((s) => s.status === 'wrapped' || s.status === 'stdio').length;
      lines.push(`  ${printable(file.path)} [${file.label}${file.readOnly ? ', managed: read-only' : ''}]${file.error === undefined ? `: ${servers.length} server${servers.length === 1 ? '' : 's'}, ${wrapped}/${stdio} stdio wrapped` : ''}`);
      if (file.error !== undefined) lines.push(`    error: ${printable(file.error)}`);
      for (const s of servers) {
        const what = s.status === 'wrapped' ? `wrapped (lock ${printable(s.lock ?? '')})` : s.status === 'stdio' ? 'NOT wrapped' : `${s.status}${s.reason === undefined ? '' : `: ${printable(s.reason)}`}`;
        lines.push(`    ${printable(entryLabel(s))}: ${what}${s.disabled ? ' (disabled)' : ''}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `mcptrust hosts [--host H] [--json]`. */
export const hostsCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'hosts',
    'List the MCP hosts on this machine (Claude Desktop, Claude Code, VS Code, Cursor…), their config files and servers, and which are wrapped',
    (y) =>
      y
        .usage('Usage: $0 hosts [--host HOST] [--json]')
        .option('host', { type: 'string', describe: 'Only this host' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' })
        .example('$0 hosts', 'every host, its config files and servers')
        .example('$0 hosts --host claude-code --json', "Claude Code's servers as JSON"),
    async (argv) => {
      const { io } = ctx;
      const defs: readonly HostDefinition[] = argv.host === undefined ? HOSTS : [hostFlag(argv.host)];
      const env = hostEnvironment(io);
      const processes = await runningProcesses();
      const reports: HostReport[] = [];
      for (const def of defs) reports.push(await hostReport(def, env, processes));
      io.stdout.write(argv.json === true ? `${terminalSafeJson(reports, 2)}\n` : textReport(reports));
    },
  );
