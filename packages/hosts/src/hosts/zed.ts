/**
 * Zed: `settings.json` (`~/.config/zed` on macOS and Linux, `%APPDATA%\Zed` on Windows)
 * and the project's `.zed/settings.json`; key `context_servers`, JSONC. Entries are
 * `command: "x", args, env` or the legacy `command: { path, args, env }`; servers supplied
 * by extensions have no command and cannot be wrapped.
 */
import type { ConfigLocation, HostEnvironment, ServerEntry } from '../types.js';
import { defineHost } from './define.js';
import {
  envMap,
  invalidShape,
  isDisabled,
  isRecord,
  optionalString,
  otherEntry,
  remoteReason,
  serverMap,
  standardEntry,
  stdioEntry,
  stringList,
  valueAt,
} from './entries.js';
import type { KeyPath } from './entries.js';
import { appData, configLocation, joinPath, xdgConfigHome } from './paths.js';

function locations(env: HostEnvironment): ConfigLocation[] {
  let userDir: string;
  if (env.platform === 'win32') userDir = joinPath(env, appData(env), 'Zed');
  else if (env.platform === 'darwin') userDir = joinPath(env, env.home, '.config', 'zed');
  else userDir = joinPath(env, xdgConfigHome(env), 'zed');
  return [
    configLocation('zed', joinPath(env, env.cwd, '.zed', 'settings.json'), 'jsonc', 'project', 'project', ['context_servers']),
    configLocation('zed', joinPath(env, userDir, 'settings.json'), 'jsonc', 'user', 'user', ['context_servers']),
  ];
}

function zedEntry(name: string, value: unknown, keyPath: KeyPath, location: ConfigLocation): ServerEntry {
  if (!isRecord(value)) throw invalidShape(location, keyPath, 'an object (a server entry)');
  const disabled = isDisabled(value);
  const command = value['command'];
  if (!isRecord(command)) {
    if (command === undefined || command === null) {
      const remote = remoteReason(value);
      if (remote !== undefined) return otherEntry(name, keyPath, 'standard', 'remote', remote, disabled);
      return otherEntry(name, keyPath, 'standard', 'unsupported', 'no command: a server supplied by a Zed extension cannot be wrapped', disabled);
    }
    return standardEntry(name, value, keyPath, location);
  }
  const at: KeyPath = [...keyPath, 'command'];
  const path = command['path'];
  if (typeof path !== 'string') throw invalidShape(location, [...at, 'path'], 'a string');
  return stdioEntry(
    name,
    keyPath,
    'zed-legacy',
    {
      argv: { command: path, args: stringList(command['args'], [...at, 'args'], location) },
      env: envMap(command['env'], [...at, 'env'], location) ?? envMap(value['env'], [...keyPath, 'env'], location),
      cwd: optionalString(value['cwd'], [...keyPath, 'cwd'], location),
    },
    disabled,
  );
}

function readEntries(document: unknown, location: ConfigLocation): ServerEntry[] {
  const section = valueAt(document, location.serversPath, location);
  return serverMap(section, location.serversPath, location).map(([name, value]) => zedEntry(name, value, [...location.serversPath, name], location));
}

/** Zed. */
export const zed = defineHost({
  id: 'zed',
  name: 'Zed',
  syntax: 'literal',
  processNames: ['zed', 'Zed', 'zed-editor'],
  reloadHint: 'Zed restarts a context server when its settings change; if not, restart the server from the Agent panel or restart Zed.',
  locations,
  readEntries,
});
