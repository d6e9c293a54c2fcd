import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { ProxyEngine, ProxyEngineOptions } from './engine.types.js';
import { ProxyError } from './errors.js';
import { bridgeSplitterOptions, HostSide, OutputQueue } from './host-side.js';
import { LineSplitter } from './line-splitter.js';
import { connectEngine, type EngineTransportAdapter } from './transport-adapter.js';

/** Default wait of each shutdown stage (stdin closed → SIGTERM → SIGKILL). */
export const DEFAULT_SHUTDOWN_GRACE_MS = 2000;
/** How long a server whose stdout ended may take to exit before it counts as hung. */
const OUTPUT_LOST_GRACE_MS = 250;

/** Options of {@link createStdioBridge}: the engine's options plus the process and streams. */
export interface StdioBridgeOptions extends ProxyEngineOptions {
  /** Server executable (spawned directly, never through a shell). */
  command: string;
  /** Server arguments. */
  args?: readonly string[];
  /**
   * The server's complete environment. Default: the current process environment. Build
   * it with `serverSpawnOptions` of `@mcptrust/drift/server-spawn` (as the CLI does) so
   * the proxied server is started exactly as `mcptrust lock` started it.
   */
  env?: NodeJS.ProcessEnv;
  /** Server working directory. */
  cwd?: string;
  /** Where host messages come from (the CLI passes `process.stdin`). */
  hostInput: Readable;
  /** Where messages for the host go (the CLI passes `process.stdout`); nothing else is written there. */
  hostOutput: Writable;
  /** Where the server's stderr goes (the CLI passes `process.stderr`). Default: discarded. */
  stderr?: Writable;
  /** Line cap per direction in bytes. Default 10 MiB. */
  maxLineBytes?: number;
  /** Wait of each shutdown stage in ms. Default 2000. */
  shutdownGraceMs?: number;
  /** End `hostOutput` once the server is gone and everything was flushed. Default true. */
  endHostOutput?: boolean;
  /** Called when the session cannot continue (preflight refused, spawn failed); shutdown follows. */
  onFatal?: (error: Error) => void;
}

/** How the bridged server ended. */
export interface StdioBridgeExit {
  /** Exit code, or null when killed by a signal or never started. */
  exitCode: number | null;
  /** Signal that ended the server, if any. */
  signal: NodeJS.Signals | null;
  /** True when the server ended on its own with a non-zero code or a signal, or never started. */
  crashed: boolean;
  /** The fatal error that ended the session, if any (preflight refusal, spawn failure). */
  error?: Error;
}

/** A running bridge. */
export interface StdioBridge {
  /** The server's process ID (undefined if spawning failed). */
  readonly pid: number | undefined;
  /** The engine (for stats and state). */
  readonly engine: ProxyEngine;
  /** Resolves once the server has exited and the bridge has flushed and released everything. */
  readonly closed: Promise<StdioBridgeExit>;
  /**
   * Runs the shutdown sequence: close the server's stdin, wait, SIGTERM, wait, SIGKILL.
   * The CLI calls this on SIGTERM/SIGINT/SIGHUP. Resolves like `closed`.
   */
  close(): Promise<StdioBridgeExit>;
}

/**
 * Spawns an MCP server and relays stdio between a host and it through the enforcement
 * engine. The library installs no process-wide signal handlers: the embedder (the CLI)
 * forwards signals to {@link StdioBridge.close}.
 *
 * @throws ProxyError `INVALID_OPTIONS` / `INVALID_LOCKFILE` from the engine
 */
export function createStdioBridge(options: StdioBridgeOptions): StdioBridge {
  const grace = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  if (typeof options.command !== 'string' || options.command.length === 0) {
    throw new ProxyError('INVALID_OPTIONS', 'createStdioBridge needs a command');
  }
  const host = new HostSide(options);
  // Texts, or messages as UTF-8 byte parts (toServerBytes).
  const toServer = new OutputQueue();
  let flushScheduled = false;
  let serverGone = false;
  let child: ChildProcessWithoutNullStreams | undefined;
  let fatalError: Error | undefined;
  /** The server closed its stdout while still running (see the 'end' handler). */
  let outputLost = false;
  let shuttingDown = false;
  let finished = false;
  let resolveClosed!: (exit: StdioBridgeExit) => void;
  const closed = new Promise<StdioBridgeExit>((r) => {
    resolveClosed = r;
  });
  const timers: Array<ReturnType<typeof setTimeout>> = [];

  // Output is collected while a chunk is processed and written once per chunk: one
  // write syscall for many messages.
  const flush = (): void => {
    flushScheduled = false;
    if (toServer.length > 0 && child !== undefined && !serverGone && child.stdin.writable) {
      if (!toServer.writeTo(child.stdin)) {
        host.pauseInput();
        child.stdin.once('drain', () => host.resumeInput());
      }
    } else toServer.clear();
    // The host does not read as fast as it is answered: stop reading both the server's
    // answers and the host's requests (the proxy's own answers, refusals included, would
    // otherwise queue up without bound) until the host drains its input.
    host.write((onDrain) => {
      if (child === undefined) return;
      child.stdout.pause();
      host.pauseInput();
      onDrain(() => {
        child?.stdout.resume();
        host.resumeInput();
      });
    });
  };
  const schedule = (): void => {
    if (!flushScheduled) {
      flushScheduled = true;
      queueMicrotask(flush);
    }
  };

  // The stdio adapter of the engine: output is queued and flushed once per chunk; the
  // splitters below deliver each side's lines to the attached engine.
  let engine!: ProxyEngine;
  const adapter: EngineTransportAdapter = {
    toServer(json) {
      toServer.push(json);
      schedule();
    },
    toServerBytes(parts) {
      toServer.pushBytes(parts);
      schedule();
    },
    toHost(json) {
      host.output.push(json);
      schedule();
    },
    toHostBytes(parts) {
      host.output.pushBytes(parts);
      schedule();
    },
    onFatal(err) {
      // The server exited after the host or the embedder asked it to: a session still
      // starting is refused as the engine answers what waited, which is no failure.
      if (finished && shuttingDown && fatalError === undefined) return;
      fatalError ??= err;
      try {
        options.onFatal?.(err);
      } catch {
        // The embedder's handler must not stop the shutdown.
      }
      void shutdown();
    },
    attach(e) {
      engine = e;
    },
  };
  connectEngine(adapter, options);

  const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
    if (finished) return;
    finished = true;
    serverGone = true;
    for (const t of timers) clearTimeout(t);
    serverSplitter.end();
    engine.serverClosed(spawnError === undefined ? 'the server exited' : 'the server could not be started');
    engine.close();
    flush();
    host.stop();
    const crashed = spawnError !== undefined || outputLost || (!shuttingDown && (exitCode !== 0 || signal !== null));
    const exit: StdioBridgeExit = { exitCode, signal, crashed };
    const error = spawnError ?? fatalError;
    if (error !== undefined) exit.error = error;
    if (options.endHostOutput ?? true) host.end(() => resolveClosed(exit));
    else resolveClosed(exit);
  };

  const serverSplitter = new LineSplitter(
    {
      // The bytes are views of chunks this bridge owns (copyChunks: false), so they stay
      // valid until written.
      onLine: (line, valid, bytes) => engine.receiveFromServer(line, valid, bytes),
      onOversized: (n) => engine.serverLineTooLong(n),
      // A repeated list page is answered from its bytes, without joining or decoding.
      takeBytes: (parts, n) => engine.receiveServerLineBytes(parts, n),
    },
    bridgeSplitterOptions(options.maxLineBytes),
  );
  const onHostEnd = (): void => {
    flush();
    void shutdown();
  };

  function shutdown(): Promise<StdioBridgeExit> {
    if (shuttingDown || finished) return closed;
    shuttingDown = true;
    flush();
    const c = child;
    if (c === undefined) return closed;
    // Stage 1: EOF on stdin is how an MCP stdio server is asked to stop.
    c.stdin.end();
    timers.push(
      setTimeout(() => {
        if (finished) return;
        c.kill('SIGTERM');
        timers.push(
          setTimeout(() => {
            if (!finished) c.kill('SIGKILL');
          }, grace),
        );
      }, grace),
    );
    return closed;
  }

  try {
    child = spawn(options.command, [...(options.args ?? [])], {
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
  } catch (cause) {
    const err = new ProxyError('SPAWN_FAILED', `could not start ${JSON.stringify(options.command)}`, { cause });
    queueMicrotask(() => finish(null, null, err));
    return { pid: undefined, engine, closed, close: () => closed };
  }
  const c = child;
  c.on('error', (cause) => {
    const err = new ProxyError('SPAWN_FAILED', `could not start ${JSON.stringify(options.command)}: ${cause.message}`, { cause });
    if (c.pid === undefined) finish(null, null, err);
  });
  c.stdin.on('error', () => {
    // EPIPE after the server exited; the exit handler answers what is pending.
  });
  c.stdout.on('data', (chunk: Buffer) => serverSplitter.push(chunk));
  // A server that closes its stdout but keeps running can answer nothing more: end the
  // session now (pending calls answered, the server stopped) instead of letting every
  // call wait for its timeout. A server that is exiting closes stdout just before its
  // exit, so the check waits a moment for that exit first.
  c.stdout.on('end', () => {
    timers.push(
      setTimeout(() => {
        if (finished || shuttingDown || c.exitCode !== null || c.signalCode !== null) return;
        outputLost = true;
        fatalError ??= new ProxyError('SERVER_CLOSED', 'the server closed its stdout while still running; it was stopped');
        engine.serverClosed('the server closed its stdout');
        flush();
        void shutdown();
      }, OUTPUT_LOST_GRACE_MS),
    );
  });
  if (options.stderr !== undefined) c.stderr.pipe(options.stderr, { end: false });
  else c.stderr.resume();
  // 'close' fires after stdout/stderr are drained, so every last server line is seen.
  c.on('close', (code, signal) => finish(code, signal));
  host.listen(engine, onHostEnd);

  return {
    get pid() {
      return c.pid;
    },
    engine,
    closed,
    close: shutdown,
  };
}
