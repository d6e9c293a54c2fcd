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

/**
 * The seed of a property: fixed per property in CI; in long mode (or with
 * `MCPTRUST_FUZZ_SEED`) a base seed plus the property's fixed one.
 */
export function seedFor(fixed: number): number {
  const env = process.env['MCPTRUST_FUZZ_SEED'];
  // Each property derives its own seed from the base one, so properties do not replay
  // the same sequence; the printed base seed replays all of them.
  if (env !== undefined && env !== '') return (Number(env) + fixed) | 0;
  return LONG ? (BASE_SEED + fixed) | 0 : fixed;
}

/** The base seed of a long run. */
const BASE_SEED = (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;

/** Time limit of one fuzz test (jest's own timer is faked, so this is for the record). */
export const TEST_TIMEOUT_MS = LONG ? 4 * 3600_000 : 300_000;

/** Runs of a property. */
export function runsFor(ci: number): number {
  return LONG ? ci * LONG_FACTOR : ci;
}

/** fast-check parameters of one property (the seed is printed in long mode so a failure can be replayed). */
export function fcParams(name: string, fixedSeed: number, ciRuns: number): { seed: number; numRuns: number; endOnFailure: boolean } {
  const seed = seedFor(fixedSeed);
  const env = process.env['MCPTRUST_FUZZ_SEED'];
  const base = env !== undefined && env !== '' ? Number(env) : BASE_SEED;
  if (LONG) process.stderr.write(`fuzz ${name}: seed ${seed}, ${runsFor(ciRuns)} runs (replay: MCPTRUST_FUZZ_SEED=${base} MCPTRUST_FUZZ_LONG=1)\n`);
  return { seed, numRuns: runsFor(ciRuns), endOnFailure: false };
}

/** Appends this file's figures to `MCPTRUST_FUZZ_REPORT`, when set. */
export function reportStats(file: string, startedAt: number): void {
  const out = process.env['MCPTRUST_FUZZ_REPORT'];
  if (out === undefined || out === '') return;
  appendFileSync(out, JSON.stringify({ file, long: LONG, ...STATS, ms: Math.round(performance.now() - startedAt) }) + '\n');
}
