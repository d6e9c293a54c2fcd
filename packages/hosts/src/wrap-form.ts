/**
 * The wrapped form of a server's command line, and its recognition:
 *
 *   <abs node> <abs mcptrust CLI> proxy --lock <abs lock> -- <orig command> <orig args…>
 *
 * Unwrapping is taking the words after the proxy's first `--`, so the original command
 * line survives any words (even `--`) untouched.
 */
import type { Argv, Launcher, WrappedArgv } from './types.js';

/**
 * The command line that runs `original` through `mcptrust proxy`, enforcing `lockPath`.
 *
 * @param launcher - the absolute node executable and mcptrust CLI script
 * @param lockPath - the lockfile the proxy enforces
 * @param original - the server's own command line
 */
export function wrapArgv(launcher: Launcher, lockPath: string, original: Argv): Argv {
  return {
    command: launcher.node,
    args: [launcher.cli, 'proxy', '--lock', lockPath, '--', original.command, ...original.args],
  };
}

/** A file name without its folder, lower-cased, without a launcher extension. */
function programName(word: string): string {
  const base = word.split(/[\\/]/).pop() ?? word;
  return base.toLowerCase().replace(/\.(exe|cmd|bat|ps1|js|mjs|cjs)$/, '');
}

/** True for a script that is the mcptrust CLI (`…/mcptrust.js`, `…/node_modules/mcptrust/…`). */
function isMcptrustScript(word: string): boolean {
  return programName(word) === 'mcptrust' || /(^|[\\/])(@mcptrust|mcptrust)[\\/]/i.test(word);
}

/** True for a JavaScript runtime (`node`, `nodejs`, `node.exe`, `node22`, `bun`). */
function isRuntime(word: string): boolean {
  return /^(node(js)?\d*|bun)$/.test(programName(word));
}

/** Package runners whose next non-flag word names the package to run. */
const RUNNERS = new Set(['npx', 'pnpx', 'bunx']);

/** Runner flags that take a value as the next word. */
const RUNNER_VALUE_FLAGS = new Set(['-p', '--package', '--registry', '--cache', '--userconfig']);

/**
 * Index in `args` of the `proxy` subcommand when `argv` runs mcptrust's proxy, else -1.
 * Recognises `mcptrust proxy`, `npx [-y] mcptrust[@v] proxy`, `node …/mcptrust.js proxy`
 * and `<node> <any CLI script> proxy --lock …` (the form {@link wrapArgv} writes).
 */
function proxyIndex(argv: Argv): number {
  const { command, args } = argv;
  const program = programName(command);
  if (program === 'mcptrust') return args[0] === 'proxy' ? 0 : -1;
  if (RUNNERS.has(program)) {
    let i = 0;
    while (i < args.length && (args[i] as string).startsWith('-')) {
      i += RUNNER_VALUE_FLAGS.has(args[i] as string) ? 2 : 1;
    }
    const pkg = args[i];
    if (pkg !== undefined && /^(mcptrust|@mcptrust\/cli)(@[^/\\]+)?$/i.test(pkg) && args[i + 1] === 'proxy') return i + 1;
    return -1;
  }
  const script = args[0];
  if (script === undefined || args[1] !== 'proxy') return -1;
  if (isMcptrustScript(script) || isRuntime(command)) return 1;
  return -1;
}

/**
 * The lockfile and original command line of an entry that already runs through
 * `mcptrust proxy` (the form {@link wrapArgv} writes, or a hand-written
 * `mcptrust proxy --lock X [flags] -- cmd …`, `npx [-y] mcptrust proxy …`,
 * `node …/mcptrust.js proxy …`, `--lock=X`); `undefined` for any other command line.
 */
export function parseWrappedArgv(argv: Argv): WrappedArgv | undefined {
  const start = proxyIndex(argv);
  if (start < 0) return undefined;
  const { args } = argv;
  let lockPath: string | undefined;
  let i = start + 1;
  for (; i < args.length; i += 1) {
    const word = args[i] as string;
    if (word === '--') break;
    if (word === '--lock') {
      const value = args[i + 1];
      if (value === undefined || value === '--') return undefined;
      lockPath = value;
      i += 1;
    } else if (word.startsWith('--lock=')) {
      lockPath = word.slice('--lock='.length);
    }
  }
  if (i >= args.length || lockPath === undefined || lockPath === '') return undefined;
  const command = args[i + 1];
  if (command === undefined) return undefined;
  return { lockPath, original: { command, args: args.slice(i + 2) } };
}
