/**
 * The model-based fuzzer's commands: abstract steps (fast-check arbitraries) that the
 * runner turns into host and server texts against the state of the run (which requests
 * the server has seen, which server requests the host has seen).
 */
import fc from 'fast-check';

/** How an id is written: JSON text, or a reference to an id the engine generated. */
export type IdSpec = { text: string } | { engineRef: number };

/** A malformed or hostile line. */
export type Junk =
  | { j: 'text'; text: string }
  | { j: 'nested'; depth: number; array: boolean }
  | { j: 'huge'; kib: number }
  | { j: 'badUtf8'; prefix: string }
  | { j: 'trailing'; text: string };

/** One step of a run. */
export type Cmd =
  | { t: 'hostInit'; version: string; caps: number }
  | { t: 'hostInitialized' }
  | { t: 'hostReq'; kind: number; id: IdSpec; progress: number; proto: boolean }
  | { t: 'hostBatch'; kinds: number[]; ids: IdSpec[] }
  | { t: 'hostCancel'; pick: number; raw: number }
  | { t: 'hostProgress'; pick: number }
  | { t: 'hostReply'; pick: number; how: number }
  | { t: 'hostJunk'; junk: Junk }
  | { t: 'serverAnswer'; pick: number; how: number; big: boolean; items: number[] }
  | { t: 'serverReq'; method: number; id: IdSpec; progress: boolean }
  | { t: 'serverNote'; kind: number; pick: number }
  | { t: 'serverJunk'; junk: Junk }
  | { t: 'tick'; ms: number }
  | { t: 'serverClosed' }
  | { t: 'sessionLost' }
  | { t: 'preflightAnswer'; drift: boolean };

/** Odd ids: what JSON-RPC allows (strings, integers) and what it does not. */
export const idSpec: fc.Arbitrary<IdSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 12 }).map((n) => ({ text: String(n) })) },
  { weight: 3, arbitrary: fc.constantFrom('"1"', '"a"', '""', '"__proto__"', '"constructor"', '"prototype"', '"hasOwnProperty"', '"pxid-000000000001"', '"\\u0031"', '"é\\u2028"').map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.constantFrom('9007199254740993', '-1', '-0', '123456789012345678901234567890', '4294967296', '-9007199254740992').map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.constantFrom('null', '1.5', '1e3', '1.0', '-1.0', 'true', '[]', '{}', '"' + 'x'.repeat(300) + '"', '1' + '0'.repeat(300)).map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }).map((s) => ({ text: JSON.stringify(s) })) },
  { weight: 1, arbitrary: fc.nat(8).map((engineRef) => ({ engineRef })) },
);

const junk: fc.Arbitrary<Junk> = fc.oneof(
  fc.constantFrom(
    '', ' ', '\r', 'Listening on stdio...', '{', '}', '[]', '[1]', 'null', '42', '"x"', '{"jsonrpc":"2.0"}', '{"jsonrpc":"2.0","id":1}',
    '{"jsonrpc":"1.0","id":1,"method":"ping"}', '{"jsonrpc":"2.0","id":1,"method":"ping","params":[]}',
    '{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}', '{"jsonrpc":"2.0","method":5}',
    '{"__proto__":{"jsonrpc":"2.0"},"id":1,"method":"ping"}', '{"jsonrpc":"2.0","id":2,"method":"ping","__proto__":{"id":3}}',
    '{"jsonrpc":"2.0","id":"a","id":"b","method":"ping"}', '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","name":"crash"}}',
    '\u0000', '\uFEFF{"jsonrpc":"2.0","id":1,"method":"ping"}', '{"jsonrpc":"2.0","id":4,"method":"ping"}\r',
  ).map((text) => ({ j: 'text' as const, text })),
  fc.record({ j: fc.constant('nested' as const), depth: fc.integer({ min: 50, max: 5000 }), array: fc.boolean() }),
  fc.record({ j: fc.constant('huge' as const), kib: fc.integer({ min: 1, max: 96 }) }),
  fc.record({ j: fc.constant('badUtf8' as const), prefix: fc.constantFrom('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"', '{"a":"') }),
  fc.record({ j: fc.constant('trailing' as const), text: fc.constantFrom('{"jsonrpc":"2.0","id":5,"method":"ping"} x', '{"jsonrpc":"2.0","id":5,"method":"ping"}{}') }),
  fc.string({ maxLength: 40 }).map((text) => ({ j: 'text' as const, text: text.replace(/\n/g, '') })),
);

/** Number of host request kinds {@link hostRequestLine} knows. */
export const HOST_KINDS = 28;

/** Host request kinds the lockfile allows (half of the requests: most runs reach the server). */
const ALLOWED_KINDS = [0, 1, 2, 7, 9, 10, 12, 13, 14, 17, 18, 19, 21, 24];
const hostKind = fc.oneof(fc.constantFrom(...ALLOWED_KINDS), fc.nat(HOST_KINDS - 1));

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('hostInit' as const), version: fc.constantFrom('2025-06-18', '2025-03-26', '2024-11-05', '2025-11-25', '2099-01-01'), caps: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'hostInitialized' as const }) },
  { weight: 12, arbitrary: fc.record({ t: fc.constant('hostReq' as const), kind: hostKind, id: idSpec, progress: fc.nat(6), proto: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('hostBatch' as const), kinds: fc.array(fc.nat(HOST_KINDS - 1), { maxLength: 4 }), ids: fc.array(idSpec, { minLength: 4, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('hostCancel' as const), pick: fc.nat(), raw: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('hostProgress' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('hostReply' as const), pick: fc.nat(), how: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('hostJunk' as const), junk }) },
  { weight: 12, arbitrary: fc.record({ t: fc.constant('serverAnswer' as const), pick: fc.nat(), how: fc.nat(15), big: fc.boolean(), items: fc.array(fc.nat(11), { maxLength: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('serverReq' as const), method: fc.nat(6), id: idSpec, progress: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('serverNote' as const), kind: fc.nat(10), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('serverJunk' as const), junk }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.constantFrom(1, 100, 300, 600, 1200) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'serverClosed' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'sessionLost' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('preflightAnswer' as const), drift: fc.boolean() }) },
);

/** A run: usually starting with the handshake (and preflight's lists answered), then anything. */
export const commands: fc.Arbitrary<Cmd[]> = fc
  .tuple(fc.nat(9), fc.constantFrom('2025-06-18', '2025-03-26', '2025-11-25', '2024-11-05'), fc.nat(7), fc.array(cmd, { minLength: 1, maxLength: 40, size: 'medium' }))
  .map(([handshake, version, caps, rest]) =>
    handshake < 8
      ? [{ t: 'hostInit', version, caps } as Cmd, { t: 'serverAnswer', pick: 0, how: 0, big: false, items: [] } as Cmd, { t: 'preflightAnswer', drift: false } as Cmd, { t: 'hostInitialized' } as Cmd, ...rest]
      : rest,
  );
