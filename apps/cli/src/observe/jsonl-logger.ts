/**
 * The JSONL log stream (`--log-format jsonl`), on winston: winston filters by level and
 * owns the transport; the record itself is formatted by `formatLogRecord` of
 * @mcptrust/audit, so its bytes and field order are exactly the documented schema.
 * Records go to stderr or to a file, never to stdout (the MCP channel of `proxy` and
 * `run`). Loaded only when JSONL is asked for: winston is not part of a plain start-up.
 */
import { openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import winston from 'winston';
// winston's transport base class (its own typings name it wrongly: `winston.transport`).
import TransportStream from 'winston-transport';
import { formatLogRecord } from '@mcptrust/audit';
import type { LogEnvelope, LogLevel } from '@mcptrust/audit';
import { UsageError } from '../exit-codes.js';
import { createLineSink } from './line-sink.js';

/** A JSONL logger of one run. */
export interface JsonlLogger {
  /** Whether a record at this level is written. */
  enabled(level: LogLevel): boolean;
  /** Writes one record (dropped when below the level). */
  log(level: LogLevel, event: string, fields?: Readonly<Record<string, unknown>>): void;
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

// winston's npm levels, lowest number = most severe; `warn` and `error` keep their names.
const WINSTON_LEVEL: Record<LogLevel, string> = { debug: 'debug', info: 'info', warn: 'warn', error: 'error' };
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

// winston's `info[MESSAGE]`: the formatted line (triple-beam's symbol).
const MESSAGE = Symbol.for('message');

/**
 * Creates the logger. A log file is opened here, synchronously, so a path that cannot
 * be written is a usage error before anything runs (created with mode 0600: decisions
 * name tools and clients). winston filters and routes; the one transport hands each
 * line to a batched {@link LineSink} (see line-sink.ts for why).
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
  class LineTransport extends TransportStream {
    override log(info: Record<string | symbol, unknown>, next: () => void): void {
      sink.write(String(info[MESSAGE]));
      next();
    }
  }
  const logger = winston.createLogger({
    level: WINSTON_LEVEL[options.level],
    levels: winston.config.npm.levels,
    // The line is already the record: winston writes it as is.
    format: winston.format.printf((info) => String(info.message)),
    transports: [new LineTransport()],
    exitOnError: false,
  });
  // A transport that fails must not take the command down with it.
  logger.on('error', () => undefined);
  const min = RANK[options.level];
  let closed = false;
  return {
    enabled: (level) => !closed && RANK[level] >= min,
    log(level, event, fields) {
      if (closed || RANK[level] < min) return;
      logger.log(WINSTON_LEVEL[level], formatLogRecord(options.envelope, level, event, fields));
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        logger.once('finish', () => resolve());
        logger.end();
      });
      sink.close();
    },
  };
}
