#!/usr/bin/env node
// A fake `docker` for tests: appends its argv as one JSON line to $FAKE_DOCKER_LOG. With
// $FAKE_DOCKER_SERVE naming a script, it then runs that script with this Node as the
// "container" (stdio passed through, its exit code returned), so a test can put an MCP
// server behind `docker run`; otherwise it exits 0. It writes nothing to stdout itself
// (stdout is the MCP channel of `mcptrust run`).
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';

const log = process.env.FAKE_DOCKER_LOG;
if (log) appendFileSync(log, `${JSON.stringify(process.argv.slice(2))}\n`);
const serve = process.env.FAKE_DOCKER_SERVE;
if (serve) {
  const result = spawnSync(process.execPath, [serve], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
