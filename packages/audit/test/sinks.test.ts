import { describe, expect, it } from '@jest/globals';
import { AuditError, createMemoryAuditSink, noopAuditSink } from '@mcptrust/audit';

describe('createMemoryAuditSink', () => {
  describe('when events are emitted', () => {
    it('keeps them in order and forgets them on clear', () => {
      const sink = createMemoryAuditSink();
      sink.emit({ time: 't1', action: 'allowed', direction: 'host_to_server', method: 'ping' });
      sink.emit({ time: 't2', action: 'dropped', direction: 'server_to_host' });
      expect(sink.events.map((e) => e.time)).toEqual(['t1', 't2']);
      sink.clear();
      expect(sink.events).toEqual([]);
    });
  });
});

describe('noopAuditSink', () => {
  it('accepts events and is frozen', () => {
    expect(() => noopAuditSink.emit({ time: 't', action: 'allowed', direction: 'internal' })).not.toThrow();
    expect(Object.isFrozen(noopAuditSink)).toBe(true);
  });
});

describe('AuditError', () => {
  it('carries its code and cause', () => {
    const cause = new Error('disk full');
    const err = new AuditError('SINK_FAILED', 'could not write', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('SINK_FAILED');
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('AuditError');
  });
});
