import type { Writable } from 'node:stream';
import type { CommandContext } from '../command.js';

/** A `write` that drops its data and reports success (for a host that is gone). */
const discard = ((_chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
  const done = typeof encoding === 'function' ? encoding : callback;
  if (typeof done === 'function') queueMicrotask(() => (done as (error?: Error | null) => void)(null));
  return true;
}) as Writable['write'];

/**
 * Waits for a bridge (stdio or HTTP) to end: a signal (the command's abort) closes it,
 * and so does the host going away on the output side — a write to the host's stdout
 * failing (EPIPE: the host closed its end or died) runs the same shutdown as the host
 * closing stdin, instead of an unhandled stream error that would end the process without
 * stopping the server. Afterwards host input is no longer read — the host may keep its
 * end open after the server is gone — so the process can exit.
 */
export async function untilClosed<Exit>(ctx: CommandContext, bridge: { closed: Promise<Exit>; close(): Promise<Exit> }, hostInput: NodeJS.ReadStream): Promise<{ exit: Exit; signalled: boolean }> {
  let signalled = false;
  const onAbort = (): void => {
    signalled = true;
    void bridge.close();
  };
  const hostOutput = ctx.io.stdout;
  let hostGone = false;
  const onHostOutputError = (): void => {
    if (!hostGone) {
      hostGone = true;
      // Nothing can reach the host any more. A bridge holds the server's output back
      // until the host's stream drains, which will never happen now: from here on writes
      // are dropped and the awaited 'drain' is given, so the server's last lines are read
      // (and dropped) and the bridge can finish its shutdown.
      hostOutput.write = discard;
      hostOutput.emit('drain');
    }
    void bridge.close();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  hostOutput.on('error', onHostOutputError);
  try {
    return { exit: await bridge.closed, signalled };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    // Left in place: a write still buffered may fail after the bridge is closed.
    hostInput.pause();
    hostInput.destroy();
  }
}
