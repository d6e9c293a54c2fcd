/**
 * `--otel` on the built CLI against a loopback OTLP/HTTP receiver: a span per command,
 * a SERVER span per proxied host request following the MCP semantic conventions (the
 * host's traceparent as parent), the proxy's metrics, and a collector that is down
 * changing neither the exit code nor stdout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { otlpAttribute, startOtlpReceiver } from '@mcptrust/tooling/test-support/otlp-receiver.mjs';
import type { OtlpReceiver } from '@mcptrust/tooling/test-support/otlp-receiver.mjs';
import { DEMO, NODE, runCli } from './helpers.js';
import { lockWithCli, removeTempDirs, startProxy, stopAllProxies, tempDir } from './proxy-harness.js';

let dir = '';
let lock = '';
let receiver: OtlpReceiver;
beforeAll(async () => {
  dir = tempDir('mcptrust-otel-');
  lock = await lockWithCli(dir, 'demo.json', [NODE, DEMO]);
  receiver = await startOtlpReceiver();
}, 30_000);
afterEach(stopAllProxies);
afterAll(async () => {
  await receiver.close();
  removeTempDirs();
});

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

describe('mcptrust proxy --otel', () => {
  it('exports one SERVER span per host request with the MCP attributes, parented on the host\'s traceparent', async () => {
    const run = startProxy(['--lock', lock, '--otel', '--otel-endpoint', receiver.url], [NODE, DEMO]);
    await run.initialize();
    await run.request(1, 'tools/call', { name: 'read_note', arguments: { id: 'oncall' } });
    await run.waitFor((m) => m['method'] === 'notifications/tools/list_changed');
    await run.request('x-2', 'tools/call', { name: 'exec_shell', arguments: { command: 'id' }, _meta: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    run.child.stdin.end();
    expect((await run.exited).code).toBe(0);
    // Nothing but MCP messages on stdout.
    expect(run.junk).toEqual([]);

    const spans = receiver.spans();
    const blocked = spans.find((s) => s.name === 'tools/call exec_shell');
    expect(blocked).toBeDefined();
    expect(blocked!.kind).toBe(2);
    expect(blocked!.traceId).toBe(TRACE);
    expect(blocked!.parentSpanId).toBe(PARENT);
    expect(blocked!.status?.code).toBe(2);
    for (const [key, value] of [
      ['mcp.method.name', 'tools/call'],
      ['gen_ai.tool.name', 'exec_shell'],
      ['gen_ai.operation.name', 'execute_tool'],
      ['jsonrpc.request.id', 'x-2'],
      ['network.transport', 'pipe'],
      ['error.type', '-32050'],
      ['mcptrust.decision', 'blocked'],
      ['mcptrust.reason', 'TOOL_NOT_ALLOWED'],
    ] as const) {
      expect([key, otlpAttribute(blocked!.attributes, key)]).toEqual([key, value]);
    }
    const allowed = spans.find((s) => s.name === 'tools/call read_note');
    expect(otlpAttribute(allowed!.attributes, 'mcptrust.decision')).toBe('allowed');
    expect(otlpAttribute(allowed!.attributes, 'jsonrpc.request.id')).toBe('1');
    const command = spans.find((s) => s.name === 'mcptrust.proxy');
    expect(command).toBeDefined();
    // Arguments never leave the proxy.
    expect(JSON.stringify(receiver.requests.map((r) => r.json))).not.toContain('oncall');

    const names = receiver.metrics().map((m: { name: string }) => m.name);
    expect(names).toEqual(expect.arrayContaining(['mcp.server.operation.duration', 'mcptrust.proxy.decisions']));
  }, 30_000);
});

describe('a command with --otel', () => {
  it('exports the command span with its outcome', async () => {
    const before = receiver.spans().length;
    const r = await runCli(['diff', '--lock', lock, '--otel', '--otel-endpoint', receiver.url, '--', NODE, DEMO]);
    expect(r.code).toBe(0);
    const span = receiver.spans().slice(before).find((s) => s.name === 'mcptrust.diff');
    expect(span).toBeDefined();
    expect(otlpAttribute(span!.attributes, 'mcptrust.exit_code')).toBe(0);
  });

  it('keeps its exit code and stdout when the collector is down, and warns on stderr', async () => {
    // A port that was free a moment ago: nothing listens on it.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const r = await runCli(['diff', '--lock', lock, '--format', 'json', '--otel', '--otel-endpoint', `http://127.0.0.1:${port}`, '--', NODE, DEMO]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ command: 'diff' });
    expect(r.stderr).toMatch(/warning/i);
  }, 30_000);
});
