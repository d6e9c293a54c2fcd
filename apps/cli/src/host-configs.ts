/**
 * What `hosts`, `wrap` and `unwrap` share: the machine as `@mcptrust/hosts` sees it, the
 * config files a command works on, the servers selected with `--server`, and the
 * absolute launcher a wrapped entry starts.
 */
import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { hostDefinition, HostsError, readConfigFile } from '@mcptrust/hosts';
import type { ConfigFile, ConfigFormat, ConfigLocation, HostDefinition, HostEnvironment, Launcher, ServerEntry } from '@mcptrust/hosts';
import { defaultConfigDir } from '@mcptrust/remote';
import { UsageError } from './exit-codes.js';
import type { Io } from './output.js';

/** The machine the commands run on: home, OS, environment and project directory. */
export function hostEnvironment(io: Io): HostEnvironment {
  const fromEnv = process.platform === 'win32' ? io.env['USERPROFILE'] : io.env['HOME'];
  const home = fromEnv !== undefined && isAbsolute(fromEnv) ? fromEnv : homedir();
  return { home, platform: process.platform, env: io.env, cwd: process.cwd() };
}

/** MCPTrust's own config directory: lockfiles of wrapped servers and the wrap records live here. */
export function mcptrustConfigDir(env: HostEnvironment): string {
  return defaultConfigDir({ env: env.env, platform: env.platform, home: env.home });
}

/** The default `--lock-dir`. */
export function defaultLockDir(env: HostEnvironment): string {
  return resolve(mcptrustConfigDir(env), 'locks');
}

/**
 * The absolute node and CLI script a wrapped entry starts: GUI hosts start servers with
 * a minimal PATH, so neither may be looked up. `warning` is set when the CLI runs from a
 * temporary npx cache, which wrapped entries must not point into.
 */
export function currentLauncher(): { launcher: Launcher; warning?: string } {
  const script = process.argv[1];
  if (script === undefined || script === '') throw new UsageError('cannot tell where the mcptrust CLI is installed (no script path)');
  const cli = realpathSync(script);
  const launcher = { node: realpathSync(process.execPath), cli };
  if (/[\\/]_npx[\\/]/.test(cli)) {
    return {
      launcher,
      warning: `mcptrust runs from a temporary npx cache (${cli}); wrapped entries would break when the cache is cleaned. Install it (npm install -g mcptrust) and run wrap from the installed copy.`,
    };
  }
  return { launcher };
}

function formatOf(path: string, fallback: ConfigFormat): ConfigFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.toml') return 'toml';
  if (ext === '.json' || ext === '.jsonc') return fallback === 'yaml' || fallback === 'toml' ? 'jsonc' : fallback;
  return fallback;
}

/**
 * The config files a command works on. With `--config FILE`: that file, read as the
 * host's location it matches (same path, else same file name, else the host's first
 * location). Without: every existing user-scope file of the host (`projectToo` adds
 * project files, for `hosts`, which only reads). Project files (`.mcp.json`,
 * `.vscode/mcp.json`…) are shared through the repository, so `wrap` edits one only
 * when it is named with `--config`: wrapping writes this machine's absolute paths.
 */
export function configLocations(def: HostDefinition, env: HostEnvironment, config: string | undefined, projectToo = false): ConfigLocation[] {
  const known = def.locations(env);
  if (config !== undefined) {
    if (config.trim() === '') throw new UsageError('--config: expected a file path');
    const path = resolve(env.cwd, config);
    if (!existsSync(path)) throw new UsageError(`--config ${config}: no such file`);
    const template = known.find((l) => l.path === path) ?? known.find((l) => basename(l.path) === basename(path) && !l.readOnly) ?? known.find((l) => !l.readOnly);
    if (template === undefined) throw new UsageError(`--config: ${def.name} has no config file MCPTrust can edit`);
    if (template.readOnly && template.path === path) throw new UsageError(`--config ${config}: a managed ${def.name} config; MCPTrust never edits it`);
    return [{ ...template, path, format: formatOf(path, template.format), readOnly: false }];
  }
  return known.filter((l) => (projectToo || l.scope === 'user') && !l.readOnly && existsSync(l.path));
}

/** One config file, read and parsed, with its server entries. */
export interface LoadedConfig {
  file: ConfigFile;
  entries: ServerEntry[];
}

/** Reads each file and its entries; the first file that does not parse stops the command (exit 2, naming where). */
export async function loadConfigs(def: HostDefinition, locations: readonly ConfigLocation[]): Promise<LoadedConfig[]> {
  const loaded: LoadedConfig[] = [];
  for (const location of locations) {
    const file = await readConfigFile(location);
    loaded.push({ file, entries: def.readEntries(file.document, location) });
  }
  return loaded;
}

/**
 * Checks every `--server` name exists in at least one of the files before anything is
 * done; an unknown name is exit 2 listing the servers there are.
 */
export function checkServerNames(def: HostDefinition, loaded: readonly LoadedConfig[], servers: readonly string[]): void {
  const names = new Set(loaded.flatMap((l) => l.entries.map((e) => e.name)));
  for (const name of servers) {
    if (!names.has(name)) {
      const known = [...names].sort();
      throw new UsageError(
        `--server ${name}: no server of that name in ${def.name}'s config (${loaded.map((l) => l.file.location.path).join(', ') || 'no config file found'})${known.length > 0 ? `; servers: ${known.join(', ')}` : ''}`,
      );
    }
  }
}

/** The `--server` values as a list (repeatable flag, each value non-empty). */
export function serverNames(value: unknown): string[] {
  if (value === undefined) return [];
  const list = (Array.isArray(value) ? value : [value]).map(String);
  for (const name of list) if (name.trim() === '') throw new UsageError('--server: expected a server name');
  return list;
}

/** How an entry appears in reports: its name, and its section when the file has several. */
export function entryLabel(entry: Pick<ServerEntry, 'name' | 'section'>): string {
  return entry.section === undefined ? entry.name : `${entry.name} (${entry.section})`;
}

/** The `--host` flag as a host definition; a missing or unknown host is exit 2 listing the hosts. */
export function hostFlag(value: unknown): HostDefinition {
  if (value === undefined || String(value).trim() === '') throw new UsageError('--host: expected a host (mcptrust hosts lists them)');
  try {
    return hostDefinition(String(value));
  } catch (error) {
    if (error instanceof HostsError) throw new UsageError(`--host: ${error.message}`);
    throw error;
  }
}
