// How preflight ends: which list errors it reads as "none", and what each mode does with
// drift (only enforce refuses; the rollout modes log and go on).
import { describe, expect, it } from '@jest/globals';
import { DENIAL_CODES } from '../src/protocol.js';
import { preflightAction, preflightRefuses, sessionOpenedReason } from '../src/preflight-settlement.js';
import type { EnforcementMode, PreflightDrift } from '../src/engine.types.js';
import { answerPreflight, createHarness, req, SURFACE } from './helpers/engine-harness.js';

type Options = Parameters<typeof createHarness>[0];

function start(options: Options = {}) {
  const h = createHarness({ preflight: true, ...options });
  h.host(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {} }));
  h.server({
    jsonrpc: '2.0',
    id: h.lastToServer()['id'],
    result: { protocolVersion: '2025-06-18', capabilities: { tools: {}, prompts: {}, resources: {} }, serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' } },
  });
  return h;
}

/** Answers the open preflight request of `method` with a JSON-RPC error. */
function answerWithError(h: ReturnType<typeof createHarness>, method: string, code: number): void {
  const open = h.toServer.filter((m) => m['method'] === method);
  h.server({ jsonrpc: '2.0', id: open[open.length - 1]!['id'], error: { code, message: `Method not found: ${method}` } });
}

const WITH_EXEC_SHELL = { ...SURFACE, tools: [...SURFACE.tools, { name: 'exec_shell', inputSchema: { type: 'object' } }] };

describe('preflight list errors', () => {
  it('reads -32601 to resources/templates/list as no templates and opens the session', async () => {
    const h = start();
    answerWithError(h, 'resources/templates/list', -32601);
    answerPreflight(h);
    await h.settle();
    expect(h.engine.state).toBe('ready');
    expect(h.lastToHost()).toMatchObject({ id: 0, result: { protocolVersion: '2025-06-18' } });
    // The pinned template is simply not offered any more: moderate, below the default bar.
    expect(h.engine.drift).toEqual([expect.objectContaining({ kind: 'resourceTemplate', id: 'file:///project/{path}', change: 'removed', severity: 'moderate' })]);
  });

  it('reads -32601 to prompts/list and resources/list as none too', async () => {
    const h = start();
    answerWithError(h, 'prompts/list', -32601);
    answerWithError(h, 'resources/list', -32601);
    answerPreflight(h);
    await h.settle();
    expect(h.engine.state).toBe('ready');
    expect(h.engine.drift.map((d) => `${d.kind}:${d.id}:${d.change}`).sort()).toEqual(['prompt:greet:removed', 'resource:fixture://docs/readme:removed']);
  });

  it('still refuses the session on any other error', () => {
    const h = start();
    answerWithError(h, 'resources/templates/list', -32603);
    answerPreflight(h);
    expect(h.engine.state).toBe('refused');
    expect(h.lastToHost()['error']['message']).toContain('resources/templates/list answered with an error');
    expect(h.fatal[0]).toMatchObject({ code: 'PREFLIGHT_FAILED' });
  });

  it('still refuses the session on -32601 to a later page (the method did exist)', () => {
    const h = start();
    const tools = h.toServer.find((m) => m['method'] === 'tools/list')!;
    h.server({ jsonrpc: '2.0', id: tools['id'], result: { tools: [SURFACE.tools[0]], nextCursor: 'p2' } });
    answerWithError(h, 'tools/list', -32601);
    answerPreflight(h);
    expect(h.engine.state).toBe('refused');
    expect(h.lastToHost()['error']['message']).toContain('tools/list answered with an error');
  });
});

describe('preflight drift by mode', () => {
  it('enforce refuses drift at or above failOn', async () => {
    const h = start();
    answerPreflight(h, WITH_EXEC_SHELL);
    await h.settle();
    expect(h.engine.state).toBe('refused');
    expect(h.sink.events.find((e) => e.method === 'preflight')).toMatchObject({ action: 'blocked', tool: 'exec_shell', reason: 'tool added (critical)' });
  });

  it('enforce logs a drifted item below failOn as blocked, since it is denied', async () => {
    const h = start();
    answerPreflight(h, { ...SURFACE, tools: [SURFACE.tools[0]!, { ...SURFACE.tools[1]!, description: 'Echo the given text back.' }, SURFACE.tools[2]!] });
    await h.settle();
    expect(h.engine.state).toBe('ready');
    expect(h.sink.events.find((e) => e.method === 'preflight')).toMatchObject({ action: 'blocked', tool: 'echo', reason: 'tool changed (moderate)' });
    h.host(req(1, 'tools/call', { name: 'echo', arguments: {} }));
    expect(h.lastToHost()['error']['code']).toBe(DENIAL_CODES.DEFINITION_DRIFTED);
  });

  it('filter-only opens the session on critical drift, hides the item and lets its call through', async () => {
    const h = start({ mode: 'filter-only' });
    answerPreflight(h, WITH_EXEC_SHELL);
    await h.settle();
    expect(h.engine.state).toBe('ready');
    expect(h.lastToHost()).toMatchObject({ id: 0, result: { protocolVersion: '2025-06-18' } });
    expect(h.fatal).toEqual([]);
    expect(h.sink.events.filter((e) => e.method === 'preflight')).toEqual([
      expect.objectContaining({ action: 'filtered', tool: 'exec_shell', reason: 'tool added (critical)' }),
    ]);
    expect(h.sink.events.find((e) => e.action === 'session')?.reason).toContain('filter-only');
    h.host(req(1, 'tools/list'));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { tools: WITH_EXEC_SHELL.tools } });
    expect(h.lastToHost()['result']['tools'].map((t: { name: string }) => t.name)).not.toContain('exec_shell');
    h.host(req(2, 'tools/call', { name: 'exec_shell', arguments: {} }));
    expect(h.lastToServer()).toMatchObject({ method: 'tools/call', params: { name: 'exec_shell' } });
    expect(h.sink.events.some((e) => e.action === 'audit_only' && e.method === 'tools/call' && e.tool === 'exec_shell')).toBe(true);
  });

  it('audit-only opens the session on critical drift and withholds nothing', async () => {
    const h = start({ mode: 'audit-only' });
    answerPreflight(h, WITH_EXEC_SHELL);
    await h.settle();
    expect(h.engine.state).toBe('ready');
    expect(h.sink.events.filter((e) => e.method === 'preflight')).toEqual([
      expect.objectContaining({ action: 'audit_only', tool: 'exec_shell', reason: 'tool added (critical)' }),
    ]);
    h.host(req(1, 'tools/list'));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { tools: WITH_EXEC_SHELL.tools } });
    expect(h.lastToHost()['result']['tools'].map((t: { name: string }) => t.name)).toContain('exec_shell');
  });
});

describe('preflightAction', () => {
  const item = (over: Partial<PreflightDrift>): PreflightDrift => ({ kind: 'tool', id: 't', change: 'changed', severity: 'moderate', ...over });
  const cases: Array<[EnforcementMode, PreflightDrift, boolean, string]> = [
    ['enforce', item({}), false, 'blocked'],
    ['enforce', item({ severity: 'critical', change: 'added' }), true, 'blocked'],
    ['enforce', item({ change: 'removed' }), false, 'audit_only'],
    ['enforce', item({ kind: 'server', id: 'serverInfo.version', severity: 'info' }), false, 'audit_only'],
    ['enforce', item({ kind: 'server', id: 'instructions' }), false, 'filtered'],
    ['filter-only', item({ severity: 'critical', change: 'added' }), true, 'filtered'],
    ['filter-only', item({ change: 'removed' }), true, 'audit_only'],
    ['audit-only', item({ severity: 'critical', change: 'added' }), true, 'audit_only'],
    ['audit-only', item({}), false, 'audit_only'],
  ];
  it.each(cases)('%s: %j (at or above failOn: %s) is %s', (mode, d, above, action) => {
    expect(preflightAction(mode, d, above)).toBe(action);
  });

  it('refuses only in enforce mode, and only with blocking drift', () => {
    expect(preflightRefuses('enforce', 1)).toBe(true);
    expect(preflightRefuses('enforce', 0)).toBe(false);
    expect(preflightRefuses('filter-only', 3)).toBe(false);
    expect(preflightRefuses('audit-only', 3)).toBe(false);
  });

  it('says in the session line what happened to the drifted items', () => {
    expect(sessionOpenedReason('enforce', 2)).toBe('session established (2 drifted item(s) denied)');
    expect(sessionOpenedReason('filter-only', 2)).toContain('hidden from lists, calls let through');
    expect(sessionOpenedReason('audit-only', 2)).toContain('nothing withheld');
  });
});
