/**
 * The context of one lockfile comparison and the findings every kind of item shares: a
 * text that changed (checked for new injection indicators), an item added (checked for
 * a look-alike of a pinned name) and an item removed.
 */
import type { HashString, Lockfile, ScanReport } from '@mcptrust/lockfile';
import { confusableSkeleton, describeCodePoints } from './confusable-names.js';
import { compactWordDiff, newInjectionIndicators, quoteName, summarizeIndicators } from './describe-change.js';
import { HASH_ONLY, item, LABEL } from './drift-item.js';
import type { DraftBase } from './drift-item.js';
import type { DriftDetails, DriftItem, DriftItemType, DriftRule, DriftSeverity } from './drift.types.js';

/** Context shared by the per-item comparisons. */
export interface CompareContext {
  lockfile: Lockfile;
  next: Lockfile;
  scan: ScanReport;
  liveToolNames: string[];
  out: DriftItem[];
  /** Skip re-hashing snapshots (the caller verified them). */
  trust: boolean;
}

/** Compares a pinned text with the live one: moderate, or critical when the new text adds injection indicators. */
export function textChange(
  ctx: CompareContext,
  base: DraftBase,
  subject: string,
  what: string,
  before: string | undefined,
  after: string | undefined,
  hashOnly: boolean,
  options: { selfName?: string; toolReferences?: boolean; calmSeverity?: DriftSeverity; calmRule?: DriftRule; injectionRule?: DriftRule } = {},
): void {
  const context = options.toolReferences === false ? {} : { toolNames: ctx.liveToolNames, ...(options.selfName === undefined ? {} : { selfName: options.selfName }) };
  // Without a pinned text every indicator of the new text counts as new.
  const added = newInjectionIndicators(hashOnly ? undefined : before, after, context);
  const details: DriftDetails = { field: what };
  if (hashOnly) details.hashOnly = true;
  else details.wordDiff = compactWordDiff(before ?? '', after ?? '');
  if (added.length > 0) {
    details.newIndicators = added;
    ctx.out.push(
      item({
        ...base,
        severity: 'critical',
        rule: options.injectionRule ?? 'description-injection',
        message: `${subject} ${what} changed and the new text carries injection indicators: ${summarizeIndicators(added)}${hashOnly ? ` ${HASH_ONLY}` : ''}`,
        details,
      }),
    );
    return;
  }
  const verb = before === undefined || before === '' ? (hashOnly ? 'changed' : 'added') : after === undefined || after === '' ? 'removed' : 'changed';
  ctx.out.push(
    item({
      ...base,
      severity: options.calmSeverity ?? 'moderate',
      rule: hashOnly ? 'hash-only-changed' : (options.calmRule ?? 'description-changed'),
      message: `${subject} ${what} ${verb}${hashOnly ? ` ${HASH_ONLY}` : ''}`,
      details,
    }),
  );
}

/** An item the lockfile does not pin: critical, and flagged when its name looks like a pinned one. */
export function addedItem(ctx: CompareContext, itemType: DriftItemType, id: string, segments: Array<string | number>, pinnedNames: readonly string[], extra: string, newHash?: HashString): void {
  const subject = `${LABEL[itemType]} ${quoteName(id)}`;
  const skeleton = confusableSkeleton(id);
  const twin = pinnedNames.find((name) => name !== id && confusableSkeleton(name) === skeleton);
  if (twin !== undefined) {
    ctx.out.push(
      item({
        kind: 'added',
        itemType,
        itemId: id,
        pathSegments: segments,
        severity: 'critical',
        rule: 'confusable-name',
        message: `${subject} was added and looks like pinned ${LABEL[itemType]} ${quoteName(twin)} (${describeCodePoints(id)} vs ${describeCodePoints(twin)})`,
        details: { confusable: { name: id, codePoints: describeCodePoints(id), lookalikeOf: twin, lookalikeCodePoints: describeCodePoints(twin) } },
        newHash,
      }),
    );
    return;
  }
  ctx.out.push(
    item({ kind: 'added', itemType, itemId: id, pathSegments: segments, severity: 'critical', rule: 'item-added', message: `${subject} was added${extra}`, newHash }),
  );
}

/** A pinned item the server no longer exposes: moderate. */
export function removedItem(ctx: CompareContext, itemType: DriftItemType, id: string, segments: Array<string | number>): void {
  ctx.out.push(
    item({ kind: 'removed', itemType, itemId: id, pathSegments: segments, severity: 'moderate', rule: 'item-removed', message: `${LABEL[itemType]} ${quoteName(id)} was removed` }),
  );
}
