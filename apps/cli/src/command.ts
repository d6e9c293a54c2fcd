/**
 * The contract between the CLI and its command modules: what a command module is (it
 * registers itself on the yargs instance) and what its handler gets besides its flags.
 * Commands take these types from here, not from main.ts, which loads the commands: the
 * contract depends on neither side, so no command imports the module that imports it.
 * The runner that fulfils the contract lives in cli.ts.
 */
export type { CommandContext, CommandModule } from './cli.js';
