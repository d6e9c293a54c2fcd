/**
 * The contract between the CLI and its command modules: what a command module is (it
 * registers itself on the yargs instance) and what its handler gets besides its flags.
 * Commands take these types from here, not from main.ts, which loads the commands: the
 * contract depends on neither side, so no command imports the module that imports it.
 * The runner that fulfils the contract is `runCommand` in cli.ts.
 */
import type { Argv } from 'yargs';
import type { RunSession } from './observe/run-session.js';
import type { Io } from './output.js';

/** What every command handler gets besides its parsed flags. */
export interface CommandContext {
  io: Io;
  /** Aborted on SIGINT/SIGTERM/SIGHUP: commands stop their servers and return. */
  signal: AbortSignal;
  /** The exit code the command decided on. */
  setExitCode(code: number): void;
  /** This run's logs, receipt and telemetry (observe/run-session.ts). */
  run: RunSession;
}

/** A command module: registers itself on the yargs instance. */
export type CommandModule = (cli: Argv, ctx: CommandContext) => Argv;
