import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerCommand } from '@mcptrust/drift';
import type { CommandModule } from '../main.js';
import { EXIT } from '../exit-codes.js';
import { paint, say } from '../output.js';
import type { Io } from '../output.js';
import { parseDuration } from '../options.js';
import { renderSurface } from '../report.js';
import { lockServer } from './lock.js';

/** Finds the bundled demo server: next to the bundle, or in tooling/ when run from source. */
export function demoServerPath(): string {
  const candidates = [
    new URL('./demo-server.mjs', import.meta.url),
    new URL('../../../../tooling/servers/demo-server.mjs', import.meta.url),
  ];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new Error('the bundled demo server is missing (expected demo-server.mjs next to the mcptrust bundle)');
}

/** The demo server as a server command, optionally already carrying its rogue tool. */
function demoServer(rogue: boolean): ServerCommand {
  return { command: process.execPath, args: rogue ? [demoServerPath(), '--rogue-now'] : [demoServerPath()] };
}

/**
 * `mcptrust demo`: locks the bundled demo server, shows the approved surface and what
 * the lockfile pins, then shows the CI gate refusing the server once it grows a rogue
 * `exec_shell` tool. Everything happens in a temporary directory unless --dir is given.
 */
export const demoCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'demo',
    'Lock the bundled demo MCP server, show the approved surface, then catch it adding a rogue tool',
    (y) =>
      y
        .usage('Usage: $0 demo [--dir DIR]')
        .option('dir', { type: 'string', describe: 'Keep the demo lockfile in DIR (default: a temporary directory, removed afterwards)' })
        .option('timeout', { type: 'string', default: '10s', describe: 'Deadline for each scan' })
        .example('$0 demo', 'run the whole demo')
        .example('$0 demo --dir ./demo-out', 'keep the lockfile to look at'),
    async (argv) => {
      const timeoutMs = parseDuration('timeout', argv.timeout);
      // The demo's output is what the user asked for: it goes to stdout.
      const io: Io = { ...ctx.io, stderr: ctx.io.stdout, color: ctx.io.color && process.stdout.isTTY === true };
      const dir = typeof argv.dir === 'string' ? argv.dir : await mkdtemp(join(tmpdir(), 'mcptrust-demo-'));
      const output = join(dir, 'mcp-lock.json');
      const dctx = { ...ctx, io };
      try {
        say(io, paint(io, 'bold', '1. Lock the demo server (mcptrust lock -- node demo-server.mjs)'));
        const first = await lockServer({ server: demoServer(false), output, force: true, timeoutMs }, dctx);
        say(io, `   wrote ${output}`);
        say(io);
        say(io, renderSurface(io, first.lockfile));
        say(io);
        say(io, paint(io, 'bold', '2. What the lockfile pins for each item (hashes of every security-relevant part):'));
        const text = await readFile(output, 'utf8');
        const parsed = JSON.parse(text) as { tools: Record<string, Record<string, unknown>> };
        const [name, entry] = Object.entries(parsed.tools)[0] ?? [];
        if (name !== undefined && entry !== undefined) {
          const pins = Object.fromEntries(Object.entries(entry).filter(([k]) => k !== 'snapshot'));
          say(io, `   "${name}": ${JSON.stringify(pins, null, 2).split('\n').join('\n   ')}`);
          say(io, '   …plus a snapshot of the definition, so a later diff can say what changed.');
        }
        say(io);
        say(io, paint(io, 'bold', '3. The server silently adds an `exec_shell` tool; re-locking is refused:'));
        const second = await lockServer({ server: demoServer(true), output, force: false, timeoutMs }, dctx);
        if (second.status !== 'refused') {
          throw new Error('the demo server did not drift as expected');
        }
        for (const change of second.changes) {
          say(io, `   ${paint(io, 'red', 'refused')} ${change.itemType} \`${change.id}\` ${change.kind}${change.fields.length ? ` (${change.fields.join(', ')})` : ''}`);
        }
        say(io, '   (mcptrust lock exits 1 here, so CI fails until someone reviews the change.)');
        say(io);
        say(io, `${paint(io, 'green', '✓')} demo complete. Next: mcptrust lock -- <your server>`);
        ctx.setExitCode(EXIT.OK);
      } finally {
        if (typeof argv.dir !== 'string') await rm(dir, { recursive: true, force: true });
      }
    },
  );
