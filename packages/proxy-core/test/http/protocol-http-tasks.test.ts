/**
 * PROTOCOL (HTTP) twins of the task items (2025-11-25): a scripted Streamable HTTP
 * server on 127.0.0.1 answers a task-augmented call with a CreateTaskResult and lists
 * tasks of other clients; raw NDJSON lines play the host.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { DENIAL_CODES } from '../../src/protocol.js';
import { answering, forwarded, runCleanups, scriptedSession, type Cleanups, type ScriptedSession } from './protocol-helpers.js';

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

type Msg = Record<string, any>;

const TASK = { taskId: 'task-1', status: 'working', createdAt: '2025-01-01T00:00:00Z', lastUpdatedAt: '2025-01-01T00:00:00Z', ttl: 60000 };

/** A 2025-11-25 session in which the host created task-1 through an allowed call. */
async function taskSession(): Promise<ScriptedSession> {
  const session = await scriptedSession(cleanups, {
    capabilities: { tools: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
    handle: answering({
      'tools/call': (request: Msg) => (request['params']['task'] === undefined ? { content: [] } : { task: TASK }),
      'tasks/get': (request: Msg) => ({ ...TASK, taskId: request['params']['taskId'] }),
      'tasks/result': { content: [{ type: 'text', text: 'done' }] },
      'tasks/cancel': (request: Msg) => ({ ...TASK, taskId: request['params']['taskId'], status: 'cancelled' }),
      'tasks/list': { tasks: [TASK, { ...TASK, taskId: 'task-of-another-client' }], nextCursor: 'n2' },
    }),
  });
  await session.host.initialize('2025-11-25');
  const created = await session.host.request('t1', 'tools/call', { name: 'echo', arguments: { text: 'x' }, task: { ttl: 60000 } });
  expect(created).toMatchObject({ result: { task: { taskId: 'task-1' } } });
  return session;
}

describe('PROTOCOL 36 (HTTP): task IDs are recorded from allowed calls', () => {
  it('records the taskId of the CreateTaskResult of an allowed task-augmented call', async () => {
    const { run } = await taskSession();
    expect(run.bridge.engine.stats().tasks).toBe(1);
  });
});

describe('PROTOCOL 37 (HTTP): tasks/get|result|cancel only for recorded IDs', () => {
  it('POSTs them for the recorded task and answers -32602 locally for any other id', async () => {
    const { server, host } = await taskSession();
    for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
      expect(await host.request(method, method, { taskId: 'task-1' })).toHaveProperty('result');
      expect(await host.request(`${method}-x`, method, { taskId: 'task-of-another-client' })).toMatchObject({ error: { code: DENIAL_CODES.TASK_NOT_ALLOWED } });
    }
    const taskRequests = forwarded(server).filter((m) => String(m['method']).startsWith('tasks/'));
    expect(taskRequests.map((m) => m['params']['taskId'])).toEqual(['task-1', 'task-1', 'task-1']);
  });
});

describe('PROTOCOL 38 (HTTP): tasks/list is filtered to recorded IDs', () => {
  it('keeps only the tasks of this session and nextCursor', async () => {
    const { host } = await taskSession();
    const list = await host.request('l', 'tasks/list', {});
    expect(list['result']).toEqual({ tasks: [TASK], nextCursor: 'n2' });
  });

  it('passes notifications/tasks/status for the recorded task only (PROTOCOL 33)', async () => {
    const { host } = await scriptedSession(cleanups, {
      handle: (request, reply) => {
        if (request['method'] !== 'tools/call') return false;
        if (request['params']['task'] === undefined) {
          reply.send({ jsonrpc: '2.0', method: 'notifications/tasks/status', params: { ...TASK, taskId: 'task-of-another-client' } });
          reply.send({ jsonrpc: '2.0', method: 'notifications/tasks/status', params: { ...TASK, status: 'completed' } });
        }
        reply.result(request['params']['task'] === undefined ? { content: [] } : { task: TASK });
        return true;
      },
    });
    await host.initialize('2025-11-25');
    await host.request('t1', 'tools/call', { name: 'echo', arguments: { text: 'x' }, task: { ttl: 60000 } });
    await host.request('t2', 'tools/call', { name: 'echo', arguments: { text: 'y' } });
    const statuses = host.lines.filter((l) => l['method'] === 'notifications/tasks/status');
    expect(statuses.map((l) => [l['params']['taskId'], l['params']['status']])).toEqual([['task-1', 'completed']]);
  });
});

describe('PROTOCOL 39 (HTTP): tasks on earlier protocol versions', () => {
  it('refuses tasks/* and task-augmented calls under 2025-06-18, POSTing nothing', async () => {
    const { server, host } = await scriptedSession(cleanups);
    await host.initialize('2025-06-18');
    const call = await host.request('t', 'tools/call', { name: 'echo', arguments: { text: 'x' }, task: { ttl: 1000 } });
    expect(call).toMatchObject({ error: { code: -32602 } });
    expect(call['error']['message']).toMatch(/^MCPTRUST_DENIED: /);
    expect(await host.request('g', 'tasks/get', { taskId: 'x' })).toMatchObject({ error: { code: -32602 } });
    expect(await host.request('l', 'tasks/list', {})).toMatchObject({ error: { code: -32602 } });
    expect(forwarded(server)).toEqual([]);
  });
});
