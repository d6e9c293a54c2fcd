#!/usr/bin/env node
// Vercel AI SDK tools from an MCP server, behind MCPTrust's deny-by-default guard.
//
//   node guarded-tools.mjs --lock mcp-lock.json -- npx -y @modelcontextprotocol/server-everything
//
// The server is started over stdio, and every message between it and the AI SDK's MCP
// client goes through `guardTransport`, which checks it against the lockfile exactly as
// `mcptrust proxy` would: tools the lockfile does not approve never reach the AI SDK,
// and a call to one is refused before it reaches the server.
//
// Output (stdout, one JSON object a line):
//   {"tools":[...]}                                    the tools client.tools() returned
//   {"tool":"echo","result":"..."}                     an approved tool, run through the AI SDK
//   {"tool":"get-env","refused":true,"error":"..."}    a tool the lockfile denies
//
// Options:
//   --lock FILE    the lockfile (`mcptrust lock --output FILE -- <server>`)
//   --try NAME     the tool to try to call although it is not approved (default: get-env)
//   --unguarded    connect without the guard (to compare; --lock is then ignored)
//
// No model is involved: the tools' `execute` functions are called directly, which is what
// `generateText({ model, tools })` (package `ai`) does once the model has picked a tool.
// In the `ai@6` line the MCP client is `createMCPClient` from `@ai-sdk/mcp`; it takes any
// object with start/send/close/onmessage as its transport, so the guard fits as it is.
import { createMCPClient } from '@ai-sdk/mcp';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readLockfile } from '@mcptrust/lockfile';
import { guardTransport } from '@mcptrust/proxy-core';

const { lockPath, tryTool, unguarded, command, args } = parseArgs(process.argv.slice(2));

// 1. The server's own transport (from the MCP SDK): spawns the command, speaks MCP over its stdio.
const inner = new StdioClientTransport({ command, args, stderr: 'inherit' });

// 2. The guard around it. readLockfile validates the file (a malformed or tampered
//    lockfile throws here, before the server starts).
let transport = inner;
if (!unguarded) {
  const { lockfile } = await readLockfile(lockPath);
  transport = guardTransport(inner, { lockfile });
}

// 3. The AI SDK's MCP client over the guarded transport. Creating it runs the guard's
//    preflight: if the server drifted from the lockfile, it rejects and names the drifted items.
const client = await createMCPClient({ transport, clientName: 'vercel-ai-guarded-example' });
try {
  // 4. AI SDK tools built from the (filtered) tools/list answer: pass them to generateText.
  const tools = await client.tools();
  print({ tools: Object.keys(tools).sort() });

  // 5. Run an approved tool the way generateText does.
  const options = { toolCallId: 'call-1', messages: [] };
  if (tools.echo === undefined) throw new Error('the server offers no approved `echo` tool');
  const result = await tools.echo.execute({ message: 'hello through MCPTrust' }, options);
  print({ tool: 'echo', result: result.content.map((part) => part.text ?? '').join('') });

  // 6. The AI SDK never received the denied tool. Build a tool for it by hand, as code that
  //    trusted a stale or forged definition would, and call it: the guard refuses the call
  //    (JSON-RPC error `MCPTRUST_DENIED: ...`) before it reaches the server.
  const forged = client.toolsFromDefinitions({ tools: [{ name: tryTool, inputSchema: { type: 'object' } }] });
  try {
    await forged[tryTool].execute({}, { toolCallId: 'call-2', messages: [] });
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
