#!/usr/bin/env node
// Entry point of the `mcptrust` binary. `--version` is answered before anything else
// is loaded so that version probes (and shell completions) start as fast as `node`
// itself; every other invocation loads the command tree on demand.
import { VERSION } from './version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(argv);
}
