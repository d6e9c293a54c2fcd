#!/usr/bin/env node
// A minimal Streamable HTTP MCP server for the remote benchmark (raw node:http, so the
// server is never the bottleneck): one session, JSON responses (or SSE with --sse), an
// `echo` tool. Listens on 127.0.0.1 on a free port and prints the port on stdout.
// Usage: node http-echo-server.mjs [--sse]
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const sse = process.argv.includes('--sse');
const SESSION = randomUUID();
const TOOLS = [{ name: 'echo', description: 'Echo the message back.', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } }];

function answer(msg) {
  switch (msg.method) {
    case 'initialize':
      return { protocolVersion: msg.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'bench-http-echo', version: '1.0.0' } };
    case 'tools/list':
      return { tools: TOOLS };
    case 'tools/call':
      return { content: [{ type: 'text', text: String(msg.params?.arguments?.message ?? '') }] };
    case 'ping':
      return {};
    default:
      return undefined;
  }
}

const server = createServer((req, res) => {
  if (req.method === 'DELETE') return void res.writeHead(200).end();
  if (req.method === 'GET') return void res.writeHead(405, { allow: 'POST, DELETE' }).end();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (msg.id === undefined || msg.method === undefined) return void res.writeHead(202).end();
    const result = answer(msg);
    const body = JSON.stringify(result === undefined ? { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } } : { jsonrpc: '2.0', id: msg.id, result });
    const headers = msg.method === 'initialize' ? { 'mcp-session-id': SESSION } : {};
    if (sse) res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }).end(`event: message\ndata: ${body}\n\n`);
    else res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
