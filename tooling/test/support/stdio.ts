// Drives a server script over real stdio: raw lines for asserting exact bytes, and the
// SDK client for the happy path. Every process started here is tracked so that
// `stopAllProcesses` (called in afterEach) can kill it by PID.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/** How long a wait may take before the test fails with a readable message. */
const WAIT_LIMIT_MS = 10_000;

const liveChildren = new Set<ChildProcessWithoutNullStreams>();
const liveClients = new Set<{ client: Client; transport: StdioClientTransport }>();

/** A JSON-RPC message as read back from a server (loosely typed on purpose). */
export type Message = Record<string, unknown> & { id?: unknown; method?: string };

/** A server process driven line by line. */
export class RawServer {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line received so far, without its LF. */
  readonly lines: string[] = [];
  /** Everything written to stderr so far. */
  stderr = '';
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly partial: string[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(script: string, args: readonly string[] = []) {
    this.child = spawn(process.execPath, [script, ...args], { stdio: 'pipe' });
    liveChildren.add(this.child);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    // A server that exits early closes its stdin; later writes must not crash the test.
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        liveChildren.delete(this.child);
        resolve({ code, signal });
        this.notify();
      });
    });
  }

  /** Writes one message as a JSON line. */
  send(message: unknown): void {
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  /** Writes raw text, exactly as given. */
  sendRaw(text: string): void {
    this.child.stdin.write(text);
  }

  /** Closes the server's stdin. */
  endInput(): void {
    this.child.stdin.end();
  }

  /** stdout lines that parse as JSON, parsed. */
  messages(): Message[] {
    const parsed: Message[] = [];
    for (const line of this.lines) {
      try {
        parsed.push(JSON.parse(line) as Message);
      } catch {
        // junk lines are asserted on `lines` directly
      }
    }
    return parsed;
  }

  /** Waits until `check` returns something other than undefined. */
  async waitFor<T>(what: string, check: () => T | undefined): Promise<T> {
    const found = check();
    if (found !== undefined) return found;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`timed out waiting for ${what}; stdout lines: ${this.lines.length}; stderr: ${this.stderr}`));
      }, WAIT_LIMIT_MS);
      const listener = (): void => {
        const value = check();
        if (value !== undefined) {
          clearTimeout(timer);
          this.listeners.delete(listener);
          resolve(value);
        }
      };
      this.listeners.add(listener);
    });
  }

  /** Waits until at least `count` stdout lines arrived and returns the first `count`. */
  async waitForLines(count: number): Promise<string[]> {
    return this.waitFor(`${count} stdout lines`, () => (this.lines.length >= count ? this.lines.slice(0, count) : undefined));
  }

  /** Waits for the response (result or error) carrying `id`. */
  async response(id: unknown): Promise<Message> {
    return this.waitFor(`the response to ${JSON.stringify(id)}`, () =>
      this.messages().find((m) => m.id === id && m.method === undefined && ('result' in m || 'error' in m)),
    );
  }

  /** Waits for a message with this method (request or notification). */
  async message(method: string): Promise<Message> {
    return this.waitFor(`a ${method} message`, () => this.messages().find((m) => m.method === method));
  }

  /** Waits until stderr contains `text`. */
  async stderrContaining(text: string): Promise<void> {
    await this.waitFor(`stderr containing ${JSON.stringify(text)}`, () => (this.stderr.includes(text) ? true : undefined));
  }

  /** Sends initialize (id 1) and notifications/initialized; returns the initialize result. */
  async initialize(
    protocolVersion = '2025-06-18',
    capabilities: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    this.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion, capabilities, clientInfo: { name: 'tooling-test', version: '0.0.0' } },
    });
    const answer = await this.response(1);
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return answer.result as Record<string, unknown>;
  }

  private onStdout(chunk: string): void {
    // Lines can be many megabytes: collect the pieces and join once per line.
    let rest = chunk;
    let newline = rest.indexOf('\n');
    while (newline !== -1) {
      this.partial.push(rest.slice(0, newline));
      this.lines.push(this.partial.join(''));
      this.partial.length = 0;
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
    if (rest !== '') this.partial.push(rest);
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Connects the real SDK client to a server script over stdio. */
export async function connectClient(
  script: string,
  args: readonly string[] = [],
  options: ClientOptions = {},
  setup?: (client: Client) => void,
): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [script, ...args], stderr: 'ignore' });
  const client = new Client({ name: 'tooling-test', version: '0.0.0' }, options);
  setup?.(client);
  liveClients.add({ client, transport });
  await client.connect(transport);
  return client;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills every process started by this module (call it in afterEach). */
export async function stopAllProcesses(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null) {
      waits.push(new Promise((resolve) => child.once('exit', resolve)));
      child.kill('SIGKILL');
    }
  }
  liveChildren.clear();
  for (const { client, transport } of liveClients) {
    const pid = transport.pid;
    if (pid !== null && isRunning(pid)) process.kill(pid, 'SIGKILL');
    waits.push(client.close().catch(() => {}));
  }
  liveClients.clear();
  await Promise.all(waits);
}
