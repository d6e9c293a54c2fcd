/**
 * The semantic comparison of a lockfile with a live scan: which pinned items drifted,
 * how bad each change is (ARCHITECTURE.md "Severity model") and one sentence a
 * reviewer can read. The hash-level comparison of `@mcptrust/lockfile` says which
 * pinned part differs (it also knows the Go mcptrust's hashing); the snapshots say what.
 */
import { buildLockfile, compareLockfiles, deniedItems } from '@mcptrust/lockfile';
import type { LockedPrompt, LockedTool, Lockfile, LockfileChange, ScanReport } from '@mcptrust/lockfile';
import { addedItem, removedItem } from './compare-context.js';
import type { CompareContext } from './compare-context.js';
import { comparePrompt } from './compare-prompts.js';
import { compareResource } from './compare-resources.js';
import type { LockedResourceLike } from './compare-resources.js';
import { compareServer } from './compare-server.js';
import { compareTool } from './compare-tools.js';
import { SEVERITY_RANK } from './drift-severity.js';
import type { CompareOptions, DriftItem, DriftItemType } from './drift.types.js';

/** Order of item types among drift items of the same severity. */
const TYPE_ORDER: readonly DriftItemType[] = ['artifact', 'serverInfo', 'serverInstructions', 'capabilities', 'tool', 'prompt', 'resourceTemplate', 'resource'];

/** Routes one hash-level change to the comparison of its item type. */
function dispatch(ctx: CompareContext, change: LockfileChange): void {
  const { lockfile, next } = ctx;
  switch (change.itemType) {
    case 'server':
      compareServer(ctx, change.fields);
      return;
    case 'tool': {
      const segments = ['tools', change.id];
      if (change.kind === 'added') {
        const live = ctx.scan.tools.find((t) => t.name === change.id);
        addedItem(ctx, 'tool', change.id, segments, Object.keys(lockfile.tools), live === undefined ? '' : ` (${live.riskLevel} risk${live.riskReasons.length > 0 ? `: ${live.riskReasons.slice(0, 2).join('; ')}` : ''})`);
      } else if (change.kind === 'removed') removedItem(ctx, 'tool', change.id, segments);
      else compareTool(ctx, change.id, lockfile.tools[change.id] as LockedTool, next.tools[change.id] as LockedTool, change.fields);
      return;
    }
    case 'prompt': {
      const segments = ['prompts', 'definitions', change.id];
      if (change.kind === 'added') addedItem(ctx, 'prompt', change.id, segments, Object.keys(lockfile.prompts.definitions), '');
      else if (change.kind === 'removed') removedItem(ctx, 'prompt', change.id, segments);
      else comparePrompt(ctx, change.id, lockfile.prompts.definitions[change.id] as LockedPrompt, next.prompts.definitions[change.id] as LockedPrompt, change.fields);
      return;
    }
    case 'resourceTemplate':
    case 'resource': {
      const template = change.itemType === 'resourceTemplate';
      const pinnedList: LockedResourceLike[] = template ? lockfile.resources.templates : lockfile.resources.static;
      const liveList: LockedResourceLike[] = template ? next.resources.templates : next.resources.static;
      const idOf = (r: LockedResourceLike): string => ('uriTemplate' in r ? r.uriTemplate : r.uri);
      const index = pinnedList.findIndex((r) => idOf(r) === change.id);
      const section = template ? 'templates' : 'static';
      if (change.kind === 'added') {
        const extra = template ? '' : '';
        addedItem(ctx, change.itemType, change.id, ['resources', section], [], extra);
      } else if (change.kind === 'removed') removedItem(ctx, change.itemType, change.id, ['resources', section, index]);
      else {
        const live = liveList.find((r) => idOf(r) === change.id);
        if (live !== undefined && index !== -1) compareResource(ctx, change.itemType, change.id, index, pinnedList[index] as LockedResourceLike, live, change.fields);
      }
      return;
    }
  }
}

/**
 * Compares a lockfile with a live scan and explains every difference.
 *
 * Items are matched by name (tools, prompts), URI template or URI. Each drift item
 * carries its kind, item type and id, the JSON path of the pinned part in the lockfile,
 * a severity (ARCHITECTURE.md "Severity model"), the pinned and live hashes, one
 * sentence and structured details (word diff, schema change, new injection
 * indicators, code points of a look-alike name). Items without a trustworthy snapshot
 * (lockfiles converted from the Go format) are compared by hash only, and the sentence
 * says so. Items the lockfile denies are not drift whatever their live definition
 * (`compareDeniedItems` reports them).
 *
 * @param lockfile - the approved surface
 * @param scan - what the server exposes now (`scanServer`)
 * @returns the drift, most severe first; empty when the server matches the lockfile
 */
export function compareToLockfile(lockfile: Lockfile, scan: ScanReport, options: CompareOptions = {}): DriftItem[] {
  // Items the lockfile denies are set aside the same way on the live side: they are
  // decisions, not drift (see compareDeniedItems for how they are reported).
  const built = buildLockfile(scan, { updatedAt: scan.scannedAt || new Date().toISOString(), deny: deniedItems(lockfile) });
  // A scan knows nothing of the artifact: the pin is compared by compareArtifactPins.
  const pin = lockfile.server.artifact;
  const next: Lockfile = pin === undefined ? built : { ...built, server: { ...built.server, artifact: pin } };
  const ctx: CompareContext = { lockfile, next, scan, liveToolNames: scan.tools.map((t) => t.name), out: [], trust: options.trustSnapshots === true };
  for (const change of compareLockfiles(lockfile, next)) dispatch(ctx, change);
  const order = (i: DriftItem): number => TYPE_ORDER.indexOf(i.itemType);
  return ctx.out
    .map((entry, position) => ({ entry, position }))
    .sort((x, y) => SEVERITY_RANK[y.entry.severity] - SEVERITY_RANK[x.entry.severity] || order(x.entry) - order(y.entry) || (x.entry.itemId < y.entry.itemId ? -1 : x.entry.itemId > y.entry.itemId ? 1 : 0) || x.position - y.position)
    .map(({ entry }) => entry);
}
