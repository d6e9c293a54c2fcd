import { parseCanonVersion, resolveIdentityToken, signLockfile, signLockfileSigstore } from '@mcptrust/signing';
import type { CanonVersion } from '@mcptrust/signing';
import type { CommandModule } from '../command.js';
import { UsageError } from '../exit-codes.js';
import { paint, say } from '../output.js';
import { DEFAULT_LOCKFILE } from './lock.js';

function urlFlag(flag: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--${flag}: expected an http(s) URL, got "${text}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--${flag}: expected an http(s) URL, got "${text}"`);
  return text.replace(/\/+$/, '');
}

/** The lockfile of sign/verify: the positional argument or --lockfile (not both, unless equal). */
export function lockfileArg(positional: unknown, flag: unknown): string {
  const pos = positional === undefined ? undefined : String(positional);
  const named = flag === undefined ? undefined : String(flag);
  if (pos !== undefined && named !== undefined && pos !== named) throw new UsageError(`give the lockfile once: positional "${pos}" and --lockfile "${named}" differ`);
  const path = pos ?? named ?? DEFAULT_LOCKFILE;
  if (path.trim() === '') throw new UsageError('--lockfile: expected a file path');
  return path;
}

/** `mcptrust sign [--key private.key] [--lockfile mcp-lock.json] [--output F] [--canonicalization v1|v2]`, or `--sigstore`. */
export const signCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'sign [file]',
    'Sign a lockfile with an Ed25519 key, or keyless with Sigstore (--sigstore)',
    (y) =>
      y
        .usage('Usage: $0 sign [--key private.key] [--lockfile mcp-lock.json] [--output mcp-lock.json.sig] [--canonicalization v2]\n       $0 sign --sigstore [--bundle-out mcp-lock.json.sigstore.json] [--identity-token TOKEN]')
        .positional('file', { type: 'string', describe: 'Lockfile to sign (same as --lockfile)' })
        .option('lockfile', { alias: ['l', 'lock'], type: 'string', describe: `Lockfile to sign (default ${DEFAULT_LOCKFILE})` })
        .option('key', { alias: 'k', type: 'string', describe: 'Ed25519 private key file (default private.key)' })
        .option('output', { alias: 'o', type: 'string', describe: 'Signature file to write (default <lockfile>.sig)' })
        .option('canonicalization', { type: 'string', default: 'v2', describe: 'Canonical form to sign: v2 (RFC 8785) or v1 (Go mcptrust)' })
        .option('sigstore', { type: 'boolean', default: false, describe: 'Sign keyless with Sigstore (OIDC identity, Fulcio, Rekor)' })
        .option('bundle-out', { type: 'string', describe: 'Sigstore bundle to write (default <lockfile>.sigstore.json)' })
        .option('identity-token', { type: 'string', describe: 'OIDC identity token (else SIGSTORE_ID_TOKEN, else GitHub Actions OIDC)' })
        .option('fulcio-url', { type: 'string', describe: 'Fulcio URL of a private Sigstore instance' })
        .option('rekor-url', { type: 'string', describe: 'Rekor URL of a private Sigstore instance' })
        .option('tsa-url', { type: 'string', describe: 'RFC 3161 timestamp authority URL (optional)' })
        .example('$0 sign --key private.key mcp-lock.json', 'write mcp-lock.json.sig')
        .example('$0 sign --sigstore', 'keyless, in GitHub Actions with "permissions: id-token: write"'),
    async (argv) => {
      const { io } = ctx;
      const lockfilePath = lockfileArg(argv.file, argv.lockfile);
      if (argv.sigstore === true) {
        for (const flag of ['key', 'output'] as const) {
          if (argv[flag] !== undefined) throw new UsageError(`--${flag} is for Ed25519 signing; with --sigstore use --bundle-out`);
        }
        const fulcioUrl = urlFlag('fulcio-url', argv['fulcio-url']);
        const rekorUrl = urlFlag('rekor-url', argv['rekor-url']);
        const tsaUrl = urlFlag('tsa-url', argv['tsa-url']);
        const bundleOut = argv['bundle-out'] === undefined ? undefined : String(argv['bundle-out']);
        if (bundleOut?.trim() === '') throw new UsageError('--bundle-out: expected a file path');
        const token = await resolveIdentityToken({
          ...(argv['identity-token'] === undefined ? {} : { token: String(argv['identity-token']) }),
          env: io.env,
          signal: ctx.signal,
        });
        const result = await signLockfileSigstore({
          lockfilePath,
          identityToken: token.token,
          ...(bundleOut === undefined ? {} : { bundlePath: bundleOut }),
          ...(fulcioUrl === undefined ? {} : { fulcioUrl }),
          ...(rekorUrl === undefined ? {} : { rekorUrl }),
          ...(tsaUrl === undefined ? {} : { tsaUrl }),
        });
        say(io, `${paint(io, 'green', '✓')} signed ${lockfilePath} keyless (token from ${token.source}); bundle written to ${result.bundlePath}`);
        return;
      }
      for (const flag of ['bundle-out', 'identity-token', 'fulcio-url', 'rekor-url', 'tsa-url'] as const) {
        if (argv[flag] !== undefined) throw new UsageError(`--${flag} needs --sigstore`);
      }
      let canonVersion: CanonVersion;
      try {
        canonVersion = parseCanonVersion(argv.canonicalization, '--canonicalization');
      } catch {
        throw new UsageError(`--canonicalization: expected v1 or v2, got "${String(argv.canonicalization)}"`);
      }
      const key = String(argv.key ?? 'private.key');
      if (key.trim() === '') throw new UsageError('--key: expected a private key file');
      const output = argv.output === undefined ? undefined : String(argv.output);
      if (output?.trim() === '') throw new UsageError('--output: expected a file path');
      const result = await signLockfile({ lockfilePath, privateKeyPath: key, canonVersion, ...(output === undefined ? {} : { signaturePath: output }) });
      say(io, `${paint(io, 'green', '✓')} signed ${lockfilePath} (canonical form ${result.canonVersion}); signature written to ${result.signaturePath}`);
    },
  );
