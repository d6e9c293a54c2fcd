/**
 * Recognises the npm launchers an MCP server is started with (`npx`, `npm exec`/`npm x`,
 * `pnpm dlx`) and extracts the registry package they run, the bin chosen with
 * `-p/--package` and the server's own arguments. Only registry specs (an exact version,
 * a range or a dist-tag) can be pinned; git, file, directory, remote tarball and alias
 * specs are refused, and so are unknown options, so the package is never ambiguous.
 */
import { basename } from 'node:path';
import npa from 'npm-package-arg';
import { ArtifactError } from '../errors.js';

/** An npm launch command, as parsed. */
export interface NpmLaunch {
  /** The launcher. */
  tool: 'npx' | 'npm exec' | 'pnpm dlx';
  /** The package spec as written (`@scope/pkg@^1.2.0`). */
  spec: string;
  /** Package name. */
  name: string;
  /** Version, range or tag to resolve (`latest` when the spec names none). */
  fetchSpec: string;
  /** What `fetchSpec` is. */
  specType: 'version' | 'range' | 'tag';
  /** The bin named after `-p/--package` (the command to run from the package). */
  bin?: string;
  /** The server's arguments after the package (or bin). */
  args: string[];
}

/** Options taking no value that change nothing about what runs. */
const FLAGS = new Set(['-y', '--yes', '--no', '-q', '--quiet', '--silent', '-s']);

/** Basename of a launcher path, without a Windows `.cmd`/`.exe` suffix, lower-cased. */
function toolName(argv0: string): string {
  const base = basename(argv0.replace(/\\/g, '/')).toLowerCase();
  return base.replace(/\.(cmd|exe|ps1)$/, '');
}

/** Which launcher `argv` starts with, and where its options begin. */
function launcher(argv: readonly string[]): { tool: NpmLaunch['tool']; start: number } | undefined {
  const first = argv[0];
  if (first === undefined) return undefined;
  const tool = toolName(first);
  if (tool === 'npx') return { tool: 'npx', start: 1 };
  if (tool === 'npm' && (argv[1] === 'exec' || argv[1] === 'x')) return { tool: 'npm exec', start: 2 };
  if (tool === 'pnpm' && argv[1] === 'dlx') return { tool: 'pnpm dlx', start: 2 };
  return undefined;
}

/**
 * Parses an npm launch command.
 *
 * @param argv - the server command (`['npx', '-y', 'pkg@1.2.3', '--flag']`)
 * @returns the launch, or `undefined` when `argv` is not npx / npm exec / npm x / pnpm dlx
 * @throws ArtifactError `INVALID_COMMAND` (unknown option, missing package, several
 *   `--package`), `UNPINNABLE_COMMAND` (`-c/--call`, or a spec that is not a registry
 *   version, range or tag)
 */
export function parseNpmLaunch(argv: readonly string[]): NpmLaunch | undefined {
  const found = launcher(argv);
  if (found === undefined) return undefined;
  const { tool } = found;
  const packages: string[] = [];
  let i = found.start;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (FLAGS.has(arg)) continue;
    if (arg === '-c' || arg === '--call' || arg.startsWith('--call=') || arg === '--shell-mode') {
      throw new ArtifactError('UNPINNABLE_COMMAND', `${tool} ${arg} runs a shell string, which cannot be pinned: name the package and its arguments instead`);
    }
    if (arg === '-p' || arg === '--package') {
      const value = argv[i + 1];
      if (value === undefined || value === '') throw new ArtifactError('INVALID_COMMAND', `${tool} ${arg} needs a package spec`);
      packages.push(value);
      i++;
      continue;
    }
    if (arg.startsWith('--package=')) {
      const value = arg.slice('--package='.length);
      if (value === '') throw new ArtifactError('INVALID_COMMAND', `${tool} --package= needs a package spec`);
      packages.push(value);
      continue;
    }
    throw new ArtifactError('INVALID_COMMAND', `unknown ${tool} option ${JSON.stringify(arg)}: the package it runs would be ambiguous`);
  }
  if (packages.length > 1) {
    throw new ArtifactError('INVALID_COMMAND', `${tool} names several packages (${packages.join(', ')}): only one package can be pinned`);
  }
  const rest = argv.slice(i);
  let spec: string;
  let bin: string | undefined;
  if (packages.length === 1) {
    spec = packages[0]!;
    bin = rest.shift();
    if (bin === undefined || bin === '') throw new ArtifactError('INVALID_COMMAND', `${tool} --package ${spec} needs the command to run after it`);
  } else {
    const first = rest.shift();
    if (first === undefined || first === '') throw new ArtifactError('INVALID_COMMAND', `${tool} names no package to run`);
    spec = first;
  }
  return { tool, ...parseRegistrySpec(spec, tool), ...(bin === undefined ? {} : { bin }), args: rest };
}

/** Parses a package spec; only registry versions, ranges and tags pass. */
function parseRegistrySpec(spec: string, tool: string): Pick<NpmLaunch, 'spec' | 'name' | 'fetchSpec' | 'specType'> {
  let parsed: npa.Result;
  try {
    parsed = npa(spec);
  } catch (error) {
    throw new ArtifactError('INVALID_COMMAND', `${tool}: invalid package spec ${JSON.stringify(spec)}: ${(error as Error).message}`, { cause: error });
  }
  const type = parsed.type as string;
  if ((type !== 'version' && type !== 'range' && type !== 'tag') || parsed.registry !== true || !parsed.name) {
    throw new ArtifactError(
      'UNPINNABLE_COMMAND',
      `${tool}: package spec ${JSON.stringify(spec)} is a ${type} spec; only registry packages (name, name@version, name@range, name@tag) can be pinned`,
    );
  }
  const name = parsed.name;
  // A bare name runs what the `latest` dist-tag points at.
  if (spec === name || parsed.rawSpec === '') return { spec, name, fetchSpec: 'latest', specType: 'tag' };
  const fetchSpec = parsed.fetchSpec ?? parsed.rawSpec;
  if (!fetchSpec) throw new ArtifactError('INVALID_COMMAND', `${tool}: package spec ${JSON.stringify(spec)} names no version`);
  return { spec, name, fetchSpec, specType: type };
}
