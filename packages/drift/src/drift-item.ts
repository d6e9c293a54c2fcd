/**
 * Drift items as the comparison builds them: a draft with the path as segments, turned
 * into a {@link DriftItem} with the path as text (`tools.read_file.inputSchemaHash`).
 */
import type { HashString } from '@mcptrust/lockfile';
import type { DriftDetails, DriftItem, DriftItemType, DriftKind, DriftRule, DriftSeverity } from './drift.types.js';

/** What each item type is called in sentences. */
export const LABEL: Readonly<Record<DriftItemType, string>> = {
  tool: 'tool',
  prompt: 'prompt',
  resourceTemplate: 'resource template',
  resource: 'resource',
  serverInstructions: 'server instructions',
  capabilities: 'capabilities',
  serverInfo: 'server',
  artifact: 'artifact',
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `tools.read_file.inputSchemaHash`, `tools["a.b"]`, `resources.static[0]`. */
export function formatJsonPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A drift item before its path is formatted. */
export interface Draft {
  kind: DriftKind;
  itemType: DriftItemType;
  itemId: string;
  pathSegments: Array<string | number>;
  severity: DriftSeverity;
  rule: DriftRule;
  message: string;
  details?: DriftDetails;
  oldHash?: HashString | undefined;
  newHash?: HashString | undefined;
}

/** What every change of one pinned field shares: everything but the finding itself. */
export type DraftBase = Omit<Draft, 'severity' | 'rule' | 'message' | 'details'>;

/** The drift item of a draft (path formatted, empty details filled in, absent hashes left out). */
export function item(draft: Draft): DriftItem {
  const out: DriftItem = {
    kind: draft.kind,
    itemType: draft.itemType,
    itemId: draft.itemId,
    path: formatJsonPath(draft.pathSegments),
    pathSegments: draft.pathSegments,
    severity: draft.severity,
    rule: draft.rule,
    message: draft.message,
    details: draft.details ?? {},
  };
  if (draft.oldHash !== undefined) out.oldHash = draft.oldHash;
  if (draft.newHash !== undefined) out.newHash = draft.newHash;
  return out;
}

/** Appended to sentences about items compared by hash only. */
export const HASH_ONLY = '(no snapshot pinned, re-lock to see what changed)';
