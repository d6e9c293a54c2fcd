/**
 * The options of a scan, checked and completed with their defaults, and the check of the
 * server command: both fail before anything is spawned.
 */
import { DriftError } from './errors.js';
import type { ScanClientInfo, ScanOptions, ServerCommand } from './scan.types.js';

/** Default deadline of a whole scan (spawn, initialize and every list), in milliseconds. */
export const DEFAULT_SCAN_TIMEOUT_MS = 10_000;
/** Default number of trailing stderr bytes kept for error messages. */
export const DEFAULT_STDERR_TAIL_BYTES = 4096;
/** Default time a stopping server gets after stdin is closed, and again after SIGTERM. */
export const DEFAULT_KILL_GRACE_MS = 1000;
/** Default cap on the pages of one paginated list. */
export const DEFAULT_MAX_PAGES = 1000;

const DEFAULT_CLIENT_INFO: ScanClientInfo = { name: 'mcptrust', version: '0.1.0' };

/** The options of one scan with every default filled in. */
export interface ScanSettings {
  timeoutMs: number;
  stderrTailBytes: number;
  killGraceMs: number;
  maxPages: number;
  clientInfo: ScanClientInfo;
  signal: AbortSignal | undefined;
  onStderr: ((chunk: string) => void) | undefined;
  env: NodeJS.ProcessEnv;
}

function positiveInteger(value: number | undefined, fallback: number, name: string, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new DriftError('INVALID_OPTIONS', `${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(value)}`);
  }
  return value;
}

/**
 * The settings of a scan from its options.
 *
 * @throws DriftError `INVALID_OPTIONS` for a count or duration that is not a positive
 *   integer (`stderrTailBytes` may be 0)
 */
export function resolveSettings(options: ScanOptions): ScanSettings {
  return {
    timeoutMs: positiveInteger(options.timeoutMs, DEFAULT_SCAN_TIMEOUT_MS, 'timeoutMs'),
    stderrTailBytes: positiveInteger(options.stderrTailBytes, DEFAULT_STDERR_TAIL_BYTES, 'stderrTailBytes', true),
    killGraceMs: positiveInteger(options.killGraceMs, DEFAULT_KILL_GRACE_MS, 'killGraceMs'),
    maxPages: positiveInteger(options.maxPages, DEFAULT_MAX_PAGES, 'maxPages'),
    clientInfo: options.clientInfo ?? DEFAULT_CLIENT_INFO,
    signal: options.signal,
    onStderr: options.onStderr,
    env: options.env ?? process.env,
  };
}

/**
 * Checks the shape of a server command (callers in plain JavaScript may pass anything).
 *
 * @throws DriftError `INVALID_COMMAND` without a non-empty `command` and string `args`
 */
export function assertServerCommand(server: ServerCommand): void {
  const ok =
    typeof server === 'object' &&
    server !== null &&
    typeof server.command === 'string' &&
    server.command.length > 0 &&
    Array.isArray(server.args) &&
    server.args.every((arg) => typeof arg === 'string');
  if (!ok) throw new DriftError('INVALID_COMMAND', 'the server command needs a non-empty `command` and string `args`');
}
