#!/usr/bin/env node
// LangChain.js tools from an MCP server, behind MCPTrust's deny-by-default guard.
//
//   node guarded-tools.mjs --lock mcp-lock.json -- npx -y @modelcontextprotocol/server-everything
//
// The server is started over stdio, and every message between it and LangChain goes
// through `guardTransport`, which checks it against the lockfile exactly as
// `mcptrust proxy` would: tools the lockfile does not approve never reach LangChain,
// and a call to one is refused before it reaches the server.
//
// Output (stdout, one JSON object a line):
//   {"tools":[...]}                                    the tools LangChain was given
//   {"tool":"echo","result":"..."}                     an approved tool, run through LangChain
//   {"tool":"get-env","refused":true,"error":"..."}    a tool the lockfile denies
//
// Options:
//   --lock FILE    the lockfile (`mcptrust lock --output FILE -- <server>`)
//   --try NAME     the tool to try to call although it is not approved (default: get-env)
//   --unguarded    connect without the guard (to compare; --lock is then ignored)
//
// No model is involved: the LangChain tool objects are invoked directly, which is what an
// agent does once its model has picked a tool.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { loadMcpTools } from '@langchain/mcp-adapters';
import { readLockfile } from '@mcptrust/lockfile';
import { guardTransport } from '@mcptrust/proxy-core';

const { lockPath, tryTool, unguarded, command, args } = parseArgs(process.argv.slice(2));

// 1. The server's own transport: spawns the command, speaks MCP over its stdio.
const inner = new StdioClientTransport({ command, args, stderr: 'inherit' });

// 2. The guard around it. readLockfile validates the file (a malformed or tampered
//    lockfile throws here, before the server starts).
let transport = inner;
if (!unguarded) {
  const { lockfile } = await readLockfile(lockPath);
  transport = guardTransport(inner, { lockfile });
}

// 3. An MCP SDK client over the guarded transport. connect() runs the guard's preflight:
//    if the server drifted from the lockfile, it rejects and names the drifted items.
const client = new Client({ name: 'langchain-guarded-example', version: '1.0.0' });
try {
  await client.connect(transport);

  // 4. LangChain tools built from the (filtered) tools/list answer.
  const tools = await loadMcpTools('everything', client);
  print({ tools: tools.map((t) => t.name).sort() });

  // 5. Run an approved tool through LangChain, as an agent would.
  const echo = tools.find((t) => t.name === 'echo');
  if (echo === undefined) throw new Error('the server offers no approved `echo` tool');
  const result = await echo.invoke({ message: 'hello through MCPTrust' });
  print({ tool: 'echo', result: typeof result === 'string' ? result : JSON.stringify(result) });

  // 6. LangChain never received the denied tool; a call by name through the same client
  //    is refused by the guard (JSON-RPC error `MCPTRUST_DENIED: ...`).
  try {
    await client.callTool({ name: tryTool, arguments: {} });
    print({ tool: tryTool, refused: false });
  } catch (err) {
    print({ tool: tryTool, refused: true, error: err instanceof Error ? err.message : String(err) });
  }
} finally {
  // 7. Closing the client closes the guard and the stdio transport, which ends the server.
  await client.close();
}

/** Writes one JSON line to stdout. */
function print(value) {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** `--lock FILE [--try NAME] [--unguarded] -- command [args...]` */
function parseArgs(argv) {
  const sep = argv.indexOf('--');
  const opts = sep === -1 ? argv : argv.slice(0, sep);
  const server = sep === -1 ? [] : argv.slice(sep + 1);
  const value = (flag) => {
    const i = opts.indexOf(flag);
    return i === -1 ? undefined : opts[i + 1];
  };
  const parsed = {
    lockPath: value('--lock'),
    tryTool: value('--try') ?? 'get-env',
    unguarded: opts.includes('--unguarded'),
    command: server[0],
    args: server.slice(1),
  };
  if (parsed.command === undefined || (parsed.lockPath === undefined && !parsed.unguarded)) {
    process.stderr.write('usage: guarded-tools.mjs --lock mcp-lock.json [--try TOOL] [--unguarded] -- <server command> [args...]\n');
    process.exit(2);
  }
  return parsed;
}
