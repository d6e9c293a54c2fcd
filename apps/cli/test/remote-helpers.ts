// Shared plumbing of the end-to-end tests of remote (HTTP) servers: a private HOME per
// test file (no stored OAuth token or config of the machine is ever read), the built CLI
// run in it, fixture servers closed after each test, and an SDK host for `proxy --url`.
import type { Readable } from 'node:stream';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, NODE, isAlive, runCli } from './helpers.js';
import type { CliResult } from './helpers.js';

/** A temporary folder used as HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME of the CLI. */
export interface TestHome {
  dir: string;
  /** The environment the CLI runs with (plus `extra`; an `undefined` value unsets). */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** Runs the built CLI in this home (cwd = the folder). */
  run(args: string[], extra?: Record<string, string | undefined>, timeoutMs?: number): Promise<CliResult>;
  /** A path inside the folder. */
  path(name: string): string;
  remove(): Promise<void>;
}

/** Creates a {@link TestHome}. */
export async function makeHome(prefix: string): Promise<TestHome> {
  const dir = await mkdtemp(join(tmpdir(), `mcptrust-${prefix}-`));
  const env = (extra: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.config'),
    XDG_CACHE_HOME: join(dir, '.cache'),
    ...extra,
  });
  return {
    dir,
    env,
    run: (args, extra, timeoutMs) => runCli(args, { env: env(extra), cwd: dir, timeoutMs: timeoutMs ?? 30_000 }),
    path: (name) => join(dir, name),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Anything with an async close (the fixture servers). */
export interface Closable {
  close(): Promise<void>;
}

/** Keeps the servers a test starts, so that afterEach closes them whatever happened. */
export class Fixtures {
  #open: Closable[] = [];

  /** Registers `server` for {@link Fixtures.closeAll} and returns it. */
  track<T extends Closable>(server: T): T {
    this.#open.push(server);
    return server;
  }

  /** Closes every tracked server (errors ignored: the test already reported). */
  async closeAll(): Promise<void> {
    await Promise.allSettled(this.#open.splice(0).map((s) => s.close()));
  }
}

/** What `server.url` of a lockfile records for `url`: origin and path, no query. */
export function endpointOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** The lockfile fields the tests read. */
export interface LockJson {
  lockFileVersion: string;
  server: { name: string; url?: string };
  tools: Record<string, { riskLevel: string }>;
}

/** Reads and parses a lockfile. */
export async function readLock(path: string): Promise<LockJson> {
  return JSON.parse(await readFile(path, 'utf8')) as LockJson;
}

/** A loopback port nobody listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Writes a module for `NODE_OPTIONS=--import` that appends one line per DNS lookup and
 * socket connect of the process to `log` (the connection still happens): shows whether
 * a command dialled anything at all.
 */
export async function writeDialRecorder(home: TestHome): Promise<{ options: string; log: string }> {
  const module = home.path('record-dials.mjs');
  const log = home.path('dials.log');
  await writeFile(
    module,
    [
      "import { appendFileSync } from 'node:fs';",
      "import dns from 'node:dns';",
      "import net from 'node:net';",
      `const log = ${JSON.stringify(log)};`,
      'const note = (what) => { try { appendFileSync(log, what + "\\n"); } catch {} };',
      'const connect = net.Socket.prototype.connect;',
      'const where = (o) => (o !== null && typeof o === "object" ? String(o.host ?? o.path ?? "") + ":" + String(o.port ?? "") : String(o));',
      'net.Socket.prototype.connect = function (...args) { const o = Array.isArray(args[0]) ? args[0][0] : args[0]; note("connect " + where(o)); return connect.apply(this, args); };',
      'const lookup = dns.lookup;',
      'dns.lookup = function (host, ...rest) { note("lookup " + String(host)); return lookup.call(this, host, ...rest); };',
      'const plookup = dns.promises.lookup;',
      'dns.promises.lookup = function (host, ...rest) { note("lookup " + String(host)); return plookup.call(this, host, ...rest); };',
      '// Named imports (`import { lookup } from "node:dns"`) see the patched functions too.',
      "(await import('node:module')).syncBuiltinESMExports();",
      '',
    ].join('\n'),
  );
  return { options: `--import=${module}`, log };
}

/** Reads the dial log of {@link writeDialRecorder} ('' when nothing was dialled). */
export async function readDials(log: string): Promise<string> {
  return readFile(log, 'utf8').catch(() => '');
}

/** One SDK host connected to `mcptrust proxy … --url …`. */
export interface RemoteHost {
  client: Client;
  /** The proxy's PID. */
  pid: number;
  /** Everything the proxy wrote to stderr so far. */
  stderr(): string;
  /** Resolves once stderr matches (audit lines are written asynchronously); rejects after `timeoutMs`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const hosts: RemoteHost[] = [];

/**
 * Starts `mcptrust proxy <flags>` (no `--`: the server is the `--url` among the flags)
 * under the SDK `Client` over `StdioClientTransport`, as a host would, and connects.
 * Rejects with the SDK's error (`stderr` attached) when the proxy refuses the session.
 */
export async function connectRemoteHost(flags: string[], env: Record<string, string | undefined>): Promise<RemoteHost> {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, NO_COLOR: '1', ...env })) if (value !== undefined) merged[key] = value;
  const transport = new StdioClientTransport({ command: NODE, args: [CLI, 'proxy', ...flags], stderr: 'pipe', env: merged });
  let err = '';
  (transport.stderr as Readable | null)?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const client = new Client({ name: 'remote-e2e-host', version: '1.0.0' }, { capabilities: {} });
  const waitForStderr = async (pattern: RegExp, timeoutMs = 5000): Promise<void> => {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(err)) {
      if (Date.now() > until) throw new Error(`proxy stderr never matched ${String(pattern)}:\n${err}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const host: RemoteHost = { client, pid: -1, stderr: () => err, waitForStderr };
  hosts.push(host);
  try {
    await client.connect(transport);
  } catch (error) {
    throw Object.assign(error as Error, { stderr: err });
  } finally {
    host.pid = transport.pid ?? -1;
  }
  return host;
}

/** Closes every host of {@link connectRemoteHost} and kills a proxy still alive. */
export async function closeRemoteHosts(): Promise<void> {
  for (const host of hosts.splice(0)) {
    await host.client.close().catch(() => undefined);
    if (host.pid > 0 && isAlive(host.pid)) process.kill(host.pid, 'SIGKILL');
  }
}
