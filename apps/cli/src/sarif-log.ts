import { VERSION } from './version.js';

/** One SARIF run's parts that differ between reports (drift, policy). */
export interface SarifRun {
  /** `reportingDescriptor`s of the rules the results refer to. */
  rules: unknown[];
  /** The results. */
  results: unknown[];
  /** Run-level properties (verdict, thresholds…). */
  properties?: Record<string, unknown>;
}

/** A SARIF 2.1.0 log with one run by the mcptrust driver, as JSON text with a trailing newline. */
export function sarifLog(run: SarifRun): string {
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mcptrust', semanticVersion: VERSION, informationUri: 'https://github.com/mcptrust/mcptrust-ts', rules: run.rules } },
        results: run.results,
        ...(run.properties === undefined ? {} : { properties: run.properties }),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
