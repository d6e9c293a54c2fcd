import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import type { ServerCommand } from '@mcptrust/drift';
import type { Lockfile } from '@mcptrust/lockfile';
import type { AuditEvent } from '@mcptrust/audit';
import { createStdioBridge, ProxyError } from '@mcptrust/proxy-core';
import type { CommandModule } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { paint, say } from '../output.js';
import type { Io } from '../output.js';
import { parseDuration } from '../options.js';
import { renderSurface } from '../report.js';
import { lockServer } from './lock.js';
import { auditLine } from './proxy.js';

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

/** How the demo starts a server behind the proxy. */
interface DemoSpawn {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** What the host saw in the runtime step of the demo. */
interface ProxiedSession {
  /** Answer to the allowed `read_note` call. */
  allowed: Record<string, unknown>;
  /** Tool names the host sees after the server added `exec_shell`. */
  listed: string[];
  /** Answer to the `exec_shell` call. */
  blocked: Record<string, unknown>;
  /** Audit events of the session. */
  events: AuditEvent[];
}

/**
 * Runs the demo server behind the proxy engine's stdio bridge, with the host side on
 * in-memory streams (this process is the host): initialize, an allowed `read_note`, a
 * re-list after the server's `list_changed`, then the rogue `exec_shell`.
 */
async function proxiedSession(lockfile: Lockfile, timeoutMs: number, signal: AbortSignal, server: DemoSpawn = { command: process.execPath, args: [demoServerPath()] }): Promise<ProxiedSession> {
  const hostIn = new PassThrough();
  const hostOut = new PassThrough();
  const events: AuditEvent[] = [];
  const bridge = createStdioBridge({
    lockfile,
    ...server,
    hostInput: hostIn,
    hostOutput: hostOut,
    startupTimeoutMs: timeoutMs,
    requestTimeoutMs: timeoutMs,
    shutdownGraceMs: 500,
    audit: { emit: (event) => events.push(event) },
  });
  const waiting = new Map<number, (message: Record<string, unknown>) => void>();
  let buffer = '';
  hostOut.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const message = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      if (typeof message['id'] === 'number') waiting.get(message['id'])?.(message);
    }
  });
  let nextId = 1;
  const request = (method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new ProxyError('SERVER_CLOSED', `the demo server did not answer ${method} in time`)), timeoutMs);
      waiting.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      hostIn.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  const onAbort = (): void => void bridge.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const init = await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcptrust-demo-host', version: '1.0.0' } });
    if (!('result' in init)) throw new ProxyError('PREFLIGHT_FAILED', `the proxy refused the demo session: ${JSON.stringify(init['error'])}`);
    hostIn.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    const allowed = await request('tools/call', { name: 'read_note', arguments: { id: 'oncall' } });
    const list = await request('tools/list', {});
    const tools = (list['result'] as { tools?: Array<{ name?: unknown }> } | undefined)?.tools ?? [];
    const blocked = await request('tools/call', { name: 'exec_shell', arguments: { command: 'cat ~/.ssh/id_rsa' } });
    return { allowed, listed: tools.map((t) => String(t.name)), blocked, events };
  } finally {
    signal.removeEventListener('abort', onAbort);
    hostIn.end();
    await bridge.closed;
  }
}

/**
 * `mcptrust demo`: locks the bundled demo server, shows the approved surface and what
 * the lockfile pins, then shows the CI gate refusing the server once it grows a rogue
 * `exec_shell` tool. Everything happens in a temporary directory unless --dir is given.
 */
export const demoCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'demo',
    'Lock the bundled demo MCP server, show the approved surface, then catch it adding a rogue tool (CI gate and proxy)',
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
        say(io, paint(io, 'bold', '4. At runtime, behind the proxy (mcptrust proxy --lock mcp-lock.json -- node demo-server.mjs):'));
        const session = await proxiedSession(first.lockfile, timeoutMs, ctx.signal);
        const readOk = 'result' in session.allowed;
        say(io, `   host → tools/call read_note {"id":"oncall"}: ${readOk ? paint(io, 'green', 'allowed') : paint(io, 'red', 'failed')} (pinned in the lockfile)`);
        say(io, '   the server now adds `exec_shell` and announces notifications/tools/list_changed');
        say(io, `   host → tools/list: sees ${session.listed.map((n) => `\`${n}\``).join(', ')} (exec_shell filtered out)`);
        const error = session.blocked['error'] as { code?: unknown; message?: unknown } | undefined;
        say(io, `   host → tools/call exec_shell: ${error === undefined ? paint(io, 'red', 'NOT blocked') : `${paint(io, 'red', 'blocked')} with ${String(error.code)} ${JSON.stringify(error.message)}`}`);
        say(io, '   the proxy logs on stderr:');
        const line = session.events.find((e) => e.action === 'blocked' && e.tool === 'exec_shell');
        if (line !== undefined) say(io, `   ${auditLine(line)}`);
        if (!readOk || session.listed.includes('exec_shell') || error === undefined || line === undefined) throw new Error('the proxy did not behave as the demo expects');
        say(io);
        say(io, paint(io, 'bold', '5. Pin what you run (mcptrust lock --pin, then mcptrust run --lock mcp-lock.json):'));
        const { pinnedDemo } = await import('../demo-pinned.js');
        const pinned = await pinnedDemo(demoServerPath(), dir, async (launch) => {
          const session = await proxiedSession(first.lockfile, timeoutMs, ctx.signal, { command: launch.command, args: launch.args, env: launch.env as Record<string, string> });
          if (!('result' in session.allowed) || session.listed.includes('exec_shell')) throw new Error('the pinned demo server did not behave as the demo expects');
          say(io, `   run: ${launch.description}; behind the proxy, read_note allowed and exec_shell hidden as before`);
        });
        say(io, `   the demo package is served by a registry on ${pinned.registryUrl} (this process)`);
        say(io, `   pinned ${pinned.pin.name}@${pinned.pin.version}: integrity ${pinned.pin.integrity.slice(0, 24)}…, sha256 ${(pinned.pin.tarball_sha256 ?? '').slice(0, 16)}…, ${pinned.pin.tarball_size ?? 0} bytes, registry signature ${pinned.pin.registry_signature?.verified === true ? 'verified' : 'absent'}`);
        say(io, '   the registry now serves other bytes for the same version; a fresh install is refused before anything is unpacked:');
        say(io, `   ${paint(io, 'red', 'refused')} ${pinned.refusal.message}`);
        say(io, '   (mcptrust run exits 1 here and the server never starts.)');
        say(io);
        say(io, `${paint(io, 'green', '✓')} demo complete. Next: mcptrust lock -- <your server>, then mcptrust proxy --lock mcp-lock.json -- <your server>`);
        ctx.setExitCode(EXIT.OK);
      } finally {
        if (typeof argv.dir !== 'string') await rm(dir, { recursive: true, force: true });
      }
    },
  );
