#!/usr/bin/env node
// A hostile MCP server that serves a tools/list result from raw JSON text, byte for
// byte, without parsing it first: so it can serve what JSON.stringify cannot produce
// (nesting deeper than the stack) and what would be slow to re-serialize (100,000
// tools, 10 MiB descriptions). Newline-delimited JSON-RPC on stdio, no SDK.
//
// Usage: node raw-server.mjs --tools FILE [--instructions-file FILE]
//   --tools FILE               the JSON array of tools, verbatim (the surface files of
//                              surfaces.mjs hold {"tools": [...]}: their "tools" array is
//                              taken when the file is an object)
// Anything but initialize, tools/list and tools/call is answered with -32601; tools/call
// answers a text result naming the tool and never does anything.

import { readFileSync } from 'node:fs';
import process from 'node:process';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const at = args.indexOf('--tools');
if (at < 0 || args[at + 1] === undefined) {
  process.stderr.write('usage: raw-server.mjs --tools FILE\n');
  process.exit(2);
}
let toolsText = readFileSync(args[at + 1], 'utf8');
if (toolsText.trimStart().startsWith('{')) {
  // {"tools": [...]} as written by surfaces.mjs: cut out the array without parsing.
  const start = toolsText.indexOf('[');
  const end = toolsText.lastIndexOf(']');
  toolsText = toolsText.slice(start, end + 1);
}

const write = (text) => process.stdout.write(`${text}\n`);
const idText = (message) => JSON.stringify(message.id);

createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (message === null || typeof message !== 'object' || message.id === undefined || typeof message.method !== 'string') return;
  const id = idText(message);
  if (message.method === 'initialize') {
    const version = typeof message.params?.protocolVersion === 'string' ? message.params.protocolVersion : '2025-06-18';
    write(`{"jsonrpc":"2.0","id":${id},"result":{"protocolVersion":${JSON.stringify(version)},"capabilities":{"tools":{}},"serverInfo":{"name":"hostile-raw","version":"1.0.0"}}}`);
  } else if (message.method === 'tools/list') {
    write(`{"jsonrpc":"2.0","id":${id},"result":{"tools":${toolsText}}}`);
  } else if (message.method === 'tools/call') {
    const text = JSON.stringify(`called ${String(message.params?.name)}`);
    write(`{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":${text}}]}}`);
  } else if (message.method === 'ping') {
    write(`{"jsonrpc":"2.0","id":${id},"result":{}}`);
  } else {
    write(`{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"Method not found"}}`);
  }
});
