/**
 * End-to-end tests through the stdio bridge against the project's fixture server,
 * driven by the real SDK Client (PROTOCOL items named in each describe).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createMemoryAuditSink } from '@mcptrust/audit';
import type { Lockfile } from '@mcptrust/lockfile';
import { DENIAL_CODES } from '../src/protocol.js';
import type { StdioBridgeOptions } from '../src/stdio-bridge.js';
import { alive, FIXTURE_SERVER, lockServer, startBridge, type BridgeRun } from './helpers/e2e.js';

let lockfile: Lockfile;
let dir: string;
const runs: BridgeRun[] = [];

beforeAll(async () => {
  lockfile = await lockServer(process.execPath, [FIXTURE_SERVER]);
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-bridge-'));
});

afterEach(async () => {
  for (const r of runs.splice(0)) {
    if (alive(r.bridge.pid)) process.kill(r.bridge.pid!, 'SIGKILL');
    await r.bridge.closed;
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bridge(flags: string[], options: Partial<StdioBridgeOptions> = {}): BridgeRun {
  const run = startBridge({ command: process.execPath, args: [FIXTURE_SERVER, ...flags], lockfile, ...options });
  runs.push(run);
  return run;
}

async function connect(run: BridgeRun, capabilities: Record<string, unknown> = {}): Promise<Client> {
  const client = new Client({ name: 'host', version: '1.0.0' }, { capabilities });
  await client.connect(run.transport);
  return client;
}

function errorCode(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

describe('stdio bridge against the fixture server', () => {
  describe('PROTOCOL 1: framing', () => {
    it('delivers a CRLF host line to the server as one line without CR', async () => {
      const log = join(dir, 'crlf.log');
      const run = bridge(['--log-requests', log]);
      const answered = new Promise<string>((r) => run.hostOut.once('data', (c: Buffer) => r(c.toString())));
      run.hostIn.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\r\n');
      expect(JSON.parse(await answered)).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
      const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).not.toContain('\r');
      expect(lines[0]).not.toContain('"id":1');
    });
  });

  describe('PROTOCOL 4: junk on the server stdout', () => {
    it('keeps the session alive when the server prints "Listening..." and junk lines', async () => {
      const sink = createMemoryAuditSink();
      const client = await connect(bridge(['--stdout-junk'], { audit: sink }));
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('echo');
      expect(sink.events.some((e) => e.action === 'dropped' && e.reason?.includes('not JSON'))).toBe(true);
    });
  });

  describe('PROTOCOL 11: spoofed responses', () => {
    it.each([['--duplicate-responses'], ['--unsolicited']])('answers every call exactly once with %s', async (flag) => {
      const sink = createMemoryAuditSink();
      const client = await connect(bridge([flag], { audit: sink }));
      const res = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
      expect(JSON.stringify(res.content)).toContain('hi');
      expect(sink.events.some((e) => e.action === 'dropped')).toBe(true);
    });

    it('drops wrong-id responses; the request then times out', async () => {
      const run = bridge([], { requestTimeoutMs: 300 });
      const client = await connect(run);
      // The wrong-id server is only wrong after initialize; use a fresh bridge for it.
      await client.close();
      const wrong = bridge(['--wrong-id'], { requestTimeoutMs: 300, preflight: false });
      const c2 = await connect(wrong);
      await expect(c2.ping()).rejects.toMatchObject({ code: DENIAL_CODES.REQUEST_TIMEOUT });
    });
  });

  describe('PROTOCOL 12: never-answering server', () => {
    it('answers with a timeout error and keeps serving other requests', async () => {
      const client = await connect(bridge(['--never-answer', 'prompts/get'], { requestTimeoutMs: 300 }));
      await expect(client.getPrompt({ name: 'greet', arguments: { name: 'x' } })).rejects.toMatchObject({ code: DENIAL_CODES.REQUEST_TIMEOUT });
      const res = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
      expect(JSON.stringify(res.content)).toContain('still here');
    });
  });

  describe('PROTOCOL 20 + preflight: look-alike names', () => {
    it('refuses the session when the server adds a confusable tool, naming it', async () => {
      const run = bridge(['--confusable']);
      const client = new Client({ name: 'host', version: '1.0.0' });
      await expect(client.connect(run.transport)).rejects.toThrow(/re\u0430d_file/);
      const exit = await run.bridge.closed;
      expect(exit.error).toMatchObject({ code: 'PREFLIGHT_DRIFT' });
    });
  });

  describe('PROTOCOL 21: drift mid-session', () => {
    it('hides and blocks a shadow tool added mid-session', async () => {
      const sink = createMemoryAuditSink();
      const client = await connect(bridge(['--drift-after', '1', '--drift', 'add-tool'], { audit: sink }));
      await client.callTool({ name: 'echo', arguments: { message: 'a' } });
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).not.toContain('exec_shell');
      await expect(client.callTool({ name: 'exec_shell', arguments: { command: 'id' } })).rejects.toMatchObject({
        code: DENIAL_CODES.TOOL_NOT_ALLOWED,
      });
      expect(sink.events).toContainEqual(expect.objectContaining({ action: 'blocked', method: 'tools/call', tool: 'exec_shell', reason: 'not in allowlist' }));
    });

    it.each([['widen-schema'], ['inject-description'], ['change-annotations']])('filters and blocks read_file after %s', async (kind) => {
      const client = await connect(bridge(['--drift-after', '1', '--drift', kind]));
      await client.callTool({ name: 'echo', arguments: { message: 'a' } });
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).not.toContain('read_file');
      await expect(client.callTool({ name: 'read_file', arguments: { path: 'README.md' } })).rejects.toMatchObject({
        code: DENIAL_CODES.DEFINITION_DRIFTED,
      });
    });
  });

  describe('PROTOCOL 34: server→client requests', () => {
    it('relays sampling to a host that declared it, with translated IDs', async () => {
      const run = bridge([]);
      const client = new Client({ name: 'host', version: '1.0.0' }, { capabilities: { sampling: {} } });
      client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'sampled!' }, model: 'test' }));
      await client.connect(run.transport);
      const res = await client.callTool({ name: 'sample', arguments: { prompt: 'x' } });
      expect(JSON.stringify(res)).toContain('sampled!');
    });
  });

  describe('PROTOCOL 40: oversized server line', () => {
    it('drops a 10 MiB + 1 line; the request times out and the session continues', async () => {
      const client = await connect(bridge(['--oversized-line', String(10 * 1024 * 1024 + 1)], { requestTimeoutMs: 1500 }));
      const first = await client.callTool({ name: 'echo', arguments: { message: 'after' } }).catch((e: unknown) => e);
      // The oversized line precedes the first response; the response itself still arrives.
      expect(errorCode(first) === undefined || errorCode(first) === DENIAL_CODES.REQUEST_TIMEOUT).toBe(true);
      const again = await client.callTool({ name: 'echo', arguments: { message: 'again' } });
      expect(JSON.stringify(again.content)).toContain('again');
    });
  });

  describe('PROTOCOL 42: host EOF', () => {
    it('closes the server stdin and the server exits cleanly', async () => {
      const run = bridge([]);
      const client = await connect(run);
      await client.ping();
      run.hostIn.end();
      const exit = await run.bridge.closed;
      expect(exit).toMatchObject({ exitCode: 0, crashed: false });
      expect(alive(run.bridge.pid)).toBe(false);
    });
  });

  describe('PROTOCOL 43: server crash', () => {
    it('answers the pending call with an error and reports the crash', async () => {
      const run = bridge(['--crash-after', '0']);
      const client = await connect(run);
      await expect(client.callTool({ name: 'echo', arguments: { message: 'x' } })).rejects.toMatchObject({ code: DENIAL_CODES.SERVER_UNAVAILABLE });
      const exit = await run.bridge.closed;
      expect(exit).toMatchObject({ exitCode: 3, crashed: true });
    });
  });

  describe('PROTOCOL 44: server stderr', () => {
    it('passes server stderr to stderr and never to the host output', async () => {
      const run = startBridge({
        command: process.execPath,
        args: ['-e', 'process.stderr.write("diagnostic-line\\n"); process.stdin.resume(); process.stdin.on("end", () => process.exit(0));'],
        lockfile,
      });
      runs.push(run);
      let hostBytes = '';
      run.hostOut.on('data', (c: Buffer) => (hostBytes += c.toString()));
      for (let i = 0; i < 100 && !run.stderrText().includes('diagnostic-line'); i++) await new Promise((r) => setTimeout(r, 20));
      run.hostIn.end();
      await run.bridge.closed;
      expect(run.stderrText()).toContain('diagnostic-line');
      expect(hostBytes).not.toContain('diagnostic-line');
    });
  });

  describe('PROTOCOL 45: shutdown escalation', () => {
    it('escalates to SIGKILL for a server that ignores stdin EOF and SIGTERM, leaving no orphan', async () => {
      const run = bridge(['--ignore-stdin-close'], { shutdownGraceMs: 200 });
      const client = await connect(run);
      await client.ping();
      const exit = await run.bridge.close();
      expect(exit.signal).toBe('SIGKILL');
      expect(exit.crashed).toBe(false);
      expect(alive(run.bridge.pid)).toBe(false);
    });
  });
});

describe('stdio bridge: long list pages', () => {
  describe('when the host lists a page of 300 tools again and again', () => {
    it('answers every repeat (from the page bytes) with the same filtered list', async () => {
      const { writeFileSync } = await import('node:fs');
      const surface = join(dir, 'many-tools.json');
      const tools = Array.from({ length: 300 }, (_, i) => ({
        name: `tool_${i}`,
        description: `Tool number ${i}, with a description long enough to make the page large. Zürich ✓`,
        inputSchema: { type: 'object', properties: { a: { type: 'string' } } },
      }));
      writeFileSync(surface, JSON.stringify({ tools }));
      const pinned = await lockServer(process.execPath, [FIXTURE_SERVER, '--surface', surface]);
      // The lockfile allows all but the last tool: every answer must drop it.
      delete (pinned.tools as Record<string, unknown>)['tool_299'];
      const run = startBridge({ command: process.execPath, args: [FIXTURE_SERVER, '--surface', surface], lockfile: pinned, preflight: false });
      runs.push(run);
      const client = await connect(run);
      const expected = tools.slice(0, 299).map((t) => t.name);
      for (let i = 0; i < 5; i++) {
        const listed = await client.listTools();
        expect(listed.tools.map((t) => t.name)).toEqual(expected);
      }
      await client.close();
    });
  });
});
