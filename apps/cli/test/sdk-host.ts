// A real host for end-to-end tests: the MCP SDK `Client` over `StdioClientTransport`
// (as Claude-style hosts connect), running the built `mcptrust proxy`.
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, NODE, isAlive } from './helpers.js';
import { childrenOf } from './proxy-harness.js';

/** One connected host. */
export interface SdkHost {
  client: Client;
  /** Everything the proxy wrote to stderr so far. */
  stderr(): string;
  /** Waits until stderr matches (audit lines arrive asynchronously). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const open: Array<{ client: Client; pid: number }> = [];

/**
 * Starts `mcptrust proxy <flags> -- <server>` under an SDK client and connects.
 * `env` is added to the proxy's environment (the host's `env` setting); `capabilities`
 * are the host's client capabilities (declared only; the host answers no server
 * request). Rejects with the SDK's error when the session is refused.
 */
export async function connectHost(
  flags: string[],
  server: string[],
  env: Record<string, string> = {},
  capabilities: Record<string, unknown> = {},
): Promise<SdkHost> {
  const transport = new StdioClientTransport({
    command: NODE,
    args: [CLI, 'proxy', ...flags, '--', ...server],
    stderr: 'pipe',
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1', ...env },
  });
  let err = '';
  (transport.stderr as Readable | null)?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const client = new Client({ name: 'test-host', version: '1.0.0' }, { capabilities });
  const entry = { client, pid: -1 };
  open.push(entry);
  try {
    await client.connect(transport);
  } catch (error) {
    // Keep what the proxy said: the refusal is explained on stderr.
    throw Object.assign(error as Error, { stderr: err });
  } finally {
    entry.pid = transport.pid ?? -1;
  }
  const waitForStderr = async (pattern: RegExp, timeoutMs = 5000): Promise<void> => {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(err)) {
      if (Date.now() > until) throw new Error(`stderr never matched ${String(pattern)}:\n${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { client, stderr: () => err, waitForStderr };
}

/** Closes every host and kills what is left of its proxy and server. */
export async function closeHosts(): Promise<void> {
  for (const h of open.splice(0)) {
    // Only real PIDs: a connect that failed early has none (and kill(-1) means "everyone").
    const servers = h.pid > 0 ? childrenOf(h.pid) : [];
    await h.client.close().catch(() => undefined);
    for (const pid of [h.pid, ...servers]) if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}
