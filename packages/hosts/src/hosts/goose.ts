/**
 * goose: `config.yaml` (`~/.config/goose` on macOS and Linux, `%APPDATA%\Block\goose\config`
 * on Windows), `extensions.<key>` with `type: stdio`, `cmd`, `args`, `envs`, `enabled`.
 * `builtin`/`platform` extensions cannot be wrapped; `streamable_http` ones (`uri`) are remote.
 */
import type { ConfigLocation, HostEnvironment, ServerEntry } from '../types.js';
import { defineHost } from './define.js';
import { envMap, invalidShape, isDisabled, isRecord, optionalString, otherEntry, remoteReason, serverMap, stdioEntry, stringList, valueAt } from './entries.js';
import type { KeyPath } from './entries.js';
import { appData, configLocation, joinPath, xdgConfigHome } from './paths.js';

function locations(env: HostEnvironment): ConfigLocation[] {
  const dir = env.platform === 'win32' ? joinPath(env, appData(env), 'Block', 'goose', 'config') : joinPath(env, xdgConfigHome(env), 'goose');
  return [configLocation('goose', joinPath(env, dir, 'config.yaml'), 'yaml', 'user', 'user', ['extensions'])];
}

function gooseEntry(name: string, value: unknown, keyPath: KeyPath, location: ConfigLocation): ServerEntry {
  if (!isRecord(value)) throw invalidShape(location, keyPath, 'an object (an extension)');
  const disabled = isDisabled(value);
  const type = value['type'];
  const remote = remoteReason(value);
  if (remote !== undefined) return otherEntry(name, keyPath, 'goose', 'remote', remote, disabled);
  if (type !== 'stdio') {
    const what = typeof type === 'string' ? `type ${type}` : 'no type';
    return otherEntry(name, keyPath, 'goose', 'unsupported', `${what}: not a local command MCPTrust can wrap`, disabled);
  }
  const cmd = value['cmd'];
  if (typeof cmd !== 'string') throw invalidShape(location, [...keyPath, 'cmd'], 'a string');
  return stdioEntry(
    name,
    keyPath,
    'goose',
    {
      argv: { command: cmd, args: stringList(value['args'], [...keyPath, 'args'], location) },
      env: envMap(value['envs'], [...keyPath, 'envs'], location),
      cwd: optionalString(value['cwd'], [...keyPath, 'cwd'], location),
    },
    disabled,
  );
}

function readEntries(document: unknown, location: ConfigLocation): ServerEntry[] {
  const section = valueAt(document, location.serversPath, location);
  return serverMap(section, location.serversPath, location).map(([name, value]) => gooseEntry(name, value, [...location.serversPath, name], location));
}

/** goose. */
export const goose = defineHost({
  id: 'goose',
  name: 'goose',
  syntax: 'literal',
  processNames: ['goose', 'Goose', 'goosed'],
  reloadHint: 'Restart goose (desktop app or `goose session`) so it starts the extensions again.',
  locations,
  readEntries,
});
