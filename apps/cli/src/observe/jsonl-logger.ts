/**
 * The JSONL log stream (`--log-format jsonl`): a level filter in front of a batched
 * line writer. Each record is formatted by `formatLogRecord` of @mcptrust/audit, so its
 * bytes and field order are exactly the documented schema. Records go to stderr or to a
 * file, never to stdout (the MCP channel of `proxy` and `run`).
 *
 * Not winston: loading it (the bundled chunk) costs ~30 ms of the proxy's start-up and
 * its stream pipeline ~7 µs per record, about 10% of the proxy's throughput at one
 * request in flight, to do what the few lines below do (figures in
 * docs/PERFORMANCE-PROXY.md). Records are already formatted; nothing else is needed.
 */
import { openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { decisionLevel, formatDecisionRecord, formatLogRecord } from '@mcptrust/audit';
import type { AuditEvent, LogEnvelope, LogLevel } from '@mcptrust/audit';
import { UsageError } from '../exit-codes.js';
import { createLineSink } from './line-sink.js';

/** A JSONL logger of one run. */
export interface JsonlLogger {
  /** Whether a record at this level is written. */
  enabled(level: LogLevel): boolean;
  /** Writes one record (dropped when below the level). */
  log(level: LogLevel, event: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Writes the `mcptrust.proxy.decision` record of an audit event (dropped when below the level). */
  logDecision(event: AuditEvent): void;
  /** Flushes every record written so far and releases the file. Never rejects. */
  close(): Promise<void>;
}

/** Options of {@link createJsonlLogger}. */
export interface JsonlLoggerOptions {
  level: LogLevel;
  /** `stderr`, or the path of a file the records are appended to. */
  output: string;
  /** The process's stderr (used when output is `stderr`). */
  stderr: Writable;
  envelope: LogEnvelope;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Creates the logger. A log file is opened here, synchronously, so a path that cannot
 * be written is a usage error before anything runs (created with mode 0600: decisions
 * name tools and clients). Lines go to a batched {@link LineSink} (see line-sink.ts).
 */
export function createJsonlLogger(options: JsonlLoggerOptions): JsonlLogger {
  let target: { fd: number } | { stream: Writable } = { stream: options.stderr };
  if (options.output !== 'stderr') {
    try {
      target = { fd: openSync(options.output, 'a', 0o600) };
    } catch (error) {
      throw new UsageError(`--log-output: cannot open ${options.output} for appending: ${(error as Error).message}`);
    }
  }
  const sink = createLineSink(target, (error) => options.stderr.write(`mcptrust: warning: --log-output: records are being lost: ${error.message}\n`));
  const min = RANK[options.level];
  let closed = false;
  return {
    enabled: (level) => !closed && RANK[level] >= min,
    log(level, event, fields) {
      if (closed || RANK[level] < min) return;
      sink.write(formatLogRecord(options.envelope, level, event, fields));
    },
    logDecision(event) {
      if (closed || RANK[decisionLevel(event.action)] < min) return;
      sink.write(formatDecisionRecord(options.envelope, event));
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      sink.close();
      return Promise.resolve();
    },
  };
}
