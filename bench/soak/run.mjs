#!/usr/bin/env node
// Soak: a long session through the proxy at mixed sizes and concurrency, with drift,
// cancellations and timeouts, checking that every request is answered exactly once and
// that memory and the proxy's tables stay flat.
//
// Usage: node bench/soak/run.mjs [--smoke] [--messages N] [--target cli|in-process|both]
//                                [--seed N] [--json]          (build first: pnpm build)
//   --messages N   host→proxy messages to send (default 10⁶; --smoke: 10⁵)
//   --target       cli (default): the built `mcptrust proxy` as a child process; its RSS
//                  is read from /proc/<pid>/status (VmRSS).
//                  in-process: the same stdio bridge and engine (createStdioBridge of
//                  @mcptrust/proxy-core, as the CLI uses it) inside this process, so the
//                  pending table and the tombstone set can be read at every sample (the RSS
//                  is then this whole process, driver included).
//                  both: one run of each.
// The load (seeded, so a run can be repeated):
//   - small tools/call echo (≈100 B), 2% of 64 KiB, one in 5000 of 1 MiB;
//   - concurrency changes every 2000 messages, between 1 and 64 requests in flight;
//   - 2% slow calls cancelled at once (notifications/cancelled): no answer is due, and
//     the server's late answer must be dropped;
//   - 0.1% slow calls beyond --request-timeout (1 s): the host must get the timeout error,
//     and the late answer must be dropped;
//   - the server flips its tool list every 5000 calls (an extra `exec_shell`, an injected
//     description on `note`) and says so with list_changed; the host re-lists and checks
//     that neither ever reaches it, and now and then calls exec_shell, which must be denied.
// A message is one line the host writes: a request, or a cancellation.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLoad } from './load.mjs';

const CLI = fileURLToPath(new URL('../../apps/cli/dist/mcptrust.js', import.meta.url));
const SERVER = fileURLToPath(new URL('./soak-server.mjs', import.meta.url));
const CORE = new URL('../../packages/proxy-core/dist/index.js', import.meta.url);
const LOCKFILE = new URL('../../packages/lockfile/dist/index.js', import.meta.url);
if (!existsSync(CLI) || !existsSync(fileURLToPath(CORE))) {
  console.error('soak: build first (pnpm build)');
  process.exit(2);
}
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1];
};
const smoke = args.includes('--smoke');
const asJson = args.includes('--json');
const total = Number(opt('--messages', smoke ? 100_000 : 1_000_000));
const seed = Number(opt('--seed', 1));
const target = opt('--target', 'cli');
const REQUEST_TIMEOUT_MS = 1000;
const DRIFT_EVERY = 5000;
const SERVER_ARGS = [SERVER, '--drift-every', String(DRIFT_EVERY)];

const dir = mkdtempSync(join(tmpdir(), 'mcptrust-soak-'));
const lockPath = join(dir, 'soak-lock.json');
const locked = spawnSync(process.execPath, [CLI, 'lock', '--force', '-o', lockPath, '--', process.execPath, ...SERVER_ARGS], { encoding: 'utf8' });
if (locked.status !== 0) {
  console.error(`soak: lock failed: ${locked.stderr}`);
  process.exit(2);
}

/** VmRSS of a process in KiB (Linux). */
function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** The built CLI as a child process; the host speaks NDJSON on its stdio. */
function cliSession(onData) {
  const child = spawn(process.execPath, [CLI, 'proxy', '--lock', lockPath, '--request-timeout', `${REQUEST_TIMEOUT_MS}ms`, '--', process.execPath, ...SERVER_ARGS], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c) => {
    stderr = (stderr + c).slice(-20_000);
  });
  child.stdout.setEncoding('utf8').on('data', onData);
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    write: (text) => child.stdin.write(text),
    rss: () => rssKiB(child.pid),
    tables: () => undefined,
    stderr: () => stderr,
    async close() {
      child.stdin.end();
      return exited;
    },
  };
}

/** The same bridge and engine in this process, so their tables can be read. */
async function inProcessSession(onData) {
  const { createStdioBridge } = await import(CORE.href);
  const { readLockfile } = await import(LOCKFILE.href);
  const { lockfile } = await readLockfile(lockPath);
  const hostInput = new PassThrough();
  const hostOutput = new Writable({
    decodeStrings: false,
    write(chunk, _enc, done) {
      onData(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
  const bridge = createStdioBridge({ lockfile, requestTimeoutMs: REQUEST_TIMEOUT_MS, command: process.execPath, args: SERVER_ARGS, hostInput, hostOutput, endHostOutput: false });
  // The tombstone set is internal to the engine's pending table: read, never written.
  const tombstones = () => bridge.engine.table?.tombstones?.size;
  // The live heap after a full collection: what is still referenced, without the noise
  // of garbage not yet collected (a leak shows as a rising line here).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const heapKiB = () => {
    gc();
    return Math.round(process.memoryUsage().heapUsed / 1024);
  };
  return {
    write: (text) => hostInput.write(text),
    rss: () => Math.round(process.memoryUsage().rss / 1024),
    tables: () => ({ ...bridge.engine.stats(), tombstones: tombstones(), heapKiB: heapKiB() }),
    stderr: () => '',
    async close() {
      hostInput.end();
      const exit = await bridge.closed;
      return { code: exit.crashed || exit.error !== undefined ? 1 : 0, signal: exit.signal };
    },
  };
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

async function soak(kind) {
  const load = createLoad({ total, seed, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  const session = kind === 'cli' ? cliSession(load.onData) : await inProcessSession(load.onData);
  load.attach(session.write);
  const samples = [];
  const sampleEvery = Math.max(1000, Math.floor(total / 200));
  const sample = () => samples.push({ messages: load.counts.messages, rssKiB: session.rss(), inFlight: load.inFlight(), tables: session.tables() });
  const t0 = performance.now();
  await load.initialize();
  sample();
  await load.run(sampleEvery, sample);
  const seconds = (performance.now() - t0) / 1000;
  sample();
  // Late answers to cancelled and expired calls arrive within the slow tool's delay.
  await load.settle();
  const final = { rssKiB: session.rss(), inFlight: load.inFlight(), tables: session.tables() };
  const exit = await session.close();
  const rss = samples.map((s) => s.rssKiB).filter(Number.isFinite);
  const pts = samples.filter((s) => Number.isFinite(s.rssKiB)).map((s) => ({ x: s.messages, y: s.rssKiB }));
  const half = pts.slice(Math.floor(pts.length / 2));
  // Warm-up (JIT, buffers sized for the first 1 MiB messages) is over after a tenth.
  const warm = pts.filter((p) => p.x >= total / 10);
  const maxOf = (f) => Math.max(...samples.map((s) => f(s) ?? 0));
  const heap = samples.filter((s) => Number.isFinite(s.tables?.heapKiB)).map((s) => ({ x: s.messages, y: s.tables.heapKiB }));
  return {
    target: kind,
    messages: load.counts.messages,
    seconds,
    msgsPerSec: load.counts.messages / seconds,
    counts: load.counts,
    failures: load.failures.slice(0, 20),
    failureCount: load.failures.length,
    rss: { firstKiB: rss[0], lastKiB: rss[rss.length - 1], maxKiB: Math.max(...rss), slopeKiBPer1e5: slope(pts) * 1e5, slopeAfterWarmUpKiBPer1e5: slope(warm) * 1e5, slopeSecondHalfKiBPer1e5: slope(half) * 1e5 },
    heap: heap.length === 0 ? undefined : { firstKiB: heap[0].y, lastKiB: heap[heap.length - 1].y, maxKiB: Math.max(...heap.map((p) => p.y)), slopeKiBPer1e5: slope(heap) * 1e5, slopeAfterWarmUpKiBPer1e5: slope(heap.filter((p) => p.x >= total / 10)) * 1e5, slopeSecondHalfKiBPer1e5: slope(heap.slice(Math.floor(heap.length / 2))) * 1e5 },
    series: samples.map((s) => [s.messages, s.rssKiB, s.tables?.heapKiB, s.tables?.pending, s.tables?.tombstones].filter((v) => v !== undefined)),
    maxInFlight: maxOf((s) => s.inFlight),
    maxPending: kind === 'cli' ? undefined : maxOf((s) => s.tables?.pending),
    maxTombstones: kind === 'cli' ? undefined : maxOf((s) => s.tables?.tombstones),
    final,
    exit,
    stderrTail: exit.code === 0 ? undefined : session.stderr().slice(-2000),
  };
}

const targets = target === 'both' ? ['cli', 'in-process'] : [target];
const results = [];
for (const t of targets) results.push(await soak(t));
rmSync(dir, { recursive: true, force: true });
const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', platform: `${process.platform} ${process.arch}`, date: new Date().toISOString() };
const ok = results.every((r) => r.failureCount === 0 && r.exit.code === 0 && r.final.inFlight === 0 && (r.final.tables === undefined || r.final.tables.pending === 0));
if (asJson) {
  console.log(JSON.stringify({ machine, seed, ok, results }, null, 2));
} else {
  const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  console.log(`machine: ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}, ${machine.platform}, ${machine.date}; seed ${seed}`);
  for (const r of results) {
    const c = r.counts;
    console.log(`\n[${r.target}] ${r.messages} messages in ${f(r.seconds, 1)} s = ${f(r.msgsPerSec)} msgs/s; exit ${String(r.exit.code)}`);
    console.log(`  answered ${c.answered} (small ${c.small}, 64 KiB ${c.medium}, 1 MiB ${c.large}), cancelled ${c.cancelled} (late answers seen by the host: ${c.answeredAfterCancel}), timeouts ${c.timeouts}, lists ${c.lists} after ${c.listChanged} list_changed, denied exec_shell ${c.denied}`);
    console.log(`  RSS KiB: first ${f(r.rss.firstKiB)}, last ${f(r.rss.lastKiB)}, max ${f(r.rss.maxKiB)}; slope ${f(r.rss.slopeKiBPer1e5, 1)} KiB per 10⁵ messages (after the first tenth: ${f(r.rss.slopeAfterWarmUpKiBPer1e5, 1)}; second half: ${f(r.rss.slopeSecondHalfKiBPer1e5, 1)})`);
    if (r.heap) console.log(`  live heap after GC KiB: first ${f(r.heap.firstKiB)}, last ${f(r.heap.lastKiB)}, max ${f(r.heap.maxKiB)}; slope ${f(r.heap.slopeKiBPer1e5, 1)} KiB per 10⁵ messages (after the first tenth: ${f(r.heap.slopeAfterWarmUpKiBPer1e5, 1)}; second half: ${f(r.heap.slopeSecondHalfKiBPer1e5, 1)})`);
    console.log(`  in flight (host side) max ${r.maxInFlight}, at the end ${r.final.inFlight}` + (r.final.tables === undefined ? '' : `; engine pending max ${r.maxPending}, at the end ${r.final.tables.pending}; tombstones max ${f(r.maxTombstones)}, at the end ${f(r.final.tables.tombstones)}`));
    console.log(`  failures: ${r.failureCount}${r.failureCount > 0 ? '\n    ' + r.failures.join('\n    ') : ''}`);
    if (r.stderrTail) console.log(`  proxy stderr (tail):\n${r.stderrTail}`);
  }
}
process.exitCode = ok ? 0 : 1;
