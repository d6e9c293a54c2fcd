/**
 * The host registry: every supported host's definition, lookup by id, and the name of
 * the lockfile a wrapped server enforces.
 */
import { createHash } from 'node:crypto';
import { HostsError } from './errors.js';
import { claudeCode } from './hosts/claude-code.js';
import { claudeDesktop } from './hosts/claude-desktop.js';
import { cline } from './hosts/cline.js';
import { codex } from './hosts/codex.js';
import { continueDev } from './hosts/continue.js';
import { cursor } from './hosts/cursor.js';
import type { HostDefinition } from './hosts/definition.js';
import { gemini } from './hosts/gemini.js';
import { goose } from './hosts/goose.js';
import { vscode } from './hosts/vscode.js';
import { windsurf } from './hosts/windsurf.js';
import { zed } from './hosts/zed.js';
import type { ConfigLocation, ServerEntry } from './types.js';
import { HOST_IDS } from './types.js';

export type { HostDefinition } from './hosts/definition.js';

/** Every supported host, in the order of {@link HOST_IDS}. */
export const HOSTS: readonly HostDefinition[] = Object.freeze([
  claudeDesktop,
  claudeCode,
  vscode,
  cursor,
  windsurf,
  zed,
  continueDev,
  cline,
  codex,
  gemini,
  goose,
]);

/**
 * The definition of a host.
 *
 * @param id - a host id (`claude-desktop`, `vscode`…)
 * @throws HostsError UNKNOWN_HOST listing the valid ids
 */
export function hostDefinition(id: string): HostDefinition {
  const found = HOSTS.find((host) => host.id === id);
  if (found === undefined) throw new HostsError('UNKNOWN_HOST', `unknown host "${id}": expected one of ${HOST_IDS.join(', ')}`);
  return found;
}

/**
 * The file name of the lockfile a wrapped server enforces: `<host>-<server>.mcp-lock.json`
 * for a server of the host's main user config (location label `user`, no section), else
 * `<host>-<server>-<8 hex>.mcp-lock.json` where the hex is the start of
 * sha256(location path + NUL + section), so servers of the same name in other files or
 * sections never share a lockfile. The server name keeps `[A-Za-z0-9._-]` and turns other
 * characters into `_`; a name changed that way also gets the hash (of the name too), so
 * `a b` and `a_b` stay apart.
 */
export function lockFileName(location: ConfigLocation, entry: ServerEntry): string {
  const safe = entry.name.replace(/[^A-Za-z0-9._-]/g, '_');
  const name = safe === '' ? '_' : safe;
  const renamed = name !== entry.name;
  const primary = location.scope === 'user' && location.label === 'user' && entry.section === undefined;
  if (primary && !renamed) return `${location.host}-${name}.mcp-lock.json`;
  let input = `${location.path}\0${entry.section ?? ''}`;
  if (renamed) input += `\0${entry.name}`;
  const hash = createHash('sha256').update(input, 'utf8').digest('hex').slice(0, 8);
  return `${location.host}-${name}-${hash}.mcp-lock.json`;
}
