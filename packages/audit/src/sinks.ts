import type { AuditEvent } from './audit-event.types.js';

/**
 * Where audit events go. Implementations MUST NOT throw back into the engine for
 * ordinary delivery problems and MUST NOT block: `emit` is called on the hot path.
 */
export interface AuditSink {
  /** Records one event. */
  emit(event: AuditEvent): void;
}

/** A sink that discards everything (the default when no sink is given). */
export const noopAuditSink: AuditSink = Object.freeze({
  emit(): void {
    // Intentionally empty: auditing is opt-in for library users.
  },
});

/** A sink that keeps events in memory, for tests and embedding. */
export interface MemoryAuditSink extends AuditSink {
  /** Every event emitted so far, oldest first. */
  readonly events: AuditEvent[];
  /** Forgets every recorded event. */
  clear(): void;
}

/** Creates a {@link MemoryAuditSink}. */
export function createMemoryAuditSink(): MemoryAuditSink {
  const events: AuditEvent[] = [];
  return {
    events,
    emit(event: AuditEvent): void {
      events.push(event);
    },
    clear(): void {
      events.length = 0;
    },
  };
}
