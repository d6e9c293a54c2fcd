// The proxy's structured audit destinations run after the current turn of the event
// loop (after the answer a decision is about has been written), in order, in batches.
import { describe, expect, it } from '@jest/globals';
import type { AuditEvent } from '@mcptrust/audit';
import { deferSink } from '../src/observe/proxy-audit.js';

const event = (n: number): AuditEvent => ({ time: '2026-01-01T00:00:00.000Z', action: 'allowed', direction: 'host_to_server', requestId: String(n) });

describe('deferSink', () => {
  it('delivers nothing during the turn that reported, then everything in order, with one batchDone', async () => {
    const seen: string[] = [];
    const sink = deferSink((e) => seen.push(e.requestId!), () => seen.push('done'));
    sink.emit(event(1));
    sink.emit(event(2));
    expect(seen).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['1', '2', 'done']);
    sink.emit(event(3));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['1', '2', 'done', '3', 'done']);
  });

  it('drain delivers what waits at once, and nothing is delivered twice', async () => {
    const seen: string[] = [];
    const sink = deferSink((e) => seen.push(e.requestId!));
    sink.emit(event(1));
    sink.drain();
    expect(seen).toEqual(['1']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['1']);
  });

  it('an event reported while a batch is delivered waits for the next batch', async () => {
    const seen: string[] = [];
    let sink: ReturnType<typeof deferSink> | undefined;
    sink = deferSink((e) => {
      seen.push(e.requestId!);
      if (e.requestId === '1') sink!.emit(event(2));
    });
    sink.emit(event(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['1']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['1', '2']);
  });
});
