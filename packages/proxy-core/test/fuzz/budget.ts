/**
 * The fuzzers' budget: fixed seeds and a bounded number of runs in the ordinary test
 * suite, 50 times as many runs with a random (printed) seed when
 * `MCPTRUST_FUZZ_LONG=1` (or `pnpm --filter @mcptrust/proxy-core fuzz:long`).
 * `MCPTRUST_FUZZ_SEED=<n>` replays one seed; `MCPTRUST_FUZZ_REPORT=<file>` appends the
 * figures of each fuzz test file to that file as one JSON line.
 */
import { appendFileSync } from 'node:fs';
import { STATS } from './oracle.js';

/** Whether the long mode is on. */
export const LONG = process.env['MCPTRUST_FUZZ_LONG'] === '1';

/** Multiplier of every run count in long mode. */
export const LONG_FACTOR = 50;

/** The seed of a property: fixed per property in CI, from the environment or random in long mode. */
export function seedFor(fixed: number): number {
  const env = process.env['MCPTRUST_FUZZ_SEED'];
  if (env !== undefined && env !== '') return Number(env);
  return LONG ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : fixed;
}

/** Runs of a property. */
export function runsFor(ci: number): number {
  return LONG ? ci * LONG_FACTOR : ci;
}

/** fast-check parameters of one property (the seed is printed in long mode so a failure can be replayed). */
export function fcParams(name: string, fixedSeed: number, ciRuns: number): { seed: number; numRuns: number; endOnFailure: boolean } {
  const seed = seedFor(fixedSeed);
  if (LONG) process.stderr.write(`fuzz ${name}: seed ${seed}, ${runsFor(ciRuns)} runs (replay: MCPTRUST_FUZZ_SEED=${seed})\n`);
  return { seed, numRuns: runsFor(ciRuns), endOnFailure: false };
}

/** Appends this file's figures to `MCPTRUST_FUZZ_REPORT`, when set. */
export function reportStats(file: string, startedAt: number): void {
  const out = process.env['MCPTRUST_FUZZ_REPORT'];
  if (out === undefined || out === '') return;
  appendFileSync(out, JSON.stringify({ file, long: LONG, ...STATS, ms: Math.round(performance.now() - startedAt) }) + '\n');
}
