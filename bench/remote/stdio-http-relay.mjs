#!/usr/bin/env node
// The remote benchmark's reference relay: what any stdio ⇄ Streamable HTTP bridge costs
// on this machine (the byte pipe of the stdio benchmark, for HTTP). Each NDJSON line
// from stdin is POSTed as it is (keep-alive, the session ID echoed), each JSON or SSE
// answer body is written to stdout as one line; nothing is parsed or checked beyond
// finding SSE data lines.
// Usage: node stdio-http-relay.mjs URL
import { createRequire } from 'node:module';

// The HTTP client the proxy uses (undici, a dependency of @mcptrust/remote), so the two
// differ only in what the proxy does with each message.
const { Pool } = createRequire(new URL('../../packages/remote/package.json', import.meta.url))('undici');

const url = new URL(process.argv[2]);
const pool = new Pool(url.origin, { connections: 64, pipelining: 1 });
let session;
let partial = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const text = partial + chunk;
  let start = 0;
  let nl;
  while ((nl = text.indexOf('\n', start)) !== -1) {
    void post(text.slice(start, nl));
    start = nl + 1;
  }
  partial = text.slice(start);
});
process.stdin.on('end', () => void pool.close());

async function post(line) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (session !== undefined) headers['mcp-session-id'] = session;
  const res = await pool.request({ path: url.pathname, method: 'POST', headers, body: line });
  const id = res.headers['mcp-session-id'];
  if (typeof id === 'string') session = id;
  const body = await res.body.text();
  if (res.statusCode === 202 || body === '') return;
  if (String(res.headers['content-type']).startsWith('text/event-stream')) {
    for (const l of body.split('\n')) if (l.startsWith('data: ')) process.stdout.write(`${l.slice(6)}\n`);
  } else process.stdout.write(`${body}\n`);
}
