/**
 * Reading server entries out of a parsed config document: shape checks that name the
 * file and key, stdio/remote/unsupported classification, argv, env, cwd and the
 * already-wrapped form.
 */
import { HostsError } from '../errors.js';
import type { Argv, ConfigLocation, EntryShape, ServerEntry } from '../types.js';
import { parseWrappedArgv } from '../wrap-form.js';

/** A key path inside a document (numbers index lists). */
export type KeyPath = readonly (string | number)[];

/** True for a plain object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A key path as a reader sees it: `mcpServers.github.args[1]`, `projects["/abs"].mcpServers`. */
export function formatKeyPath(keyPath: KeyPath): string {
  let out = '';
  for (const part of keyPath) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === '' ? '(document root)' : out;
}

/** The CONFIG_INVALID error for a value of the wrong shape. */
export function invalidShape(location: ConfigLocation, keyPath: KeyPath, expected: string): HostsError {
  return new HostsError('CONFIG_INVALID', `${location.path}: ${formatKeyPath(keyPath)} must be ${expected}`, { file: location.path });
}

/**
 * The value at `keyPath`, or `undefined` when a key on the way is missing or null. Throws
 * CONFIG_INVALID when a value on the way is not an object.
 */
export function valueAt(document: unknown, keyPath: readonly string[], location: ConfigLocation): unknown {
  let current: unknown = document;
  for (let i = 0; i < keyPath.length; i += 1) {
    if (current === undefined || current === null) return undefined;
    if (!isRecord(current)) throw invalidShape(location, keyPath.slice(0, i), 'an object');
    current = current[keyPath[i] as string];
  }
  return current === null ? undefined : current;
}

/**
 * The `[name, value]` pairs of a map of servers (`undefined`/null → none). Throws
 * CONFIG_INVALID when the section is not an object.
 */
export function serverMap(section: unknown, keyPath: KeyPath, location: ConfigLocation): [string, unknown][] {
  if (section === undefined || section === null) return [];
  if (!isRecord(section)) throw invalidShape(location, keyPath, 'an object mapping server names to entries');
  return Object.entries(section);
}

/** A list of strings (`undefined` → `[]`); anything else is CONFIG_INVALID naming the key. */
export function stringList(value: unknown, keyPath: KeyPath, location: ConfigLocation): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidShape(location, keyPath, 'a list of strings');
  return value.map((item: unknown, index) => {
    if (typeof item !== 'string') throw invalidShape(location, [...keyPath, index], 'a string');
    return item;
  });
}

/**
 * An environment map with string values: numbers and booleans are stringified, null
 * values dropped. Anything else is CONFIG_INVALID naming the key.
 */
export function envMap(value: unknown, keyPath: KeyPath, location: ConfigLocation): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalidShape(location, keyPath, 'an object of environment variables');
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null) continue;
    if (typeof item === 'string') out[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') out[key] = String(item);
    else throw invalidShape(location, [...keyPath, key], 'a string');
  }
  return out;
}

/** An optional string field; CONFIG_INVALID when present with another type. */
export function optionalString(value: unknown, keyPath: KeyPath, location: ConfigLocation): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidShape(location, keyPath, 'a string');
  return value;
}

/** Keys that make an entry a remote server. */
export const REMOTE_KEYS: readonly string[] = ['url', 'httpUrl', 'serverUrl', 'uri', 'tcp'];

/** `type` values of remote servers. */
export const REMOTE_TYPES: readonly string[] = ['http', 'sse', 'streamable-http', 'streamableHttp', 'streamable_http', 'websocket', 'ws'];

/** Why an entry is a remote server (`remote server (url)`), or `undefined` for a local one. */
export function remoteReason(entry: Record<string, unknown>): string | undefined {
  for (const key of REMOTE_KEYS) {
    if (typeof entry[key] === 'string') return `remote server (${key}): nothing to wrap`;
  }
  const type = entry['type'];
  if (typeof type === 'string' && REMOTE_TYPES.includes(type)) return `remote server (type ${type}): nothing to wrap`;
  return undefined;
}

/** True when the host marks the entry disabled (`disabled: true` or `enabled: false`). */
export function isDisabled(entry: Record<string, unknown>): boolean {
  return entry['disabled'] === true || entry['enabled'] === false;
}

/** The parts of a stdio entry every shape shares. */
export interface StdioParts {
  argv: Argv;
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
}

/** Builds a stdio {@link ServerEntry}, recognising the wrapped form. */
export function stdioEntry(name: string, keyPath: KeyPath, shape: EntryShape, parts: StdioParts, disabled: boolean, section?: string): ServerEntry {
  const entry: ServerEntry = { name, path: keyPath, shape, transport: 'stdio', argv: parts.argv, disabled };
  if (parts.env !== undefined) entry.env = parts.env;
  if (parts.cwd !== undefined) entry.cwd = parts.cwd;
  const wrapped = parseWrappedArgv(parts.argv);
  if (wrapped !== undefined) entry.wrapped = wrapped;
  if (section !== undefined) entry.section = section;
  return entry;
}

/** Builds a remote or unsupported {@link ServerEntry}. */
export function otherEntry(name: string, keyPath: KeyPath, shape: EntryShape, transport: 'remote' | 'unsupported', reason: string, disabled: boolean, section?: string): ServerEntry {
  const entry: ServerEntry = { name, path: keyPath, shape, transport, reason, disabled };
  if (section !== undefined) entry.section = section;
  return entry;
}

/**
 * One entry of the common shape (`command`, `args`, `env`, `cwd`, optional `type`):
 * Claude Desktop, Claude Code, VS Code, Cursor, Windsurf, Cline, Codex, Gemini, Continue.
 */
export function standardEntry(name: string, value: unknown, keyPath: KeyPath, location: ConfigLocation, section?: string): ServerEntry {
  if (!isRecord(value)) throw invalidShape(location, keyPath, 'an object (a server entry)');
  const disabled = isDisabled(value);
  const remote = remoteReason(value);
  if (remote !== undefined) return otherEntry(name, keyPath, 'standard', 'remote', remote, disabled, section);
  const command = value['command'];
  if (command === undefined || command === null) {
    return otherEntry(name, keyPath, 'standard', 'unsupported', 'no command: not a local server MCPTrust can wrap', disabled, section);
  }
  if (typeof command !== 'string') throw invalidShape(location, [...keyPath, 'command'], 'a string');
  const type = value['type'];
  if (type !== undefined && type !== null && type !== 'stdio') {
    if (typeof type !== 'string') throw invalidShape(location, [...keyPath, 'type'], 'a string');
    return otherEntry(name, keyPath, 'standard', 'unsupported', `type ${type}: not a local server MCPTrust can wrap`, disabled, section);
  }
  const parts: StdioParts = {
    argv: { command, args: stringList(value['args'], [...keyPath, 'args'], location) },
    env: envMap(value['env'], [...keyPath, 'env'], location),
    cwd: optionalString(value['cwd'], [...keyPath, 'cwd'], location),
  };
  return stdioEntry(name, keyPath, 'standard', parts, disabled, section);
}

/** The entries of a map of standard entries at `location.serversPath` (missing → `[]`). */
export function standardMapEntries(document: unknown, location: ConfigLocation): ServerEntry[] {
  const section = valueAt(document, location.serversPath, location);
  return serverMap(section, location.serversPath, location).map(([name, value]) =>
    standardEntry(name, value, [...location.serversPath, name], location),
  );
}
