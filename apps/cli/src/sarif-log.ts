import { VERSION } from './version.js';
import { terminalSafeJson } from './output.js';

/** One SARIF run's parts that differ between reports (drift, policy). */
export interface SarifRun {
  /** `reportingDescriptor`s of the rules the results refer to. */
  rules: unknown[];
  /** The results. */
  results: unknown[];
  /** Run-level properties (verdict, thresholds…). */
  properties?: Record<string, unknown>;
  /**
   * What the run is about (`mcptrust/drift/mcp-lock.json`): written as `automationDetails.id`
   * with a trailing slash, which code scanning takes as the run's category, so the reports
   * of several servers (or of drift and policy) uploaded from one workflow do not replace
   * each other.
   */
  category: string;
}

/**
 * A SARIF 2.1.0 log by the mcptrust driver, one run per part (drift; policy), as JSON text
 * with a trailing newline. Each run has its own category, as code scanning requires of
 * several runs of one tool in one upload.
 */
export function sarifLog(...runs: SarifRun[]): string {
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: runs.map((run) => ({
      tool: { driver: { name: 'mcptrust', semanticVersion: VERSION, informationUri: 'https://github.com/mcptrust/mcptrust-ts', rules: run.rules } },
      automationDetails: { id: `${run.category}/` },
      results: run.results,
      ...(run.properties === undefined ? {} : { properties: run.properties }),
    })),
  };
  return `${terminalSafeJson(log, 2)}\n`;
}
