/**
 * Per-OS directories every host's config paths are built from, computed only from a
 * {@link HostEnvironment} (never from the running process), so every OS is testable anywhere.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ConfigFormat, ConfigLocation, ConfigScope, HostEnvironment, HostId } from '../types.js';

/** The path functions of the environment's OS (`path.win32` on Windows, `path.posix` otherwise). */
export function pathApi(env: HostEnvironment): path.PlatformPath {
  return env.platform === 'win32' ? path.win32 : path.posix;
}

/** Joins path segments with the environment's OS syntax. */
export function joinPath(env: HostEnvironment, ...parts: string[]): string {
  return pathApi(env).join(...parts);
}

/** An environment variable, `undefined` when unset or empty. */
export function envVar(env: HostEnvironment, name: string): string | undefined {
  const value = env.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** An environment variable holding an absolute path, `undefined` when unset, empty or relative. */
export function envPath(env: HostEnvironment, name: string): string | undefined {
  const value = envVar(env, name);
  return value !== undefined && pathApi(env).isAbsolute(value) ? value : undefined;
}

/** Windows `%APPDATA%` (roaming), defaulting to `<home>\AppData\Roaming`. */
export function appData(env: HostEnvironment): string {
  return envPath(env, 'APPDATA') ?? joinPath(env, env.home, 'AppData', 'Roaming');
}

/** Windows `%LOCALAPPDATA%`, defaulting to `<home>\AppData\Local`. */
export function localAppData(env: HostEnvironment): string {
  return envPath(env, 'LOCALAPPDATA') ?? joinPath(env, env.home, 'AppData', 'Local');
}

/** `$XDG_CONFIG_HOME` when absolute, else `~/.config`. */
export function xdgConfigHome(env: HostEnvironment): string {
  return envPath(env, 'XDG_CONFIG_HOME') ?? joinPath(env, env.home, '.config');
}

/** macOS `~/Library/Application Support`. */
export function macAppSupport(env: HostEnvironment): string {
  return joinPath(env, env.home, 'Library', 'Application Support');
}

/**
 * Where Electron apps (VS Code and its forks, Claude Desktop) keep their per-user data:
 * `~/Library/Application Support` on macOS, `%APPDATA%` on Windows, `$XDG_CONFIG_HOME`
 * (or `~/.config`) elsewhere.
 */
export function electronAppData(env: HostEnvironment): string {
  if (env.platform === 'darwin') return macAppSupport(env);
  if (env.platform === 'win32') return appData(env);
  return xdgConfigHome(env);
}

/** The sorted entry names of a directory, `[]` when it is missing or unreadable. */
export function listDir(env: HostEnvironment, dir: string): string[] {
  try {
    const names = env.readDir !== undefined ? env.readDir(dir) : readdirSync(dir);
    return [...names].sort();
  } catch {
    return [];
  }
}

/** Builds a {@link ConfigLocation}. */
export function configLocation(
  host: HostId,
  file: string,
  format: ConfigFormat,
  scope: ConfigScope,
  label: string,
  serversPath: readonly string[],
): ConfigLocation {
  return { host, path: file, format, scope, label, serversPath, readOnly: scope === 'managed' };
}
