/**
 * `docker run` (and `podman run`) of a stdio MCP server, parsed strictly: every option
 * must be one this table knows, so that an image reference can never be mistaken for
 * an option's value (or the other way round) when the command is rebuilt with the
 * pinned digest. Option syntax follows the engines' flag parser: `--opt value`,
 * `--opt=value`, `-o value`, `-ovalue`, `-o=value`, and short booleans combined
 * (`-it`, `-ite VALUE`).
 */
import { basename } from 'node:path';
import type { OciArtifactPin } from '../artifact.types.js';
import { ArtifactError } from '../errors.js';
import { parseImageReference } from './image-reference.js';

/** A recognised `docker run` command. */
export interface DockerRun {
  engine: 'docker' | 'podman';
  /** Options before the image, as written. */
  options: string[];
  /** The image reference, as written. */
  image: string;
  /** The container command and arguments after the image. */
  args: string[];
}

/** Options that take a value (long and short names). */
const VALUE_OPTIONS: ReadonlySet<string> = new Set([
  '-e', '--env', '--env-file', '-v', '--volume', '--mount', '-p', '--publish', '--name', '--network', '--net', '-u', '--user',
  '-w', '--workdir', '--entrypoint', '--cap-drop', '--cap-add', '--security-opt', '--pull', '--platform', '-m', '--memory',
  '--memory-swap', '--memory-reservation', '--memory-swappiness', '--kernel-memory', '--cpus', '--cpu-shares', '-c',
  '--cpu-period', '--cpu-quota', '--cpuset-cpus', '--cpuset-mems', '--blkio-weight', '--tmpfs', '-l', '--label',
  '--label-file', '--add-host', '--ipc', '--pid', '-h', '--hostname', '--domainname', '--group-add', '--stop-timeout',
  '--stop-signal', '--ulimit', '--shm-size', '--dns', '--dns-search', '--dns-option', '--device', '--device-cgroup-rule',
  '--runtime', '--userns', '--log-driver', '--log-opt', '--network-alias', '--pids-limit', '--restart', '--health-cmd',
  '--health-interval', '--health-retries', '--health-timeout', '--health-start-period', '--uts', '--cgroupns',
  '--cgroup-parent', '--gpus', '--volumes-from', '--volume-driver', '--storage-opt', '--expose', '--link', '--mac-address',
  '--ip', '--ip6', '--link-local-ip', '--sysctl', '--annotation', '--oom-score-adj', '--isolation',
]);

/** Boolean options (flags without a value; the long ones also accept `=true`/`=false`). */
const BOOLEAN_OPTIONS: ReadonlySet<string> = new Set([
  '-i', '--interactive', '-t', '--tty', '--rm', '--init', '--read-only', '--privileged', '--no-healthcheck', '--oom-kill-disable',
  '-q', '--quiet', '--sig-proxy', '--disable-content-trust', '-P', '--publish-all',
]);

/** Options refused: the process would not be a stdio server the host talks to. */
const REFUSED_OPTIONS: Readonly<Record<string, string>> = {
  '-d': 'a detached container is not a stdio server',
  '--detach': 'a detached container is not a stdio server',
  '--cidfile': 'it writes a file outside the container on every start',
  '-a': 'choosing the attached streams can cut the MCP channel',
  '--attach': 'choosing the attached streams can cut the MCP channel',
};

function refused(option: string, why: string): ArtifactError {
  return new ArtifactError('INVALID_COMMAND', `docker run option ${option} is refused: ${why}`);
}

function unknown(option: string): ArtifactError {
  return new ArtifactError(
    'INVALID_COMMAND',
    `docker run option ${option} is not one mcptrust knows: it cannot tell whether it takes a value, so the image is ambiguous (remove it, or report the option so it can be added to the table)`,
  );
}

function needsValue(option: string): ArtifactError {
  return new ArtifactError('INVALID_COMMAND', `docker run option ${option} needs a value`);
}

/** Checks one `--long[=value]` token; returns how many tokens it uses (1 or 2). */
function longOption(token: string, next: string | undefined): number {
  const eq = token.indexOf('=');
  const name = eq === -1 ? token : token.slice(0, eq);
  const reason = REFUSED_OPTIONS[name];
  if (reason !== undefined) throw refused(name, reason);
  if (VALUE_OPTIONS.has(name)) {
    if (eq !== -1) return 1;
    if (next === undefined) throw needsValue(name);
    return 2;
  }
  if (BOOLEAN_OPTIONS.has(name)) {
    const value = eq === -1 ? 'true' : token.slice(eq + 1);
    if (value !== 'true' && value !== 'false') throw new ArtifactError('INVALID_COMMAND', `docker run option ${name} is a flag: "${token}" gives it the value "${value}", not true or false`);
    return 1;
  }
  throw unknown(name);
}

/** Checks one `-abc[value]` token of short options; returns how many tokens it uses (1 or 2). */
function shortOptions(token: string, next: string | undefined): number {
  for (let j = 1; j < token.length; j++) {
    const name = `-${token[j]!}`;
    const reason = REFUSED_OPTIONS[name];
    if (reason !== undefined) throw refused(name, reason);
    if (VALUE_OPTIONS.has(name)) {
      // The rest of the token is the value (`-eA=1`, `-e=A=1`), else the next token.
      if (j + 1 < token.length) return 1;
      if (next === undefined) throw needsValue(name);
      return 2;
    }
    if (!BOOLEAN_OPTIONS.has(name)) throw unknown(j === 1 && token.length === 2 ? token : `${name} (in ${token})`);
  }
  return 1;
}

/** Splits the options of `docker run`; returns the options and the index of the image. */
function parseOptions(tokens: readonly string[], start: number): { options: string[]; imageAt: number } {
  let i = start;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token === '--') return { options: tokens.slice(start, i), imageAt: i + 1 };
    if (!token.startsWith('-') || token === '-') return { options: tokens.slice(start, i), imageAt: i };
    i += token.startsWith('--') ? longOption(token, tokens[i + 1]) : shortOptions(token, tokens[i + 1]);
  }
  return { options: tokens.slice(start), imageAt: tokens.length };
}

/**
 * Recognises `docker run …`, `docker container run …` and `podman run …` (by the base
 * name of `argv[0]`, `.exe` allowed). A `--` before the image ends the options; it is
 * not kept in `options`.
 *
 * @returns undefined when the command is not one of them
 * @throws ArtifactError `INVALID_COMMAND` for a refused or unknown option (named), an
 *   option missing its value, or no image
 */
export function parseDockerRun(argv: readonly string[]): DockerRun | undefined {
  if (argv.length === 0) return undefined;
  const tool = basename(argv[0]!).replace(/\.exe$/i, '');
  if (tool !== 'docker' && tool !== 'podman') return undefined;
  let at = 1;
  if (argv[at] === 'container') at += 1;
  if (argv[at] !== 'run') return undefined;
  const { options, imageAt } = parseOptions(argv, at + 1);
  const image = argv[imageAt];
  if (image === undefined || image === '') throw new ArtifactError('INVALID_COMMAND', `${tool} run names no image`);
  return { engine: tool, options, image, args: argv.slice(imageAt + 1) };
}

/** The platform an option list asks for (`--platform linux/amd64`), if any (the last one wins). */
export function platformOption(options: readonly string[]): string | undefined {
  let platform: string | undefined;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    if (o === '--platform') platform = options[++i];
    else if (o.startsWith('--platform=')) platform = o.slice('--platform='.length);
  }
  return platform;
}

function invalidPin(message: string, extra?: { expected?: string; found?: string; field?: string }): ArtifactError {
  return new ArtifactError('INVALID_PIN', message, { field: extra?.field ?? 'server.artifact.docker_args', ...extra });
}

/**
 * The `docker` arguments that start the pinned image: `run <options> <image>@<digest>
 * <args>`, the image named by digest only (never by tag). The options (the pin's, or
 * `override.options`) are parsed again by the same strict parser, and must end right
 * before the image. A `--pull` option is kept: a digest reference names exactly one
 * manifest, so whatever the engine pulls is the pinned image.
 *
 * @throws ArtifactError `INVALID_PIN` when the image or digest of the pin is malformed,
 *   the options no longer parse, or they ask for another platform than the pinned one
 */
export function dockerRunArgv(pin: OciArtifactPin, override?: { options?: string[]; args?: string[] }): string[] {
  if (!/^sha256:[0-9a-f]{64}$/.test(pin.digest)) {
    throw invalidPin(`server.artifact.digest "${pin.digest}" is not sha256:<64 hex>`, { field: 'server.artifact.digest' });
  }
  const reference = `${pin.image}@${pin.digest}`;
  let tag: string | undefined;
  try {
    tag = parseImageReference(reference).tag;
  } catch (error) {
    throw invalidPin(`server.artifact.image: ${(error as Error).message}`, { field: 'server.artifact.image' });
  }
  if (tag !== undefined) throw invalidPin(`server.artifact.image "${pin.image}" carries a tag; the pin names the image by repository and digest only`, { field: 'server.artifact.image' });
  const options = override?.options ?? pin.docker_args ?? [];
  let parsed: DockerRun | undefined;
  try {
    parsed = parseDockerRun(['docker', 'run', ...options, reference]);
  } catch (error) {
    throw invalidPin(`server.artifact.docker_args: ${(error as Error).message}`);
  }
  if (parsed === undefined || parsed.image !== reference || parsed.options.length !== options.length) {
    throw invalidPin('server.artifact.docker_args: the options do not end right before the image');
  }
  const platform = platformOption(options);
  if (platform !== undefined && pin.platform !== undefined && platform !== pin.platform) {
    throw invalidPin(`server.artifact.docker_args asks for platform ${platform}, the pin is for ${pin.platform}`, { expected: pin.platform, found: platform });
  }
  return ['run', ...options, reference, ...(override?.args ?? pin.argv ?? [])];
}
