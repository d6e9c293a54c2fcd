import { createHash } from 'node:crypto';
import type { DriftRule, DriftSeverity } from '@mcptrust/drift';
import { indexJsonLines, lineOf } from './json-lines.js';
import type { DriftReport } from './report.js';
import { RULE_DESCRIPTIONS } from './rules.js';
import { sarifLog } from '../sarif-log.js';
import type { SarifRun } from '../sarif-log.js';

const LEVEL: Readonly<Record<DriftSeverity, 'error' | 'warning' | 'note'>> = { critical: 'error', moderate: 'warning', info: 'note' };

/** The SARIF rule id of a drift rule: stable across releases. */
export function sarifRuleId(rule: DriftRule): string {
  return `mcptrust/drift/${rule}`;
}

/**
 * SARIF 2.1.0 for code scanning: one result per drift item, located at the line of the
 * drifted item in the lockfile as it is on disk (`lockfileText`), with a fingerprint
 * that stays the same while the same change stays unresolved.
 */
export function renderSarif(report: DriftReport, lockfileText: string, extraRuns: readonly SarifRun[] = []): string {
  return sarifLog(driftSarifRun(report, lockfileText), ...extraRuns);
}

/** The drift run of {@link renderSarif}. */
export function driftSarifRun(report: DriftReport, lockfileText: string): SarifRun {
  const rules = Object.keys(RULE_DESCRIPTIONS) as DriftRule[];
  const lines = indexJsonLines(lockfileText);
  const uri = report.lockfile.path.split('\\').join('/');
  const results = report.items.map((item) => {
    const fingerprint = createHash('sha256').update(JSON.stringify([item.rule, item.path, item.message, item.newHash ?? ''])).digest('hex');
    return {
      ruleId: sarifRuleId(item.rule),
      ruleIndex: rules.indexOf(item.rule),
      level: LEVEL[item.severity],
      message: { text: item.message },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri }, region: { startLine: lineOf(lines, item.pathSegments) } },
          logicalLocations: [{ fullyQualifiedName: item.path, kind: 'member' }],
        },
      ],
      partialFingerprints: { 'mcptrustDrift/v1': fingerprint },
      properties: { severity: item.severity, kind: item.kind, itemType: item.itemType, itemId: item.itemId, path: item.path },
    };
  });
  return {
    rules: rules.map((rule) => ({
      id: sarifRuleId(rule),
      name: RULE_DESCRIPTIONS[rule].name,
      shortDescription: { text: RULE_DESCRIPTIONS[rule].text },
      helpUri: 'https://github.com/mcptrust/mcptrust-ts/blob/main/docs/DRIFT.md',
      defaultConfiguration: { level: LEVEL[RULE_DESCRIPTIONS[rule].severity] },
      properties: { severity: RULE_DESCRIPTIONS[rule].severity },
    })),
    results,
    category: `mcptrust/drift/${uri}`,
    // Denied items are decisions recorded in the lockfile, not results: listed on the run.
    properties: {
      failed: report.failed,
      failOn: report.failOn,
      server: report.server,
      ...(report.denied.length === 0 ? {} : { denied: report.denied.map((d) => ({ itemType: d.itemType, itemId: d.itemId, path: d.path, status: d.status, message: d.message })) }),
    },
  };
}
