#!/usr/bin/env node
// Remote benchmark: 100 B tool calls to a Streamable HTTP server (http-echo-server.mjs)
// three ways, interleaved in one run so machine noise hits all alike:
//   direct – this process POSTs to the server itself (undici, keep-alive): a host that
//            speaks Streamable HTTP directly
//   relay  – NDJSON over stdio to stdio-http-relay.mjs, which POSTs each line: what any
//            stdio ⇄ HTTP bridge costs (the byte pipe of the stdio benchmark)
//   proxy  – NDJSON over stdio to `mcptrust proxy --lock … --url …`: the firewall
// Reports req/s, p50/p99 latency, CPU per request of the process in the middle, its peak
// RSS, and the ratios proxy/direct and proxy/relay.
// Usage: node bench/remote/run.mjs [--quick] [--json] [--sse]   (build first: pnpm build)
//   BENCH_PROXY_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the proxy.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const { Pool } = createRequire(new URL('../../packages/remote/package.json', import.meta.url))('undici');
const CLI = fileURLToPath(new URL('../../apps/cli/dist/mcptrust.js', import.meta.url));
const SERVER = fileURLToPath(new URL('./http-echo-server.mjs', import.meta.url));
const RELAY = fileURLToPath(new URL('./stdio-http-relay.mjs', import.meta.url));
if (!existsSync(CLI)) {
  console.error('bench: build the CLI first (pnpm build)');
  process.exit(2);
}
const quick = process.argv.includes('--quick');
const asJson = process.argv.includes('--json');
const sse = process.argv.includes('--sse');
const SECONDS = quick ? 1 : 2.5;
const ROUNDS = quick ? 1 : 3;
const CLK_TCK = 100;
const proxyNodeArgs = (process.env.BENCH_PROXY_NODE_OPTIONS ?? '').split(' ').filter((a) => a !== '');
const MODES = ['direct', 'relay', 'proxy'];
const CASES = [
  { name: '100 B calls, C=1', concurrency: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(100) } } },
  { name: '100 B calls, C=16', concurrency: 16, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(100) } } },
  { name: 'tools/list, C=1', concurrency: 1, method: 'tools/list', params: {} },
];

const server = spawn(process.execPath, [SERVER, ...(sse ? ['--sse'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).trim())));
const URL_ = `http://127.0.0.1:${port}/mcp`;
const dir = mkdtempSync(join(tmpdir(), 'mcptrust-bench-remote-'));
const LOCK = join(dir, 'mcp-lock.json');
const locked = spawnSync(process.execPath, [CLI, 'lock', '--force', '-o', LOCK, '--url', URL_], { encoding: 'utf8' });
if (locked.status !== 0) throw new Error(`lock failed: ${locked.stderr}`);

function procStats(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK, peakMiB: hwm ? Number(hwm[1]) / 1024 : NaN };
  } catch {
    return { cpu: NaN, peakMiB: NaN };
  }
}

/** A session through a child process speaking NDJSON on stdio (relay or proxy). */
async function stdioSession(mode) {
  const args = mode === 'relay' ? [RELAY, URL_] : [...proxyNodeArgs, CLI, 'proxy', '--lock', LOCK, '--url', URL_];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.resume();
  const waiting = new Map();
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const text = partial + chunk;
    let start = 0;
    let nl;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      const line = text.slice(start, nl);
      start = nl + 1;
      const m = /"id":(\d+)/.exec(line);
      const done = m === null ? undefined : waiting.get(Number(m[1]));
      if (done !== undefined) {
        waiting.delete(Number(m[1]));
        done(line);
      }
    }
    partial = text.slice(start);
  });
  let nextId = 1;
  const call = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.stdin.write(`{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${JSON.stringify(params)}}\n`);
    });
  await call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  return {
    call,
    stats: () => procStats(child.pid),
    async close() {
      child.stdin.end();
      await new Promise((r) => child.once('close', r));
    },
  };
}

/** A session from this process straight to the server. */
async function directSession() {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64, pipelining: 1 });
  let session;
  let nextId = 1;
  const post = async (body) => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(session === undefined ? {} : { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' }) };
    const res = await pool.request({ path: '/mcp', method: 'POST', headers, body });
    if (typeof res.headers['mcp-session-id'] === 'string') session = res.headers['mcp-session-id'];
    const text = await res.body.text();
    return sse ? text.slice(text.indexOf('data: ') + 6, text.lastIndexOf('\n\n')) : text;
  };
  const call = (method, params) => post(`{"jsonrpc":"2.0","id":${nextId++},"method":"${method}","params":${JSON.stringify(params)}}`).then((t) => JSON.parse(t));
  await call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  await post('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  return { call, stats: () => ({ cpu: NaN, peakMiB: NaN }), close: () => pool.close() };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function load(s, { concurrency, method, params }) {
  const lat = [];
  const cpu0 = s.stats().cpu;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const a = performance.now();
      await s.call(method, params);
      lat.push(performance.now() - a);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  const st = s.stats();
  lat.sort((x, y) => x - y);
  return { rps: lat.length / elapsed, p50: pct(lat, 50), p99: pct(lat, 99), cpuPerReqUs: ((st.cpu - cpu0) / lat.length) * 1e6, peakMiB: st.peakMiB };
}

const results = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CASES) {
      for (const mode of MODES) {
        const s = mode === 'direct' ? await directSession() : await stdioSession(mode);
        await load(s, { ...c, concurrency: c.concurrency }); // warm-up in the same session
        const r = await load(s, c);
        await s.close();
        const key = `${c.name}|${mode}`;
        (results[key] ??= []).push(r);
      }
    }
  }
} finally {
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = CASES.map((c) => {
  const row = { case: c.name };
  for (const mode of MODES) {
    const rs = results[`${c.name}|${mode}`];
    row[mode] = { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), cpuPerReqUs: median(rs.map((r) => r.cpuPerReqUs)), peakMiB: median(rs.map((r) => r.peakMiB)) };
  }
  row.proxyVsDirect = row.proxy.rps / row.direct.rps;
  row.proxyVsRelay = row.proxy.rps / row.relay.rps;
  return row;
});
if (asJson) console.log(JSON.stringify({ transport: sse ? 'sse-responses' : 'json-responses', rounds: ROUNDS, seconds: SECONDS, summary }, null, 2));
else {
  console.log(`remote bench (${sse ? 'SSE' : 'JSON'} responses, ${ROUNDS} round(s) × ${SECONDS}s, medians)`);
  for (const row of summary) {
    console.log(`\n${row.case}`);
    for (const mode of MODES) {
      const m = row[mode];
      console.log(`  ${mode.padEnd(7)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50.toFixed(2)} ms  p99 ${m.p99.toFixed(2)} ms${Number.isNaN(m.cpuPerReqUs) ? '' : `  CPU ${m.cpuPerReqUs.toFixed(0)} µs/req  RSS ${m.peakMiB.toFixed(0)} MiB`}`);
    }
    console.log(`  proxy ÷ direct ${row.proxyVsDirect.toFixed(2)}   proxy ÷ relay ${row.proxyVsRelay.toFixed(2)}`);
  }
}
