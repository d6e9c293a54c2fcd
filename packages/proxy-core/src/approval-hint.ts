/**
 * What a refusal says about items the server offers and the lockfile does not name:
 * such an item is "added" (critical) until someone decides, and the decision is one
 * command either way. Shared by the proxy's preflight refusal and its CLI.
 */
import { formatExcludeFlags } from '@mcptrust/lockfile';
import type { LockfileItemRef } from '@mcptrust/lockfile';
import type { PreflightDrift } from './engine.types.js';

/**
 * One sentence telling how to approve or deny the added items on purpose, or `''` when
 * none of `drift` is an added item: `mcptrust lock --exclude 'tool:NAME'` keeps an
 * item out of the approved surface (the proxy then hides it and refuses calls to it),
 * `mcptrust lock --force` approves it.
 */
export function approvalHint(drift: readonly Pick<PreflightDrift, 'kind' | 'id' | 'change'>[]): string {
  const added: LockfileItemRef[] = [];
  for (const d of drift) if (d.change === 'added' && d.kind !== 'server') added.push({ itemType: d.kind, id: d.id });
  if (added.length === 0) return '';
  return ` (an item in neither the approved nor the denied part of the lockfile is new: deny it on purpose with \`mcptrust lock ${formatExcludeFlags(added)}\`, or approve it with \`mcptrust lock --force\`)`;
}
