/**
 * PROTOCOL.md 22–28 through guardTransport: every method that names an item is checked
 * (tools/call with its pinned schema, prompts/get, resources/read|subscribe|unsubscribe,
 * templates, completion/complete), unknown methods are denied, denials carry the host's
 * id and are audited; denied items, the callGuard hook and the rollout modes as well.
 */
import { describe, expect, it } from '@jest/globals';
import { denyItems } from '@mcptrust/lockfile';
import { DENIAL_CODES } from '../../src/protocol.js';
import { openGuard, req, testLockfile } from './helpers.js';

describe('PROTOCOL 22 (guardTransport): tools/call', () => {
  it('forwards an allowed call and blocks an unknown tool with the documented error and audit fields', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req(3, 'tools/call', { name: 'exec_shell', arguments: { cmd: 'id' } }));
    expect(s.toServer).toEqual([]);
    expect(s.lastToHost()).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: { code: DENIAL_CODES.TOOL_NOT_ALLOWED, message: 'MCPTRUST_DENIED: not in allowlist', data: { code: 'TOOL_NOT_ALLOWED' } },
    });
    expect(s.sink.events[0]).toMatchObject({ action: 'blocked', method: 'tools/call', tool: 'exec_shell', reason: 'not in allowlist' });
    await s.host(req(4, 'tools/call', { name: 'echo', arguments: { text: 'hi' } }));
    expect(s.lastToServer()).toMatchObject({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } });
  });

  it('validates arguments against the pinned draft-07 and 2020-12 schemas', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req(1, 'tools/call', { name: 'read_file', arguments: { path: 'a', extra: 1 } }));
    expect(s.lastToHost()['error']['code']).toBe(DENIAL_CODES.INVALID_ARGUMENTS);
    await s.host(req(2, 'tools/call', { name: 'modern', arguments: { n: 0 } }));
    expect(s.lastToHost()['error']['code']).toBe(DENIAL_CODES.INVALID_ARGUMENTS);
    await s.host(req(3, 'tools/call', { name: 'modern', arguments: { n: 2 } }));
    await s.host(req(4, 'tools/call', { name: 'read_file', arguments: { path: 'a' } }));
    expect(s.toServer.map((m) => m['params']['name'])).toEqual(['modern', 'read_file']);
  });

  it('refuses a task-augmented call before 2025-11-25', async () => {
    const s = await openGuard();
    await s.initialize('2025-06-18');
    await s.host(req(1, 'tools/call', { name: 'echo', arguments: {}, task: { ttl: 1000 } }));
    expect(s.toServer).toEqual([]);
    expect(s.lastToHost()['error']['code']).toBe(-32602);
  });

  it('asks the callGuard hook and fails closed when it throws', async () => {
    const s = await openGuard({
      callGuard: (call) => {
        if (call.tool === 'read_file') throw new Error('boom');
        return call.tool === 'echo' ? { allow: false, reason: 'echo is off today' } : { allow: true };
      },
    });
    await s.initialize();
    await s.host(req(1, 'tools/call', { name: 'echo', arguments: {} }));
    expect(s.lastToHost()['error']).toMatchObject({ code: DENIAL_CODES.POLICY_DENIED, message: 'MCPTRUST_DENIED: echo is off today' });
    await s.host(req(2, 'tools/call', { name: 'read_file', arguments: { path: 'x' } }));
    expect(s.lastToHost()['error']['code']).toBe(DENIAL_CODES.POLICY_DENIED);
    expect(s.toServer).toEqual([]);
  });
});

describe('PROTOCOL 23 (guardTransport): prompts/get', () => {
  it('allows a pinned prompt and blocks others', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req(1, 'prompts/get', { name: 'greet', arguments: { who: 'x' } }));
    await s.host(req(2, 'prompts/get', { name: 'steal' }));
    expect(s.toServer.map((m) => m['params']['name'])).toEqual(['greet']);
    expect(s.lastToHost()).toMatchObject({ id: 2, error: { code: DENIAL_CODES.PROMPT_NOT_ALLOWED } });
  });
});

describe('PROTOCOL 24 (guardTransport): resource URIs', () => {
  it.each(['file:///project/../../etc/passwd', 'file:///project/%2e%2e/etc/passwd', 'file:///project/a/b', 'fixture://docs/other'])(
    'denies resources/read, subscribe and unsubscribe of %s',
    async (uri) => {
      const s = await openGuard();
      await s.initialize();
      for (const m of ['resources/read', 'resources/subscribe', 'resources/unsubscribe']) await s.host(req(m, m, { uri }));
      expect(s.toServer).toEqual([]);
      expect(s.toHost.map((m) => [m['id'], m['error']['code']])).toEqual([
        ['resources/read', DENIAL_CODES.RESOURCE_NOT_ALLOWED],
        ['resources/subscribe', DENIAL_CODES.RESOURCE_NOT_ALLOWED],
        ['resources/unsubscribe', DENIAL_CODES.RESOURCE_NOT_ALLOWED],
      ]);
    },
  );

  it('allows pinned static URIs exactly and template matches', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req(1, 'resources/read', { uri: 'fixture://docs/readme' }));
    await s.host(req(2, 'resources/subscribe', { uri: 'file:///project/notes.md' }));
    await s.host(req(3, 'resources/unsubscribe', { uri: 'file:///project/notes.md' }));
    expect(s.toServer.map((m) => m['method'])).toEqual(['resources/read', 'resources/subscribe', 'resources/unsubscribe']);
  });
});

describe('PROTOCOL 25 (guardTransport): completion/complete', () => {
  it('allows only pinned prompts and exact pinned templates', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req(1, 'completion/complete', { ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'who', value: 'a' } }));
    await s.host(req(2, 'completion/complete', { ref: { type: 'ref/resource', uri: 'file:///project/{path}' }, argument: { name: 'path', value: '' } }));
    await s.host(req(3, 'completion/complete', { ref: { type: 'ref/prompt', name: 'hidden' }, argument: { name: 'x', value: '' } }));
    await s.host(req(4, 'completion/complete', { ref: { type: 'ref/resource', uri: 'file:///{path}' }, argument: { name: 'path', value: '' } }));
    expect(s.toServer).toHaveLength(2);
    expect(s.toHost.map((m) => [m['id'], m['error']['code']])).toEqual([
      [3, DENIAL_CODES.COMPLETION_NOT_ALLOWED],
      [4, DENIAL_CODES.COMPLETION_NOT_ALLOWED],
    ]);
  });
});

describe('PROTOCOL 26 (guardTransport): notifications/resources/updated', () => {
  it('drops updates for URIs that are not allowed', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'file:///etc/shadow' } });
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'fixture://docs/readme' } });
    expect(s.toHost.map((m) => m['params']['uri'])).toEqual(['fixture://docs/readme']);
  });
});

describe('PROTOCOL 27 (guardTransport): unknown methods', () => {
  it('denies methods outside the version table', async () => {
    const s = await openGuard();
    await s.initialize('2025-06-18');
    await s.host(req(1, 'admin/exec', {}));
    await s.host(req(2, 'tasks/list', {}));
    await s.host(req(3, 'server/discover', {}));
    expect(s.toServer).toEqual([]);
    expect(s.toHost.map((m) => m['error']['code'])).toEqual([DENIAL_CODES.METHOD_NOT_ALLOWED, -32602, DENIAL_CODES.METHOD_NOT_FOUND]);
  });
});

describe('PROTOCOL 28 (guardTransport): denials', () => {
  it('answers with the host id and MCPTRUST_DENIED, never -32002, drops denied notifications and audits every denial', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req('a', 'tools/call', { name: 'nope' }));
    await s.host(req('b', 'prompts/get', { name: 'nope' }));
    await s.host(req('c', 'resources/read', { uri: 'x://nope' }));
    await s.host({ jsonrpc: '2.0', method: 'notifications/unknown' });
    expect(s.toServer).toEqual([]);
    expect(s.toHost.map((m) => m['id'])).toEqual(['a', 'b', 'c']);
    for (const m of s.toHost) {
      expect(m['error']['message']).toMatch(/^MCPTRUST_DENIED: /);
      expect(m['error']['code']).not.toBe(-32002);
    }
    expect(s.sink.events.filter((e) => e.action === 'blocked' || e.action === 'dropped')).toHaveLength(4);
  });
});

describe('denied items (guardTransport)', () => {
  const lockfile = () =>
    denyItems(testLockfile(), [
      { itemType: 'tool', id: 'echo' },
      { itemType: 'prompt', id: 'greet' },
      { itemType: 'resource', id: 'fixture://docs/readme' },
    ]);

  it('hides denied items and refuses their calls, gets and reads with ITEM_DENIED', async () => {
    const s = await openGuard({ lockfile: lockfile() });
    await s.initialize();
    await s.host(req(1, 'tools/call', { name: 'echo', arguments: { text: 'hi' } }));
    await s.host(req(2, 'prompts/get', { name: 'greet', arguments: { who: 'x' } }));
    await s.host(req(3, 'resources/read', { uri: 'fixture://docs/readme' }));
    expect(s.toServer).toEqual([]);
    expect(s.toHost.map((m) => [m['id'], m['error']['code'], m['error']['message']])).toEqual([
      [1, DENIAL_CODES.ITEM_DENIED, 'MCPTRUST_DENIED: denied by the lockfile'],
      [2, DENIAL_CODES.ITEM_DENIED, 'MCPTRUST_DENIED: denied by the lockfile'],
      [3, DENIAL_CODES.ITEM_DENIED, 'MCPTRUST_DENIED: denied by the lockfile'],
    ]);
  });
});

describe('modes (guardTransport)', () => {
  it('filter-only lets an unknown tool through with an audit_only event', async () => {
    const s = await openGuard({ mode: 'filter-only' });
    await s.initialize();
    await s.host(req(1, 'tools/call', { name: 'exec_shell', arguments: {} }));
    expect(s.lastToServer()['params']['name']).toBe('exec_shell');
    expect(s.sink.events.some((e) => e.action === 'audit_only' && e.tool === 'exec_shell')).toBe(true);
  });

  it('audit-only still enforces protocol integrity (host IDs)', async () => {
    const s = await openGuard({ mode: 'audit-only' });
    await s.host(req(null, 'ping'));
    expect(s.toServer).toEqual([]);
  });
});
