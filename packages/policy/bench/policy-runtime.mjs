// Per-call cost of a 5-rule runtime policy, as the proxy pays it: the guard is built
// once, then called for each tools/call. Run after `tsc -b`:
//   node packages/policy/bench/policy-runtime.mjs [iterations]
// Prints microseconds per call (median of 5 rounds) for an allowed and a denied call.
import { createRuntimeGuard, parsePolicy } from '../dist/index.js';

const POLICY = `name: bench
mode: strict
rules: []
runtime:
  - name: write-only-tmp
    expr: call.tool != "write_file" || normalizePath(call.arguments.path).startsWith("/tmp/")
    failure_msg: write_file is allowed only under /tmp
  - name: no-admin-prompt
    expr: call.method != "prompts/get" || call.prompt != "admin"
    failure_msg: the admin prompt is not allowed
  - name: no-file-reads
    expr: call.method != "resources/read" || !call.uri.startsWith("file:")
    failure_msg: file resources are not readable
  - name: no-shell
    expr: '!(call.tool in ["exec", "shell", "run_command"])'
    failure_msg: shell tools are not allowed
  - name: small-content
    expr: '!("content" in call.arguments) || size(call.arguments.content) < 65536'
    failure_msg: content is too large
`;

const iterations = Number(process.argv[2] ?? 200_000);
const guard = createRuntimeGuard(parsePolicy(POLICY, { file: 'bench' }));
const allowed = { method: 'tools/call', tool: 'write_file', arguments: { path: '/tmp/out.txt', content: 'hello' } };
const denied = { method: 'tools/call', tool: 'write_file', arguments: { path: '/etc/passwd', content: 'x' } };
if (!guard(allowed).allow || guard(denied).allow) throw new Error('the benchmark policy does not decide as expected');

function measure(call) {
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) guard(call);
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / iterations);
  }
  rounds.sort((a, b) => a - b);
  return rounds[2];
}

// Warm up the JIT before measuring.
for (let i = 0; i < 20_000; i++) {
  guard(allowed);
  guard(denied);
}
console.log(`runtime policy, 5 rules, ${iterations} calls per round`);
console.log(`  allowed call (all 5 rules evaluated): ${measure(allowed).toFixed(2)} µs/call`);
console.log(`  denied call (first rule denies):      ${measure(denied).toFixed(2)} µs/call`);
