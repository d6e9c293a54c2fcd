/**
 * The shrunk counterexamples of the engine fuzzer, replayed as they were printed
 * (`Counterexample: [[…]]`) through the adapters they failed on, with every invariant
 * of test/fuzz/oracle.ts checked after each step. To keep a new one: paste the command
 * list here with the adapters, fix the engine, and see it pass.
 */
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import type { Cmd } from '../fuzz/commands.js';
import type { DriverKind } from '../fuzz/drivers.js';
import { loadRecording, mutate, replay, type Mutation } from '../fuzz/replay.js';
import { runCommands, useFuzzClock } from '../fuzz/runner.js';

const ALL: DriverKind[] = ['direct', 'stream', 'guard'];

const COUNTEREXAMPLES: { name: string; kinds: DriverKind[]; cmds: Cmd[] }[] = [
  {
    name: 'a request queued while initialize is pending is answered when initialize times out',
    kinds: ALL,
    cmds: [
      { t: 'hostInit', version: '2025-06-18', caps: 0 },
      { t: 'hostReq', kind: 0, id: { text: '0' }, progress: 0, proto: false },
    ],
  },
  {
    name: 'a server error that is not an error object reaches the host as a well-formed error',
    kinds: ALL,
    cmds: [
      { t: 'hostReq', kind: 18, id: { text: '"1"' }, progress: 0, proto: false },
      { t: 'serverAnswer', pick: 0, how: 10, big: false, items: [] },
      { t: 'serverNote', kind: 0, pick: 0 },
    ],
  },
  {
    name: 'an answer with members beyond jsonrpc, id and result reaches the host without them',
    kinds: ALL,
    cmds: [
      { t: 'hostInit', version: '2025-06-18', caps: 0 },
      { t: 'serverAnswer', pick: 0, how: 0, big: false, items: [] },
      { t: 'hostInitialized' },
      { t: 'hostReq', kind: 1, id: { text: '5' }, progress: 0, proto: false },
      { t: 'serverAnswer', pick: 1, how: 12, big: false, items: [] },
    ],
  },
  {
    name: 'a message too deep to serialize is refused by guardTransport.send with its own error',
    kinds: ['guard'],
    cmds: [
      { t: 'hostJunk', junk: { j: 'nested', depth: 4183, array: false } },
      { t: 'serverAnswer', pick: 0, how: 0, big: false, items: [] },
    ],
  },
  {
    name: "the initialize re-sent after a lost upstream session does not carry the host's progress token",
    kinds: ['direct', 'stream'],
    cmds: [
      { t: 'hostReq', kind: 23, id: { text: '"1"' }, progress: 3, proto: false },
      { t: 'serverAnswer', pick: 0, how: 0, big: false, items: [] },
      { t: 'sessionLost' },
      { t: 'serverAnswer', pick: 0, how: 0, big: false, items: [] },
    ],
  },
];

beforeAll(() => useFuzzClock());
afterAll(() => {
  jest.useRealTimers();
});

describe('regression: fuzz counterexamples', () => {
  for (const c of COUNTEREXAMPLES) {
    it.each(c.kinds)(`${c.name} (%s adapter)`, async (kind) => {
      await runCommands(c.cmds, { kind });
    });
  }
});

/** Shrunk counterexamples of the mutation fuzzer: recording, mutations, adapter, chunk sizes. */
const MUTATED: { name: string; recording: string; mutations: Mutation[]; kinds: DriverKind[] }[] = [
  {
    name: 'a server error whose code is an integer a host cannot represent exactly becomes a well-formed error',
    recording: 'server-filesystem',
    // The last answer's error code became 9007199254740992 (not a safe integer): the SDK refuses it.
    mutations: [{ kind: 6, at: 2110499049, p: 680747768, v: 1403996975 }],
    kinds: ALL,
  },
];

describe('regression: mutation fuzz counterexamples', () => {
  for (const c of MUTATED) {
    it.each(c.kinds)(`${c.name} (%s adapter)`, async (kind) => {
      const rec = loadRecording(c.recording);
      await replay(rec, c.mutations.reduce(mutate, rec.events), kind);
    });
  }
});
