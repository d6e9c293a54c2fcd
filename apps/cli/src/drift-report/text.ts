import type { DriftItem, DriftSeverity } from '@mcptrust/drift';
import { printable } from '../output.js';
import { exclusionHint } from '../denial-selection.js';
import { addedItems } from './report.js';
import type { DriftReport } from './report.js';

/** Colouring for the text report: identity when colours are off. */
export type Painter = (style: 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold', text: string) => string;

const HEADINGS: ReadonlyArray<[DriftSeverity, 'red' | 'yellow' | 'cyan', string]> = [
  ['critical', 'red', 'CRITICAL'],
  ['moderate', 'yellow', 'MODERATE'],
  ['info', 'cyan', 'INFO'],
];

function itemLines(item: DriftItem, paint: Painter): string[] {
  const lines = [`  ${item.kind === 'added' ? '+' : item.kind === 'removed' ? '-' : '~'} ${printable(item.message)}`];
  lines.push(paint('dim', `      at ${printable(item.path)}  [${item.rule}]`));
  if (item.details.wordDiff !== undefined) lines.push(paint('dim', `      diff: ${printable(item.details.wordDiff)}`));
  for (const indicator of item.details.newIndicators ?? []) lines.push(paint('dim', `      indicator ${indicator.code}: ${printable(indicator.evidence)}`));
  return lines;
}

/**
 * The report for a terminal or a CI log: a verdict line, then the items grouped by
 * severity (most severe first). Every server-supplied text goes through `printable`.
 */
export function renderText(report: DriftReport, paint: Painter): string {
  const lines: string[] = [];
  const server = `${printable(report.server.name)} ${printable(report.server.version)}`;
  const verdict = report.failed ? paint('red', '✗ FAIL') : paint('green', '✓ PASS');
  lines.push(`${paint('bold', `mcptrust ${report.command}`)}: ${printable(report.lockfile.path)} vs server ${server}  ${verdict}`);
  for (const section of report.sections) {
    const status = section.status === 'fail' ? paint('red', 'fail') : section.status === 'pass' ? paint('green', 'pass') : paint('dim', 'skipped');
    lines.push(`  ${section.name}: ${status} — ${printable(section.summary)}`);
  }
  for (const notice of report.notices) lines.push(`  ${paint('cyan', 'notice:')} ${printable(notice)}`);
  for (const [severity, color, heading] of HEADINGS) {
    const items = report.items.filter((i) => i.severity === severity);
    if (items.length === 0) continue;
    lines.push('');
    lines.push(paint(color, paint('bold', `${heading} (${items.length})`)));
    for (const item of items) lines.push(...itemLines(item, paint));
  }
  if (report.denied.length > 0) {
    lines.push('');
    lines.push(paint('bold', `DENIED AS APPROVED (${report.denied.length})`));
    for (const d of report.denied) {
      lines.push(`  ${d.status === 'unchanged' ? '⊘' : '!'} ${printable(d.message)}`);
      lines.push(paint('dim', `      at ${printable(d.path)}`));
    }
  }
  if (report.items.length === 0) {
    lines.push('');
    lines.push(`No drift: the server matches ${printable(report.lockfile.path)}.`);
  } else if (report.failed) {
    lines.push('');
    lines.push(`Review the changes; if they are intended, re-lock with \`mcptrust lock --force\` and commit the lockfile.`);
    const hint = exclusionHint(addedItems(report));
    if (hint !== undefined) lines.push(hint);
  }
  return `${lines.join('\n')}\n`;
}
