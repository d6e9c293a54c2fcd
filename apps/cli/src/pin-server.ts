/**
 * `lock --pin`: pin what the server command runs, install it from the verified bytes,
 * and hand back the command that starts the pinned server, so that the scan (and the
 * lockfile) describe exactly what `mcptrust run` will start.
 */
import { artifactPinIdentity } from '@mcptrust/lockfile';
import type { JsonObject, Lockfile } from '@mcptrust/lockfile';
import type { ServerCommand } from '@mcptrust/drift';
import { ArtifactError, describePin, pinServerCommand, prepareServerLaunch } from '@mcptrust/artifact';
import type { ArtifactPin } from '@mcptrust/artifact';
import { cacheRootFrom, guardedClientFrom, npmConfigFrom, provenanceRequirementFrom } from './artifact-flags.js';
import type { CommandContext } from './command.js';
import { UsageError } from './exit-codes.js';
import { paint, printable, say } from './output.js';
import type { Io } from './output.js';

/** What `--pin` and its companion flags asked for. */
export interface PinRequest {
  /** The raw flag values (network, provenance). */
  argv: Record<string, unknown>;
  /** `--verify-provenance`. */
  verifyProvenance: boolean;
}

/** Reads `--pin` and its companions; `--verify-provenance` without `--pin` is a usage error. */
export async function pinRequestFrom(argv: Record<string, unknown>, io: Io): Promise<PinRequest | undefined> {
  const verifyProvenance = argv['verify-provenance'] === true;
  if (argv['pin'] !== true) {
    if (verifyProvenance) throw new UsageError('--verify-provenance needs --pin: provenance is verified for the pinned package');
    if (argv['unsafe-allow-private-tarball-hosts'] === true) throw new UsageError('--unsafe-allow-private-tarball-hosts applies to --pin downloads: add --pin');
    // Flags that only mean something with provenance are refused here too.
    await provenanceRequirementFrom(argv, false, io);
    return undefined;
  }
  return { argv, verifyProvenance };
}

/** The pinned server, ready to scan. */
export interface PinnedServer {
  pin: ArtifactPin;
  /** The pinned server's own start command (the verified install's bin, or docker by digest). */
  server: ServerCommand;
  /** Its environment. */
  env: NodeJS.ProcessEnv;
}

/**
 * Pins the command's artifact and prepares the pinned server. Environment
 * assignments of a quoted command (`FOO=1 npx …`) still reach the server; they are
 * never written to the lockfile.
 */
export async function pinAndPrepare(server: ServerCommand, request: PinRequest, ctx: CommandContext): Promise<PinnedServer> {
  const { io } = ctx;
  const provenance = await provenanceRequirementFrom(request.argv, request.verifyProvenance, io);
  const client = guardedClientFrom(request.argv, io, ctx.signal);
  const npmConfig = npmConfigFrom(io);
  const notice = (message: string): void => say(io, `${paint(io, 'yellow', 'mcptrust: notice:')} ${printable(message)}`);
  const started = Date.now();
  const pin = await pinServerCommand([server.command, ...server.args], {
    client,
    npmConfig,
    env: io.env,
    cwd: server.cwd ?? process.cwd(),
    cacheRoot: cacheRootFrom(io),
    ...(provenance === undefined ? {} : { provenance }),
    onWarning: notice,
  });
  say(io, `mcptrust: pinned ${printable(describePin(pin))} (${pin.type === 'npm' ? `${pin.tree?.length ?? 0} dependencies` : pin.platform ?? 'image'}) in ${Date.now() - started} ms`);
  if (pin.provenance !== undefined) say(io, `mcptrust: provenance verified: ${printable(pin.provenance.source_repo ?? '?')} ${printable(pin.provenance.source_ref ?? '')} (${printable(pin.provenance.issuer ?? '')})`);
  const launch = await prepareServerLaunch(pin, {
    client,
    cacheRoot: cacheRootFrom(io),
    headersFor: (url) => npmConfig.authHeadersFor(url),
    env: io.env,
    signal: ctx.signal,
    onProgress: (message) => say(io, `mcptrust: ${printable(message)}`),
  });
  say(io, `mcptrust: scanning the pinned server: ${printable(launch.description)}`);
  return {
    pin,
    server: { command: launch.command, args: launch.args, ...(server.env === undefined ? {} : { env: server.env }), ...(server.cwd === undefined ? {} : { cwd: server.cwd }) },
    env: launch.env,
  };
}

/**
 * The new lockfile with its pin. Pinning the same bytes again keeps the previous pin
 * object as it is (its verification time included), so that an unchanged server
 * re-locks to an unchanged file.
 */
export function withPin(lockfile: Lockfile, pin: ArtifactPin, previous: Lockfile | undefined): Lockfile {
  // Plain JSON (no undefined members), as the lockfile stores it.
  const json = JSON.parse(JSON.stringify(pin)) as JsonObject;
  const kept = previous?.server.artifact;
  const artifact = kept !== undefined && artifactPinIdentity(kept) === artifactPinIdentity(json) ? kept : json;
  return { ...lockfile, server: { ...lockfile.server, artifact } };
}

/**
 * What the server command would run now, as a pin without its tree or provenance
 * (`diff`/`check` of a pinned lockfile compare it with the pin). A command that is
 * not pinnable resolves to undefined (reported as critical: the pin no longer
 * applies); a registry that cannot be reached is an error, never a pass.
 */
export async function currentArtifactOf(server: ServerCommand, argv: Record<string, unknown>, ctx: CommandContext): Promise<JsonObject | undefined> {
  const { io } = ctx;
  let pin: ArtifactPin;
  try {
    pin = await pinServerCommand([server.command, ...server.args], {
      client: guardedClientFrom(argv, io, ctx.signal),
      npmConfig: npmConfigFrom(io),
      env: io.env,
      tree: false,
      checkRegistrySignature: false,
    });
  } catch (error) {
    if (error instanceof ArtifactError && error.code === 'UNPINNABLE_COMMAND') return undefined;
    throw error;
  }
  return JSON.parse(JSON.stringify(pin)) as JsonObject;
}
