import { VERSION } from './version.js';
import { EXIT, UsageError, exitCodeFor } from './exit-codes.js';
import { say, paint } from './output.js';
import type { Io } from './output.js';
import { RunSession } from './observe/run-session.js';
import { OBSERVE_FLAGS } from './observe/observe-flags.js';
import type { CommandContext, CommandModule } from './command.js';

export type { CommandContext, CommandModule } from './command.js';

/** Where `--help` sends readers: an installed CLI has no docs folder beside it. */
export const DOCS_URL = 'https://github.com/mcptrust/mcptrust-ts/blob/main/docs/CLI.md';

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** The command line as given (the receipt records it, redacted). */
  argv?: readonly string[];
  /**
   * Flags already parsed (the proxy's fast path): the session is configured from them
   * before the body runs. Without them, the yargs runner configures it.
   */
  flags?: Readonly<Record<string, unknown>>;
  /** The command the flags belong to, with `flags`. */
  command?: string;
}


/**
 * Runs one command body with what every command gets (its context, signal handling,
 * the mapping of errors to exit codes) and resolves to the process exit code.
 * Signals abort the running command, which cleans up its child processes first.
 */
export async function runCommand(io: Io, body: (ctx: CommandContext) => Promise<void>, options: RunCommandOptions = {}): Promise<number> {
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled !== undefined) return;
    signalled = sig;
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);

  // The session may replace the command's stderr (JSONL on stderr): commands get a copy.
  const cmdIo: Io = { ...io };
  const run = new RunSession(cmdIo, options.argv ?? []);
  let exitCode: number = EXIT.OK;
  let failure: string | undefined;
  const ctx: CommandContext = { io: cmdIo, signal: controller.signal, setExitCode: (c) => (exitCode = c), run };
  try {
    if (options.flags !== undefined) await run.configure(options.flags, options.command ?? 'mcptrust');
    await body(ctx);
  } catch (error) {
    if (signalled !== undefined) {
      say(cmdIo, `mcptrust: interrupted (${signalled}); the server was stopped.`);
      exitCode = signalled === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED;
      failure = `interrupted by ${signalled}`;
    } else {
      const { code, message } = exitCodeFor(error);
      say(cmdIo, `${paint(cmdIo, 'red', 'mcptrust: error:')} ${message}`);
      exitCode = code;
      failure = message;
    }
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  if (signalled !== undefined && exitCode === EXIT.OK) {
    exitCode = signalled === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED;
  }
  return run.finish(exitCode, failure ?? (exitCode === EXIT.OK ? undefined : `exit code ${exitCode}`));
}

/** The command words of a parsed command line (`artifact verify`). */
function commandOf(words: readonly unknown[]): string {
  return words.filter((w): w is string => typeof w === 'string').join(' ');
}

/**
 * The yargs runner shared by the full command tree (`main`) and the proxy's own
 * bundle (`bin.ts` registers only `proxy` there). Both go through this one function,
 * so global flags, help layout, error messages and exit codes are identical whichever
 * set of commands is registered. yargs is loaded here, on demand: a proxy whose
 * command line the fast parser accepts never needs it.
 *
 * @returns the process exit code
 */
export async function runCli(argv: string[], commands: readonly CommandModule[], io: Io): Promise<number> {
  return runCommand(
    io,
    async (ctx) => {
    const { default: yargs } = await import('yargs');
    let cli = yargs(argv)
      .scriptName('mcptrust')
      .usage('mcptrust — deny-by-default firewall and CI gate for MCP servers\n\nUsage: $0 <command> [options] -- <server command>')
      // Arguments after `--` belong to the server and are passed on exactly as
      // written (`1e3` must not become `1000`).
      .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false })
      .version(VERSION)
      .alias('V', 'version')
      .help()
      .alias('h', 'help')
      .strict()
      .demandCommand(1, 'Specify a command (see --help).')
      .recommendCommands()
      .exitProcess(false)
      .showHelpOnFail(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .epilogue(`Exit codes: 0 ok, 1 finding (drift, refused change), 2 usage or operational error.\nDocs: ${DOCS_URL}`)
      .wrap(Math.min(110, process.stdout.columns || 100));
    for (const { name, ...option } of OBSERVE_FLAGS) {
      cli = cli.option(name, { ...option, global: true, group: 'Logs, receipts and telemetry:', alias: option.alias === undefined ? undefined : [...option.alias], choices: option.choices === undefined ? undefined : [...option.choices] });
    }
    // Before yargs validates anything: a usage error is recorded like any other failure.
    cli = cli.middleware(async (parsed) => ctx.run.configure(parsed, commandOf(parsed._)), true);
    for (const command of commands) cli = command(cli, ctx);
    await cli.parseAsync();
    },
    { argv },
  );
}
