/**
 * `mcptrust audit verify <files..>`: checks a tamper-evident audit log (written with
 * `--audit-log`): every record, hash link, rotation and resumption link, and with
 * `--key` every checkpoint signature; with `--head` that no record was cut from the end.
 */
import { readAuditHead, verifyAuditLog } from '@mcptrust/audit';
import type { AuditHead, AuditVerification } from '@mcptrust/audit';
import { readPublicKey } from '@mcptrust/signing';
import type { CommandContext, CommandModule } from '../command.js';
import { FindingError, UsageError } from '../exit-codes.js';
import { paint, printable, say } from '../output.js';

const DESCRIBE = 'Check a tamper-evident audit log written with --audit-log (audit verify: exit 0 intact, 1 tampered, 2 error)';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function keyFrom(path: unknown): Promise<Uint8Array | undefined> {
  if (path === undefined) return undefined;
  const file = String(path);
  if (file.trim() === '') throw new UsageError('--key: expected an Ed25519 public key file (as written by mcptrust keygen)');
  try {
    return await readPublicKey(file);
  } catch (error) {
    throw new UsageError(`--key ${file}: ${message(error)}`);
  }
}

function headFrom(path: unknown): AuditHead | undefined {
  if (path === undefined) return undefined;
  const file = String(path);
  if (file.trim() === '') throw new UsageError('--head: expected a head file (<log>.head.json)');
  try {
    return readAuditHead(file);
  } catch (error) {
    throw new UsageError(`--head ${file}: ${message(error)}`);
  }
}

function verify(files: readonly string[], publicKey: Uint8Array | undefined, head: AuditHead | undefined): AuditVerification {
  try {
    return verifyAuditLog(files, { ...(publicKey === undefined ? {} : { publicKey }), ...(head === undefined ? {} : { head }) });
  } catch (error) {
    // Unreadable files, a key that is no Ed25519 key: operational, not a finding.
    throw new UsageError(message(error));
  }
}

function report(ctx: CommandContext, result: AuditVerification, signed: boolean): void {
  const { io } = ctx;
  for (const warning of result.warnings) say(io, `${paint(io, 'yellow', '!')} ${printable(warning)}`);
  const problem = result.problem;
  if (!result.ok && problem !== undefined) {
    const seq = problem.seq === undefined ? '' : ` (seq ${problem.seq})`;
    throw new FindingError(`audit log tampered: ${printable(problem.file)} line ${problem.line}${seq}: ${printable(problem.reason)}`);
  }
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const checkpoints = `${plural(result.signedCheckpoints, 'signed checkpoint')}${signed ? ' verified' : result.signedCheckpoints > 0 ? ' (not checked: no --key)' : ''}`;
  say(io, `${paint(io, 'green', '✓')} audit log intact: ${plural(result.records, 'record')}, ${plural(result.chains, 'chain')}, ${checkpoints}`);
  const head = result.head;
  if (head !== undefined) say(io, `  head: ${printable(head.file)} chain ${head.chain} seq ${head.seq} ${head.head}`);
}

/** `mcptrust audit verify <files..> [--key public.key] [--head HEAD.json] [--json]`. */
export const auditCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'audit',
    DESCRIBE,
    (y) =>
      y
        .command(
          'verify <files..>',
          'Verify an audit log: records, hash links, rotation, checkpoint signatures (--key) and the head (--head); exit 0 intact, 1 tampered, 2 error',
          (b) =>
            b
              .usage('Usage: $0 audit verify <audit.jsonl> [audit.jsonl.1 …] [--key public.key] [--head audit.jsonl.head.json] [--json]')
              .positional('files', { type: 'string', array: true, describe: 'The log and its rotated files (<log>.1, <log>.2, …), in order' })
              .option('key', { alias: 'k', type: 'string', describe: 'Ed25519 public key (mcptrust keygen format): every checkpoint signature must verify' })
              .option('head', { type: 'string', describe: 'Detached head (<log>.head.json, kept off the machine): detects records cut from the end' })
              .option('json', { type: 'boolean', default: false, describe: 'Print the verification result as JSON on stdout' })
              .example('$0 audit verify audit.jsonl --key public.key --head audit.jsonl.head.json', 'check a signed log against its head')
              .example('$0 audit verify audit.jsonl audit.jsonl.1 audit.jsonl.2', 'a rotated log, files in order'),
          async (raw) => {
            const argv = raw as unknown as Record<string, unknown>;
            const files = (Array.isArray(argv['files']) ? argv['files'] : [argv['files']]).filter((f) => f !== undefined).map(String);
            if (files.length === 0 || files.some((f) => f.trim() === '')) throw new UsageError('audit verify: expected the audit log files');
            const publicKey = await keyFrom(argv['key']);
            const head = headFrom(argv['head']);
            const result = verify(files, publicKey, head);
            if (argv['json'] === true) ctx.io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
            report(ctx, result, publicKey !== undefined);
          },
        )
        .demandCommand(1, 'Specify a subcommand: audit verify'),
    () => undefined,
  );
