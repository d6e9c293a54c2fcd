/**
 * `mcptrust lock --exclude / --include`: which live items go to the lockfile's `denied`
 * section. Denials are sticky: a re-lock keeps every item an earlier lock denied (even
 * with --force); --exclude adds, --include moves an item back to approved.
 */
import { approvedItems, deniedItems, formatExcludeFlags, LockfileError, parseItemSelector, selectorMatches } from '@mcptrust/lockfile';
import type { ItemSelector, Lockfile, LockfileItemRef } from '@mcptrust/lockfile';
import { UsageError } from './exit-codes.js';
import { printable } from './output.js';

/** The selectors given to `lock`. */
export interface DenialFlags {
  /** `--exclude` selectors: items to deny. */
  exclude: ItemSelector[];
  /** `--include` selectors: denied items to approve again (wins over --exclude). */
  include: ItemSelector[];
}

/** What `lock` decided about denied items, for the lockfile and for the messages. */
export interface DenialDecision {
  /** The items the new lockfile denies. */
  deny: LockfileItemRef[];
  /** Denied now and not before (by --exclude). */
  newlyDenied: LockfileItemRef[];
  /** Denied before, approved now (by --include). */
  approvedAgain: LockfileItemRef[];
  /** Denied before and no longer offered by the server: dropped from `denied`. */
  dropped: LockfileItemRef[];
  /** `--include` selectors that match no denied item (nothing to approve). */
  unusedIncludes: ItemSelector[];
}

const LABEL: Readonly<Record<LockfileItemRef['itemType'], string>> = { tool: 'tool', prompt: 'prompt', resourceTemplate: 'resource template', resource: 'resource' };

/** `tool \`write_file\``, with non-printable characters escaped. */
export function describeItem(item: LockfileItemRef): string {
  return `${LABEL[item.itemType]} \`${printable(item.id)}\``;
}

/** Parses repeated selector flags; a malformed one is a usage error naming the flag and the value. */
export function parseSelectorFlag(flag: 'exclude' | 'include', value: unknown): ItemSelector[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values.map((raw) => {
    try {
      return parseItemSelector(String(raw));
    } catch (error) {
      if (error instanceof LockfileError) throw new UsageError(`--${flag}: ${error.message}`);
      throw error;
    }
  });
}

const key = (item: LockfileItemRef): string => `${item.itemType}\u0000${item.id}`;

/**
 * Decides the denied set of a new lockfile: what the previous lockfile denied and the
 * server still offers, plus what `--exclude` selects among the live items, minus what
 * `--include` selects.
 *
 * @param live - the lockfile built from the scan, before any denial (every live item approved)
 * @param previous - the lockfile being replaced, if any
 * @throws UsageError when an `--exclude` selector matches nothing the server offers: a
 * typo there would leave the item meant to be denied approved
 */
export function decideDenials(live: Lockfile, previous: Lockfile | undefined, flags: DenialFlags): DenialDecision {
  const offered = approvedItems(live);
  const offeredKeys = new Set(offered.map(key));
  const unmatched = flags.exclude.filter((selector) => !offered.some((item) => selectorMatches(selector, item)));
  if (unmatched.length > 0) {
    const list = unmatched.map((s) => `"${printable(s.text)}"`).join(', ');
    throw new UsageError(
      `--exclude: ${list} ${unmatched.length === 1 ? 'matches' : 'match'} nothing the server offers, so nothing would be denied (names are compared exactly, \`*\` matches any run of characters); check the spelling against \`mcptrust scan\``,
    );
  }
  const before = previous === undefined ? [] : deniedItems(previous);
  const beforeKeys = new Set(before.map(key));
  const dropped = before.filter((item) => !offeredKeys.has(key(item)));
  const wanted = new Map<string, LockfileItemRef>();
  for (const item of before) if (offeredKeys.has(key(item))) wanted.set(key(item), item);
  for (const item of offered) if (flags.exclude.some((s) => selectorMatches(s, item))) wanted.set(key(item), item);
  const unusedIncludes = flags.include.filter((s) => ![...wanted.values()].some((item) => selectorMatches(s, item)));
  const approvedAgain: LockfileItemRef[] = [];
  for (const [k, item] of wanted) {
    if (!flags.include.some((s) => selectorMatches(s, item))) continue;
    wanted.delete(k);
    if (beforeKeys.has(k)) approvedAgain.push(item);
  }
  const deny = [...wanted.values()];
  return { deny, newlyDenied: deny.filter((item) => !beforeKeys.has(key(item))), approvedAgain, dropped, unusedIncludes };
}

/**
 * The sentence that follows a refusal over added items: each one is approved with
 * `--force` or denied on purpose with `--exclude` (the exact selector given).
 */
export function exclusionHint(added: readonly LockfileItemRef[]): string | undefined {
  if (added.length === 0) return undefined;
  return `An added item is in neither the approved nor the denied part of the lockfile. Deny it on purpose with \`mcptrust lock ${printable(formatExcludeFlags(added))}\` (the proxy then hides it and refuses calls to it), or approve it with \`mcptrust lock --force\`.`;
}
