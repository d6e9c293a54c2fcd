import { verifyLockfileSignature } from '@mcptrust/signing';
import { signatureOptions, sigstorePolicyFromFlags } from '../gate-flags.js';
import type { CommandModule } from '../command.js';
import { UsageError } from '../exit-codes.js';
import { paint, printable, say } from '../output.js';
import { DEFAULT_LOCKFILE } from './lock.js';
import { lockfileArg } from './sign.js';


/** `mcptrust verify [--key public.key] [--lockfile mcp-lock.json] [--signature F]`, or keyless with `--issuer/--identity`. */
export const verifyCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'verify [file]',
    'Verify a lockfile signature (exit 0 valid, 1 invalid, 2 error)',
    (y) =>
      signatureOptions(y)
        .usage('Usage: $0 verify [--key public.key] [--lockfile mcp-lock.json] [--signature mcp-lock.json.sig]\n       $0 verify --issuer ISSUER (--identity SAN | --identity-regexp RE) [--trusted-root FILE]')
        .positional('file', { type: 'string', describe: 'Lockfile to verify (same as --lockfile)' })
        .option('lockfile', { alias: ['l', 'lock'], type: 'string', describe: `Lockfile to verify (default ${DEFAULT_LOCKFILE})` })
        // verify reads a key by default, and keeps its short aliases.
        .option('key', { alias: 'k', type: 'string', describe: 'Ed25519 public key file (default public.key)' })
        .option('signature', { alias: 's', type: 'string', describe: 'Signature file (default <lockfile>.sig, or <lockfile>.sigstore.json when keyless)' })
        .example('$0 verify --key public.key mcp-lock.json', 'check mcp-lock.json.sig')
        .example(
          '$0 verify --github-actions --identity-regexp "^https://github.com/acme/app/.github/workflows/approve.yml@refs/heads/main$"',
          'check a keyless signature made in CI',
        ),
    async (argv) => {
      const { io } = ctx;
      const lockfilePath = lockfileArg(argv.file, argv.lockfile);
      const sigstore = sigstorePolicyFromFlags(argv as Record<string, unknown>);
      if (sigstore !== undefined && argv.key !== undefined) throw new UsageError('--key is for Ed25519 signatures; keyless verification uses --issuer/--identity');
      const signaturePath = argv.signature === undefined ? undefined : String(argv.signature);
      if (signaturePath?.trim() === '') throw new UsageError('--signature: expected a file path');
      const key = String(argv.key ?? 'public.key');
      if (key.trim() === '') throw new UsageError('--key: expected a public key file');
      const result = await verifyLockfileSignature({
        lockfilePath,
        ...(signaturePath === undefined ? {} : { signaturePath }),
        ...(sigstore === undefined ? { publicKeyPath: key } : { sigstore }),
      });
      if (result.method === 'sigstore') {
        say(io, `trusted root: ${result.trustedRoot.description}`);
        say(io, `${paint(io, 'green', '✓')} ${lockfilePath}: signature valid (Sigstore; identity ${printable(result.identity)}, issuer ${printable(result.issuer)})`);
      } else {
        const form = result.legacy ? 'legacy header-less v1' : result.canonVersion;
        say(io, `${paint(io, 'green', '✓')} ${lockfilePath}: signature valid (Ed25519, ${key}, canonical form ${form})`);
      }
    },
  );
