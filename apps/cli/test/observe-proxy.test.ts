/**
 * The proxy's decisions reach every sink: JSONL `mcptrust.proxy.decision` records with
 * the host's request id and duration, the hash-chained audit log (verified by
 * `mcptrust audit verify`), and the receipt's decision counts and chain head.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO, NODE, runCli } from './helpers.js';
import { lockWithCli, removeTempDirs, startProxy, stopAllProxies, tempDir } from './proxy-harness.js';

let dir = '';
let lock = '';
beforeAll(async () => {
  dir = tempDir('mcptrust-observe-proxy-');
  lock = await lockWithCli(dir, 'demo.json', [NODE, DEMO]);
}, 30_000);
afterEach(stopAllProxies);
afterAll(removeTempDirs);

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('mcptrust proxy with every audit sink on', () => {
  it('logs, chains and counts each decision with the host request id and duration', async () => {
    const log = join(dir, 'decisions.jsonl');
    const chain = join(dir, 'audit.log');
    const receipt = join(dir, 'proxy-receipt.json');
    const run = startProxy(['--lock', lock, '--log-format', 'jsonl', '--log-output', log, '--audit-log', chain, '--receipt', receipt], [NODE, DEMO]);
    await run.initialize();
    await run.request('read-1', 'tools/call', { name: 'read_note', arguments: { id: 'oncall' } });
    await run.waitFor((m) => m['method'] === 'notifications/tools/list_changed');
    const blocked = await run.request(7, 'tools/call', { name: 'exec_shell', arguments: { command: 'id' }, _meta: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    expect(blocked.message['error']).toMatchObject({ code: -32050 });
    // The human line is still on stderr (records go to the file).
    await run.waitForStderr('action=blocked method=tools/call tool=exec_shell');
    run.child.stdin.end();
    const exit = await run.exited;
    expect(exit.code).toBe(0);

    const decisions = jsonLines(readFileSync(log, 'utf8')).filter((r) => r['event'] === 'mcptrust.proxy.decision');
    const allowed = decisions.find((d) => d['action'] === 'allowed' && d['tool'] === 'read_note');
    expect(allowed).toMatchObject({ request_id: 'read-1', method: 'tools/call', level: 'info', direction: 'host_to_server' });
    expect(typeof allowed!['duration_ms']).toBe('number');
    const refused = decisions.find((d) => d['action'] === 'blocked' && d['tool'] === 'exec_shell');
    expect(refused).toMatchObject({ request_id: '7', level: 'warn', reason_code: 'TOOL_NOT_ALLOWED', error_code: -32050, trace_id: '0af7651916cd43dd8448eb211c80319c' });
    // Nothing of the call's arguments reaches the log.
    expect(readFileSync(log, 'utf8')).not.toContain('"command":"id"');

    const verified = await runCli(['audit', 'verify', chain, '--json']);
    expect(verified.code).toBe(0);
    const records = jsonLines(readFileSync(chain, 'utf8'));
    expect(records[0]).toMatchObject({ type: 'chain.start', lockfile: { path: lock } });
    expect(records.filter((r) => r['type'] === 'decision').map((r) => r['action'])).toEqual(expect.arrayContaining(['allowed', 'blocked']));

    const doc = JSON.parse(readFileSync(receipt, 'utf8')) as Record<string, unknown>;
    expect(doc).toMatchObject({ command: 'mcptrust proxy', result: { status: 'success' }, proxy: { mode: 'enforce' } });
    const counts = (doc['proxy'] as { decisions: Record<string, number> }).decisions;
    expect(counts['blocked']).toBeGreaterThanOrEqual(1);
    expect(counts['allowed']).toBeGreaterThanOrEqual(1);
    const last = records.at(-1)!;
    expect((doc['chain'] as Record<string, unknown>)['seq']).toBe(last['seq']);
  }, 30_000);

  it('puts nothing but JSON records (and the server\'s own stderr) on stderr with --log-format jsonl', async () => {
    const run = startProxy(['--lock', lock, '--log-format', 'jsonl'], [NODE, DEMO]);
    await run.initialize();
    await run.request(1, 'tools/call', { name: 'nope', arguments: {} });
    await run.waitForStderr('"mcptrust.proxy.decision"');
    run.child.stdin.end();
    await run.exited;
    const lines = run.stderr().split('\n').filter((l) => l.startsWith('{'));
    const decision = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r['event'] === 'mcptrust.proxy.decision' && r['tool'] === 'nope');
    expect(decision).toMatchObject({ action: 'blocked', request_id: '1', level: 'warn' });
    expect(run.stderr()).not.toContain('mcptrust: action=');
  }, 30_000);

  it('--log-payloads puts call arguments in the JSONL log only, and says so on stderr', async () => {
    const log = join(dir, 'payloads.jsonl');
    const chain = join(dir, 'payloads.audit');
    const run = startProxy(['--lock', lock, '--log-format', 'jsonl', '--log-output', log, '--log-payloads', '--audit-log', chain], [NODE, DEMO]);
    await run.initialize();
    await run.request(1, 'tools/call', { name: 'read_note', arguments: { id: 'payload-marker' } });
    run.child.stdin.end();
    expect((await run.exited).code).toBe(0);
    expect(run.stderr()).toContain('--log-payloads');
    const decision = jsonLines(readFileSync(log, 'utf8')).find((r) => r['event'] === 'mcptrust.proxy.decision' && r['tool'] === 'read_note');
    expect(decision).toMatchObject({ action: 'allowed', arguments: { id: 'payload-marker' } });
    expect(readFileSync(chain, 'utf8')).not.toContain('payload-marker');
  }, 30_000);
});
