/**
 * `mcptrust run --lock mcp-lock.json`: start the pinned server from verified bytes,
 * behind the proxy (the same lockfile enforced at run time) unless `--no-proxy`.
 * Nothing but MCP reaches stdout; any mismatch with the pin fails before the server
 * starts.
 */
import { spawn } from 'node:child_process';
import { readLockfile } from '@mcptrust/lockfile';
import { parseArtifactPin, prepareServerLaunch } from '@mcptrust/artifact';
import type { ArtifactPin, ServerLaunch } from '@mcptrust/artifact';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '@mcptrust/proxy-core';
import type { Argv } from 'yargs';
import { artifactNetworkOptions, cacheRootFrom, guardedClientFrom, npmConfigFrom, provenanceRequirementFrom } from '../artifact-flags.js';
import type { CommandContext, CommandModule } from '../command.js';
import { refuseCredentialFlagsWithoutUrl } from '../credential-flags.js';
import { UsageError } from '../exit-codes.js';
import { paint, printable, say } from '../output.js';
import { proxyFlagOptions, runProxy, verifySignatureFlags } from './proxy.js';

/** Reads the lockfile's pin; a lockfile without one is a usage error naming what to run. */
async function pinOf(lockPath: string): Promise<ArtifactPin> {
  const parsed = await readLockfile(lockPath);
  const pin = parsed.lockfile.server.artifact;
  if (pin === undefined) throw new UsageError(`${lockPath} pins no artifact (server.artifact): lock the server with mcptrust lock --pin -- <server command> first`);
  return parseArtifactPin(pin, lockPath);
}

/** Verifies, installs (or re-verifies the cached install) and returns what to start. */
async function prepare(argv: Record<string, unknown>, lockPath: string, ctx: CommandContext): Promise<ServerLaunch> {
  const { io } = ctx;
  const asked = argv['require-provenance'] === true || argv['expected-source'] !== undefined || argv['expected-issuer'] !== undefined;
  const provenance = await provenanceRequirementFrom(argv, asked, io);
  const pin = await pinOf(lockPath);
  if (provenance === undefined) {
    const recorded = pin.provenance;
    say(io, `mcptrust: provenance not re-checked${recorded?.verified === true ? ` (the lockfile records it verified${recorded.verified_at === undefined ? '' : ` at ${printable(recorded.verified_at)}`})` : ''}; add --require-provenance to verify it now`);
  }
  const npmConfig = npmConfigFrom(io);
  const rest = Array.isArray(argv['--']) ? (argv['--'] as unknown[]).map(String) : [];
  const bin = argv['bin'];
  if (bin !== undefined && (typeof bin !== 'string' || bin.trim() === '')) throw new UsageError('--bin: expected the name of one of the package bins');
  const launch = await prepareServerLaunch(pin, {
    client: guardedClientFrom(argv, io, ctx.signal),
    cacheRoot: cacheRootFrom(io),
    headersFor: (url) => npmConfig.authHeadersFor(url),
    env: io.env,
    keepEnv: argv['keep-env'] === true,
    ...(typeof bin === 'string' ? { bin } : {}),
    ...(rest.length === 0 ? {} : { override: rest }),
    ...(provenance === undefined ? {} : { provenance }),
    signal: ctx.signal,
    onProgress: (message) => say(io, `mcptrust: ${printable(message)}`),
  });
  say(io, `${paint(io, 'green', 'mcptrust: verified')} ${printable(launch.description)}`);
  return launch;
}

/**
 * `--no-proxy`: the verified server gets the host's stdio directly; its exit code is ours.
 * On a signal the server gets SIGTERM, and SIGKILL after the grace period if it ignores
 * it (the proxy's shutdown does the same), so the command never outlives a stop request;
 * the exit code is then the signal's (130, 143).
 */
async function execDirect(launch: ServerLaunch, ctx: CommandContext): Promise<void> {
  const child = spawn(launch.command, launch.args, { stdio: 'inherit', env: launch.env, shell: false });
  let escalation: ReturnType<typeof setTimeout> | undefined;
  const stop = (): void => {
    child.kill('SIGTERM');
    escalation = setTimeout(() => child.kill('SIGKILL'), DEFAULT_SHUTDOWN_GRACE_MS);
  };
  ctx.signal.addEventListener('abort', stop, { once: true });
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (status, sig) => resolve(status ?? (sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : 1)));
    });
    // Stopped on our request: the signal that asked decides the exit code.
    if (!ctx.signal.aborted) ctx.setExitCode(code);
  } finally {
    if (escalation !== undefined) clearTimeout(escalation);
    ctx.signal.removeEventListener('abort', stop);
  }
}

function runOptions(y: Argv): Argv {
  return artifactNetworkOptions(proxyFlagOptions(y), { trustedRoot: false })
    .usage('Usage: $0 run --lock mcp-lock.json [--no-proxy] [--require-provenance] [--expected-source URL|^RE$] [proxy flags] [-- <server command, to override the pinned arguments>]\n\nStarts the server pinned by the lockfile from verified bytes; stdin/stdout carry the MCP session, everything else goes to stderr.')
    .option('proxy', { type: 'boolean', default: true, describe: 'Serve the host through the proxy with the same lockfile (--no-proxy: start the verified server directly)' })
    .option('require-provenance', { type: 'boolean', default: false, describe: 'Verify the package provenance again against the registry before starting (fails when absent)' })
    .option('bin', { type: 'string', describe: 'The package bin to start, for a package with several' })
    .option('keep-env', { type: 'boolean', default: false, describe: 'Keep NODE_OPTIONS and npm_config_* in the server environment (removed by default)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'Verify and install, print what would start (on stderr), start nothing' })
    .example('$0 run --lock mcp-lock.json', 'the host server command: verified artifact, enforced by the proxy')
    .example('$0 run --lock mcp-lock.json --require-provenance --expected-source https://github.com/modelcontextprotocol/servers', 're-verify provenance before each start')
    .example('$0 run --lock mcp-lock.json --no-proxy', 'verified artifact only, no runtime enforcement');
}

/** `mcptrust run`. */
export const runCommand: CommandModule = (cli, ctx) =>
  cli.command('run', 'Start the server pinned by mcp-lock.json from verified bytes, behind the proxy (--no-proxy: exec only)', runOptions, async (raw) => {
    const argv = raw as unknown as Record<string, unknown>;
    const { io } = ctx;
    // The pinned package runs on this machine: OAuth client credentials are for --url servers, which run refuses.
    if (argv['url'] === undefined) refuseCredentialFlagsWithoutUrl(argv);
    const lockPath = typeof argv['lock'] === 'string' ? argv['lock'] : '';
    if (lockPath.trim() === '') throw new UsageError('--lock: expected the path of the lockfile (e.g. --lock mcp-lock.json)');
    const dryRun = argv['dry-run'] === true;
    // --trusted-root serves provenance here too: it asks for a keyless signature check
    // only together with the keyless flags.
    const keyless = ['issuer', 'identity', 'identity-regexp', 'github-actions'].some((f) => argv[f] !== undefined && argv[f] !== false);
    const gateArgv: Record<string, unknown> = keyless ? argv : { ...argv, 'trusted-root': undefined };
    const show = (launch: ServerLaunch): void => say(io, `mcptrust: would start: ${printable([launch.command, ...launch.args].join(' '))}${argv['proxy'] === false ? '' : ' (behind the proxy)'}`);
    if (argv['proxy'] === false) {
      await verifySignatureFlags(gateArgv, lockPath, io);
      const launch = await prepare(argv, lockPath, ctx);
      if (dryRun) return show(launch);
      return execDirect(launch, ctx);
    }
    // The proxy reads and checks the lockfile (and its signature) before the artifact
    // is touched; the server it starts is the verified install.
    await runProxy(gateArgv, ctx, async () => {
      const launch = await prepare(argv, lockPath, ctx);
      if (dryRun) {
        show(launch);
        return undefined;
      }
      return { command: launch.command, args: launch.args, env: launch.env as Record<string, string> };
    });
  });
