// lock --pin and run against the npm registry this machine reaches (the only network
// the tests use besides loopback): a real package, its real dependency tree, installed
// without scripts and answering a real SDK client. HOME, the npm cache and the mcptrust
// cache are temporary directories.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, NODE, runCli } from './helpers.js';

const PACKAGE = '@modelcontextprotocol/server-memory@2026.8.31';
let dir: string;
let env: Record<string, string>;
let lock: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-real-pin-'));
  lock = join(dir, 'mcp-lock.json');
  env = {
    HOME: dir,
    XDG_CACHE_HOME: join(dir, 'cache'),
    npm_config_cache: join(dir, 'npm-cache'),
    // server-memory keeps its graph next to its code unless told otherwise; the pinned
    // install is read-only by contract (it is re-verified on every start).
    MEMORY_FILE_PATH: join(dir, 'memory.jsonl'),
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(`lock --pin and run of ${PACKAGE} from the real registry`, () => {
  it('pins the package and its whole tree, and locks the surface of the pinned install', async () => {
    const result = await runCli(['lock', '--pin', '--output', lock, '--', 'npx', '-y', PACKAGE], { env, timeoutMs: 240_000 });
    expect(result.stderr).toMatch(/pinned npm @modelcontextprotocol\/server-memory@2026\.8\.31 \(\d+ dependencies\)/);
    expect(result.stderr).toContain('provenance of @modelcontextprotocol/server-memory@2026.8.31 was not checked');
    expect(result.code).toBe(0);
    const written = JSON.parse(await readFile(lock, 'utf8')) as { server: { artifact: { tree: Array<{ name: string; integrity: string }>; integrity: string } }; tools: Record<string, unknown> };
    expect(written.server.artifact.integrity).toMatch(/^sha512-/);
    expect(written.server.artifact.tree.map((e) => e.name)).toContain('@modelcontextprotocol/sdk');
    expect(written.server.artifact.tree.every((e) => e.integrity.startsWith('sha512-'))).toBe(true);
    expect(Object.keys(written.tools)).toContain('create_entities');
  }, 300_000);

  it('runs the pinned server behind the proxy for a real SDK client', async () => {
    const transport = new StdioClientTransport({
      command: NODE,
      args: [CLI, 'run', '--lock', lock],
      stderr: 'pipe',
      env: { ...(process.env as Record<string, string>), NO_COLOR: '1', ...env },
    });
    let stderr = '';
    (transport.stderr as Readable | null)?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const client = new Client({ name: 'test-host', version: '1.0.0' });
    try {
      await client.connect(transport);
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('read_graph');
      const graph = await client.callTool({ name: 'read_graph', arguments: {} });
      expect(graph.isError ?? false).toBe(false);
      expect(stderr).toMatch(/verified npm @modelcontextprotocol\/server-memory@2026\.8\.31, bin mcp-server-memory \(cached install, re-verified\)/);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('refuses --verify-provenance when the registry reached here strips signatures and attestations (exit 1, nothing written)', async () => {
    const out = join(dir, 'provenance-lock.json');
    const result = await runCli(['lock', '--pin', '--verify-provenance', '--output', out, '--', 'npx', '-y', PACKAGE], { env, timeoutMs: 240_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/strip/);
    await expect(readFile(out)).rejects.toThrow();
  }, 300_000);
});
