import type { AuditAction } from '@mcptrust/audit';
import type { EnforcementMode, PreflightDrift } from './engine.types.js';

/**
 * Whether preflight drift at or above `--fail-on` refuses the session. Only enforce mode
 * refuses: the rollout modes exist to try a lockfile on a live setup, so a drifted
 * server is logged there (one audit line per item) and the session goes on.
 */
export function preflightRefuses(mode: EnforcementMode, blocking: number): boolean {
  return mode === 'enforce' && blocking > 0;
}

/**
 * The audit action of one preflight drift item: what the session does with it.
 *
 * - audit-only: nothing is withheld, so every item is `audit_only`;
 * - enforce: an item the server offers against the lockfile (added or changed) is hidden
 *   and its calls refused, `blocked`; so is anything at or above `--fail-on` (the
 *   session is refused);
 * - filter-only: such an item is hidden from lists while its calls go through (each
 *   logged on its own), `filtered`;
 * - changed server instructions are withheld from the host in both, `filtered`;
 * - what is only noted (a removed item, a new server version below `--fail-on`) is
 *   `audit_only`: logged, nothing done.
 *
 * @param mode - the enforcement mode
 * @param d - the drift item
 * @param atOrAboveFailOn - whether its severity reaches `--fail-on`
 */
export function preflightAction(mode: EnforcementMode, d: PreflightDrift, atOrAboveFailOn: boolean): AuditAction {
  if (mode === 'audit-only') return 'audit_only';
  const withheld = d.kind === 'server' ? d.id === 'instructions' && d.change !== 'removed' : d.change !== 'removed';
  if (mode === 'enforce' && atOrAboveFailOn) return 'blocked';
  if (!withheld) return 'audit_only';
  return mode === 'enforce' && d.kind !== 'server' ? 'blocked' : 'filtered';
}

/** The reason of the `session` audit line once preflight let the session open. */
export function sessionOpenedReason(mode: EnforcementMode, drifted: number): string {
  if (mode === 'audit-only') return `session established in audit-only mode (${drifted} drifted item(s) logged, nothing withheld)`;
  if (mode === 'filter-only') return `session established in filter-only mode (${drifted} drifted item(s) hidden from lists, calls let through)`;
  return `session established (${drifted} drifted item(s) denied)`;
}
