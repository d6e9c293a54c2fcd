/**
 * What a refusal says about items the server offers and the lockfile does not name:
 * such an item is "added" (critical) until someone decides, and the decision is one
 * command either way. Shared by the proxy's preflight refusal and its CLI.
 */
import type { PreflightDrift } from './engine.types.js';

const SELECTOR_PREFIX: Readonly<Record<string, string>> = { tool: 'tool', prompt: 'prompt', resourceTemplate: 'template', resource: 'resource' };

/** Quotes a selector for a POSIX shell (`'tool:it'\''s'`), so the hint can be pasted as it is. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * One sentence telling how to approve or deny the added items on purpose, or `''` when
 * none of `drift` is an added item: `mcptrust lock --exclude 'tool:NAME'` keeps an
 * item out of the approved surface (the proxy then hides it and refuses calls to it),
 * `mcptrust lock --force` approves it.
 */
export function approvalHint(drift: readonly Pick<PreflightDrift, 'kind' | 'id' | 'change'>[]): string {
  const added = drift.filter((d) => d.change === 'added' && SELECTOR_PREFIX[d.kind] !== undefined);
  if (added.length === 0) return '';
  const flags = added.slice(0, 5).map((d) => `--exclude ${shellQuote(`${SELECTOR_PREFIX[d.kind]}:${d.id}`)}`);
  const more = added.length > 5 ? ' …' : '';
  return ` (an item in neither the approved nor the denied part of the lockfile is new: deny it on purpose with \`mcptrust lock ${flags.join(' ')}${more}\`, or approve it with \`mcptrust lock --force\`)`;
}
