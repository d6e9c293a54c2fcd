/**
 * Continue: `~/.continue/config.yaml` (or `$CONTINUE_GLOBAL_DIR/config.yaml`) whose
 * `mcpServers:` is a LIST of `{ name, command, args, env, cwd }`, and the project's block
 * files `.continue/mcpServers/*.yaml` (same list) and `*.json` (a Claude-style
 * `mcpServers` map). Hub items (`uses:`) cannot be wrapped.
 */
import type { ConfigLocation, HostEnvironment, ServerEntry } from '../types.js';
import { defineHost } from './define.js';
import { invalidShape, isDisabled, isRecord, otherEntry, serverMap, standardEntry, valueAt } from './entries.js';
import { configLocation, envPath, joinPath, listDir } from './paths.js';

function locations(env: HostEnvironment): ConfigLocation[] {
  const blocksDir = joinPath(env, env.cwd, '.continue', 'mcpServers');
  const blocks = listDir(env, blocksDir).flatMap((file): ConfigLocation[] => {
    const lower = file.toLowerCase();
    const at = joinPath(env, blocksDir, file);
    if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return [configLocation('continue', at, 'yaml', 'project', `block ${file}`, ['mcpServers'])];
    if (lower.endsWith('.json')) return [configLocation('continue', at, 'json', 'project', `block ${file}`, ['mcpServers'])];
    return [];
  });
  const globalDir = envPath(env, 'CONTINUE_GLOBAL_DIR') ?? joinPath(env, env.home, '.continue');
  return [...blocks, configLocation('continue', joinPath(env, globalDir, 'config.yaml'), 'yaml', 'user', 'user', ['mcpServers'])];
}

function readEntries(document: unknown, location: ConfigLocation): ServerEntry[] {
  const keyPath = location.serversPath;
  const section = valueAt(document, keyPath, location);
  if (section === undefined) return [];
  if (!Array.isArray(section)) {
    if (location.format !== 'yaml' && isRecord(section)) {
      return serverMap(section, keyPath, location).map(([name, value]) => standardEntry(name, value, [...keyPath, name], location));
    }
    throw invalidShape(location, keyPath, 'a list of servers (each with a name)');
  }
  return section.map((item: unknown, index): ServerEntry => {
    const at = [...keyPath, index];
    if (!isRecord(item)) throw invalidShape(location, at, 'an object (a server entry)');
    const uses = item['uses'];
    if (typeof uses === 'string') {
      const name = typeof item['name'] === 'string' ? item['name'] : uses;
      return otherEntry(name, at, 'standard', 'unsupported', `hub block (uses: ${uses}): defined outside this file, cannot be wrapped`, isDisabled(item));
    }
    const name = item['name'];
    if (typeof name !== 'string' || name === '') throw invalidShape(location, [...at, 'name'], 'a non-empty string');
    return standardEntry(name, item, at, location);
  });
}

/** Continue. */
export const continueDev = defineHost({
  id: 'continue',
  name: 'Continue',
  syntax: 'literal',
  processNames: ['code', 'Code', 'idea', 'idea64', 'pycharm', 'pycharm64', 'webstorm', 'webstorm64'],
  reloadHint: 'Continue reloads config.yaml on save; if a server does not restart, use "Continue: Reload" or reload the editor window.',
  locations,
  readEntries,
});
