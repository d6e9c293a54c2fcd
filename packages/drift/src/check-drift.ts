import { readLockfile } from '@mcptrust/lockfile';
import type { Lockfile, LockfileFormat } from '@mcptrust/lockfile';
import { compareToLockfile } from './compare-to-lockfile.js';
import { highestSeverity, severityAtLeast, DRIFT_SEVERITIES } from './drift-severity.js';
import { compareArtifactPins } from './artifact-drift.js';
import { compareDeniedItems } from './denied-items.js';
import type { CheckDriftOptions, CheckDriftResult, DriftSeverity } from './drift.types.js';
import type { ServerCommand } from './scan.types.js';
import { DriftError } from './errors.js';
import { scanServer } from './scan-server.js';

/** The default `failOn` threshold of {@link checkDrift} (and of `mcptrust diff` / `check`). */
export const DEFAULT_FAIL_ON: DriftSeverity = 'critical';

/**
 * Checks a live server against its lockfile: reads the lockfile (before anything is
 * started, so a missing or invalid lockfile never spawns a server), scans the server,
 * compares, and decides against `failOn`. Never prints and never exits: the caller
 * decides what a failure means.
 *
 * @throws LockfileError when the lockfile cannot be read or is invalid
 * @throws DriftError `INVALID_OPTIONS` for bad options; any `scanServer` error
 */
export async function checkDrift(options: CheckDriftOptions): Promise<CheckDriftResult> {
  const failOn = options.failOn ?? DEFAULT_FAIL_ON;
  if (!DRIFT_SEVERITIES.includes(failOn)) {
    throw new DriftError('INVALID_OPTIONS', `failOn: expected one of ${DRIFT_SEVERITIES.join(', ')}, got ${JSON.stringify(String(failOn))}`);
  }
  if ((options.lockfile === undefined) === (options.lockfilePath === undefined)) {
    throw new DriftError('INVALID_OPTIONS', 'checkDrift needs exactly one of `lockfile` and `lockfilePath`');
  }
  if ((options.server === undefined) === (options.scan === undefined)) {
    throw new DriftError('INVALID_OPTIONS', 'checkDrift needs exactly one of `server` and `scan`');
  }
  let lockfile: Lockfile;
  let lockfileFormat: LockfileFormat = 'v3';
  let notices: string[] = [];
  if (options.lockfile !== undefined) {
    lockfile = options.lockfile;
    if (lockfile.meta.convertedFrom !== undefined) lockfileFormat = lockfile.meta.convertedFrom;
  } else {
    const parsed = await readLockfile(options.lockfilePath as string, options.signal === undefined ? {} : { signal: options.signal });
    lockfile = parsed.lockfile;
    lockfileFormat = parsed.format;
    notices = parsed.notices;
  }
  const scan =
    options.scan !== undefined
      ? await options.scan(lockfile, options.signal)
      : await scanServer(options.server as ServerCommand, {
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.onStderr === undefined ? {} : { onStderr: options.onStderr }),
          ...(options.env === undefined ? {} : { env: options.env }),
        });
  // parseLockfile verified every snapshot against its hash; a lockfile given as an
  // object did not go through it, so its snapshots are checked item by item.
  const items = compareToLockfile(lockfile, scan, { trustSnapshots: options.lockfile === undefined });
  const locked = lockfile.server.artifact;
  if (locked !== undefined && options.resolveArtifact !== undefined) items.unshift(...compareArtifactPins(locked, await options.resolveArtifact(locked)));
  const highest = highestSeverity(items);
  return {
    items,
    highestSeverity: highest,
    failed: items.some((i) => severityAtLeast(i.severity, failOn)),
    failOn,
    scan,
    lockfile,
    lockfileFormat,
    notices,
    denied: compareDeniedItems(lockfile, scan),
  };
}
