/** What the net saw; `restore()` removes the guard. */
export interface DialGuard {
  /** The host of every `connect` call (names and literals), in order. */
  readonly connects: string[];
  /** Dials the guard refused (`host → address`); must stay empty. */
  readonly refused: string[];
  restore(): void;
}

/** Installs the safety net: no socket may connect anywhere but loopback until `restore()`. */
export function installDialGuard(): DialGuard;
