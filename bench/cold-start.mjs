// Cold start of the bundled CLI, measured against `node -e 0` in the same run.
// Usage: node bench/cold-start.mjs [runs=30]   (build first: pnpm build)
// Runs are interleaved (node, cli, node, cli, …) so that machine noise hits both alike;
// the figure that matters is the ratio of the medians.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../apps/cli/dist/mcptrust.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('bench: build the CLI first (pnpm build)');
  process.exit(2);
}
const runs = Number(process.argv[2] ?? 30);
const cases = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'mcptrust --version': [process.execPath, [cli, '--version']],
  'mcptrust --help': [process.execPath, [cli, '--help']],
};
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs + 3; i++) {
  for (const [name, [cmd, args]] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
    if (i >= 3) samples[name].push(ms); // the first runs warm the page cache
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const base = median(samples['node -e 0']);
console.log(`runs: ${runs} (interleaved, after 3 warm-up rounds), node ${process.version}`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(`${name.padEnd(20)} median ${m.toFixed(1).padStart(6)} ms   ${(m / base).toFixed(2)}× node -e 0`);
}
