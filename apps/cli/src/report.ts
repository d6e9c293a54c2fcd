import type { Finding, Lockfile, LockfileChange } from '@mcptrust/lockfile';
import { describeLockfileChange } from '@mcptrust/lockfile';
import type { Io } from './output.js';
import { paint, printable, say } from './output.js';

/**
 * The word a finding's line starts with: the severity said once (`warning [warning]`
 * said it twice), with `[high]` marking the findings to look at first.
 */
function findingLabel(io: Io, severity: Finding['severity']): string {
  if (severity === 'high') return paint(io, 'red', 'warning [high]');
  if (severity === 'warning') return paint(io, 'yellow', 'warning');
  return paint(io, 'dim', 'info');
}

/** Prints analysis findings (confusable names, poisoning indicators, high-risk tools) to stderr. */
export function printFindings(io: Io, findings: readonly Finding[]): void {
  for (const f of findings) {
    const label = findingLabel(io, f.severity);
    const where = `${f.itemType} \`${printable(f.itemId)}\`${f.field ? ` (${f.field})` : ''}`;
    const evidence = f.evidence && !f.message.includes(f.evidence) ? ` — ${printable(f.evidence)}` : '';
    say(io, `${label} ${f.code} ${where}: ${printable(f.message)}${evidence}`);
  }
}

/** Prints the lockfile's refusal: which items changed and which part of each. */
export function printChanges(io: Io, changes: readonly LockfileChange[]): void {
  for (const change of changes) {
    const mark = change.kind === 'added' ? paint(io, 'red', '+') : change.kind === 'removed' ? paint(io, 'yellow', '-') : paint(io, 'yellow', '~');
    say(io, `  ${mark} ${printable(describeLockfileChange(change))}`);
  }
}

/** Counts of what a lockfile pins. */
export function countSurface(lock: Lockfile): { tools: number; high: number; prompts: number; templates: number; resources: number } {
  const tools = Object.values(lock.tools);
  return {
    tools: tools.length,
    high: tools.filter((t) => t.riskLevel === 'HIGH').length,
    prompts: Object.keys(lock.prompts.definitions).length,
    templates: lock.resources.templates.length,
    resources: lock.resources.static.length,
  };
}

/** One line summarising a lockfile. */
export function summarize(lock: Lockfile): string {
  const c = countSurface(lock);
  return `${c.tools} tools (${c.high} HIGH risk), ${c.prompts} prompts, ${c.resources} static resources, ${c.templates} resource templates`;
}

/** Prints the approved surface of a lockfile as a readable table (stderr or stdout). */
export function renderSurface(io: Io, lock: Lockfile): string {
  const lines: string[] = [];
  const s = lock.server;
  lines.push(`${paint(io, 'bold', 'Server')}  ${printable(s.name)} ${printable(s.version)} (protocol ${printable(s.protocolVersion)})`);
  const tools = Object.entries(lock.tools).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  lines.push(`${paint(io, 'bold', 'Tools')} (${tools.length})`);
  for (const [name, tool] of tools) {
    const risk = tool.riskLevel === 'HIGH' ? paint(io, 'red', 'HIGH  ') : tool.riskLevel === 'MEDIUM' ? paint(io, 'yellow', 'MEDIUM') : paint(io, 'green', 'LOW   ');
    const desc = printable((tool.snapshot?.description ?? '').split('\n')[0] ?? '').slice(0, 70);
    lines.push(`  ${risk} ${printable(name).padEnd(22)} ${paint(io, 'dim', desc)}`);
  }
  const prompts = Object.keys(lock.prompts.definitions).sort();
  lines.push(`${paint(io, 'bold', 'Prompts')} (${prompts.length})${prompts.length ? `  ${prompts.map(printable).join(', ')}` : ''}`);
  lines.push(`${paint(io, 'bold', 'Resources')} (${lock.resources.static.length})${lock.resources.static.length ? `  ${lock.resources.static.map((r) => printable(r.uri)).join(', ')}` : ''}`);
  lines.push(`${paint(io, 'bold', 'Templates')} (${lock.resources.templates.length})${lock.resources.templates.length ? `  ${lock.resources.templates.map((t) => printable(t.uriTemplate)).join(', ')}` : ''}`);
  return lines.join('\n');
}
