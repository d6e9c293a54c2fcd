import type { CommandContext } from '../command.js';

/**
 * Waits for a bridge (stdio or HTTP) to end: a signal (the command's abort) closes it.
 * Afterwards host input is no longer read — the host may keep its end open after the
 * server is gone — so the process can exit.
 */
export async function untilClosed<Exit>(ctx: CommandContext, bridge: { closed: Promise<Exit>; close(): Promise<Exit> }, hostInput: NodeJS.ReadStream): Promise<{ exit: Exit; signalled: boolean }> {
  let signalled = false;
  const onAbort = (): void => {
    signalled = true;
    void bridge.close();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return { exit: await bridge.closed, signalled };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    hostInput.pause();
    hostInput.destroy();
  }
}
