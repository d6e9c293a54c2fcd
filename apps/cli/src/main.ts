import { runCli } from './cli.js';
import type { CommandModule } from './command.js';
import { processIo } from './output.js';
import type { Io } from './output.js';

/** One command as the top-level help lists it, and how to load the real one. */
export interface CommandEntry {
  /** The yargs command string, positionals included (`sign [file]`), as the module registers it. */
  command: string;
  /** The one-line description, as the module registers it (a test keeps the two equal). */
  describe: string;
  /** Imports the command's module: its flags, its handler and the libraries they need. */
  load(): Promise<CommandModule>;
}

/**
 * Every command, in help order. Only the command a command line names is imported
 * (with its libraries: the MCP SDK, Sigstore, CEL, YAML, ajv...); the others are
 * registered from this table with their name and description alone, which is all that
 * `mcptrust --help` and "did you mean" suggestions need. A command module is loaded
 * as a whole, so its own `--help` and flag errors are exactly what they were.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    command: 'scan',
    describe: 'Inspect an MCP server: print its tools, prompts, resources, risk levels and findings as JSON',
    load: async () => (await import('./commands/scan.js')).scanCommand,
  },
  {
    command: 'lock',
    describe: 'Create or update mcp-lock.json from what the server exposes (refuses drift unless --force)',
    load: async () => (await import('./commands/lock.js')).lockCommand,
  },
  {
    command: 'proxy',
    describe: 'Run an MCP server behind the deny-by-default firewall: only what mcp-lock.json pins reaches the host',
    load: async () => (await import('./commands/proxy.js')).proxyCommand,
  },
  {
    command: 'run',
    describe: 'Start the server pinned by mcp-lock.json from verified bytes, behind the proxy (--no-proxy: exec only)',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    command: 'auth',
    describe: 'Log in to remote MCP servers that need OAuth (auth login URL), list or remove stored logins (auth status, auth logout)',
    load: async () => (await import('./commands/auth.js')).authCommand,
  },
  {
    command: 'artifact',
    describe: 'Check a pinned artifact in CI: the registry still serves exactly the pinned bytes (artifact verify)',
    load: async () => (await import('./commands/artifact.js')).artifactCommand,
  },
  {
    command: 'audit',
    describe: 'Check a tamper-evident audit log written with --audit-log (audit verify: exit 0 intact, 1 tampered, 2 error)',
    load: async () => (await import('./commands/audit.js')).auditCommand,
  },
  {
    command: 'hosts',
    describe: 'List the MCP hosts on this machine (Claude Desktop, Claude Code, VS Code, Cursor…), their config files and servers, and which are wrapped',
    load: async () => (await import('./commands/hosts.js')).hostsCommand,
  },
  {
    command: 'wrap',
    describe: "Put a host's MCP servers behind the firewall: lock each stdio server and make the host start it through mcptrust proxy",
    load: async () => (await import('./commands/wrap.js')).wrapCommand,
  },
  {
    command: 'unwrap',
    describe: "Undo wrap: give a host's servers their own command lines back (the original bytes when the file is unchanged since wrap)",
    load: async () => (await import('./commands/unwrap.js')).unwrapCommand,
  },
  {
    command: 'demo',
    describe: 'Lock the bundled demo MCP server, show the approved surface, then catch it adding a rogue tool (CI gate and proxy)',
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  {
    command: 'policy',
    describe: 'Evaluate CEL governance rules (a policy file or a preset) against a server',
    load: async () => (await import('./commands/policy.js')).policyCommand,
  },
  {
    command: 'keygen',
    describe: 'Create an Ed25519 key pair for signing lockfiles (private key mode 0600)',
    load: async () => (await import('./commands/keygen.js')).keygenCommand,
  },
  {
    command: 'sign [file]',
    describe: 'Sign a lockfile with an Ed25519 key, or keyless with Sigstore (--sigstore)',
    load: async () => (await import('./commands/sign.js')).signCommand,
  },
  {
    command: 'verify [file]',
    describe: 'Verify a lockfile signature (exit 0 valid, 1 invalid, 2 error)',
    load: async () => (await import('./commands/verify.js')).verifyCommand,
  },
  {
    command: 'bundle',
    describe: 'Export or verify a reproducible approval bundle (approval.zip)',
    load: async () => (await import('./commands/bundle.js')).bundleCommand,
  },
  {
    command: 'diff',
    describe: 'Compare a live server with mcp-lock.json and explain every change (exit 1 on drift at or above --fail-on)',
    load: async () => (await import('./commands/diff.js')).diffCommand,
  },
  {
    command: 'check',
    describe: 'The CI gate: verify the lockfile signature (when asked), diff against the live server, evaluate policy (when asked)',
    load: async () => (await import('./commands/check.js')).checkCommand,
  },
];

/** The name a yargs command string registers (`sign [file]` → `sign`). */
function nameOf(entry: CommandEntry): string {
  return entry.command.split(' ')[0] ?? entry.command;
}

/**
 * The command a command line names: its first word that is not a flag, before `--`
 * (the CLI has no global flag that takes a value). Undefined for `--help`, `--version`,
 * an empty line or a word that is no command (yargs then reports it, with a suggestion).
 */
export function selectCommand(argv: readonly string[], commands: readonly CommandEntry[] = COMMANDS): CommandEntry | undefined {
  for (const arg of argv) {
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) continue;
    return commands.find((entry) => nameOf(entry) === arg);
  }
  return undefined;
}

/**
 * A command registered by name and description only: it is listed by `--help` and
 * suggested for typos, and never runs (a command line that names it loads the real one).
 */
function listedOnly(entry: CommandEntry): CommandModule {
  return (cli) =>
    cli.command(entry.command, entry.describe, (y) => y, () => {
      throw new Error(`mcptrust: internal error: the ${nameOf(entry)} command was not loaded`);
    });
}

/**
 * Runs the CLI with the given arguments and resolves to the process exit code.
 * Signals abort the running command, which cleans up its child processes first.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const selected = selectCommand(argv);
  const real = selected === undefined ? undefined : await selected.load();
  const commands = COMMANDS.map((entry) => (entry === selected && real !== undefined ? real : listedOnly(entry)));
  return runCli(argv, commands, io);
}
