// `auditPayloads`: the arguments of tools/call and prompts/get reach the audit sink only
// when asked for, on the decision about that request, and never change the traffic.
import { describe, expect, it } from '@jest/globals';
import { createHarness, req } from './helpers/engine-harness.js';

const ARGS = { text: 'the secret is 42' };

describe('auditPayloads', () => {
  it('leaves arguments out by default', () => {
    const h = createHarness({ auditAllowed: true });
    h.initialize();
    h.host(req(1, 'tools/call', { name: 'exec_shell', arguments: ARGS }));
    h.host(req(2, 'tools/call', { name: 'echo', arguments: ARGS }));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { content: [] } });
    expect(h.sink.events.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(h.sink.events)).not.toContain('the secret');
  });

  it('reports the arguments of a blocked and of an allowed call with their decision', () => {
    const h = createHarness({ auditAllowed: true, auditPayloads: true });
    h.initialize();
    h.host(req(1, 'tools/call', { name: 'exec_shell', arguments: ARGS }));
    h.host(req(2, 'tools/call', { name: 'echo', arguments: ARGS }));
    const forwarded = h.lastToServer();
    expect((forwarded['params'] as { arguments: unknown }).arguments).toEqual(ARGS);
    h.server({ jsonrpc: '2.0', id: forwarded['id'], result: { content: [] } });
    h.host(req(3, 'tools/list', {}));
    expect(h.sink.events.find((e) => e.requestId === '1')).toMatchObject({ action: 'blocked', arguments: ARGS });
    expect(h.sink.events.find((e) => e.requestId === '2')).toMatchObject({ action: 'allowed', arguments: ARGS });
    // A request without arguments of its own does not inherit the previous ones.
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { tools: [] } });
    expect(h.sink.events.find((e) => e.requestId === '3')?.arguments).toBeUndefined();
  });
});
