import { writeKeyPair } from '@mcptrust/signing';
import type { CommandModule } from '../command.js';
import { UsageError } from '../exit-codes.js';
import { paint, say } from '../output.js';

function pathFlag(flag: string, value: unknown): string {
  const text = String(value ?? '');
  if (text.trim() === '') throw new UsageError(`--${flag}: expected a file path`);
  return text;
}

/** `mcptrust keygen [--private private.key] [--public public.key] [--force]`. */
export const keygenCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'keygen',
    'Create an Ed25519 key pair for signing lockfiles (private key mode 0600)',
    (y) =>
      y
        .usage('Usage: $0 keygen [--private private.key] [--public public.key] [--force]')
        .option('private', { type: 'string', default: 'private.key', describe: 'Private key file to write (mode 0600)' })
        .option('public', { type: 'string', default: 'public.key', describe: 'Public key file to write' })
        .option('force', { type: 'boolean', default: false, describe: 'Replace existing key files' })
        .example('$0 keygen', 'write private.key and public.key in the current directory')
        .example('$0 keygen --private ~/.mcptrust/signing.key --public keys/mcptrust.pub', 'choose the paths'),
    async (argv) => {
      const privateKeyPath = pathFlag('private', argv.private);
      const publicKeyPath = pathFlag('public', argv.public);
      if (privateKeyPath === publicKeyPath) throw new UsageError('--private and --public must be different files');
      await writeKeyPair({ privateKeyPath, publicKeyPath, force: argv.force === true });
      const { io } = ctx;
      say(io, `${paint(io, 'green', '✓')} wrote ${privateKeyPath} (private, mode 0600: keep it secret) and ${publicKeyPath} (public: commit it)`);
    },
  );
