import { runCli } from './cli.js';
import type { CommandModule } from './cli.js';
import { processIo } from './output.js';
import type { Io } from './output.js';
import { scanCommand } from './commands/scan.js';
import { lockCommand } from './commands/lock.js';
import { demoCommand } from './commands/demo.js';
import { proxyCommand } from './commands/proxy.js';
import { policyCommand } from './commands/policy.js';
import { keygenCommand } from './commands/keygen.js';
import { signCommand } from './commands/sign.js';
import { verifyCommand } from './commands/verify.js';
import { bundleCommand } from './commands/bundle.js';
import { diffCommand } from './commands/diff.js';
import { checkCommand } from './commands/check.js';

// The runner lives in cli.ts (shared with the proxy's fast path in bin.ts); command
// modules keep importing these types from here.
export type { CommandContext, CommandModule } from './cli.js';

const COMMANDS: CommandModule[] = [scanCommand, lockCommand, proxyCommand, demoCommand, policyCommand, keygenCommand, signCommand, verifyCommand, bundleCommand, diffCommand, checkCommand];

/**
 * Runs the CLI with the given arguments and resolves to the process exit code.
 * Signals abort the running command, which cleans up its child processes first.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  return runCli(argv, COMMANDS, io);
}
