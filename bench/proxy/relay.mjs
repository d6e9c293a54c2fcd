#!/usr/bin/env node
// Reference relays for the proxy benchmark (`run.mjs --baselines`): what any process
// between host and server costs on this machine, measured in the same run.
//   pipe   – bytes copied with stream.pipe, no per-message work at all
//   naive  – every line parsed and re-stringified, nothing checked
// Usage: node relay.mjs pipe|naive -- <server command>
import { spawn } from 'node:child_process';

const [mode, dashes, command, ...args] = process.argv.slice(2);
if ((mode !== 'pipe' && mode !== 'naive') || dashes !== '--' || command === undefined) {
  console.error('usage: relay.mjs pipe|naive -- <server command>');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });

/** Parses and re-stringifies each line; one write per input chunk. */
function relayLines(input, output) {
  let partial = '';
  input.setEncoding('utf8');
  input.on('data', (chunk) => {
    const text = partial + chunk;
    let start = 0;
    let out = '';
    let nl;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      out += JSON.stringify(JSON.parse(text.slice(start, nl))) + '\n';
      start = nl + 1;
    }
    partial = text.slice(start);
    if (out !== '') output.write(out);
  });
  input.on('end', () => output.end());
}

if (mode === 'pipe') {
  process.stdin.pipe(child.stdin);
  child.stdout.pipe(process.stdout);
} else {
  relayLines(process.stdin, child.stdin);
  relayLines(child.stdout, process.stdout);
}
child.stdin.on('error', () => {});
child.on('exit', (code) => process.exit(code ?? 1));
