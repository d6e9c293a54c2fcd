#!/usr/bin/env node
// Proxy benchmark: the same load, direct (client ↔ echo server) and through the built
// `mcptrust proxy` (client ↔ proxy ↔ echo server), interleaved in one run so machine
// noise hits both alike. The client is a raw NDJSON writer/reader (no SDK) and the
// server is bench/proxy/echo-server.mjs, so neither is the bottleneck.
//
// Usage: node bench/proxy/run.mjs [--quick] [--json] [--case TEXT] [--baselines]   (build first: pnpm build)
//   --case TEXT   run only the cases whose name contains TEXT (start-up is then skipped
//                 unless TEXT is "start")
// Changes that make figures of this version not comparable with older runs:
//   - the 1 MiB call carries code-like text (a JavaScript snippet repeated: quotes,
//     backslashes, newlines, so every JSON (de)serializer has escapes to handle), not
//     one repeated letter;
//   - start-up is measured twice, interleaved in the same loop: against the small
//     server, and against the 500-tool server (LOCK_500), where preflight lists and
//     verifies 500 definitions before `initialize` is answered; with --baselines the
//     relays are measured in the same loop, so "proxy minus byte pipe" is a same-run
//     figure.
//   --baselines   also run every case through two reference relays (relay.mjs): a plain
//                 byte pipe and a parse+stringify relay, i.e. what any process in the
//                 middle costs on this machine
//   BENCH_PROXY_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the proxy.
//   BENCH_PROXY_FLAGS="--log-format jsonl --log-output /tmp/d.jsonl" adds proxy flags
//                 (audit sinks: --audit-log FILE, --otel --otel-endpoint URL …); a FILE
//                 flag's value gets the session number appended so runs do not share it.
//   --sinks       also run every case through the proxy with each audit destination on
//                 (JSONL log file, hash-chained audit log signed with a key, OTel to a
//                 loopback receiver in this process, all three): what a decision costs
// Reports req/s, p50/p99 latency, proxy CPU per request and the proxy's peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../apps/cli/dist/mcptrust.js', import.meta.url));
const SERVER = fileURLToPath(new URL('./echo-server.mjs', import.meta.url));
const RELAY = fileURLToPath(new URL('./relay.mjs', import.meta.url));
if (!existsSync(CLI)) {
  console.error('bench: build the CLI first (pnpm build)');
  process.exit(2);
}
const quick = process.argv.includes('--quick');
const asJson = process.argv.includes('--json');
const baselines = process.argv.includes('--baselines');
const withSinks = process.argv.includes('--sinks');
// Proxy flags of each --sinks mode (n: the session number, so no two sessions share a file).
const SINKS = {
  jsonl: (n) => ['--log-format', 'jsonl', '--log-output', join(dir, `log.${n}.jsonl`)],
  audit: (n) => ['--audit-log', join(dir, `audit.${n}.log`), '--audit-key', join(dir, 'audit.key')],
  otel: () => ['--otel', '--otel-endpoint', otlpEndpoint],
  all: (n) => [...SINKS.jsonl(n), ...SINKS.audit(n), ...SINKS.otel(n)],
};
const MODES = ['direct', 'proxy', ...(baselines ? ['pipe', 'naive'] : []), ...(withSinks ? Object.keys(SINKS) : [])];
const MODE_NAMES = { pipe: 'byte pipe', naive: 'parse+stringify relay', jsonl: '+ JSONL file', audit: '+ signed audit log', otel: '+ OTel', all: '+ all three' };
const caseIndex = process.argv.indexOf('--case');
const only = caseIndex === -1 ? undefined : process.argv[caseIndex + 1];
const proxyNodeArgs = (process.env.BENCH_PROXY_NODE_OPTIONS ?? '').split(' ').filter((a) => a !== '');
const SECONDS = quick ? 1 : 2.5;
const ROUNDS = quick ? 1 : 2;
const CLK_TCK = 100; // Linux USER_HZ

const dir = mkdtempSync(join(tmpdir(), 'mcptrust-bench-'));
function lock(name, serverArgs) {
  const out = join(dir, name);
  const r = spawnSync(process.execPath, [CLI, 'lock', '--force', '-o', out, '--', process.execPath, SERVER, ...serverArgs], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lock failed: ${r.stderr}`);
  return out;
}
const LOCK_SMALL = lock('small.json', []);
// --sinks: a signing key for the audit log, and a loopback OTLP/HTTP receiver that accepts everything.
let otlpEndpoint = '';
let otlp;
if (withSinks) {
  const k = spawnSync(process.execPath, [CLI, 'keygen', '--private', join(dir, 'audit.key'), '--public', join(dir, 'audit.pub')], { encoding: 'utf8' });
  if (k.status !== 0) throw new Error(`keygen failed: ${k.stderr}`);
  otlp = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise((r) => otlp.listen(0, '127.0.0.1', r));
  otlpEndpoint = `http://127.0.0.1:${otlp.address().port}`;
}
const LOCK_500 = lock('tools500.json', ['--tools', '500']);

/** Linux /proc: CPU seconds (user+system) and peak RSS (MiB) of a process. */
function procStats(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpu, peakMiB: hwm ? Number(hwm[1]) / 1024 : NaN };
  } catch {
    return { cpu: NaN, peakMiB: NaN };
  }
}

// Extra proxy flags (BENCH_PROXY_FLAGS): file values are made unique per session.
let sessions = 0;
function extraProxyFlags() {
  const words = (process.env.BENCH_PROXY_FLAGS ?? '').split(/\s+/).filter(Boolean);
  sessions++;
  return words.map((w, i) => (i > 0 && ['--log-output', '--audit-log'].includes(words[i - 1]) ? `${w}.${sessions}` : w));
}

/** Starts a session (direct or proxied) and resolves once initialize is answered. */
async function session(mode, lockPath, serverArgs) {
  const t0 = process.hrtime.bigint();
  const child =
    mode === 'direct'
      ? spawn(process.execPath, [SERVER, ...serverArgs], { stdio: ['pipe', 'pipe', 'ignore'] })
      : mode === 'proxy' || mode in SINKS
        ? spawn(process.execPath, [...proxyNodeArgs, CLI, 'proxy', '--lock', lockPath, '--request-timeout', '600s', ...extraProxyFlags(), ...(mode in SINKS ? SINKS[mode](sessions) : []), '--', process.execPath, SERVER, ...serverArgs], {
            stdio: ['pipe', 'pipe', 'pipe'],
          })
        : spawn(process.execPath, [RELAY, mode, '--', process.execPath, SERVER, ...serverArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  if (mode !== 'direct') child.stderr.resume();
  const waiting = new Map();
  // Partial line kept as chunks so a 10 MB line is joined once, not re-scanned per chunk.
  let parts = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    let start = 0;
    let nl;
    while ((nl = chunk.indexOf('\n', start)) !== -1) {
      const piece = chunk.slice(start, nl);
      const line = parts.length === 0 ? piece : parts.join('') + piece;
      parts = [];
      start = nl + 1;
      // Find the id cheaply: answers start with {"jsonrpc":"2.0","id":N
      const m = /"id":(\d+)/.exec(line.length > 200 ? line.slice(0, 200) : line);
      if (m) {
        const done = waiting.get(Number(m[1]));
        if (done) {
          waiting.delete(Number(m[1]));
          done(line);
        }
      }
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  });
  let nextId = 1;
  const call = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.stdin.write('{"jsonrpc":"2.0","id":' + id + ',"method":"' + method + '","params":' + JSON.stringify(params) + '}\n');
    });
  await call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  const startupMs = Number(process.hrtime.bigint() - t0) / 1e6;
  child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  return {
    child,
    startupMs,
    call,
    stats: () => procStats(child.pid),
    async close() {
      child.stdin.end();
      await new Promise((r) => child.once('close', r));
    },
  };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Closed-loop load: `concurrency` workers, each sends the next request when answered. */
async function load(s, { concurrency, seconds, method, params, maxRequests = Infinity }) {
  const lat = [];
  const cpu0 = s.stats().cpu;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let sent = 0;
  const worker = async () => {
    while (performance.now() < end && sent < maxRequests) {
      sent++;
      const a = performance.now();
      await s.call(method, params);
      lat.push(performance.now() - a);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  const st = s.stats();
  lat.sort((x, y) => x - y);
  return { n: lat.length, rps: lat.length / elapsed, p50: pct(lat, 50), p99: pct(lat, 99), cpuPerReqUs: ((st.cpu - cpu0) / lat.length) * 1e6, peakMiB: st.peakMiB };
}

/** 1024 calls in flight at once (the server answers each after 200 ms). */
async function pending(s) {
  const cpu0 = s.stats().cpu;
  const t0 = performance.now();
  const lat = [];
  await Promise.all(
    Array.from({ length: 1024 }, async () => {
      const a = performance.now();
      await s.call('tools/call', { name: 'slow', arguments: { message: 'x'.repeat(100) } });
      lat.push(performance.now() - a);
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const st = s.stats();
  lat.sort((x, y) => x - y);
  return { n: 1024, rps: 1024 / elapsed, p50: pct(lat, 50), p99: pct(lat, 99), cpuPerReqUs: ((st.cpu - cpu0) / 1024) * 1e6, peakMiB: st.peakMiB };
}

const small = { name: 'echo', arguments: { message: 'x'.repeat(60) } }; // ≈100 B request line
// ≈1 MiB of code-like text: quotes, backslashes, newlines, tabs, as a source file
// sent as an argument would carry.
const SNIPPET = 'function quote(s) {\n\tconst re = /["\\\\]/g; // escape "quotes" and \\ backslashes\n\treturn \'"\' + s.replace(re, (c) => \'\\\\\' + c) + \'"\'; // smart\n}\n';
const CODE_1MIB = SNIPPET.repeat(Math.ceil((1 << 20) / SNIPPET.length)).slice(0, 1 << 20);
const CASES = [
  { id: '100 B calls, C=1', lock: LOCK_SMALL, args: [], run: (s) => load(s, { concurrency: 1, seconds: SECONDS, method: 'tools/call', params: small }) },
  { id: '100 B calls, C=16', lock: LOCK_SMALL, args: [], run: (s) => load(s, { concurrency: 16, seconds: SECONDS, method: 'tools/call', params: small }) },
  { id: '100 B calls, C=256', lock: LOCK_SMALL, args: [], run: (s) => load(s, { concurrency: 256, seconds: SECONDS, method: 'tools/call', params: small }) },
  { id: '1 MiB calls, C=1', lock: LOCK_SMALL, args: [], run: (s) => load(s, { concurrency: 1, seconds: SECONDS, method: 'tools/call', params: { name: 'echo', arguments: { message: CODE_1MIB } } }) },
  { id: 'tools/list, 500 tools', lock: LOCK_500, args: ['--tools', '500'], run: (s) => load(s, { concurrency: 1, seconds: SECONDS, method: 'tools/list', params: {} }) },
  { id: '1024 pending calls', lock: LOCK_SMALL, args: [], run: (s) => pending(s) },
  { id: '10 MB lines, C=1', lock: LOCK_SMALL, args: [], run: (s) => load(s, { concurrency: 1, seconds: SECONDS, maxRequests: quick ? 5 : 20, method: 'tools/call', params: { name: 'echo', arguments: { message: 'z'.repeat(10_000_000) } } }) },
];

const results = [];
for (const c of CASES) {
  if (only !== undefined && !c.id.includes(only)) continue;
  const best = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      const s = await session(mode, c.lock, c.args);
      await c.run(s); // warm-up pass is not kept when several rounds run
      const r = ROUNDS > 1 && round === 0 ? undefined : await c.run(s);
      await s.close();
      if (r !== undefined && (best[mode] === undefined || r.rps > best[mode].rps)) best[mode] = r;
    }
  }
  const row = { case: c.id, direct: best.direct, proxy: best.proxy, ratio: best.proxy.rps / best.direct.rps };
  for (const mode of MODES.slice(2)) row[mode] = { ...best[mode], mode, ratio: best[mode].rps / best.direct.rps };
  results.push(row);
}

// Start-up: spawn → initialize answered (proxy includes its preflight listing).
// Small server and 500-tool server alternate in one loop, every mode each time.
const starts = Object.fromEntries(MODES.map((m) => [m, []]));
const starts500 = Object.fromEntries(MODES.map((m) => [m, []]));
const startRuns = only === undefined || only === 'start' ? (quick ? 5 : 15) : 0;
for (let i = 0; i < startRuns; i++) {
  for (const mode of MODES) {
    const s = await session(mode, LOCK_SMALL, []);
    starts[mode].push(s.startupMs);
    await s.close();
    const s500 = await session(mode, LOCK_500, ['--tools', '500']);
    starts500[mode].push(s500.startupMs);
    await s500.close();
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const startup = { directMs: med(starts.direct), proxyMs: med(starts.proxy) };
for (const mode of MODES.slice(2)) startup[`${mode}Ms`] = med(starts[mode]);
const startup500 = { directMs: med(starts500.direct), proxyMs: med(starts500.proxy) };
for (const mode of MODES.slice(2)) startup500[`${mode}Ms`] = med(starts500[mode]);
// Idle RSS of a proxy that only answered initialize.
const idle = await session('proxy', LOCK_SMALL, []);
await new Promise((r) => setTimeout(r, 200));
const idleMiB = idle.stats().peakMiB;
await idle.close();
rmSync(dir, { recursive: true, force: true });
otlp?.close();

const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', platform: `${process.platform} ${process.arch}` };
if (asJson) {
  console.log(JSON.stringify({ machine, results, startup, startup500, idleMiB }, null, 2));
} else {
  const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  console.log(`machine: ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}, ${machine.platform}`);
  console.log('| case | direct req/s | proxy req/s | ratio | direct p50 / p99 ms | proxy p50 / p99 ms | proxy CPU µs/req | proxy peak RSS MiB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.case} | ${f(r.direct.rps)} | ${f(r.proxy.rps)} | ${f(r.ratio, 2)}× | ${f(r.direct.p50, 3)} / ${f(r.direct.p99, 3)} | ${f(r.proxy.p50, 3)} / ${f(r.proxy.p99, 3)} | ${f(r.proxy.cpuPerReqUs)} | ${f(r.proxy.peakMiB, 1)} |`);
  }
  if (MODES.length > 2) {
    console.log('\nOther modes (same cases, same run): ratio to direct, CPU µs/req, peak RSS MiB' + (withSinks ? '; sinks also as a share of the plain proxy\'s throughput' : ''));
    console.log(`| case | proxy | ${MODES.slice(2).map((m) => MODE_NAMES[m]).join(' | ')} |`);
    console.log(`|---|---:|${MODES.slice(2).map(() => '---:').join('|')}|`);
    for (const r of results) {
      const cell = (x) => `${f(x.ratio, 2)}× · ${f(x.cpuPerReqUs)} µs · ${f(x.peakMiB, 1)}` + (x === r.proxy || !(x.mode in SINKS) ? '' : ` (${f((100 * x.rps) / r.proxy.rps)}% of proxy)`);
      console.log(`| ${r.case} | ${cell({ ...r.proxy, ratio: r.ratio })} | ${MODES.slice(2).map((m) => cell(r[m])).join(' | ')} |`);
    }
  }
  console.log(`\nstart → initialize answered (median): direct ${f(startup.directMs, 1)} ms, proxy ${f(startup.proxyMs, 1)} ms (+${f(startup.proxyMs - startup.directMs, 1)} ms, preflight included)`);
  // Relays are compared with the proxy; the proxy with a sink on is compared with the plain proxy.
  const versus = (mode, ms, base) => (mode in SINKS ? `; ${f(ms - base.proxyMs, 1)} ms over the plain proxy` : `; proxy minus it: ${f(base.proxyMs - ms, 1)} ms`);
  for (const mode of MODES.slice(2)) console.log(`  ${MODE_NAMES[mode]}: ${f(startup[`${mode}Ms`], 1)} ms (+${f(startup[`${mode}Ms`] - startup.directMs, 1)} ms)${versus(mode, startup[`${mode}Ms`], startup)}`);
  console.log(`start → initialize answered, 500-tool server (median): direct ${f(startup500.directMs, 1)} ms, proxy ${f(startup500.proxyMs, 1)} ms (+${f(startup500.proxyMs - startup500.directMs, 1)} ms, preflight of 500 tools included)`);
  for (const mode of MODES.slice(2)) {
    const ms = startup500[`${mode}Ms`];
    console.log(`  ${MODE_NAMES[mode]}: ${f(ms, 1)} ms (+${f(ms - startup500.directMs, 1)} ms)${versus(mode, ms, startup500)}`);
  }
  console.log(`proxy peak RSS after initialize only (idle): ${f(idleMiB, 1)} MiB`);
}
