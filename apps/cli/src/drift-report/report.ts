/**
 * The drift report of `mcptrust diff` and `mcptrust check`: one model, rendered as
 * text, JSON, Markdown or SARIF. The JSON rendering is this model as it is, described by
 * docs/drift-report.schema.json (versioned with `schemaVersion`).
 */
import type { CheckDriftResult, DeniedItem, DriftItem, DriftSeverity } from '@mcptrust/drift';
import type { LockfileItemRef } from '@mcptrust/lockfile';
import { VERSION } from '../version.js';

/** Version of the JSON report format; raised on any incompatible change. */
export const DRIFT_REPORT_SCHEMA_VERSION = 1;

/** One part of a combined report (drift; signature and policy once `check` verifies them). */
export interface CheckSection {
  /** What was checked. */
  name: 'drift' | 'signature' | 'policy';
  /** `pass`, `fail`, or `skipped` (not asked for). */
  status: 'pass' | 'fail' | 'skipped';
  /** One sentence. */
  summary: string;
}

/** The whole report. */
export interface DriftReport {
  schemaVersion: typeof DRIFT_REPORT_SCHEMA_VERSION;
  /** The command that produced it. */
  command: 'diff' | 'check';
  generator: string;
  lockfile: { path: string; format: string };
  server: { name: string; version: string; protocolVersion: string };
  failOn: DriftSeverity;
  /** Whether the command fails (exit code 1). */
  failed: boolean;
  highestSeverity: DriftSeverity | null;
  summary: { total: number; critical: number; moderate: number; info: number };
  sections: CheckSection[];
  items: DriftItem[];
  notices: string[];
  /** Items the lockfile denies on purpose, as the live server shows them: never drift, never a failure. */
  denied: DeniedItem[];
}

/** The items a report shows as added (a tool, prompt, template or resource in neither section of the lockfile). */
export function addedItems(report: Pick<DriftReport, 'items'>): LockfileItemRef[] {
  return report.items
    .filter((i) => i.kind === 'added' && (i.itemType === 'tool' || i.itemType === 'prompt' || i.itemType === 'resourceTemplate' || i.itemType === 'resource'))
    .map((i) => ({ itemType: i.itemType as LockfileItemRef['itemType'], id: i.itemId }));
}

/** Builds the report of a drift check; more sections (signature, policy) can be appended. */
export function buildDriftReport(command: DriftReport['command'], lockfilePath: string, result: CheckDriftResult, extra: readonly CheckSection[] = []): DriftReport {
  const count = (severity: DriftSeverity): number => result.items.filter((i) => i.severity === severity).length;
  const summary = { total: result.items.length, critical: count('critical'), moderate: count('moderate'), info: count('info') };
  const drift: CheckSection = {
    name: 'drift',
    status: result.failed ? 'fail' : 'pass',
    summary:
      (summary.total === 0
        ? 'the server matches the lockfile'
        : `${summary.total} drift item${summary.total === 1 ? '' : 's'} (${summary.critical} critical, ${summary.moderate} moderate, ${summary.info} info); fails at ${result.failOn}`) +
      (result.denied.length === 0 ? '' : `; ${result.denied.length} item${result.denied.length === 1 ? '' : 's'} denied as approved`),
  };
  const sections = [...extra, drift];
  return {
    schemaVersion: DRIFT_REPORT_SCHEMA_VERSION,
    command,
    generator: `mcptrust ${VERSION}`,
    lockfile: { path: lockfilePath, format: result.lockfileFormat },
    server: { name: result.scan.server.name, version: result.scan.server.version, protocolVersion: result.scan.server.protocolVersion },
    failOn: result.failOn,
    failed: sections.some((s) => s.status === 'fail'),
    highestSeverity: result.highestSeverity ?? null,
    summary,
    sections,
    items: result.items,
    notices: result.notices,
    denied: result.denied,
  };
}
