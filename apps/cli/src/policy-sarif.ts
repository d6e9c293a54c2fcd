import type { PolicyResult } from '@mcptrust/policy';
import type { SarifRun } from './sarif-log.js';

/**
 * SARIF 2.1.0: one result per rule that did not pass, located in the lockfile when one was
 * given (else in the policy file; a preset without a lockfile points at mcp-lock.json).
 */
export function policySarifRun(result: PolicyResult, lock: string | undefined): SarifRun {
  const uri = (lock ?? (result.source.startsWith('preset:') ? 'mcp-lock.json' : result.source)).split('\\').join('/');
  return {
    category: `mcptrust/policy/${uri}`,
    rules: result.rules.map((r) => ({
      id: r.name,
      shortDescription: { text: r.failureMessage },
      properties: { expr: r.expr, controlRefs: r.controlRefs, evidence: r.evidence, evidenceCommands: r.evidenceCommands },
    })),
    results: result.rules
      .filter((r) => r.status !== 'pass')
      .map((r) => ({
        ruleId: r.name,
        // A warning that fails the check (strict mode) is reported at the level it acts at.
        level: r.failsCheck ? 'error' : 'warning',
        message: {
          text: [r.failureMessage, r.error === undefined ? '' : `(evaluation error: ${r.error})`, r.items.length ? `items: ${r.items.map((i) => i.id).join(', ')}` : '']
            .filter((t) => t !== '')
            .join(' '),
        },
        locations: [{ physicalLocation: { artifactLocation: { uri } } }],
        properties: { status: r.status, severity: r.severity, items: r.items },
      })),
  };
}
