import { open } from 'node:fs/promises';
import { BUNDLE_LIMITS, exportApprovalBundle, verifyApprovalBundle, writeApprovalBundle } from '@mcptrust/signing';
import type { CommandModule } from '../command.js';
import { UsageError } from '../exit-codes.js';
import { paint, say } from '../output.js';
import { DEFAULT_LOCKFILE } from './lock.js';

function optionalPath(flag: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (text.trim() === '') throw new UsageError(`--${flag}: expected a file path`);
  return text;
}

/** `mcptrust bundle export|verify`. */
/**
 * The first `limit` bytes of a file: a bundle is attacker-supplied, and a huge file (or
 * a device that never ends) must be refused without reading it whole.
 */
async function readAtMost(path: string, limit: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let length = 0;
    while (length < limit) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, limit - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
    }
    return Buffer.concat(chunks, length);
  } finally {
    await handle.close();
  }
}

export const bundleCommand: CommandModule = (cli, ctx) =>
  cli.command('bundle', 'Export or verify a reproducible approval bundle (approval.zip)', (y) =>
    y
      .command(
        'export',
        'Write approval.zip: the signed lockfile, its signature, manifest and README',
        (b) =>
          b
            .usage('Usage: $0 bundle export [--lockfile mcp-lock.json] [--signature mcp-lock.json.sig] [--output approval.zip] [--key public.key] [--policy policy.yaml]')
            .option('lockfile', { alias: ['l', 'lock'], type: 'string', default: DEFAULT_LOCKFILE, describe: 'Signed lockfile' })
            .option('signature', { alias: 's', type: 'string', describe: 'Its signature (default <lockfile>.sig; required)' })
            .option('output', { alias: 'o', type: 'string', default: 'approval.zip', describe: 'Bundle to write' })
            .option('key', { alias: 'k', type: 'string', describe: 'Public key to include (checked against the signature first)' })
            .option('policy', { type: 'string', describe: 'Policy file to include as policy.yaml' })
            .example('$0 bundle export --key public.key --policy policy.yaml', 'write approval.zip'),
        async (argv) => {
          const lockfilePath = optionalPath('lockfile', argv.lockfile) as string;
          const output = optionalPath('output', argv.output) as string;
          const signaturePath = optionalPath('signature', argv.signature);
          const publicKeyPath = optionalPath('key', argv.key);
          const policyPath = optionalPath('policy', argv.policy);
          const zip = await exportApprovalBundle({
            lockfilePath,
            ...(signaturePath === undefined ? {} : { signaturePath }),
            ...(publicKeyPath === undefined ? {} : { publicKeyPath }),
            ...(policyPath === undefined ? {} : { policyPath }),
          });
          await writeApprovalBundle(output, zip);
          say(ctx.io, `${paint(ctx.io, 'green', '✓')} wrote ${output} (${zip.length} bytes)`);
        },
      )
      .command(
        'verify <bundle>',
        'Check an approval bundle: manifest hashes and the lockfile signature (exit 0/1/2)',
        (b) =>
          b
            .usage('Usage: $0 bundle verify approval.zip [--key public.key]')
            .positional('bundle', { type: 'string', describe: 'approval.zip' })
            .option('key', { alias: 'k', type: 'string', describe: 'Trusted public key (without it, only the key inside the bundle: integrity, not authenticity)' })
            .example('$0 bundle verify approval.zip --key public.key', 'verify against the key you trust'),
        async (argv) => {
          const { io } = ctx;
          const path = optionalPath('bundle', argv.bundle) as string;
          const publicKeyPath = optionalPath('key', argv.key);
          let bytes: Buffer;
          try {
            bytes = await readAtMost(path, BUNDLE_LIMITS.maxBundleBytes + 1);
          } catch (error) {
            throw new UsageError(`cannot read bundle ${path}: ${(error as Error).message}`);
          }
          if (bytes.length > BUNDLE_LIMITS.maxBundleBytes) throw new UsageError(`bundle ${path} is too large (more than ${BUNDLE_LIMITS.maxBundleBytes} bytes)`);
          const result = await verifyApprovalBundle(bytes, { source: path, ...(publicKeyPath === undefined ? {} : { publicKeyPath }) });
          if (result.keySource === 'bundle') {
            say(io, `${paint(io, 'yellow', 'warning:')} verified with the public key inside the bundle: this proves integrity, not who approved it (pass --key)`);
          }
          say(io, `${paint(io, 'green', '✓')} ${path}: ${result.manifest.files.length} files match the manifest; signature valid (canonical form ${result.signature.canonVersion})`);
        },
      )
      .demandCommand(1, 'Specify bundle export or bundle verify'),
  () => undefined);
