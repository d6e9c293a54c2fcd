import type { ServerCommand } from './scan.types.js';

/** How a server process is spawned: the same for every command that starts one. */
export interface ServerSpawnOptions {
  /** The program (never run through a shell). */
  command: string;
  /** Its arguments. */
  args: string[];
  /**
   * The complete environment of the server process: the caller's environment, then the
   * `NAME=value` assignments of the server command on top. Only defined values.
   */
  env: Record<string, string>;
  /** Working directory, when the server command names one. */
  cwd?: string;
}

/** Options of {@link serverSpawnOptions}. */
export interface ServerSpawnEnvOptions {
  /**
   * The caller's environment, passed on to the server whole (API keys configured for the
   * server must reach it). Default `process.env`.
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * The spawn options of an MCP server, built in one place so that `scan`, `lock`, `diff`,
 * `check`, `policy` and `proxy` start the very same server: a server whose tools depend
 * on its environment (a token that enables more tools, a flag that changes them) shows
 * every command the surface the proxy will later enforce.
 *
 * The environment is the caller's `env` (default `process.env`), with the assignments
 * of the server command (`FOO=1 node server.js` written as one quoted string) on top.
 * Values are never printed by MCPTrust: errors name the command only.
 *
 * @param server - the server command (see `parseServerCommand`)
 * @param options - the caller's environment
 * @returns command, args, the complete env, and cwd when given
 */
export function serverSpawnOptions(server: ServerCommand, options: ServerSpawnEnvOptions = {}): ServerSpawnOptions {
  // Collected in a Map and turned into an object with `Object.fromEntries`, which
  // defines own properties: a variable named `__proto__` stays a variable. Undefined
  // values (a ProcessEnv built by hand may carry them) are left out.
  const env = new Map<string, string>();
  for (const [name, value] of Object.entries(options.env ?? process.env)) if (typeof value === 'string') env.set(name, value);
  for (const [name, value] of Object.entries(server.env ?? {})) env.set(name, value);
  return {
    command: server.command,
    args: [...server.args],
    env: Object.fromEntries(env),
    ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
  };
}
