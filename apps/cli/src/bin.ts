#!/usr/bin/env node
// Entry point of the `mcptrust` binary. `--version` is answered before anything else
// is loaded so that version probes (and shell completions) start as fast as `node`
// itself. `mcptrust proxy` sits between a host and its server and the host waits for
// it on every start, so it loads its own bundle, without the other commands'
// libraries: a plain proxy command line is parsed by `parseProxyArgv` (exactly as
// yargs would, checked by test/proxy-argv.test.ts) and runs without loading yargs;
// any other form (help, errors, aliases) goes to the same yargs runner with only the
// proxy command registered, so help and errors are identical. Every other invocation
// goes to main.ts, which imports only the command the command line names (with its
// libraries); `mcptrust --help` loads no command module at all.
import type { runCli, runCommand } from './cli.js';
import type { parseProxyArgv, proxyCommand, runProxy } from './commands/proxy.js';
import type { processIo } from './output.js';
import { setFlagsFromString } from 'node:v8';
import { VERSION } from './version.js';

/** What the proxy bundle exports (built from cli.ts, commands/proxy.ts, output.ts by build.mjs). */
interface ProxyEntry {
  runCli: typeof runCli;
  runCommand: typeof runCommand;
  parseProxyArgv: typeof parseProxyArgv;
  proxyCommand: typeof proxyCommand;
  runProxy: typeof runProxy;
  processIo: typeof processIo;
}

// A separate bundle next to this file; a variable keeps the bundler from inlining it.
const PROXY_ENTRY = './mcptrust-proxy.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else if (argv[0] === 'proxy') {
  // A proxy allocates only short-lived garbage per message. V8 grows its young
  // generation with the allocation rate (up to 2 × 16 MiB), which a proxy pays for in
  // resident memory, not in speed: keep it at its initial size. V8 reads this flag each
  // time it would grow the young generation, so setting it here (before any load) is
  // enough; no re-exec, and NODE_OPTIONS stays the operator's.
  setFlagsFromString('--semi-space-growth-factor=1');
  const entry = (await import(PROXY_ENTRY)) as ProxyEntry;
  const io = entry.processIo();
  const parsed = entry.parseProxyArgv(argv);
  process.exitCode =
    parsed === undefined
      ? await entry.runCli(argv, [entry.proxyCommand], io)
      : await entry.runCommand(io, (ctx) => entry.runProxy(parsed, ctx), { argv, flags: parsed, command: 'proxy' });
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(argv);
}
