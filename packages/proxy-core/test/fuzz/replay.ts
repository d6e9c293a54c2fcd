/**
 * The mutation fuzzer: replays a recorded real session (recordings/*.json) through an
 * adapter after mutating it (byte flips, truncation, duplication, reordering, dropped
 * messages, deleted fields, changed types, swapped ids), with the oracle's invariants
 * checked after every message.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { parseLockfile, type Lockfile } from '@mcptrust/lockfile';
import { directDriver, guardDriver, streamDriver, tick, type DriverKind } from './drivers.js';
import { Oracle, STATS } from './oracle.js';
import { surfaceOf } from './surface.js';
import { InvariantViolation } from './runner.js';

/** Where the filesystem recording's temporary root stood (the real path is machine-specific). */
export const ROOT_PLACEHOLDER = '/tmp/mcptrust-fuzz-root';

/** A recorded session. */
export interface Recording {
  about: string;
  regenerate: string;
  /** The lockfile the session ran under (as JSON). */
  lockfile: unknown;
  /** Texts the engine received: `h` from the host, `s` from the server, in arrival order. */
  events: ['h' | 's', string][];
}

/** A loaded recording: its events and its verified lockfile. */
export interface LoadedRecording {
  name: string;
  events: ['h' | 's', Buffer][];
  lockfile: Lockfile;
}

/** Reads recordings/<name>.json and verifies its lockfile. */
export function loadRecording(name: string): LoadedRecording {
  const file = fileURLToPath(new URL(`./recordings/${name}.json`, import.meta.url));
  const rec = JSON.parse(readFileSync(file, 'utf8')) as Recording;
  return { name, lockfile: parseLockfile(JSON.stringify(rec.lockfile)).lockfile, events: rec.events.map(([from, text]) => [from, Buffer.from(text)]) };
}

/** One mutation: what, where (`at`: an event, `p`: a position or path, `v`: a value). */
export interface Mutation {
  kind: number;
  at: number;
  p: number;
  v: number;
}

/** Number of mutation kinds {@link mutate} knows. */
export const MUTATION_KINDS = 9;

/** Mutations of a run. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(fc.record({ kind: fc.nat(MUTATION_KINDS - 1), at: fc.nat(), p: fc.nat(), v: fc.nat() }), { maxLength: 8 });

const TYPES: unknown[] = [null, 0, -1, 1.5, 9007199254740993n, '', 'x', '__proto__', true, [], {}, [1, 2], { __proto__: null, id: 1 }];

/** Paths to every value of a JSON value, up to depth 5. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (at.length > 0) out.push(at);
  if (at.length >= 5 || typeof v !== 'object' || v === null) return out;
  for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...at, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

function parent(root: unknown, path: (string | number)[]): [Record<string | number, unknown>, string | number] {
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  return [o, path[path.length - 1]!];
}

function jsonOf(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString());
  } catch {
    return undefined;
  }
}

const toText = (v: unknown): Buffer => Buffer.from(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)));

/** Applies one mutation to a copy of the events. */
export function mutate(events: ['h' | 's', Buffer][], m: Mutation): ['h' | 's', Buffer][] {
  const ev = [...events];
  if (ev.length === 0) return ev;
  const i = m.at % ev.length;
  const [from, bytes] = ev[i]!;
  switch (m.kind) {
    case 0: {
      // Byte flip (may make the text invalid UTF-8 or invalid JSON).
      const b = Buffer.from(bytes);
      if (b.length > 0) b[m.p % b.length] = b[m.p % b.length]! ^ ((m.v % 255) + 1);
      ev[i] = [from, b];
      return ev;
    }
    case 1:
      ev[i] = [from, bytes.subarray(0, m.p % Math.max(1, bytes.length))];
      return ev;
    case 2:
      ev.splice(Math.min(ev.length, i + 1 + (m.p % 5)), 0, [from, bytes]);
      return ev;
    case 3: {
      const j = m.p % ev.length;
      [ev[i], ev[j]] = [ev[j]!, ev[i]!];
      return ev;
    }
    case 4:
      ev.splice(i, 1);
      return ev;
    case 5:
    case 6: {
      const v = jsonOf(bytes);
      const all = paths(v);
      if (all.length === 0) return ev;
      const [o, k] = parent(v, all[m.p % all.length]!);
      if (m.kind === 5) delete o[k];
      else o[k] = TYPES[m.v % TYPES.length];
      ev[i] = [from, toText(v)];
      return ev;
    }
    case 7: {
      // Id swap: this message takes the id of another one (a host id reaches the
      // server side's texts, a proxy id the host's).
      const v = jsonOf(bytes) as Record<string, unknown> | undefined;
      const w = jsonOf(ev[m.p % ev.length]![1]) as Record<string, unknown> | undefined;
      if (typeof v !== 'object' || v === null || typeof w !== 'object' || w === null || !('id' in w)) return ev;
      v['id'] = w['id'];
      ev[i] = [from, toText(v)];
      return ev;
    }
    default: {
      // The message sent by the other side instead.
      ev[i] = [from === 'h' ? 's' : 'h', bytes];
      return ev;
    }
  }
}

/** Replays `events` through one adapter; throws {@link InvariantViolation} on a broken invariant. */
export async function replay(rec: LoadedRecording, events: ['h' | 's', Buffer][], kind: DriverKind, chunks: readonly number[] = []): Promise<Oracle> {
  const o = new Oracle(surfaceOf(rec.lockfile));
  const extra = { lockfile: rec.lockfile, maxPending: 1024, maxServerRequests: 64 };
  const d = kind === 'direct' ? directDriver(o, extra) : kind === 'stream' ? streamDriver(o, chunks, extra) : await guardDriver(o, extra);
  o.version = () => d.engine.protocolVersion;
  STATS.runs++;
  const check = (step: string): void => {
    o.audit(d.sink.events);
    if (o.violations.length > 0) throw new InvariantViolation(`${rec.name}, after ${step}:\n  ${o.violations.join('\n  ')}`);
  };
  try {
    for (const [i, [from, bytes]] of events.entries()) {
      if (d.closed()) break;
      STATS.steps++;
      if (from === 'h') d.host(bytes);
      else d.server(bytes);
      await d.flush();
      check(`event ${i} (${from}) ${bytes.toString().slice(0, 160)}`);
    }
    tick(5000);
    await d.flush();
    check('the timeouts expired');
    d.close();
    await d.flush();
    o.finish();
    check('the end of the replay');
  } finally {
    d.close();
    jest.clearAllTimers();
  }
  return o;
}
