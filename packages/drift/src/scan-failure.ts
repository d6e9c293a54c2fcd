/**
 * What a failed scan says: whatever stopped it (the caller's abort, the deadline, a spawn
 * failure, the server exiting, an error answer, an invalid result) as one
 * {@link DriftError} naming the command and the phase, with the protocol problems seen
 * and the tail of the server's stderr.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { DriftError } from './errors.js';
import type { DriftErrorCode } from './errors.js';
import type { ScanSettings } from './scan-settings.js';
import type { ServerCommand } from './scan.types.js';
import { toEvidence } from './unicode.js';

/** What the scan knew when it stopped. */
export interface ScanFailureFacts {
  server: ServerCommand;
  settings: ScanSettings;
  /** What the scan was doing (`initialize`, `tools/list (page 2)`...). */
  phase: string;
  /** Whether the scan's own deadline passed. */
  deadlinePassed: boolean;
  /** Why the server could not be spawned; undefined when it was. */
  spawnError: unknown;
  /** Whether the connection closed before the scan was done with it. */
  exitedEarly: boolean;
  /** The first protocol problems the SDK reported. */
  protocolErrors: readonly string[];
  /** The last bytes of the server's stderr, as text ('' for none). */
  stderrTail: string;
}

/** Whether `error` is a schema validation error of the SDK (zod), with its issues. */
export function isZodError(error: unknown): error is Error & { issues: unknown[] } {
  return error instanceof Error && Array.isArray((error as { issues?: unknown }).issues);
}

/** The first few problems of a schema validation error, on one line. */
export function describeIssues(issues: unknown[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const { path, message } = issue as { path?: unknown[]; message?: string };
      const where = Array.isArray(path) && path.length > 0 ? path.map(String).join('.') : '(root)';
      return `${where}: ${message ?? 'invalid'}`;
    })
    .join('; ');
}

/** Turns whatever stopped a scan into a {@link DriftError} carrying the stderr tail. */
export function scanFailure(error: unknown, facts: ScanFailureFacts): DriftError {
  const { server, settings, phase, stderrTail } = facts;
  const make = (code: DriftErrorCode, message: string): DriftError => {
    let full = message;
    if (facts.protocolErrors.length > 0) full += `\nprotocol errors seen: ${facts.protocolErrors.join('; ')}`;
    if (stderrTail !== '') full += `\nserver stderr (last lines):\n${stderrTail}`;
    return new DriftError(code, full, { cause: error, ...(stderrTail === '' ? {} : { stderrTail }) });
  };
  const command = `\`${toEvidence(server.command, 200)}\``;

  if (settings.signal?.aborted === true) {
    return new DriftError('ABORTED', `the scan of ${command} was aborted`, {
      cause: settings.signal.reason,
      ...(stderrTail === '' ? {} : { stderrTail }),
    });
  }
  const timedOut = `the scan of ${command} did not finish within ${settings.timeoutMs} ms (stuck at ${phase})`;
  if (facts.deadlinePassed) return make('SERVER_TIMEOUT', timedOut);
  if (facts.spawnError !== undefined) {
    const spawnError = facts.spawnError;
    const code = (spawnError as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? server.cwd === undefined
          ? 'command not found'
          : 'command or working directory not found'
        : code === 'EACCES'
          ? 'permission denied (is it executable?)'
          : spawnError instanceof Error
            ? spawnError.message
            : String(spawnError);
    return make('SERVER_START_FAILED', `could not start ${command}: ${why}${code === undefined ? '' : ` (${code})`}`);
  }
  if (error instanceof DriftError) {
    return new DriftError(error.code, error.message, { cause: error.cause, ...(stderrTail === '' ? {} : { stderrTail }) });
  }
  if (facts.exitedEarly || (error instanceof McpError && error.code === ErrorCode.ConnectionClosed)) {
    return make('SERVER_EXITED', `the server ${command} exited before the scan finished (during ${phase})`);
  }
  if (error instanceof McpError) {
    // The SDK's own request timer is set to the time left, so it can fire just before ours.
    if (error.code === ErrorCode.RequestTimeout) return make('SERVER_TIMEOUT', timedOut);
    const text = error.message.replace(/^MCP error -?\d+: /, '');
    return make('SERVER_ERROR', `the server ${command} answered ${phase} with error ${error.code}: ${toEvidence(text, 300)}`);
  }
  if (isZodError(error)) {
    return make('INVALID_SERVER_RESPONSE', `the answer of ${command} to ${phase} is not a valid MCP result: ${toEvidence(describeIssues(error.issues), 300)}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return make('SERVER_ERROR', `the scan of ${command} failed during ${phase}: ${toEvidence(message, 300)}`);
}
