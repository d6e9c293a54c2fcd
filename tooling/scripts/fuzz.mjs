#!/usr/bin/env node
// @ts-check
// Runs the enforcement engine's fuzzers (packages/proxy-core/test/fuzz) in long mode:
// 50 times the runs of the test suite, with a random seed printed first so that any
// failure can be replayed. Prints the figures (runs, messages, invariant checks, time)
// of each fuzz test file at the end.
//
// Usage: node tooling/scripts/fuzz.mjs [--seed N] [--short]
//   --seed N   replay one seed (every property of the run uses it)
//   --short    the test suite's budget and fixed seeds (the figures of a CI run)
// Exit status: jest's (0 when every invariant held).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const pkg = join(root, 'packages', 'proxy-core');
const args = process.argv.slice(2);
const short = args.includes('--short');
const seedAt = args.indexOf('--seed');
const seed = seedAt !== -1 ? Number(args[seedAt + 1]) : short ? undefined : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
if (seed !== undefined && !Number.isInteger(seed)) {
  process.stderr.write('fuzz: --seed needs an integer\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'mcptrust-fuzz-'));
const report = join(dir, 'report.jsonl');
/** @type {Record<string, string | undefined>} */
const env = { ...process.env, NODE_OPTIONS: '--experimental-vm-modules', MCPTRUST_FUZZ_REPORT: report };
if (!short) env['MCPTRUST_FUZZ_LONG'] = '1';
if (seed !== undefined) env['MCPTRUST_FUZZ_SEED'] = String(seed);
process.stdout.write(short ? 'fuzz: CI budget, fixed seeds\n' : `fuzz: long mode, seed ${seed} (replay: node tooling/scripts/fuzz.mjs --seed ${seed})\n`);

const started = Date.now();
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const run = spawnSync(process.execPath, ['--no-warnings=ExperimentalWarning', jest, '--runInBand', 'test/fuzz'], { cwd: pkg, env, stdio: 'inherit' });
const seconds = ((Date.now() - started) / 1000).toFixed(1);

let lines = [];
try {
  lines = readFileSync(report, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
} catch {
  // no figures: jest failed before a file finished
}
rmSync(dir, { recursive: true, force: true });
const total = { runs: 0, steps: 0, hostMessages: 0, serverMessages: 0, engineOutputs: 0, invariantChecks: 0 };
for (const l of lines) {
  process.stdout.write(`  ${l.file}: ${l.runs} runs, ${l.steps} steps, ${l.hostMessages + l.serverMessages} messages in, ${l.engineOutputs} out, ${l.invariantChecks} invariant checks, ${(l.ms / 1000).toFixed(1)} s\n`);
  for (const k of Object.keys(total)) total[/** @type {keyof typeof total} */ (k)] += l[k];
}
process.stdout.write(
  `fuzz: ${total.runs} runs, ${total.hostMessages + total.serverMessages} messages in (${total.hostMessages} host, ${total.serverMessages} server), ${total.engineOutputs} out, ${total.invariantChecks} invariant checks, ${seconds} s wall${seed === undefined ? '' : `, seed ${seed}`}\n`,
);
process.exit(run.status ?? 1);
