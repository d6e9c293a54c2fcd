import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createMemoryAuditSink } from '@mcptrust/audit';
import { serializeLockfile } from '@mcptrust/lockfile';
import type { Lockfile } from '@mcptrust/lockfile';
import { guardTransport } from '../src/guard-transport.js';
import { DENIAL_CODES } from '../src/protocol.js';
import { FIXTURE_SERVER, lockServer } from './helpers/e2e.js';

const run = promisify(execFile);
let lockfile: Lockfile;
let dir: string;

beforeAll(async () => {
  // The lockfile leaves out `crash`, so the guard must hide and block it.
  lockfile = await lockServer(process.execPath, [FIXTURE_SERVER], (scan) => {
    scan.tools = scan.tools.filter((t) => t.name !== 'crash');
  });
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-guard-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('guardTransport', () => {
  describe('when an SDK client connects through the guard', () => {
    it('filters lists and blocks calls exactly like the stdio bridge', async () => {
      const sink = createMemoryAuditSink();
      const transport = new StdioClientTransport({ command: process.execPath, args: [FIXTURE_SERVER], stderr: 'ignore' });
      const client = new Client({ name: 'agent', version: '1.0.0' });
      // Preflight would refuse the session (the server has a tool the lockfile lacks);
      // this test is about runtime filtering, so it is turned off.
      await client.connect(guardTransport(transport, { lockfile, audit: sink, preflight: false }));
      try {
        const names = (await client.listTools()).tools.map((t) => t.name);
        expect(names).toContain('echo');
        expect(names).not.toContain('crash');
        await expect(client.callTool({ name: 'crash', arguments: {} })).rejects.toMatchObject({ code: DENIAL_CODES.TOOL_NOT_ALLOWED });
        const ok = await client.callTool({ name: 'echo', arguments: { message: 'through the guard' } });
        expect(JSON.stringify(ok.content)).toContain('through the guard');
        expect(sink.events).toContainEqual(expect.objectContaining({ action: 'blocked', tool: 'crash' }));
      } finally {
        await client.close();
      }
      expect(transport.pid === null || transport.pid === undefined || !isAlive(transport.pid)).toBe(true);
    });

    it('refuses the session through preflight when the server drifted', async () => {
      const transport = new StdioClientTransport({ command: process.execPath, args: [FIXTURE_SERVER], stderr: 'ignore' });
      const client = new Client({ name: 'agent', version: '1.0.0' });
      await expect(client.connect(guardTransport(transport, { lockfile }))).rejects.toThrow(/tool "crash" added \(critical\)/);
      await client.close().catch(() => undefined);
    });
  });

  describe('the example agent (examples/guarded-agent.mjs)', () => {
    it('sees the pinned tools and gets exec_shell blocked', async () => {
      const full = await lockServer(process.execPath, [FIXTURE_SERVER]);
      const lockPath = join(dir, 'mcp-lock.json');
      writeFileSync(lockPath, serializeLockfile(full));
      const example = fileURLToPath(new URL('../examples/guarded-agent.mjs', import.meta.url));
      const { stdout } = await run(process.execPath, [example, lockPath, process.execPath, FIXTURE_SERVER], { timeout: 20_000 });
      const out = JSON.parse(stdout);
      expect(out.tools).toContain('read_file');
      expect(out.execShell).toMatchObject({ blocked: true, code: DENIAL_CODES.TOOL_NOT_ALLOWED });
    });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
