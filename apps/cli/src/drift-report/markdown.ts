import type { DriftItem, DriftSeverity } from '@mcptrust/drift';
import { escapeInvisible } from '@mcptrust/drift/unicode';
import { exclusionHint } from '../denial-selection.js';
import { addedItems } from './report.js';
import type { DriftReport } from './report.js';

const BADGE: Readonly<Record<DriftSeverity, string>> = { critical: '🔴 critical', moderate: '🟠 moderate', info: '🔵 info' };

/** Escapes text outside code spans: no HTML from a server ever renders, and table pipes stay cells. */
function escapeProse(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/([*_~[\]])/g, '\\$1');
}

/** A sentence with `code spans` kept as code, for a Markdown table cell. */
export function markdownCell(text: string): string {
  // Control characters (ESC, BEL, C1) and invisible ones are spelled out: a server's
  // name or version can carry terminal escapes, and this text is also printed.
  const flat = escapeInvisible(text.replace(/[\r\n]+/g, ' '));
  const parts = flat.split('`');
  // An odd count of backticks leaves the last span open: treat it as prose.
  const closed = parts.length % 2 === 1;
  return parts
    .map((part, i) => (i % 2 === 1 && (closed || i < parts.length - 1) ? `\`${part.replace(/\|/g, '\\|')}\`` : escapeProse(part)))
    .join('');
}

function fence(text: string): string {
  return ['```text', escapeInvisible(text).replace(/```/g, "'''"), '```'].join('\n');
}

function detailsOf(item: DriftItem): string | undefined {
  const parts: string[] = [];
  if (item.details.wordDiff !== undefined) parts.push(`word diff of \`${item.path}\`:\n\n${fence(item.details.wordDiff)}`);
  if (item.details.newIndicators !== undefined && item.details.newIndicators.length > 0) {
    parts.push(`new injection indicators:\n\n${fence(item.details.newIndicators.map((i) => `${i.code}: ${i.evidence}`).join('\n'))}`);
  }
  if (item.details.confusable !== undefined) {
    const c = item.details.confusable;
    parts.push(`code points:\n\n${fence(`${c.codePoints}\n${c.lookalikeCodePoints}  (pinned)`)}`);
  }
  return parts.length === 0 ? undefined : parts.join('\n\n');
}

/**
 * The report for a pull-request comment or a GitHub job summary: a verdict, a table of
 * every drift item (most severe first), and the word diffs and indicators below it.
 */
export function renderMarkdown(report: DriftReport): string {
  const out: string[] = [];
  out.push(`## MCPTrust ${report.command}: ${report.failed ? '❌ failed' : '✅ passed'}`);
  out.push('');
  out.push(`Lockfile \`${report.lockfile.path.replace(/`/g, "'")}\` against server ${markdownCell(`\`${report.server.name}\` ${report.server.version}`)} (fails at \`${report.failOn}\`).`);
  out.push('');
  out.push('| check | status | summary |');
  out.push('|---|---|---|');
  for (const section of report.sections) out.push(`| ${section.name} | ${section.status === 'fail' ? '❌ fail' : section.status === 'pass' ? '✅ pass' : '➖ skipped'} | ${markdownCell(section.summary)} |`);
  for (const notice of report.notices) out.push('', `> ${markdownCell(notice)}`);
  if (report.items.length > 0) {
    out.push('');
    out.push('| severity | change | lockfile path |');
    out.push('|---|---|---|');
    for (const item of report.items) out.push(`| ${BADGE[item.severity]} | ${markdownCell(item.message)} | \`${item.path.replace(/`/g, "'").replace(/\|/g, '\\|')}\` |`);
    const details = report.items.map(detailsOf).filter((d): d is string => d !== undefined);
    if (details.length > 0) {
      out.push('', '<details><summary>What changed</summary>', '', details.join('\n\n'), '', '</details>');
    }
    if (report.failed) {
      out.push('', 'If these changes are intended, re-lock with `mcptrust lock --force` and commit `mcp-lock.json` in this pull request.');
      const hint = exclusionHint(addedItems(report));
      if (hint !== undefined) out.push('', markdownCell(hint));
    }
  } else {
    out.push('', 'No drift: the server matches the lockfile.');
  }
  if (report.denied.length > 0) {
    // Not findings: decisions recorded in the lockfile, listed so a reviewer sees them.
    out.push('', `<details><summary>Denied as approved (${report.denied.length})</summary>`, '', '| denied item | lockfile path |', '|---|---|');
    for (const d of report.denied) out.push(`| ${markdownCell(d.message)} | \`${d.path.replace(/`/g, "'").replace(/\|/g, '\\|')}\` |`);
    out.push('', '</details>');
  }
  // Every piece above is escaped already; this keeps a piece added later from
  // letting a control character through.
  return `${escapeInvisible(out.join('\n'))}\n`;
}
