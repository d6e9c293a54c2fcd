/**
 * Mutation fuzzing over recorded real sessions (server-everything and
 * server-filesystem, recorded by record-sessions.test.ts): each recording is replayed
 * through the engine alone, the stdio framing and `guardTransport`, first as recorded,
 * then with arbitrary mutations, and the oracle's invariants are checked after every
 * message.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { TEST_TIMEOUT_MS, fcParams, reportStats } from './budget.js';
import type { DriverKind } from './drivers.js';
import { loadRecording, mutate, mutations, replay, type LoadedRecording } from './replay.js';
import { useFuzzClock } from './runner.js';

const started = performance.now();
const RECORDINGS: [string, string][] = [
  ['server-everything', 'Echo: hello from the recorder'],
  ['server-filesystem', 'first line\\nsecond line'],
];
const KINDS: DriverKind[] = ['direct', 'stream', 'guard'];

beforeAll(() => useFuzzClock());
afterAll(() => {
  jest.useRealTimers();
  reportStats('recorded-sessions', started);
});

describe.each(RECORDINGS.map(([n, e], r) => [n, e, r] as const))('fuzz: the recorded %s session', (name, expected, r) => {
  const rec: LoadedRecording = loadRecording(name);

  it.each(KINDS)('replays as recorded through the %s adapter, answers under the host ids', async (kind) => {
    const o = await replay(rec, rec.events, kind);
    // The replayed answers matched the proxy ids: the recorded results reached the host.
    expect(o.hostLog.some((t) => t.includes(expected))).toBe(true);
    expect(o.forwarded.length).toBeGreaterThan(5);
  });

  it.each(KINDS.map((k, i) => [k, i] as const))(
    'keeps every invariant when the session is mutated (%s adapter)',
    async (kind, i) => {
      const chunks = fc.oneof(fc.constant<number[]>([]), fc.array(fc.integer({ min: 1, max: 512 }), { minLength: 1, maxLength: 6 }));
      await fc.assert(
        fc.asyncProperty(mutations, chunks, (ms, sizes) => replay(rec, ms.reduce(mutate, rec.events), kind, sizes).then(() => undefined)),
        fcParams(`${name} (${kind})`, 0x5eed10 + i + (r << 4), 100),
      );
    },
    TEST_TIMEOUT_MS,
  );
});
