import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { coverageByPackage, formatCoverage, packageOf, percent, summaryLine, thresholdOf } from '../summary-reporter.js';

type Counts = Record<'statements' | 'branches' | 'functions' | 'lines', { total: number; covered: number }>;

const ROOT = join('/', 'repo');

function counts(total: number, covered: number): Counts {
  return { statements: { total, covered }, branches: { total, covered }, functions: { total, covered }, lines: { total, covered } };
}

/** The two calls of an istanbul CoverageMap the reporter uses. */
function fakeMap(files: Record<string, Counts>) {
  return {
    files: () => Object.keys(files),
    fileCoverageFor: (file: string) => ({ toSummary: () => ({ toJSON: () => files[file]! }) }),
  };
}

describe('coverageByPackage', () => {
  it('sums the files of each package, whatever folder they sit in, sorted by name', () => {
    const map = fakeMap({
      [join(ROOT, 'packages/lockfile/src/a.ts')]: counts(10, 9),
      [join(ROOT, 'packages/lockfile/src/deep/b.ts')]: counts(30, 30),
      [join(ROOT, 'packages/audit/src/c.ts')]: counts(4, 1),
    });
    const byPackage = coverageByPackage(ROOT, map);
    expect([...byPackage.keys()]).toEqual(['packages/audit', 'packages/lockfile']);
    expect(byPackage.get('packages/lockfile')?.lines).toEqual({ total: 40, covered: 39 });
    expect(percent(byPackage.get('packages/lockfile')?.lines ?? { total: 0, covered: 0 })).toBe(97.5);
    expect(packageOf(ROOT, join(ROOT, 'tooling/x.js'))).toBe('tooling');
  });
});

describe('percent', () => {
  it('is 100 when there is nothing to cover, and rounds down (89.999 never shows as 90)', () => {
    expect(percent({ total: 0, covered: 0 })).toBe(100);
    expect(percent({ total: 100_000, covered: 89_999 })).toBe(89.99);
  });
});

describe('formatCoverage', () => {
  const thresholds = { './packages/lockfile/src/': { statements: 90, branches: 80, lines: 90 } };

  it('finds a package threshold by its src folder, with or without ./ and the trailing slash', () => {
    expect(thresholdOf(thresholds, 'packages/lockfile')).toEqual(thresholds['./packages/lockfile/src/']);
    expect(thresholdOf({ 'packages/audit/src': { lines: 95 } }, 'packages/audit')).toEqual({ lines: 95 });
    expect(thresholdOf(thresholds, 'packages/lock')).toBeUndefined();
    expect(thresholdOf(undefined, 'packages/lockfile')).toBeUndefined();
  });

  it('prints one row per package and says every threshold was met', () => {
    const text = formatCoverage(coverageByPackage(ROOT, fakeMap({ [join(ROOT, 'packages/lockfile/src/a.ts')]: counts(10, 10) })), thresholds);
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^package\s+statements\s+branches\s+functions\s+lines\s+threshold/);
    expect(lines[2]).toMatch(/^packages\/lockfile\s+100\.00\s+100\.00\s+100\.00\s+100\.00\s+90\/80\/—\/90$/);
    expect(lines.at(-1)).toBe('coverage: 1 packages, every threshold met');
  });

  it('marks and names each figure below its threshold, and shows — for a package without one', () => {
    const map = fakeMap({
      [join(ROOT, 'packages/lockfile/src/a.ts')]: { ...counts(100, 95), branches: { total: 10, covered: 7 } },
      [join(ROOT, 'packages/audit/src/b.ts')]: counts(10, 1),
    });
    const text = formatCoverage(coverageByPackage(ROOT, map), thresholds);
    expect(text).toMatch(/packages\/lockfile\s+95\.00\s+70\.00 !\s+95\.00\s+95\.00\s+90\/80\/—\/90/);
    expect(text).toMatch(/packages\/audit\s+10\.00\s+10\.00\s+10\.00\s+10\.00\s+—/);
    expect(text.trim().split('\n').at(-1)).toBe('coverage: below threshold: packages/lockfile branches 70.00 < 80');
  });
});

describe('summaryLine', () => {
  it('counts runtime errors of whole suites as failures and todos as skipped', () => {
    expect(summaryLine({ numPassedTests: 5, numFailedTests: 1, numRuntimeErrorTestSuites: 2, numPendingTests: 1, numTodoTests: 1 })).toBe('jest: 5 passed, 3 failed, 2 skipped\n');
  });
});
