/**
 * `docker run` (and `podman run`) of a stdio MCP server, parsed strictly: every option
 * must be one this table knows, so that an image reference can never be mistaken for
 * an option's value (or the other way round) when the command is rebuilt with the
 * pinned digest.
 */
import { basename } from 'node:path';
import type { OciArtifactPin } from '../artifact.types.js';
import { ArtifactError } from '../errors.js';

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
const VALUE_OPTIONS = new Set([
  '-e', '--env', '--env-file', '-v', '--volume', '--mount', '-p', '--publish', '--name', '--network', '--net', '-u', '--user',
  '-w', '--workdir', '--entrypoint', '--cap-drop', '--cap-add', '--security-opt', '--pull', '--platform', '-m', '--memory',
  '--memory-swap', '--cpus', '--cpu-shares', '--tmpfs', '-l', '--label', '--label-file', '--add-host', '--ipc', '--pid',
  '-h', '--hostname', '--group-add', '--stop-timeout', '--stop-signal', '--ulimit', '--shm-size', '--dns', '--dns-search',
  '--dns-option', '--device', '--runtime', '--userns', '--log-driver', '--log-opt', '--network-alias', '--pids-limit',
  '--restart', '--health-cmd', '--health-interval', '--health-retries', '--health-timeout', '--uts', '--cgroupns',
  '--gpus', '--volumes-from', '--expose', '--link', '--mac-address', '--ip', '--ip6', '--sysctl', '--annotation',
]);

/** Boolean options (flags without a value). */
const BOOLEAN_OPTIONS = new Set([
  '-i', '--interactive', '-t', '--tty', '--rm', '--init', '--read-only', '--privileged', '--no-healthcheck', '--oom-kill-disable',
  '-q', '--quiet', '--sig-proxy', '--disable-content-trust', '-P', '--publish-all',
]);

/** Options refused: the process would not be a stdio server the host talks to. */
const REFUSED_OPTIONS: Readonly<Record<string, string>> = {
  '-d': 'a detached container is not a stdio server',
  '--detach': 'a detached container is not a stdio server',
  '--cidfile': 'writes a file outside the container on every start',
  '-a': 'attach selection would cut the MCP channel',
  '--attach': 'attach selection would cut the MCP channel',
};

function refused(option: string, why: string): ArtifactError {
  return new ArtifactError('INVALID_COMMAND', `docker run option ${option} is refused: ${why}`);
}

/** Splits the options of `docker run`; returns the options and the index of the image. */
function parseOptions(tokens: readonly string[], start: number): { options: string[]; imageAt: number } {
  const options: string[] = [];
  let i = start;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token === '--') return { options, imageAt: i + 1 };
    if (!token.startsWith('-') || token === '-') return { options, imageAt: i };
    const eq = token.indexOf('=');
    const name = token.startsWith('--') && eq !== -1 ? token.slice(0, eq) : token;
    const reason = REFUSED_OPTIONS[name];
    if (reason !== undefined) throw refused(name, reason);
    if (VALUE_OPTIONS.has(name)) {
      if (eq !== -1 && token.startsWith('--')) {
        options.push(token);
        i += 1;
        continue;
      }
      const value = tokens[i + 1];
      if (value === undefined) throw new ArtifactError('INVALID_COMMAND', `docker run option ${name} needs a value`);
      options.push(token, value);
      i += 2;
      continue;
    }
    if (BOOLEAN_OPTIONS.has(name)) {
      options.push(token);
      i += 1;
      continue;
    }
    // Combined short booleans (-it, -ti, -itq) and short options glued to a value (-eKEY=v).
    if (/^-[A-Za-z]{2,}/.test(token) && !token.startsWith('--')) {
      const letters = token.slice(1).split('').map((c) => `-${c}`);
      if (letters.every((l) => BOOLEAN_OPTIONS.has(l))) {
        options.push(token);
        i += 1;
        continue;
      }
      const first = letters[0]!;
      if (VALUE_OPTIONS.has(first)) {
        options.push(token);
        i += 1;
        continue;
      }
      for (const l of letters) if (REFUSED_OPTIONS[l] !== undefined) throw refused(l, REFUSED_OPTIONS[l]!);
    }
    throw new ArtifactError('INVALID_COMMAND', `docker run option ${name} is not one mcptrust knows: it cannot tell whether it takes a value, so the image is ambiguous (put the image after --, or report the option)`);
  }
  return { options, imageAt: tokens.length };
}

/**
 * Recognises `docker run …`, `docker container run …` and `podman run …`.
 *
 * @returns undefined when the command is not one of them
 * @throws ArtifactError `INVALID_COMMAND` for a refused or unknown option, or no image
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

/** The platform an option list asks for (`--platform linux/amd64`), if any. */
function platformOption(options: readonly string[]): string | undefined {
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    if (o === '--platform') return options[i + 1];
    if (o.startsWith('--platform=')) return o.slice('--platform='.length);
  }
  return undefined;
}

/**
 * The `docker` arguments that start the pinned image: `run <options> <image>@<digest>
 * <args>`. The options are parsed again by the same strict parser. A `--pull` option
 * is harmless: a digest reference names exactly one manifest, whatever is pulled.
 *
 * @throws ArtifactError `INVALID_PIN` when the options no longer parse, or ask for
 *   another platform than the pinned one
 */
export function dockerRunArgv(pin: OciArtifactPin, override?: { args?: string[] }): string[] {
  const options = pin.docker_args ?? [];
  const reference = `${pin.image}@${pin.digest}`;
  let parsed: DockerRun | undefined;
  try {
    parsed = parseDockerRun(['docker', 'run', ...options, reference]);
  } catch (error) {
    throw new ArtifactError('INVALID_PIN', `server.artifact.docker_args: ${(error as Error).message}`, { field: 'server.artifact.docker_args' });
  }
  if (parsed === undefined || parsed.image !== reference || parsed.options.length !== options.length) {
    throw new ArtifactError('INVALID_PIN', 'server.artifact.docker_args: the options do not end before the image', { field: 'server.artifact.docker_args' });
  }
  const platform = platformOption(options);
  if (platform !== undefined && pin.platform !== undefined && platform !== pin.platform) {
    throw new ArtifactError('INVALID_PIN', `server.artifact.docker_args asks for platform ${platform}, the pin is for ${pin.platform}`, { field: 'server.artifact.docker_args', expected: pin.platform, found: platform });
  }
  return ['run', ...options, reference, ...(override?.args ?? pin.argv ?? [])];
}
