/**
 * Where the proxy's decisions go: the operator's stderr lines (pretty mode), JSONL
 * `mcptrust.proxy.decision` records, the hash-chained audit log (`--audit-log`) and
 * OpenTelemetry spans and metrics (`--otel`), plus the decision counts of the receipt.
 * One sink per destination, composed into the one sink the engine reports to.
 */
import { decisionFields, formatAuditLine, openAuditLog, redactArgv } from '@mcptrust/audit';
import type { AuditEvent, AuditLog, AuditSigner, AuditSink } from '@mcptrust/audit';
import type { Lockfile } from '@mcptrust/lockfile';
import { UsageError } from '../exit-codes.js';
import type { Io } from '../output.js';
import { VERSION } from '../version.js';
import type { RunSession } from './run-session.js';

/**
 * The operator's one-line form of an audit event, exactly as the product brief shows it:
 * `mcptrust: action=blocked method=tools/call tool=exec_shell reason="not in allowlist"`.
 * The machine codes (denial class, JSON-RPC code) are left to structured sinks: the host
 * already receives them in the error, and the line stays greppable and short.
 */
export function auditLine(event: AuditEvent): string {
  return formatAuditLine({ ...event, code: undefined, errorCode: undefined, requestId: undefined, durationMs: undefined });
}

/**
 * The default audit sink of the CLI: one {@link auditLine} per decision on stderr.
 * stdout carries MCP messages only, so nothing of this may ever go there. Allowed
 * requests are not printed (they are the normal case); JSONL and the audit log have them.
 */
export function stderrAuditSink(io: Io): AuditSink {
  return {
    emit(event) {
      if (event.action === 'allowed') return;
      io.stderr.write(auditLine(event) + '\n');
    },
  };
}

/** What the proxy needs from its audit set-up. */
export interface ProxyAudit {
  /** The sink the engine reports to. */
  sink: AuditSink;
  /** Whether the engine must report allowed requests too (a sink records them). */
  auditAllowed: boolean;
  /** Whether the engine reports call arguments (`--log-payloads` with JSONL on). */
  auditPayloads: boolean;
  /** Closes the audit log (chain end, signed head) and notes counts and head in the receipt. */
  close(): void;
}

/** Options of {@link createProxyAudit}. */
export interface ProxyAuditOptions {
  io: Io;
  run: RunSession;
  lockfile: Lockfile;
  /** Path and SHA-256 of the lockfile enforced (bound into the audit log's start record). */
  lockDigest?: { path: string; sha256: string };
  mode: string;
  /** The server command as started (recorded redacted in the chain's start record). */
  serverCommand: readonly string[];
  /** `--audit-log` and `--audit-key`. */
  auditLogPath?: string;
  auditKeyPath?: string;
}

/** Loads `--audit-key` (the key file format of `mcptrust keygen`). Signing code is loaded only then. */
async function signerFrom(path: string): Promise<AuditSigner> {
  if (path.trim() === '') throw new UsageError('--audit-key: expected the path of an Ed25519 private key (mcptrust keygen)');
  const { auditSignerFrom } = await import('./audit-signer.js');
  return auditSignerFrom(path);
}

/** Builds the composed sink (see the module comment). */
export async function createProxyAudit(options: ProxyAuditOptions): Promise<ProxyAudit> {
  const { io, run } = options;
  const sinks: AuditSink[] = [];
  let auditAllowed = false;
  let auditPayloads = false;
  if (run.logs('info') || run.logs('warn')) {
    auditAllowed ||= run.logs('info');
    auditPayloads = run.logPayloads;
    sinks.push({ emit: (event) => run.logDecision(event) });
  }
  if (run.logPayloads) {
    // Loudly: the log now holds what agents send to tools (secrets, personal data).
    io.stderr.write(
      'mcptrust: warning: ' +
      (auditPayloads
        ? '--log-payloads: the arguments of every tools/call and prompts/get are written to the JSONL log; treat the log as secret'
        : '--log-payloads has no effect without --log-format jsonl') +
      '\n',
    );
  }
  let chain: AuditLog | undefined;
  let chainBatch: { type: string; payload: Record<string, unknown> }[] = [];
  let afterBatch: (() => void) | undefined;
  if (options.auditLogPath !== undefined) {
    if (options.auditLogPath.trim() === '') throw new UsageError('--audit-log: expected a file path');
    const signer = options.auditKeyPath === undefined ? undefined : await signerFrom(options.auditKeyPath);
    const lockfile = options.lockDigest;
    chain = openAuditLog({
      path: options.auditLogPath,
      start: {
        run_id: run.runId,
        mcptrust_version: VERSION,
        command: run.commandName,
        mode: options.mode,
        ...(lockfile === undefined ? {} : { lockfile }),
        server_cmd: redactArgv(options.serverCommand).args,
      },
      ...(signer === undefined ? {} : { signer }),
      onWarning: (message) => run.warn(`--audit-log: ${message}`),
    });
    const log = chain;
    auditAllowed = true;
    // The audit log is long-lived evidence: never the call arguments, whatever --log-payloads says.
    // Records are appended together at the end of each deferred batch: one write per batch.
    sinks.push({ emit: (event) => void chainBatch.push({ type: 'decision', payload: decisionFields(event.arguments === undefined ? event : { ...event, arguments: undefined }) }) });
    afterBatch = () => {
      if (chainBatch.length === 0) return;
      const records = chainBatch;
      chainBatch = [];
      try {
        log.appendAll(records);
      } catch (error) {
        run.warn(`an audit destination failed: ${(error as Error).message}`);
      }
    };
  } else if (options.auditKeyPath !== undefined) {
    throw new UsageError('--audit-key: signs the audit log, so it needs --audit-log FILE');
  }
  const otel = run.otel;
  if (otel !== undefined) {
    const { createOtelAuditSink } = await import('@mcptrust/audit/otel');
    sinks.push(
      createOtelAuditSink({
        tracer: otel.tracer,
        meter: otel.meter,
        pinnedTools: new Set(Object.keys(options.lockfile.tools)),
        pinnedPrompts: new Set(Object.keys(options.lockfile.prompts.definitions)),
        runId: run.runId,
      }),
    );
    auditAllowed = true;
  }
  const counts: Record<string, number> = {};
  const count: AuditSink = { emit: (event) => void (counts[event.action] = (counts[event.action] ?? 0) + 1) };
  sinks.push(count);
  const deliver = (event: AuditEvent): void => {
    for (const s of sinks) {
      try {
        s.emit(event);
      } catch (error) {
        // One destination failing (a full disk) must not silence the others.
        run.warn(`an audit destination failed: ${(error as Error).message}`);
      }
    }
  };
  const deferred = deferSink(deliver, () => afterBatch?.());
  const operator = run.structuredStderr ? undefined : stderrAuditSink(io);
  const sink: AuditSink = {
    emit(event) {
      // The operator's line is written at once (refusals only, one short line); the
      // structured destinations take their turn after the answer has left (see deferSink).
      operator?.emit(event);
      deferred.emit(event);
    },
  };
  let closed = false;
  return {
    sink,
    auditAllowed,
    auditPayloads,
    close() {
      if (closed) return;
      closed = true;
      deferred.drain();
      run.note({ proxy: { mode: options.mode, decisions: { ...counts } } });
      if (chain !== undefined) {
        const head = chain.close();
        run.note({ chain: { file: head.file, id: head.chain, seq: head.seq, head: head.head } });
      }
    },
  };
}

/**
 * Hands events to `deliver` after the current turn of the event loop, in order. The
 * engine reports a decision while the answer it is about still sits in the bridge's
 * write batch: formatting records, appending to the chain and building spans there
 * would delay every answer by that work. Deferred, it runs once the answer has been
 * written, while the host reads it. `batchDone` follows each batch (the audit log writes
 * the batch's records then). `drain` delivers whatever is waiting (at close).
 */
export function deferSink(deliver: (event: AuditEvent) => void, batchDone: () => void = () => undefined): { emit(event: AuditEvent): void; drain(): void } {
  let waiting: AuditEvent[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const drain = (): void => {
    if (scheduled !== undefined) {
      clearImmediate(scheduled);
      scheduled = undefined;
    }
    // Events reported while delivering (none today) wait for the next turn.
    const batch = waiting;
    waiting = [];
    for (const event of batch) deliver(event);
    batchDone();
  };
  return {
    emit(event) {
      waiting.push(event);
      scheduled ??= setImmediate(drain);
    },
    drain,
  };
}
