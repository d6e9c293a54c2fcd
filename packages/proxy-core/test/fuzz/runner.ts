/**
 * Plays one run of {@link Cmd}s through a {@link Driver}, checking the oracle's
 * invariants after each step, then expires every timeout, closes the engine and checks
 * that every host request was answered.
 */
import { jest } from '@jest/globals';
import type { ProxyEngineOptions } from '../../src/engine.types.js';
import type { Cmd, IdSpec } from './commands.js';
import { directDriver, guardDriver, streamDriver, tick, type Driver, type DriverKind } from './drivers.js';
import { hostRequestLine, hostRequestObject, initializeLine, junkBytes, resultText, serverRequestLine } from './messages.js';
import { Oracle, STATS } from './oracle.js';

/** Longer than every timeout of the fuzz options, several sweeps included. */
const DRAIN_MS = 5000;

/** Uses fake timers for the engine's sweeper and clock; asynchronous deliveries stay real. */
export function useFuzzClock(): void {
  jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'], now: 1_700_000_000_000 });
}

/** A failure with every violation and the run's commands, for the shrunk counterexample. */
export class InvariantViolation extends Error {}

function idText(spec: IdSpec, oracle: Oracle): string {
  if ('text' in spec) return spec.text;
  const ids = [...oracle.engineIds];
  return JSON.stringify(ids.length === 0 ? 'pxid-none' : ids[spec.engineRef % ids.length]!);
}

const line = (s: string): Buffer => Buffer.from(s);

/** Plays one command. */
function play(c: Cmd, d: Driver, o: Oracle): void {
  switch (c.t) {
    case 'hostInit':
      return d.host(line(initializeLine(c.version, c.caps)));
    case 'hostInitialized':
      return d.host(line('{"jsonrpc":"2.0","method":"notifications/initialized"}'));
    case 'hostReq':
      return d.host(line(hostRequestLine(c.kind, idText(c.id, o), c.progress, c.proto)));
    case 'hostBatch': {
      const batch = c.kinds.map((k, i) => hostRequestObject(k, JSON.parse(idText(c.ids[i % c.ids.length]!, o))));
      return d.host(line(JSON.stringify(batch)));
    }
    case 'hostCancel': {
      const ids = o.hostIds;
      const requestId = c.raw === 0 && ids.length > 0 ? ids[c.pick % ids.length] : c.raw === 1 ? 999 : c.raw === 2 ? [...o.engineIds][c.pick % Math.max(1, o.engineIds.size)] ?? 'x' : String(ids[c.pick % Math.max(1, ids.length)] ?? '1');
      return d.host(line(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'fuzz' } })));
    }
    case 'hostProgress': {
      const token = o.relayed.length > 0 ? o.relayed[c.pick % o.relayed.length] : 'nope';
      return d.host(line(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: 1 } })));
    }
    case 'hostReply': {
      const id = o.relayed.length > 0 ? o.relayed[c.pick % o.relayed.length] : 'nope';
      const text = (i: unknown, body: string) => '{"jsonrpc":"2.0","id":' + JSON.stringify(i) + ',' + body + '}';
      const ok = '"result":{"roots":[],"action":"decline","role":"assistant","content":{"type":"text","text":"x"},"model":"m"}';
      if (c.how === 0) return d.host(line(text(id, ok)));
      if (c.how === 1) return d.host(line(text(id, '"error":{"code":-1,"message":"no"}')));
      if (c.how === 2) {
        d.host(line(text(id, ok)));
        return d.host(line(text(id, ok)));
      }
      if (c.how === 3) return d.host(line(text('zzz', ok)));
      if (c.how === 4) return d.host(line(text(1, ok)));
      return d.host(line(text(id, ok + ',"error":{"code":1,"message":"x"}')));
    }
    case 'hostJunk':
      return d.host(junkBytes(c.junk));
    case 'serverAnswer':
      return serverAnswer(c, d, o);
    case 'serverReq':
      return d.server(line(serverRequestLine(c.method, idText(c.id, o), c.progress)));
    case 'serverNote':
      return serverNote(c.kind, c.pick, d, o);
    case 'serverJunk':
      return d.server(junkBytes(c.junk));
    case 'tick':
      return tick(c.ms);
    case 'serverClosed':
      return d.serverClosed();
    case 'sessionLost':
      return d.sessionLost();
    case 'preflightAnswer':
      return preflightAnswer(c.drift, d, o);
  }
}

function serverAnswer(c: Extract<Cmd, { t: 'serverAnswer' }>, d: Driver, o: Oracle): void {
  const fw = o.forwarded;
  // Prefer requests not answered yet; `how` 2 and later answers exercise the rest.
  const open = fw.filter((f) => f.answered === 0);
  const target = (open.length > 0 && c.how < 2 ? open : fw)[c.pick % Math.max(1, (open.length > 0 && c.how < 2 ? open : fw).length)];
  const id = target === undefined ? 'nope' : target.id;
  if (target !== undefined) target.answered++;
  const result = resultText(target?.method ?? 'ping', target?.params, c.items, c.big);
  const idJ = JSON.stringify(id);
  const send = (s: string) => d.server(line(s));
  switch (c.how) {
    case 0:
      return send('{"jsonrpc":"2.0","id":' + idJ + ',"result":' + result + '}');
    case 1:
      return send('{"jsonrpc":"2.0","id":' + idJ + ',"error":{"code":-32000,"message":"boom","data":{"id":"x"}}}');
    case 2:
      send('{"jsonrpc":"2.0","id":' + idJ + ',"result":' + result + '}');
      return send('{"jsonrpc":"2.0","id":' + idJ + ',"result":' + result + '}');
    case 3:
      return send('{"jsonrpc":"2.0","id":"nope-id","result":{}}');
    case 4:
      return send('{"jsonrpc":"2.0","id":1,"result":' + result + '}');
    case 5:
      return send('{"jsonrpc":"2.0","id":' + idJ + ',"result":{},"error":{"code":1,"message":"x"}}');
    case 6:
      return send('{"jsonrpc":"2.0","id":' + idJ + '}');
    case 7:
      return send('{"id":' + idJ + ',"result":' + result + '}');
    case 8:
      return send('{"jsonrpc":"2.0","id":' + idJ.replace('p', '\\u0070') + ',"result":' + result + '}');
    case 9:
      return send('{"result":' + result.replace('{', '{"id":"evil",') + ',"id":' + idJ + ',"jsonrpc":"2.0"}');
    case 10:
      return send('{"jsonrpc":"2.0","id":' + idJ + ',"error":"boom"}');
    case 11:
      return send('{"jsonrpc":"2.0","id":' + idJ + ',"result":5}');
    case 12:
      return send('{"jsonrpc":"2.0","id":' + idJ + ',"result":' + result + ',"extra":{"id":1}}');
    case 14:
      // A batch of answers (valid only under 2025-03-26), one of them repeated.
      return send('[{"jsonrpc":"2.0","id":' + idJ + ',"result":' + result + '},{"jsonrpc":"2.0","method":"notifications/tools/list_changed"},{"jsonrpc":"2.0","id":' + idJ + ',"result":' + result + '}]');
    default: {
      const hostId = o.hostIds.length > 0 ? JSON.stringify(o.hostIds[c.pick % o.hostIds.length]) : '0';
      return send('{"jsonrpc":"2.0","id":' + hostId + ',"result":' + result + '}');
    }
  }
}

const SURFACE_ITEMS: Record<string, number[]> = { 'tools/list': [0, 1, 2], 'prompts/list': [0], 'resources/list': [0], 'resources/templates/list': [0] };

/** Answers every open list request of the engine's own (preflight) with the pinned surface, or a drifted one. */
function preflightAnswer(drift: boolean, d: Driver, o: Oracle): void {
  for (const f of o.forwarded) {
    const items = SURFACE_ITEMS[f.method];
    if (f.answered > 0 || items === undefined || f.params?.['cursor'] !== undefined) continue;
    f.answered++;
    const result = resultText(f.method, f.params, drift && f.method === 'tools/list' ? [...items, 4] : items, false).replace(',"nextCursor":"n2"', '');
    d.server(line('{"jsonrpc":"2.0","id":' + JSON.stringify(f.id) + ',"result":' + result + '}'));
  }
}

function serverNote(kind: number, pickN: number, d: Driver, o: Oracle): void {
  const fw = o.forwarded;
  const fid = fw.length > 0 ? fw[pickN % fw.length]!.id : 'nope';
  const note = (method: string, params: unknown) => d.server(line(JSON.stringify({ jsonrpc: '2.0', method, params })));
  switch (kind) {
    case 0:
      return note('notifications/cancelled', { requestId: pickN % 13 });
    case 1:
      return note('notifications/cancelled', { requestId: fid });
    case 2:
      return note('notifications/progress', { progressToken: fid, progress: 1, total: 2 });
    case 3:
      return note('notifications/progress', { progressToken: 'tok-a', progress: 1 });
    case 4:
      return note('notifications/tools/list_changed', {});
    case 5:
      return note('notifications/message', { level: 'info', data: 'x'.repeat(pickN % 2 === 0 ? 10 : 2000) });
    case 6:
      return note('notifications/resources/updated', { uri: 'file:///project/a' });
    case 7:
      return note('notifications/resources/updated', { uri: pickN % 2 === 0 ? 'file:///etc/passwd' : 'file:///project/../x' });
    case 8:
      return note('notifications/elicitation/complete', { elicitationId: pickN % 2 === 0 ? 'e-1' : 'e-2' });
    case 9:
      return note('notifications/tasks/status', { taskId: pickN % 2 === 0 ? 't-1' : 't-evil', status: 'working' });
    default:
      return d.server(line('{"jsonrpc":"2.0","method":"notifications/evil","params":{},"id2":1}'));
  }
}

/** Options of {@link runCommands}. */
export interface RunOptions {
  kind: DriverKind;
  /** Chunk sizes of the `stream` driver (cycled). */
  chunks?: readonly number[];
  /** Engine options beyond the fuzz defaults (e.g. `preflight: true`). */
  extra?: Partial<ProxyEngineOptions>;
}

/** Plays `cmds`; throws {@link InvariantViolation} listing what broke. */
export async function runCommands(cmds: readonly Cmd[], opts: RunOptions): Promise<void> {
  const o = new Oracle();
  const d = opts.kind === 'direct' ? directDriver(o, opts.extra) : opts.kind === 'stream' ? streamDriver(o, opts.chunks ?? [], opts.extra) : await guardDriver(o, opts.extra);
  o.version = () => d.engine.protocolVersion;
  STATS.runs++;
  const check = (step: string): void => {
    o.audit(d.sink.events);
    if (o.violations.length > 0) throw new InvariantViolation(`after ${step}:\n  ${o.violations.join('\n  ')}`);
  };
  try {
    for (const [i, c] of cmds.entries()) {
      if (d.closed()) break;
      STATS.steps++;
      play(c, d, o);
      await d.flush();
      check(`step ${i} ${JSON.stringify(c).slice(0, 200)}`);
    }
    tick(DRAIN_MS);
    await d.flush();
    check('the timeouts expired');
    d.close();
    await d.flush();
    check('close');
    o.finish();
    check('the end of the run');
  } finally {
    d.close();
    jest.clearAllTimers();
  }
}
