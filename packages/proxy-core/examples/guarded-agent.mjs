#!/usr/bin/env node
// A minimal in-process agent that talks to an MCP server through MCPTrust's guard:
// every message is checked against the lockfile exactly as `mcptrust proxy` would.
//
// Usage: node guarded-agent.mjs <mcp-lock.json> <server command> [args...]
// Prints one JSON line: the tools the agent can see and the result of calling a tool
// that is not in the lockfile.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readLockfile } from '@mcptrust/lockfile';
import { guardTransport } from '@mcptrust/proxy-core';

const [lockPath, command, ...args] = process.argv.slice(2);
if (lockPath === undefined || command === undefined) {
  process.stderr.write('usage: guarded-agent.mjs <mcp-lock.json> <command> [args...]\n');
  process.exit(2);
}

const { lockfile } = await readLockfile(lockPath);
const client = new Client({ name: 'guarded-agent', version: '1.0.0' });
await client.connect(guardTransport(new StdioClientTransport({ command, args, stderr: 'inherit' }), { lockfile }));

const { tools } = await client.listTools();
let blocked;
try {
  await client.callTool({ name: 'exec_shell', arguments: { command: 'id' } });
  blocked = { blocked: false };
} catch (err) {
  blocked = { blocked: true, code: err.code, message: err.message };
}
process.stdout.write(JSON.stringify({ tools: tools.map((t) => t.name), execShell: blocked }) + '\n');
await client.close();
