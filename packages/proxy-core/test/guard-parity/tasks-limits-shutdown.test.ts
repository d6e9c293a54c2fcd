/**
 * PROTOCOL.md 36–43 through guardTransport: tasks (2025-11-25), bounded tables,
 * timeouts with exactly one answer, and shutdown from either side (every pending
 * request answered, the other transport closed, nothing accepted afterwards).
 */
import { describe, expect, it } from '@jest/globals';
import { DENIAL_CODES } from '../../src/protocol.js';
import { listRound, openGuard, req, until, type GuardSession, type OpenGuardOptions } from './helpers.js';

async function taskSession(options: OpenGuardOptions = {}): Promise<GuardSession> {
  const s = await openGuard(options);
  await s.initialize('2025-11-25');
  await s.host(req(1, 'tools/call', { name: 'echo', arguments: {}, task: { ttl: 1000 } }));
  await s.fromServer({ jsonrpc: '2.0', id: s.lastToServer()['id'], result: { task: { taskId: 'task-1', status: 'working' } } });
  await s.nextToHost((m) => m['id'] === 1);
  s.clear();
  return s;
}

describe('PROTOCOL 36 (guardTransport): task IDs are recorded from allowed calls', () => {
  it('records the taskId of a CreateTaskResult and relays it to the host', async () => {
    const s = await openGuard();
    await s.initialize('2025-11-25');
    await s.host(req(1, 'tools/call', { name: 'echo', arguments: {}, task: { ttl: 1000 } }));
    await s.fromServer({ jsonrpc: '2.0', id: s.lastToServer()['id'], result: { task: { taskId: 'task-1', status: 'working' } } });
    expect(s.lastToHost()).toEqual({ jsonrpc: '2.0', id: 1, result: { task: { taskId: 'task-1', status: 'working' } } });
    expect(s.guard.engine.stats().tasks).toBe(1);
  });
});

describe('PROTOCOL 37 (guardTransport): tasks/get|result|cancel', () => {
  it('forwards recorded IDs and answers -32602 locally otherwise', async () => {
    const s = await taskSession();
    for (const m of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
      await s.host(req(m, m, { taskId: 'task-1' }));
      await s.host(req(m + 'x', m, { taskId: 'task-2' }));
    }
    expect(s.toServer.map((m) => [m['method'], m['params']['taskId']])).toEqual([
      ['tasks/get', 'task-1'],
      ['tasks/result', 'task-1'],
      ['tasks/cancel', 'task-1'],
    ]);
    expect(s.toHost.map((m) => [m['id'], m['error']['code']])).toEqual([
      ['tasks/getx', DENIAL_CODES.TASK_NOT_ALLOWED],
      ['tasks/resultx', DENIAL_CODES.TASK_NOT_ALLOWED],
      ['tasks/cancelx', DENIAL_CODES.TASK_NOT_ALLOWED],
    ]);
  });

  it('passes notifications/tasks/status for a recorded task only', async () => {
    const s = await taskSession();
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/tasks/status', params: { taskId: 'other', status: 'working' } });
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/tasks/status', params: { taskId: 'task-1', status: 'completed' } });
    expect(s.toHost.map((m) => m['params']['taskId'])).toEqual(['task-1']);
  });
});

describe('PROTOCOL 38 (guardTransport): tasks/list', () => {
  it('keeps only recorded tasks and nextCursor', async () => {
    const s = await taskSession();
    const out = await listRound(s, 'tasks/list', { tasks: [{ taskId: 'task-1' }, { taskId: 'other' }], nextCursor: 'n' });
    expect(out).toEqual({ tasks: [{ taskId: 'task-1' }], nextCursor: 'n' });
  });
});

describe('PROTOCOL 39 (guardTransport): tasks before 2025-11-25', () => {
  it('refuses tasks/* and params.task under 2025-06-18', async () => {
    const s = await openGuard();
    await s.initialize('2025-06-18');
    await s.host(req(1, 'tasks/get', { taskId: 'x' }));
    await s.host(req(2, 'tools/call', { name: 'echo', arguments: {}, task: {} }));
    expect(s.toServer).toEqual([]);
    expect(s.toHost.map((m) => m['error']['code'])).toEqual([-32602, -32602]);
  });
});

describe('PROTOCOL 41 (guardTransport): bounded tables', () => {
  it('refuses overflow of the pending table and frees the slot on the answer', async () => {
    const s = await openGuard({ maxPending: 2 });
    await s.initialize();
    await s.host(req(1, 'ping'));
    await s.host(req(2, 'ping'));
    await s.host(req(3, 'ping'));
    expect(s.toServer).toHaveLength(2);
    expect(s.lastToHost()).toMatchObject({ id: 3, error: { code: DENIAL_CODES.LIMIT_EXCEEDED } });
    await s.fromServer({ jsonrpc: '2.0', id: s.toServer[0]!['id'], result: {} });
    await s.host(req(4, 'ping'));
    expect(s.toServer).toHaveLength(3);
    await s.guard.close();
  });

  it('caps server→client requests', async () => {
    const s = await openGuard({ maxServerRequests: 1 });
    await s.initialize('2025-06-18', { capabilities: { roots: {} } });
    await s.fromServer({ jsonrpc: '2.0', id: 1, method: 'roots/list' });
    await s.fromServer({ jsonrpc: '2.0', id: 2, method: 'roots/list' });
    expect(s.toHost).toHaveLength(1);
    expect(s.lastToServer()).toMatchObject({ id: 2, error: { code: DENIAL_CODES.LIMIT_EXCEEDED } });
    await s.guard.close();
  });
});

describe('PROTOCOL 12 and 41 (guardTransport): timeouts free the table', () => {
  it('answers each of a full table of unanswered requests exactly once, then accepts the next', async () => {
    const s = await openGuard({ requestTimeoutMs: 40, maxPending: 16 });
    await s.initialize();
    for (let i = 1; i <= 16; i++) await s.host(req(i, 'tools/call', { name: 'echo', arguments: {} }));
    await s.host(req(17, 'tools/call', { name: 'echo', arguments: {} }));
    expect(s.lastToHost()).toMatchObject({ id: 17, error: { code: DENIAL_CODES.LIMIT_EXCEEDED } });
    await until(() => s.guard.engine.stats().pending === 0);
    await until(() => s.toHost.filter((m) => m['error']?.['code'] === DENIAL_CODES.REQUEST_TIMEOUT).length === 16);
    const ids = s.toHost.filter((m) => m['error']?.['code'] === DENIAL_CODES.REQUEST_TIMEOUT).map((m) => m['id']);
    expect(new Set(ids).size).toBe(16);
    expect(s.toServer.filter((m) => m['method'] === 'notifications/cancelled')).toHaveLength(16);
    await s.host(req(18, 'tools/call', { name: 'echo', arguments: {} }));
    expect(s.lastToServer()).toMatchObject({ method: 'tools/call' });
    await s.guard.close();
  });

  it('answers a request whose forward failed (the inner send rejected) once, by timeout, and reports the error', async () => {
    const s = await openGuard({ requestTimeoutMs: 30 });
    await s.initialize();
    s.server.failSends = new Error('pipe broken');
    await s.host(req(1, 'ping'));
    expect(s.errors.map((e) => e.message)).toEqual(['pipe broken']);
    const answer = await s.nextToHost((m) => m['id'] === 1);
    expect(answer['error']['code']).toBe(DENIAL_CODES.REQUEST_TIMEOUT);
    await until(() => s.guard.engine.stats().pending === 0);
    expect(s.toHost.filter((m) => m['id'] === 1)).toHaveLength(1);
    await s.guard.close();
  });
});

describe('PROTOCOL 42 (guardTransport): the host closes', () => {
  it('answers every pending request, closes the inner transport once and refuses further sends', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req(1, 'ping'));
    await s.host(req(2, 'tools/call', { name: 'echo', arguments: {} }));
    const seenAtClose: number[] = [];
    s.guard.onclose = () => seenAtClose.push(s.toHost.length);
    await s.guard.close();
    expect(s.toHost.map((m) => [m['id'], m['error']['code']])).toEqual([
      [1, DENIAL_CODES.SERVER_UNAVAILABLE],
      [2, DENIAL_CODES.SERVER_UNAVAILABLE],
    ]);
    expect(seenAtClose).toEqual([2]);
    expect(s.server.closes).toBe(1);
    await s.guard.close();
    expect(s.server.closes).toBe(1);
    await expect(s.guard.send(req(3, 'ping') as never)).rejects.toMatchObject({ name: 'ProxyError', code: 'CLOSED' });
    expect(s.guard.engine.state).toBe('closed');
  });
});

describe('PROTOCOL 43 (guardTransport): the server side closes', () => {
  it('answers every pending request with -32061, ends the outer transport once and ignores late server messages', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req(1, 'ping'));
    await s.host(req(2, 'tools/call', { name: 'echo', arguments: {} }));
    const late = s.toServer[0]!['id'];
    s.server.end();
    await until(() => s.toHost.length === 2);
    expect(s.toHost.map((m) => [m['id'], m['error']['code']])).toEqual([
      [1, DENIAL_CODES.SERVER_UNAVAILABLE],
      [2, DENIAL_CODES.SERVER_UNAVAILABLE],
    ]);
    expect(s.outerCloses).toBe(1);
    expect(s.guard.engine.stats().pending).toBe(0);
    await s.fromServer({ jsonrpc: '2.0', id: late, result: {} });
    s.server.end();
    expect(s.toHost).toHaveLength(2);
    expect(s.outerCloses).toBe(1);
    await expect(s.guard.send(req(3, 'ping') as never)).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('refuses a session whose server closed during preflight', async () => {
    const s = await openGuard({ preflight: true });
    await s.host(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {} }));
    await s.fromServer({
      jsonrpc: '2.0',
      id: s.lastToServer()['id'],
      result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' } },
    });
    s.server.end();
    const answer = await s.nextToHost((m) => m['id'] === 0);
    expect(answer['error']['code']).toBe(DENIAL_CODES.SESSION_REFUSED);
    expect(s.outerCloses).toBe(1);
  });
});
