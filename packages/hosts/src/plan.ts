/**
 * Planning `wrap` and `unwrap` edits of one config file, and applying a plan.
 */
import type { ConfigFile } from './config-file.js';
import { decodeUtf8 } from './config-file.js';
import { argvEdits } from './edit.js';
import { HostsError } from './errors.js';
import { applyEdits, parseConfig } from './formats/index.js';
import type { ValueEdit } from './formats/index.js';
import { deepEqual } from './formats/common.js';
import { replaceConfigFile } from './safe-write.js';
import { originalBytes } from './state.js';
import type { Launcher, ServerEntry } from './types.js';
import { wrapArgv } from './wrap-form.js';

/** What a plan does to one server entry. */
export interface EntryChange {
  entry: ServerEntry;
  action: 'wrap' | 'unwrap' | 'unchanged';
  /** Why an entry is unchanged (already wrapped, remote, not wrapped…). */
  note?: string;
}

/** The edit of one config file: its new text and what changes in it. */
export interface EditPlan {
  /** The file as read. */
  file: ConfigFile;
  /** The text to write (`file.text` when nothing changes). */
  newText: string;
  /** One change per entry the plan is about. */
  changes: EntryChange[];
  /** True when `newText` is the file's exact bytes from before it was first wrapped. */
  byteRestore: boolean;
}

/**
 * Plans wrapping entries of a file: each stdio entry gets the command line that runs it
 * through `mcptrust proxy --lock <lockPath>`. Entries already wrapped, remote or
 * unsupported ones are `unchanged` (so planning twice changes nothing the second time).
 *
 * @param file - the file as read
 * @param targets - the entries to wrap, each with the lockfile its proxy enforces
 * @param launcher - the absolute node executable and mcptrust CLI
 * @returns the plan; `newText === file.text` when no entry changes
 * @throws HostsError `EDIT_VERIFY` when the edit would not read back as intended
 */
export function planWrap(file: ConfigFile, targets: readonly { entry: ServerEntry; lockPath: string }[], launcher: Launcher): EditPlan {
  const changes: EntryChange[] = [];
  const edits: ValueEdit[] = [];
  for (const { entry, lockPath } of targets) {
    if (entry.wrapped !== undefined) {
      changes.push({ entry, action: 'unchanged', note: `already wrapped (lock ${entry.wrapped.lockPath})` });
    } else if (entry.transport !== 'stdio' || entry.argv === undefined) {
      const what = entry.transport === 'remote' ? 'remote' : 'not wrappable';
      changes.push({ entry, action: 'unchanged', note: entry.reason === undefined ? what : `${what}: ${entry.reason}` });
    } else {
      changes.push({ entry, action: 'wrap' });
      edits.push(...argvEdits(entry, wrapArgv(launcher, lockPath, entry.argv)));
    }
  }
  const newText = edits.length === 0 ? file.text : applyEdits(file.text, file.location.format, edits, file.location.path);
  return { file, newText, changes, byteRestore: false };
}

/** The file's bytes from before its first wrap, as text, when they unwrap to `structural`. */
async function restorableText(file: ConfigFile, structural: string, stateDir: string): Promise<string | undefined> {
  const bytes = await originalBytes(file, stateDir);
  const text = bytes === undefined ? undefined : decodeUtf8(bytes);
  if (text === undefined) return undefined;
  try {
    const { format, path } = file.location;
    return deepEqual(parseConfig(text, format, path), parseConfig(structural, format, path)) ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Plans unwrapping entries of a file. When every wrapped entry of the file is selected
 * and the file is unchanged since it was wrapped (its recorded backup chain leads to
 * bytes that parse to the same document as the structural unwrap), the plan restores
 * those exact bytes (`byteRestore`). Otherwise each selected entry gets back its
 * original command line (the words after the proxy's `--`), with minimal edits.
 *
 * @param file - the file as read
 * @param entries - the file's server entries
 * @param options - `servers`: the names to unwrap (default: every wrapped entry);
 * `stateDir`: the state directory holding the wrap records
 * @returns the plan; `newText === file.text` when no entry is wrapped
 * @throws HostsError `EDIT_VERIFY` when the edit would not read back as intended
 */
export async function planUnwrap(
  file: ConfigFile,
  entries: readonly ServerEntry[],
  options: { servers?: readonly string[]; stateDir: string },
): Promise<EditPlan> {
  const wanted = options.servers === undefined ? undefined : new Set(options.servers);
  const wrapped = entries.filter((entry) => entry.wrapped !== undefined);
  const changes: EntryChange[] = [];
  const edits: ValueEdit[] = [];
  for (const entry of entries) {
    const selected = wanted === undefined || wanted.has(entry.name);
    if (!selected) continue;
    if (entry.wrapped === undefined) {
      if (wanted !== undefined) changes.push({ entry, action: 'unchanged', note: 'not wrapped' });
      continue;
    }
    changes.push({ entry, action: 'unwrap' });
    edits.push(...argvEdits(entry, entry.wrapped.original));
  }
  if (edits.length === 0) return { file, newText: file.text, changes, byteRestore: false };
  const structural = applyEdits(file.text, file.location.format, edits, file.location.path);
  const unwrapped = changes.filter((change) => change.action === 'unwrap').length;
  if (unwrapped === wrapped.length) {
    const restored = await restorableText(file, structural, options.stateDir);
    if (restored !== undefined) return { file, newText: restored, changes, byteRestore: true };
  }
  return { file, newText: structural, changes, byteRestore: false };
}

/**
 * Writes a plan with {@link replaceConfigFile} (lock, backup, compare-and-swap, atomic
 * replace, wrap record). Does nothing when the plan changes nothing.
 *
 * @param plan - the plan to apply
 * @param options - the state directory and the time of the backup and record
 * @returns the backup's path, when the file was replaced
 * @throws HostsError `INVALID_OPTIONS` for a read-only (managed) file; `CONFIG_LOCKED`,
 * `CONFIG_CHANGED`, `IO_ERROR` from the replacement
 */
export async function applyPlan(plan: EditPlan, options: { stateDir: string; now?: Date }): Promise<{ backupPath?: string }> {
  if (plan.newText === plan.file.text) return {};
  const { location } = plan.file;
  if (location.readOnly) {
    throw new HostsError('INVALID_OPTIONS', `${location.path} is a managed config file and is never edited`, { file: location.path });
  }
  const reason = plan.changes.some((change) => change.action === 'unwrap') ? 'unwrap' : 'wrap';
  const { backupPath } = await replaceConfigFile(plan.file, plan.newText, { stateDir: options.stateDir, reason, ...(options.now === undefined ? {} : { now: options.now }) });
  return { backupPath };
}
