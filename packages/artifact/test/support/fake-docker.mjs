#!/usr/bin/env node
// A fake `docker` for tests: appends its argv as one JSON line to $FAKE_DOCKER_LOG and
// exits 0 without writing anything to stdout (the MCP channel of `mcptrust run`).
import { appendFileSync } from 'node:fs';

const log = process.env.FAKE_DOCKER_LOG;
if (log) appendFileSync(log, `${JSON.stringify(process.argv.slice(2))}\n`);
