/**
 * A real host (the MCP SDK `Client` over `StdioClientTransport`, as Claude-style hosts
 * connect) talking to real servers through the built `mcptrust proxy`:
 * `@modelcontextprotocol/server-everything` and `@modelcontextprotocol/server-filesystem`.
 * Lockfiles are produced by the built CLI's `lock` command, as users do.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { CLI, EVERYTHING, FILESYSTEM, NODE, isAlive } from './helpers.js';
import { childrenOf, lockWithCli, removeTempDirs, tempDir } from './proxy-harness.js';

interface Host {
  client: Client;
  stderr(): string;
  pid: number;
}

const hosts: Array<{ client: Client; pid: number }> = [];
let dir = '';
let everythingLock = '';
let partialLock = '';
let fsDir = '';
let fsLock = '';
let fsPartialLock = '';
const EVERYTHING_CAPS = { roots: { listChanged: true }, sampling: {}, elicitation: {} };

beforeAll(async () => {
  dir = tempDir();
  fsDir = tempDir('mcptrust-fs-');
  writeFileSync(join(fsDir, 'notes.txt'), 'hello from the filesystem\n');
  [everythingLock, fsLock] = await Promise.all([
    lockWithCli(dir, 'everything.json', [NODE, EVERYTHING, 'stdio']),
    lockWithCli(dir, 'filesystem.json', [NODE, FILESYSTEM, fsDir]),
  ]);
  // A partial lockfile: someone removed items from the approved surface.
  const full = JSON.parse(readFileSync(everythingLock, 'utf8')) as {
    tools: Record<string, unknown>;
    prompts: { definitions: Record<string, unknown> };
    resources: { static: Array<{ uri: string }> };
  };
  delete full.tools['get-sum'];
  delete full.prompts.definitions['args-prompt'];
  full.resources.static = full.resources.static.filter((r) => !r.uri.endsWith('/architecture.md'));
  partialLock = join(dir, 'everything-partial.json');
  writeFileSync(partialLock, JSON.stringify(full, null, 2));
  const fsFull = JSON.parse(readFileSync(fsLock, 'utf8')) as { tools: Record<string, unknown> };
  delete fsFull.tools['write_file'];
  fsPartialLock = join(dir, 'filesystem-partial.json');
  writeFileSync(fsPartialLock, JSON.stringify(fsFull, null, 2));
}, 60_000);

afterEach(async () => {
  for (const h of hosts.splice(0)) {
    // Only real PIDs: a connect that failed early has none (and kill(-1) means "everyone").
    const servers = h.pid > 0 ? childrenOf(h.pid) : [];
    await h.client.close().catch(() => undefined);
    for (const pid of [h.pid, ...servers]) if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});
afterAll(removeTempDirs);

async function connect(lock: string, server: string[], flags: string[] = [], capabilities: Record<string, unknown> = EVERYTHING_CAPS): Promise<Host> {
  const transport = new StdioClientTransport({
    command: NODE,
    args: [CLI, 'proxy', '--lock', lock, ...flags, '--', ...server],
    stderr: 'pipe',
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1' },
  });
  let err = '';
  (transport.stderr as Readable | null)?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const client = new Client({ name: 'test-host', version: '1.0.0' }, { capabilities });
  if ('roots' in capabilities) {
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///workspace/project', name: 'project' }] }));
  }
  if ('sampling' in capabilities) {
    client.setRequestHandler(CreateMessageRequestSchema, () => ({
      model: 'test-model',
      role: 'assistant' as const,
      content: { type: 'text' as const, text: 'sampled through the proxy' },
    }));
  }
  if ('elicitation' in capabilities) client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'decline' as const }));
  const host = { client, pid: -1 };
  hosts.push(host);
  try {
    await client.connect(transport);
  } finally {
    host.pid = transport.pid ?? -1;
  }
  return { client, stderr: () => err, pid: host.pid };
}

const text = (result: unknown): string => JSON.stringify((result as { content?: unknown }).content ?? result);

describe('server-everything through mcptrust proxy (SDK Client host)', () => {
  it('passes preflight with its lockfile and serves tools, prompts, resources and templates (PROTOCOL 17, 22-24)', async () => {
    const { client } = await connect(everythingLock, [NODE, EVERYTHING, 'stdio']);
    const pinned = JSON.parse(readFileSync(everythingLock, 'utf8')) as { tools: Record<string, unknown>; prompts: { definitions: Record<string, unknown> } };
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(Object.keys(pinned.tools).sort());
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'through the firewall' } }))).toContain('through the firewall');
    expect(text(await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } }))).toContain('5');
    expect((await client.listPrompts()).prompts.map((p) => p.name).sort()).toEqual(Object.keys(pinned.prompts.definitions).sort());
    const prompt = await client.getPrompt({ name: 'args-prompt', arguments: { city: 'Paris' } });
    expect(JSON.stringify(prompt.messages)).toContain('Paris');
    const resources = (await client.listResources()).resources;
    expect(resources.length).toBeGreaterThan(0);
    const read = await client.readResource({ uri: resources[0]!.uri });
    expect(read.contents.length).toBe(1);
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toContain('demo://resource/dynamic/text/{resourceId}');
    const dynamic = await client.readResource({ uri: 'demo://resource/dynamic/text/1' });
    expect(dynamic.contents[0]?.uri).toBe('demo://resource/dynamic/text/1');
    await expect(client.readResource({ uri: 'demo://resource/dynamic/text/1/../../secret' })).rejects.toMatchObject({ code: -32052 });
  });

  it('relays progress with the host token and honours cancellation (PROTOCOL 29, 31)', async () => {
    const { client } = await connect(everythingLock, [NODE, EVERYTHING, 'stdio']);
    const seen: number[] = [];
    const result = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.4, steps: 2 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    // server-everything may send its last progress after the result (the SDK then drops
    // it, with or without a proxy in between), so only the first is certain; what does
    // arrive must be the host's own sequence, in order.
    expect(seen[0]).toBe(1);
    expect(seen.every((v, i) => v === i + 1 && v <= 2)).toBe(true);
    expect(text(result)).toMatch(/completed/i);
    const abort = new AbortController();
    const cancelled = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 5, steps: 5 } }, undefined, { signal: abort.signal });
    setTimeout(() => abort.abort('user cancelled'), 200);
    await expect(cancelled).rejects.toThrow();
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'after cancel' } }))).toContain('after cancel');
  });

  it('relays sampling, roots and elicitation requests to a host that declared them (PROTOCOL 34)', async () => {
    const { client } = await connect(everythingLock, [NODE, EVERYTHING, 'stdio']);
    expect(text(await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } }))).toContain('sampled through the proxy');
    expect(text(await client.callTool({ name: 'get-roots-list', arguments: {} }))).toContain('file:///workspace/project');
    expect(text(await client.callTool({ name: 'trigger-elicitation-request', arguments: {} }))).toMatch(/decline/i);
  });

  it('with --deny-sampling strips the sampling capability, so the server never reaches the host sampler', async () => {
    const { client } = await connect(everythingLock, [NODE, EVERYTHING, 'stdio'], ['--deny-sampling']);
    // server-everything only offers its sampling tool to clients that declare sampling.
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('trigger-sampling-request');
    const result = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } });
    expect(result.isError).toBe(true);
    expect(text(result)).not.toContain('sampled through the proxy');
    expect(text(await client.callTool({ name: 'get-roots-list', arguments: {} }))).toContain('file:///workspace/project');
  });

  it('answers completion/complete for a pinned prompt (PROTOCOL 25)', async () => {
    const { client } = await connect(everythingLock, [NODE, EVERYTHING, 'stdio']);
    const done = await client.complete({ ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'E' } });
    expect(done.completion.values).toContain('Engineering');
    await expect(
      client.complete({ ref: { type: 'ref/prompt', name: 'not-pinned' }, argument: { name: 'x', value: '' } }),
    ).rejects.toMatchObject({ code: -32056 });
  });

  describe('a partial lockfile', () => {
    it('hides and blocks exactly the removed items (--no-preflight)', async () => {
      const { client, stderr } = await connect(partialLock, [NODE, EVERYTHING, 'stdio'], ['--no-preflight']);
      const full = JSON.parse(readFileSync(everythingLock, 'utf8')) as { tools: Record<string, unknown>; prompts: { definitions: Record<string, unknown> } };
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      expect(tools).toEqual(Object.keys(full.tools).filter((n) => n !== 'get-sum').sort());
      await expect(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({ code: -32050 });
      const prompts = (await client.listPrompts()).prompts.map((p) => p.name).sort();
      expect(prompts).toEqual(Object.keys(full.prompts.definitions).filter((n) => n !== 'args-prompt').sort());
      await expect(client.getPrompt({ name: 'args-prompt', arguments: { city: 'Paris' } })).rejects.toMatchObject({ code: -32051 });
      const uris = (await client.listResources()).resources.map((r) => r.uri);
      expect(uris.some((u) => u.endsWith('/architecture.md'))).toBe(false);
      expect(uris.length).toBeGreaterThan(0);
      await expect(client.readResource({ uri: 'demo://resource/static/document/architecture.md' })).rejects.toMatchObject({ code: -32052 });
      expect(text(await client.callTool({ name: 'echo', arguments: { message: 'still allowed' } }))).toContain('still allowed');
      expect(stderr()).toMatch(/action=blocked method=tools\/call tool=get-sum reason="not in allowlist"/);
    });

    it('refuses the session with preflight on, because the server has items the lockfile lacks', async () => {
      await expect(connect(partialLock, [NODE, EVERYTHING, 'stdio'])).rejects.toThrow(/tool "get-sum" added \(critical\)/);
    });
  });
});

describe('server-filesystem through mcptrust proxy (SDK Client host)', () => {
  it('reads a file in the allowed directory', async () => {
    const { client } = await connect(fsLock, [NODE, FILESYSTEM, fsDir], [], {});
    const result = await client.callTool({ name: 'read_text_file', arguments: { path: join(fsDir, 'notes.txt') } });
    expect(text(result)).toContain('hello from the filesystem');
  });

  it('blocks write_file when the lockfile does not pin it, and the file is never written', async () => {
    const { client } = await connect(fsPartialLock, [NODE, FILESYSTEM, fsDir], ['--no-preflight'], {});
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('write_file');
    const target = join(fsDir, 'planted.txt');
    await expect(client.callTool({ name: 'write_file', arguments: { path: target, content: 'x' } })).rejects.toMatchObject({ code: -32050 });
    expect(existsSync(target)).toBe(false);
  });
});
