import type { Finding, GateCheck } from './report.js';

/**
 * The runner refuses a step summary over 1 MiB ("supports content up to a size of 1024k").
 * The summary stays under this budget, which leaves room for other steps' headings.
 */
export const SUMMARY_BUDGET_BYTES = 1024 * 1024 - 64 * 1024;
/** Longest text of one table cell; a server's 10 MiB description does not fill the summary. */
const CELL_CHARS = 1_000;

/** What the job summary shows. */
export interface SummaryModel {
  /** `MCPTrust check`. */
  title: string;
  outcome: 'PASS' | 'FAIL';
  /** Lines of Markdown the action wrote itself (already safe). */
  intro: string[];
  checks: GateCheck[];
  findings: Finding[];
  /** A run that could not complete: why, and the end of mcptrust's stderr. */
  problem?: { message: string; log: string[] };
  /** Where the whole results are (shown under a truncated table). */
  files: string[];
}

const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function prose(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_~[\]()!|#])/g, '\\$1');
}

/**
 * Escapes text from the server or the lockfile for a Markdown table cell: no HTML renders,
 * no link or image is formed, pipes stay inside the cell, lines are joined, and control
 * and bidirectional characters are shown as escapes. `code spans` stay code (nothing
 * renders inside one); an unclosed backtick is shown as text.
 */
export function cell(value: string): string {
  const flat = value.slice(0, CELL_CHARS).replace(/[\r\n]+/g, ' ').replace(HIDDEN, (c) => `\\u{${c.codePointAt(0)?.toString(16) ?? ''}}`);
  const parts = flat.split('`');
  const closed = parts.length % 2 === 1;
  const escaped = parts
    .map((part, i) => (i % 2 === 1 && (closed || i < parts.length - 1) ? `\`${part.replace(/\|/g, '\\|')}\`` : prose(i % 2 === 1 ? `\`${part}` : part)))
    .join('');
  return value.length > CELL_CHARS ? `${escaped}… (${value.length - CELL_CHARS} more characters)` : escaped;
}

const BADGE: Readonly<Record<Finding['level'], string>> = { error: '🔴 error', warning: '🟠 warning', note: '🔵 note' };
const ORDER: Readonly<Record<Finding['level'], number>> = { error: 0, warning: 1, note: 2 };

/** Findings most severe first (stable within a level). */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER[a.level] - ORDER[b.level]);
}

function statusCell(status: string): string {
  if (status === 'pass') return '✅ pass';
  if (status === 'skipped' || status === '') return '➖ skipped';
  return `❌ ${cell(status)}`;
}

function findingRow(f: Finding): string {
  const where = f.file === undefined ? '' : `${cell(f.file)}${f.line === undefined ? '' : `:${f.line}`}`;
  return `| ${BADGE[f.level]} | ${cell(f.rule)} | ${cell(f.message)} | ${where} |`;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The job summary: the verdict, the checks, and a table of findings (most severe first)
 * cut to fit {@link SUMMARY_BUDGET_BYTES}, saying how many rows were left out and where
 * they all are.
 */
export function renderSummary(model: SummaryModel, budget: number = SUMMARY_BUDGET_BYTES): string {
  const head: string[] = [`## ${model.title}: ${model.outcome === 'PASS' ? '✅ PASS' : '❌ FAIL'}`, ''];
  for (const line of model.intro) head.push(line, '');
  if (model.problem !== undefined) {
    head.push(`**mcptrust could not complete:** ${cell(model.problem.message)}`, '');
    if (model.problem.log.length > 0) {
      const log = model.problem.log.map((l) => l.replace(/```/g, "'''").slice(0, CELL_CHARS)).join('\n');
      head.push('<details><summary>mcptrust output (last lines)</summary>', '', '```text', log, '```', '', '</details>', '');
    }
  }
  if (model.checks.length > 0) {
    head.push('| check | status | summary |', '|---|---|---|');
    for (const c of model.checks) head.push(`| ${cell(c.name)} | ${statusCell(c.status)} | ${cell(c.summary)} |`);
    head.push('');
  }
  const findings = bySeverity(model.findings);
  const where = model.files.length === 0 ? '' : ` All of them are in ${model.files.map((f) => `\`${f.replace(/`/g, "'")}\``).join(' and ')}.`;
  if (findings.length === 0) {
    if (model.problem === undefined) head.push('No findings.', '');
    return `${head.join('\n')}\n`;
  }
  head.push(`**${findings.length} finding${findings.length === 1 ? '' : 's'}**`, '', '| severity | rule | finding | location |', '|---|---|---|---|');
  let out = `${head.join('\n')}\n`;
  // Room kept for the closing line, which is at most this long.
  const reserve = 200 + bytes(where);
  let shown = 0;
  for (const f of findings) {
    const row = `${findingRow(f)}\n`;
    if (bytes(out) + bytes(row) + reserve > budget) break;
    out += row;
    shown += 1;
  }
  if (shown < findings.length) out += `\n…and ${findings.length - shown} more finding${findings.length - shown === 1 ? '' : 's'} not shown here (the summary is limited to 1 MiB).${where}\n`;
  return out;
}
