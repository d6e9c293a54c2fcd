/**
 * The drift severities (ARCHITECTURE.md "Severity model") and how they are ranked, for
 * sorting drift and for a gate's `--fail-on` threshold.
 */
import type { DriftItem, DriftSeverity } from './drift.types.js';

/** Severities from most to least severe. */
export const DRIFT_SEVERITIES: readonly DriftSeverity[] = ['critical', 'moderate', 'info'];

/** Rank of each severity: higher is more severe. */
export const SEVERITY_RANK: Readonly<Record<DriftSeverity, number>> = { critical: 3, moderate: 2, info: 1 };

/** Whether `severity` is at or above `threshold` (`critical` ≥ `moderate` ≥ `info`). */
export function severityAtLeast(severity: DriftSeverity, threshold: DriftSeverity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

/** The most severe severity among the items, or undefined for none. */
export function highestSeverity(items: readonly Pick<DriftItem, 'severity'>[]): DriftSeverity | undefined {
  let best: DriftSeverity | undefined;
  for (const item of items) if (best === undefined || SEVERITY_RANK[item.severity] > SEVERITY_RANK[best]) best = item.severity;
  return best;
}
