import type { CommandContext } from '../command.js';

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
  const onHostOutputError = (): void => {
    // Nothing more can reach the host; later writes fail the same way and are ignored.
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
