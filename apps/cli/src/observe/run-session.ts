/**
 * One invocation's observability: its run id, the JSONL logger, the OpenTelemetry
 * runtime and command span, and the receipt written when it ends. Every command runs
 * inside one session (cli.ts `runCommand`), so `*.start`/`*.complete` records, the
 * receipt and the span flush happen on every exit path, failures and usage errors
 * included, and before the process exits.
 */
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { redactArgv, truncateError, writeReceipt } from '@mcptrust/audit';
import type { AuditEvent, LogLevel, Receipt, ReceiptMode } from '@mcptrust/audit';
import { UsageError } from '../exit-codes.js';
import type { Io } from '../output.js';
import { VERSION } from '../version.js';
import { otelConfigFrom } from './otel-config.js';
import type { OtelRuntime } from './otel-sdk.js';
import { lockfileFacts, receiptFlagsFromArgv } from './receipt-facts.js';
import type { ReceiptFacts } from './receipt-facts.js';
import { createStderrEvents } from './stderr-events.js';
import type { JsonlLogger } from './jsonl-logger.js';

/** How long the end of a run may wait for the collector. */
export const OTEL_SHUTDOWN_MS = 3000;

/** A command's span, ended with its outcome. */
interface CommandSpan {
  end(outcome: { exitCode: number; error?: string }): void;
}

/** The observability of one command run (see the module comment). */
export class RunSession {
  /** Identifies this run in its records, receipt, audit chain and spans. */
  readonly runId: string = randomUUID();
  private readonly startedAt = new Date();
  private readonly started = performance.now();
  private command = 'mcptrust';
  private receipt: { path: string; mode: ReceiptMode } | undefined;
  private logger: JsonlLogger | undefined;
  private otelRuntime: OtelRuntime | undefined;
  private span: CommandSpan | undefined;
  private readonly facts: ReceiptFacts = {};
  private configured = false;
  private lockPath: string | undefined;
  /** JSONL records go to stderr: human lines become `mcptrust.message` records. */
  private jsonlOnStderr = false;
  /** `--log-payloads` was given. */
  logPayloads = false;

  /**
   * @param io - the command's Io; in JSONL-on-stderr mode its `stderr` is replaced
   * @param argv - the command line as given (receipts record it, redacted)
   */
  constructor(
    private readonly io: Io,
    private readonly argv: readonly string[],
  ) {
    /** The process's own stderr, for what must pass through unchanged (a server's stderr). */
    this.rawStderr = io.stderr;
  }

  /** stderr as it was before JSONL took it over: a server's own stderr goes here. */
  readonly rawStderr: Writable;

  /** The command (`proxy`, `artifact verify`). */
  get commandName(): string {
    return this.command;
  }

  /** The OpenTelemetry runtime, when `--otel` is on. */
  get otel(): OtelRuntime | undefined {
    return this.otelRuntime;
  }

  /** Whether JSONL records are written at this level. */
  logs(level: LogLevel): boolean {
    return this.logger?.enabled(level) ?? false;
  }

  /** Whether decisions are logged as JSONL on stderr (the human audit lines are then left out). */
  get structuredStderr(): boolean {
    return this.jsonlOnStderr;
  }

  /** Writes one JSONL record (nothing in pretty mode). */
  log(level: LogLevel, event: string, fields?: Readonly<Record<string, unknown>>): void {
    this.logger?.log(level, event, fields);
  }

  /** Writes the JSONL record of a proxy decision (nothing in pretty mode). */
  logDecision(event: AuditEvent): void {
    this.logger?.logDecision(event);
  }

  /** Adds facts to the receipt (the last value of a field wins). */
  note(facts: ReceiptFacts): void {
    Object.assign(this.facts, facts);
  }

  /**
   * Reads the observability flags of the parsed command line and starts what they ask
   * for. Runs once, before the command's own validation, so that even a usage error
   * gets its receipt and records. Invalid values are usage errors naming the flag.
   */
  async configure(flags: Readonly<Record<string, unknown>>, command: string): Promise<void> {
    if (this.configured) return;
    this.configured = true;
    this.command = command;
    if (typeof flags['lock'] === 'string') this.lockPath = flags['lock'];
    // The receipt first: whatever fails next is recorded in it.
    const receipt = receiptFlagsFrom(flags);
    this.receipt = receipt.receipt;
    if (receipt.error !== undefined) throw receipt.error;
    this.logPayloads = flags['log-payloads'] === true;
    const format = flags['log-format'] ?? 'pretty';
    if (format !== 'pretty' && format !== 'jsonl') throw new UsageError(`--log-format: expected pretty or jsonl, got "${String(format)}"`);
    const level = flags['log-level'] ?? 'info';
    if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') {
      throw new UsageError(`--log-level: expected one of debug, info, warn, error, got "${String(level)}"`);
    }
    const output = flags['log-output'] ?? 'stderr';
    if (typeof output !== 'string' || output.trim() === '') throw new UsageError('--log-output: expected stderr or a file path');
    if (format === 'jsonl') {
      const { createJsonlLogger } = await import('./jsonl-logger.js');
      this.logger = createJsonlLogger({ level, output, stderr: this.io.stderr, envelope: { runId: this.runId, version: VERSION, command } });
      if (output === 'stderr') {
        this.jsonlOnStderr = true;
        this.io.color = false;
        this.io.stderr = createStderrEvents((lvl, msg) => this.log(lvl, 'message', { msg }));
      }
    } else if (output !== 'stderr') {
      // Pretty output is for a terminal: a file of it would look like a log and not be one.
      throw new UsageError('--log-output: a log file needs --log-format jsonl');
    }
    const otel = otelConfigFrom(flags, this.io.env);
    if (otel !== undefined) {
      const [{ startOtel }, { startCommandSpan }] = await Promise.all([import('./otel-sdk.js'), import('@mcptrust/audit/otel')]);
      this.otelRuntime = startOtel(otel, { version: VERSION, warn: (m) => this.warn(m) });
      this.span = startCommandSpan(this.otelRuntime.tracer, command, { 'mcptrust.run_id': this.runId });
    }
    const redacted = redactArgv(this.argv);
    this.log('info', `${eventName(command)}.start`, { args: redacted.args, args_redacted: redacted.redacted });
  }

  /** A warning about observability itself (a collector down): on stderr, never stdout. */
  warn(message: string): void {
    if (this.logger !== undefined) this.log('warn', 'observability.warning', { msg: message });
    else this.rawStderr.write(`mcptrust: warning: ${message}\n`);
  }

  /**
   * Ends the run: the `*.complete` record, the command span and the collector flush
   * (bounded by {@link OTEL_SHUTDOWN_MS}), the receipt, then the log flush. Returns the
   * exit code to use: the command's, or 2 when a receipt was asked for and could not be
   * written (missing evidence is not a success).
   */
  async finish(exitCode: number, error?: string): Promise<number> {
    if (!this.configured) {
      // The command line did not parse far enough for configure(): the receipt flags
      // are read from the raw command line so that this failure is recorded too.
      this.receipt = receiptFlagsFromArgv(this.argv);
    }
    const durationMs = Math.round((performance.now() - this.started) * 1000) / 1000;
    const status = exitCode === 0 ? 'success' : 'fail';
    this.log(exitCode === 0 ? 'info' : 'error', `${eventName(this.command)}.complete`, {
      result: status,
      exit_code: exitCode,
      duration_ms: durationMs,
      ...(error === undefined ? {} : { error: truncateError(error) }),
    });
    if (this.span !== undefined) this.span.end({ exitCode, ...(error === undefined ? {} : { error: truncateError(error) }) });
    if (this.otelRuntime !== undefined) await this.otelRuntime.shutdown(OTEL_SHUTDOWN_MS);
    let code = exitCode;
    if (this.receipt !== undefined) {
      try {
        writeReceipt(this.receipt.path, await this.buildReceipt(exitCode, durationMs, error), this.receipt.mode);
      } catch (failure) {
        this.rawStderr.write(`mcptrust: error: --receipt: ${(failure as Error).message}\n`);
        if (code === 0) code = 2;
      }
    }
    await this.logger?.close();
    return code;
  }

  private async buildReceipt(exitCode: number, durationMs: number, error: string | undefined): Promise<Receipt> {
    const redacted = redactArgv(this.argv);
    const fromFile = this.lockPath === undefined || (this.facts.lockfile !== undefined && this.facts.artifact !== undefined) ? {} : await lockfileFacts(this.lockPath);
    const lockfile = this.facts.lockfile ?? fromFile.lockfile;
    const artifact = this.facts.artifact ?? fromFile.artifact;
    return {
      schema_version: '2.0',
      op_id: this.runId,
      run_id: this.runId,
      mcptrust_version: VERSION,
      ts_start: this.startedAt.toISOString(),
      ts_end: new Date().toISOString(),
      duration_ms: durationMs,
      command: `mcptrust ${this.command}`.trim(),
      args: redacted.args,
      args_redacted: redacted.redacted,
      result: { status: exitCode === 0 ? 'success' : 'fail', exit_code: exitCode, ...(error === undefined ? {} : { error: truncateError(error) }) },
      ...(lockfile === undefined ? {} : { lockfile }),
      ...(artifact === undefined ? {} : { artifact }),
      ...(this.facts.drift === undefined ? {} : { drift: this.facts.drift }),
      ...(this.facts.policy === undefined ? {} : { policy: this.facts.policy }),
      ...(this.facts.proxy === undefined ? {} : { proxy: this.facts.proxy }),
      ...(this.facts.chain === undefined ? {} : { chain: this.facts.chain }),
    };
  }
}

/** `artifact verify` → `artifact_verify`, as in `mcptrust.artifact_verify.start`. */
export function eventName(command: string): string {
  return command.trim().replace(/\s+/g, '_') || 'mcptrust';
}

/** The receipt flags; an invalid mode still yields where to write (in append mode, which loses nothing). */
function receiptFlagsFrom(flags: Readonly<Record<string, unknown>>): { receipt?: { path: string; mode: ReceiptMode }; error?: UsageError } {
  const path = flags['receipt'];
  if (path === undefined) return {};
  if (typeof path !== 'string' || path.trim() === '') return { error: new UsageError('--receipt: expected a file path') };
  const mode = flags['receipt-mode'] ?? 'overwrite';
  if (mode !== 'overwrite' && mode !== 'append') {
    return { receipt: { path, mode: 'append' }, error: new UsageError(`--receipt-mode: expected overwrite or append, got "${String(mode)}"`) };
  }
  return { receipt: { path, mode } };
}
