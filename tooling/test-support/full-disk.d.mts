import type { open } from 'node:fs/promises';

/** The state of a simulated disk: set `budget` (bytes left) and `failSync` (an errno code) from a test. */
export interface FullDisk {
  /** Bytes that still fit; `undefined` = unlimited. */
  budget: number | undefined;
  /** When set, every `sync()` fails with this code (`ENOSPC`, `EIO`). */
  failSync: string | undefined;
  /** The `open` to put in place of `node:fs/promises`' own. */
  open: typeof open;
}

/** Creates a simulated disk over the real `node:fs/promises`. */
export function createFullDisk(realFs: typeof import('node:fs/promises')): FullDisk;
