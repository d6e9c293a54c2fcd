// Prints one plain closing line after the whole run, e.g. "jest: 120 passed, 0 failed, 2 skipped",
// so that CI logs end with a summary that any reader can parse. With --coverage, a table of
// each package's coverage (statements, branches, functions, lines, and its threshold) comes
// first, and one "coverage: …" line says whether every package met its threshold.
import { relative, sep } from 'node:path';

const KEYS = /** @type {const} */ (['statements', 'branches', 'functions', 'lines']);

/**
 * The package a covered file belongs to: `packages/<name>` or `apps/<name>` (else its folder).
 * @param {string} rootDir
 * @param {string} file absolute path
 */
export function packageOf(rootDir, file) {
  const parts = relative(rootDir, file).split(sep);
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts.slice(0, -1).join('/') || '.';
}

/**
 * Sums the file summaries of a coverage map per package.
 * @param {string} rootDir
 * @param {{ files(): string[], fileCoverageFor(file: string): { toSummary(): { toJSON(): Record<string, { total: number, covered: number }> } } }} map
 * @returns {Map<string, Record<string, { total: number, covered: number }>>}
 */
export function coverageByPackage(rootDir, map) {
  /** @type {Map<string, Record<string, { total: number, covered: number }>>} */
  const byPackage = new Map();
  for (const file of map.files()) {
    const name = packageOf(rootDir, file);
    const summary = map.fileCoverageFor(file).toSummary().toJSON();
    const sums = byPackage.get(name) ?? Object.fromEntries(KEYS.map((k) => [k, { total: 0, covered: 0 }]));
    for (const key of KEYS) {
      sums[key].total += summary[key]?.total ?? 0;
      sums[key].covered += summary[key]?.covered ?? 0;
    }
    byPackage.set(name, sums);
  }
  return new Map([...byPackage].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A percentage as istanbul computes it (100 when there is nothing to cover), two decimals.
 * @param {{ total: number, covered: number }} sum
 */
export function percent(sum) {
  return sum.total === 0 ? 100 : Math.floor((sum.covered / sum.total) * 10000) / 100;
}

/**
 * The threshold of a package: the `coverageThreshold` entry whose path is its `src/` folder.
 * @param {Record<string, Record<string, number>> | undefined} thresholds
 * @param {string} name e.g. `packages/lockfile`
 */
export function thresholdOf(thresholds, name) {
  if (thresholds === undefined) return undefined;
  const key = Object.keys(thresholds).find((k) => k.replace(/^\.\//, '').replace(/\/+$/, '') === `${name}/src`);
  return key === undefined ? undefined : thresholds[key];
}

/**
 * The table and the `coverage:` line. Thresholds are minimum percentages (negative ones,
 * counts of uncovered items, are not used in this repository and are not checked here).
 * @param {Map<string, Record<string, { total: number, covered: number }>>} byPackage
 * @param {Record<string, Record<string, number>> | undefined} thresholds
 * @returns {string}
 */
export function formatCoverage(byPackage, thresholds) {
  const rows = [['package', ...KEYS, 'threshold (st/br/fn/li)']];
  const below = [];
  for (const [name, sums] of byPackage) {
    const floor = thresholdOf(thresholds, name);
    const cells = KEYS.map((key) => {
      const pct = percent(sums[key]);
      const min = floor?.[key];
      if (min !== undefined && min >= 0 && pct < min) below.push(`${name} ${key} ${pct.toFixed(2)} < ${min}`);
      return `${pct.toFixed(2)}${min !== undefined && min >= 0 && pct < min ? ' !' : ''}`;
    });
    rows.push([name, ...cells, floor === undefined ? '—' : KEYS.map((k) => floor[k] ?? '—').join('/')]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const verdict =
    below.length === 0
      ? `coverage: ${byPackage.size} packages, every threshold met`
      : `coverage: below threshold: ${below.join('; ')}`;
  return `\n${lines.join('\n')}\n${verdict}\n`;
}

/**
 * @param {{ numPassedTests: number, numFailedTests: number, numRuntimeErrorTestSuites: number, numPendingTests: number, numTodoTests: number }} results
 */
export function summaryLine(results) {
  const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  return `jest: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`;
}

export default class SummaryReporter {
  /** @param {{ collectCoverage?: boolean, coverageThreshold?: Record<string, Record<string, number>>, rootDir: string }} globalConfig */
  constructor(globalConfig) {
    this._globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    // Jest's own summary ("Tests: …") and its coverage reporter run after this reporter;
    // the coverage reporter hands its map over by assigning results.coverageMap, then
    // checks the thresholds. So print once the run is really over: when the event loop
    // drains, or (with coverage) right after the thresholds were checked. Should the map
    // never be assigned (a coverage error), the line is still printed at exit.
    let printed = false;
    let stored;
    const coverage = this._globalConfig?.collectCoverage === true;
    const finish = () => {
      if (printed) return;
      printed = true;
      let table = '';
      if (coverage) table = stored === undefined ? '\ncoverage: no coverage data\n' : formatCoverage(coverageByPackage(this._globalConfig.rootDir, stored), this._globalConfig.coverageThreshold);
      process.stdout.write(`${table}\n${summaryLine(results)}`);
    };
    if (coverage) {
      Object.defineProperty(results, 'coverageMap', {
        configurable: true,
        enumerable: true,
        get: () => stored,
        set: (map) => {
          stored = map;
          process.nextTick(finish);
        },
      });
    } else {
      process.once('beforeExit', finish);
    }
    process.once('exit', finish);
  }
}
