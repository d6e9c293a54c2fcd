import { isAbsolute, relative, resolve, sep } from 'node:path';

/** One finding, as code scanning and annotations show it. */
export interface Finding {
  level: 'error' | 'warning' | 'note';
  /** The rule (`mcptrust/drift/tool-added`, a policy rule name). */
  rule: string;
  message: string;
  /** Repository-relative path of the file it is located in. */
  file?: string;
  line?: number;
}

/** One check of the gate (signature, policy, drift; or a policy rule), as the JSON report states it. */
export interface GateCheck {
  name: string;
  status: string;
  summary: string;
}

/** What the summary says about the server and the thresholds, from the JSON report. */
export interface ReportFacts {
  /** One line about what was compared (`Lockfile … against server …`). */
  subject: string;
  checks: GateCheck[];
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A path as the repository sees it (`servers/fs/mcp-lock.json`), or as given when it is outside the workspace. */
export function repositoryPath(workspace: string, workdir: string, path: string): string {
  const absolute = resolve(workdir, path);
  const rel = relative(workspace, absolute);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return absolute.split(sep).join('/');
  return rel.split(sep).join('/');
}

/**
 * Rewrites the CLI's SARIF so that code scanning finds its files: every relative
 * `artifactLocation.uri` (relative to the working directory) becomes relative to the
 * repository, and so does the path inside each run's `automationDetails.id` category.
 */
export function rebaseSarif(log: unknown, toRepository: (path: string) => string): unknown {
  const isRelative = (uri: string): boolean => uri !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('/');
  for (const run of list(record(log)['runs'])) {
    const details = record(record(run)['automationDetails']);
    const id = text(details['id']);
    const match = /^(mcptrust\/[a-z]+\/)(.+)\/$/.exec(id);
    if (match?.[1] !== undefined && match[2] !== undefined && isRelative(match[2])) details['id'] = `${match[1]}${toRepository(match[2])}/`;
    for (const result of list(record(run)['results'])) {
      for (const location of list(record(result)['locations'])) {
        const artifact = record(record(record(location)['physicalLocation'])['artifactLocation']);
        const uri = text(artifact['uri']);
        if (isRelative(uri)) artifact['uri'] = toRepository(uri);
      }
    }
  }
  return log;
}

const LEVELS = new Set(['error', 'warning', 'note']);

/** The findings of a SARIF log: every result of every run, with its first location. */
export function findingsOf(log: unknown): Finding[] {
  const out: Finding[] = [];
  for (const run of list(record(log)['runs'])) {
    for (const value of list(record(run)['results'])) {
      const result = record(value);
      const physical = record(record(list(result['locations'])[0])['physicalLocation']);
      const file = text(record(physical['artifactLocation'])['uri']);
      const line = record(physical['region'])['startLine'];
      const level = text(result['level']);
      out.push({
        level: LEVELS.has(level) ? (level as Finding['level']) : 'warning',
        rule: text(result['ruleId']),
        message: text(record(result['message'])['text']),
        ...(file === '' ? {} : { file }),
        ...(typeof line === 'number' && Number.isInteger(line) && line > 0 ? { line } : {}),
      });
    }
  }
  return out;
}

/** The facts of `mcptrust check --format json` (docs/drift-report.schema.json). */
export function checkReportFacts(report: unknown, lockfile: string): ReportFacts {
  const r = record(report);
  const server = record(r['server']);
  return {
    subject: `Lockfile \`${lockfile}\` against server \`${text(server['name'])}\` ${text(server['version'])} (fails at \`${text(r['failOn'])}\`).`,
    checks: list(r['sections']).map((s) => ({ name: text(record(s)['name']), status: text(record(s)['status']), summary: text(record(s)['summary']) })),
  };
}

/** The facts of `mcptrust policy check --format json`: one check per rule. */
export function policyReportFacts(result: unknown, lockfile: string | undefined): ReportFacts {
  const r = record(result);
  const strict = record(r['summary'])['fatalWarnings'];
  return {
    subject:
      `Policy \`${text(r['policy'])}\` (${text(r['source'])}, mode \`${text(r['mode'])}\`)` +
      (lockfile === undefined ? ', without a lockfile (no drift input).' : ` with lockfile \`${lockfile}\`.`) +
      (typeof strict === 'number' && strict > 0 ? ' Strict mode: warnings fail.' : ''),
    checks: list(r['rules']).map((value) => {
      const rule = record(value);
      const status = text(rule['status']);
      return {
        name: text(rule['name']),
        status: status === 'pass' ? 'pass' : `${status} (${text(rule['severity'])})`,
        summary: status === 'pass' ? '' : text(rule['failureMessage']),
      };
    }),
  };
}
