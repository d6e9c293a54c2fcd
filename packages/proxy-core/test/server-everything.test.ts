/**
 * The real reference server (@modelcontextprotocol/server-everything) driven by the SDK
 * Client through the stdio bridge.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Lockfile } from '@mcptrust/lockfile';
import { DENIAL_CODES } from '../src/protocol.js';
import { alive, EVERYTHING_SERVER, lockServer, startBridge, type BridgeRun } from './helpers/e2e.js';

let full: Lockfile;
let partial: Lockfile;
let removedTool = '';
let removedPrompt = '';
const runs: BridgeRun[] = [];

beforeAll(async () => {
  full = await lockServer(process.execPath, [EVERYTHING_SERVER, 'stdio']);
  partial = await lockServer(process.execPath, [EVERYTHING_SERVER, 'stdio'], (scan) => {
    removedTool = scan.tools.find((t) => t.name !== 'echo')!.name;
    removedPrompt = scan.prompts[0]?.name ?? '';
    scan.tools = scan.tools.filter((t) => t.name !== removedTool);
    scan.prompts = scan.prompts.filter((p) => p.name !== removedPrompt);
  });
}, 30_000);

afterEach(async () => {
  for (const r of runs.splice(0)) {
    if (alive(r.bridge.pid)) process.kill(r.bridge.pid!, 'SIGKILL');
    await r.bridge.closed;
  }
});

async function connect(lockfile: Lockfile, preflight: boolean): Promise<Client> {
  const run = startBridge({ command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], lockfile, preflight });
  runs.push(run);
  const client = new Client({ name: 'host', version: '1.0.0' });
  await client.connect(run.transport);
  return client;
}

describe('server-everything through the stdio bridge', () => {
  it('passes preflight with a full lockfile and serves tools, prompts, resources and templates', async () => {
    const client = await connect(full, true);
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual(Object.keys(full.tools).sort());
    const echo = await client.callTool({ name: 'echo', arguments: { message: 'hello everything' } });
    expect(JSON.stringify(echo.content)).toContain('hello everything');
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name).sort();
    expect(prompts).toEqual(Object.keys(full.prompts.definitions).sort());
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate).sort();
    expect(templates).toEqual(full.resources.templates.map((t) => t.uriTemplate).sort());
    const staticUri = full.resources.static[0]?.uri;
    if (staticUri !== undefined) {
      const read = await client.readResource({ uri: staticUri });
      expect(read.contents.length).toBeGreaterThan(0);
    }
    await client.close();
  });

  it('a partial lockfile hides and blocks exactly the removed items', async () => {
    const client = await connect(partial, false);
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual(Object.keys(partial.tools).sort());
    expect(tools).not.toContain(removedTool);
    await expect(client.callTool({ name: removedTool, arguments: {} })).rejects.toMatchObject({ code: DENIAL_CODES.TOOL_NOT_ALLOWED });
    if (removedPrompt !== '') {
      const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
      expect(prompts).not.toContain(removedPrompt);
      await expect(client.getPrompt({ name: removedPrompt })).rejects.toMatchObject({ code: DENIAL_CODES.PROMPT_NOT_ALLOWED });
    }
    const echo = await client.callTool({ name: 'echo', arguments: { message: 'still allowed' } });
    expect(JSON.stringify(echo.content)).toContain('still allowed');
    await client.close();
  });

  it('refuses the session at preflight when the lockfile lacks a tool the server has', async () => {
    const run = startBridge({ command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], lockfile: partial });
    runs.push(run);
    const client = new Client({ name: 'host', version: '1.0.0' });
    await expect(client.connect(run.transport)).rejects.toThrow(new RegExp(`tool "${removedTool}" added`));
  });
});
