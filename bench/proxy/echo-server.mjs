#!/usr/bin/env node
// Minimal, fast MCP server for the proxy benchmark: NDJSON over stdio, no SDK, so that
// the server is never the bottleneck. Usage: node echo-server.mjs [--tools N] [--delay MS]
//   tools/call echo  → returns the `message` argument as text
//   tools/call slow  → same, answered after --delay ms (default 200): keeps calls pending
//   --tools N        → also lists N filler tools (for the tools/list case)
const argv = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = argv.indexOf(name);
  return i === -1 ? dflt : Number(argv[i + 1]);
};
const fillers = flag('--tools', 0);
const delay = flag('--delay', 200);
const schema = { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] };
const tools = [
  { name: 'echo', description: 'Echo the message.', inputSchema: schema },
  { name: 'slow', description: 'Echo the message later.', inputSchema: schema },
];
for (let i = 0; i < fillers; i++) {
  tools.push({
    name: `tool_${String(i).padStart(3, '0')}`,
    description: `Filler tool number ${i}: does nothing useful, exists to make the list long.`,
    inputSchema: { type: 'object', properties: { a: { type: 'string', description: 'first' }, b: { type: 'integer', minimum: 0 } } },
  });
}
const listResult = JSON.stringify({ tools });
const out = [];
let scheduled = false;
const flush = () => {
  scheduled = false;
  process.stdout.write(out.join(''));
  out.length = 0;
};
const send = (text) => {
  out.push(text + '\n');
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
};
const answer = (id, resultJson) => send('{"jsonrpc":"2.0","id":' + JSON.stringify(id) + ',"result":' + resultJson + '}');
function onLine(line) {
  if (line.length === 0) return;
  const msg = JSON.parse(line);
  if (msg.id === undefined) return;
  switch (msg.method) {
    case 'initialize':
      return answer(msg.id, JSON.stringify({ protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'bench-echo', version: '1.0.0' } }));
    case 'ping':
      return answer(msg.id, '{}');
    case 'tools/list':
      return answer(msg.id, listResult);
    case 'tools/call': {
      const result = JSON.stringify({ content: [{ type: 'text', text: msg.params.arguments.message }] });
      if (msg.params.name === 'slow') setTimeout(() => answer(msg.id, result), delay);
      else answer(msg.id, result);
      return;
    }
    default:
      send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } }));
  }
}
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let start = 0;
  let nl;
  while ((nl = buffer.indexOf('\n', start)) !== -1) {
    onLine(buffer.slice(start, nl));
    start = nl + 1;
  }
  buffer = buffer.slice(start);
});
process.stdin.on('end', () => process.exit(0));
process.stdout.on('error', () => process.exit(0));
