/**
 * `mcptrust artifact verify|provenance`: CI checks of a lockfile's pin against the
 * registry, without starting anything. `verify`: the registry still serves exactly the
 * pinned bytes (every tarball of the tree, or the image digest; a moved tag is
 * reported). `provenance`: the pinned package's provenance verifies now.
 */
import { readLockfile } from '@mcptrust/lockfile';
import { describePin, parseArtifactPin, verifyNpmPin, verifyOciPin, verifyPinnedProvenance } from '@mcptrust/artifact';
import type { ArtifactPin } from '@mcptrust/artifact';
import { artifactReceipt } from '../observe/receipt-facts.js';
import { artifactNetworkOptions, guardedClientFrom, npmConfigFrom, provenanceRequirementFrom } from '../artifact-flags.js';
import type { CommandContext, CommandModule } from '../command.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { paint, printable, say } from '../output.js';
import { DEFAULT_LOCKFILE } from './lock.js';

async function pinFrom(argv: Record<string, unknown>): Promise<{ path: string; pin: ArtifactPin }> {
  const path = String(argv['lock'] ?? DEFAULT_LOCKFILE);
  if (path.trim() === '') throw new UsageError('--lock: expected the path of the lockfile');
  const parsed = await readLockfile(path);
  const pin = parsed.lockfile.server.artifact;
  if (pin === undefined) throw new UsageError(`${path} pins no artifact (server.artifact): lock the server with mcptrust lock --pin first`);
  return { path, pin: parseArtifactPin(pin, path) };
}

/** One problem found by a verification. */
interface Problem {
  field: string;
  message: string;
}

function report(ctx: CommandContext, argv: Record<string, unknown>, subject: string, ok: boolean, checked: string, problems: readonly Problem[]): void {
  const { io } = ctx;
  if (argv['json'] === true) {
    io.stdout.write(`${JSON.stringify({ artifact: subject, ok, checked, problems }, null, 2)}\n`);
  }
  if (ok) {
    say(io, `${paint(io, 'green', '✓')} ${printable(subject)}: ${checked}`);
    return;
  }
  say(io, `${paint(io, 'red', '✗')} ${printable(subject)}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  for (const p of problems) say(io, `  ${paint(io, 'red', '✗')} ${printable(p.field)}: ${printable(p.message)}`);
  ctx.setExitCode(EXIT.FINDING);
}

/** `mcptrust artifact verify|provenance`. */
export const artifactCommand: CommandModule = (cli, ctx) =>
  cli.command('artifact', 'Check a pinned artifact in CI: the registry still serves exactly the pinned bytes (artifact verify)', (y) =>
    y
      .command(
        'verify',
        'Check that the registry still serves exactly the pinned bytes: every tarball of the tree, or the image digest (exit 0/1/2)',
        (b) =>
          artifactNetworkOptions(b, { trustedRoot: false, provenance: false })
            .usage('Usage: $0 artifact verify [--lock mcp-lock.json] [--no-tree] [--json]')
            .option('lock', { alias: ['l', 'lockfile'], type: 'string', default: DEFAULT_LOCKFILE, describe: 'Lockfile whose server.artifact is checked' })
            .option('tree', { type: 'boolean', default: true, describe: 'Also download and check every tarball of the pinned dependency tree (--no-tree: the package only)' })
            .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON on stdout' })
            .example('$0 artifact verify --lock mcp-lock.json', 'CI: the registry still serves the pinned bytes'),
        async (raw) => {
          const argv = raw as unknown as Record<string, unknown>;
          const { pin } = await pinFrom(argv);
          ctx.run.note({ artifact: artifactReceipt(pin) });
          const client = guardedClientFrom(argv, ctx.io, ctx.signal);
          if (pin.type === 'npm') {
            const npmConfig = npmConfigFrom(ctx.io);
            const result = await verifyNpmPin(pin, { client, headersFor: (url) => npmConfig.authHeadersFor(url), tree: argv['tree'] !== false });
            report(ctx, argv, describePin(pin), result.ok, `the registry serves the pinned bytes (${result.checked} tarball${result.checked === 1 ? '' : 's'} checked)`, result.problems);
            return;
          }
          const result = await verifyOciPin(pin, { client });
          report(ctx, argv, describePin(pin), result.ok, `the registry serves the pinned digest${pin.tag === undefined ? '' : ` and tag ${pin.tag} still points to it`}`, result.problems);
        },
      )
      .command(
        'provenance',
        "Verify the pinned package's provenance against the registry now (exit 0 verified, 1 missing or invalid, 2 error)",
        (b) =>
          artifactNetworkOptions(b, { trustedRoot: true })
            .usage('Usage: $0 artifact provenance [--lock mcp-lock.json] [--expected-source URL|^RE$] [--expected-issuer URL] [--trusted-root FILE]')
            .option('lock', { alias: ['l', 'lockfile'], type: 'string', default: DEFAULT_LOCKFILE, describe: 'Lockfile whose server.artifact is checked' })
            .option('json', { type: 'boolean', default: false, describe: 'Print the verified claims as JSON on stdout' })
            .example('$0 artifact provenance --expected-source https://github.com/modelcontextprotocol/servers', 'the package was built from this repository'),
        async (raw) => {
          const argv = raw as unknown as Record<string, unknown>;
          const { pin } = await pinFrom(argv);
          ctx.run.note({ artifact: artifactReceipt(pin) });
          if (pin.type !== 'npm') throw new UsageError('provenance of container images is not verified yet: artifact provenance checks npm pins');
          const requirement = await provenanceRequirementFrom(argv, true, ctx.io);
          const npmConfig = npmConfigFrom(ctx.io);
          const claims = await verifyPinnedProvenance(pin, guardedClientFrom(argv, ctx.io, ctx.signal), npmConfig, requirement!);
          if (argv['json'] === true) ctx.io.stdout.write(`${JSON.stringify(claims, null, 2)}\n`);
          say(ctx.io, `${paint(ctx.io, 'green', '✓')} ${printable(describePin(pin))}: provenance verified — ${printable(claims.source_repo ?? '?')} ${printable(claims.source_ref ?? '')}, built by ${printable(claims.builder_id ?? '?')}, signed by ${printable(claims.identity ?? '?')} (${printable(claims.issuer ?? '?')}), Rekor log index ${printable(claims.rekor_log_index ?? '?')}`);
        },
      )
      .demandCommand(1, 'Specify artifact verify or artifact provenance'),
  () => undefined);
