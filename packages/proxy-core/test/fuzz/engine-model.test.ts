/**
 * Model-based fuzzing of the enforcement engine: arbitrary interleavings of host and
 * server messages (valid, malformed, duplicated, reordered, split at any byte,
 * oversized, deeply nested, non-UTF-8, `__proto__` keys, odd ids), through the engine
 * alone, through the stdio bridge's framing and through `guardTransport`, with the
 * oracle's invariants checked after every step (see oracle.ts and docs/FUZZING.md).
 */
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { TEST_TIMEOUT_MS, fcParams, reportStats } from './budget.js';
import { commands } from './commands.js';
import { runCommands, useFuzzClock } from './runner.js';

const started = performance.now();
beforeAll(() => useFuzzClock());
afterAll(() => {
  jest.useRealTimers();
  reportStats('engine-model', started);
});

describe('fuzz: the enforcement engine under arbitrary host and server traffic', () => {
  it('keeps every invariant when fed one message at a time', async () => {
    await fc.assert(
      fc.asyncProperty(commands, (cmds) => runCommands(cmds, { kind: 'direct' })),
      fcParams('engine (direct)', 0x5eed01, 400),
    );
  }, TEST_TIMEOUT_MS);

  it('keeps every invariant behind the stdio framing, with lines split at any byte', async () => {
    const chunks = fc.oneof(fc.constant<number[]>([]), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(commands, chunks, (cmds, sizes) => runCommands(cmds, { kind: 'stream', chunks: sizes })),
      fcParams('engine (stream)', 0x5eed02, 250),
    );
  }, TEST_TIMEOUT_MS);

  it('keeps every invariant with preflight on and the upstream session lost at any point', async () => {
    await fc.assert(
      fc.asyncProperty(commands, (cmds) => runCommands(cmds, { kind: 'direct', extra: { preflight: true } })),
      fcParams('engine (preflight)', 0x5eed04, 250),
    );
  }, TEST_TIMEOUT_MS);

  it('keeps every invariant through guardTransport around an in-memory transport', async () => {
    await fc.assert(
      fc.asyncProperty(commands, (cmds) => runCommands(cmds, { kind: 'guard' })),
      fcParams('guardTransport', 0x5eed03, 250),
    );
  }, TEST_TIMEOUT_MS);
});
