// The fixture server's --tool-if-env and --list-not-found flags (used by the end-to-end
// tests of the server environment and of list errors).
import { afterEach, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { RawServer, stopAllProcesses, type Message } from './support/stdio.js';

const FIXTURE = fileURLToPath(new URL('../servers/fixture-server.mjs', import.meta.url));

afterEach(async () => {
  await stopAllProcesses();
});

async function started(args: string[]): Promise<RawServer> {
  const server = new RawServer(FIXTURE, args);
  await server.initialize('2025-06-18', {});
  return server;
}

async function answer(server: RawServer, id: number, method: string): Promise<Message> {
  server.send({ jsonrpc: '2.0', id, method });
  return server.response(id);
}

describe('fixture-server --tool-if-env', () => {
  it('serves the tool only when the variable is set', async () => {
    // PATH is set wherever the tests run; the other name is not.
    const server = await started(['--tools', 'echo', '--tool-if-env', 'PATH:path_tool', '--tool-if-env', 'MCPTRUST_FIXTURE_UNSET_7F3A:never']);
    const tools = ((await answer(server, 11, 'tools/list')).result as { tools: Array<{ name: string; description: string }> }).tools;
    expect(tools.map((t) => t.name)).toEqual(['echo', 'path_tool']);
    // Only the name of the variable is shown, never its value.
    expect(tools[1]!.description).toBe('Listed because PATH is set.');
  });

  it('refuses a value without NAME:TOOL', async () => {
    const server = new RawServer(FIXTURE, ['--tool-if-env', 'PATH']);
    expect((await server.exited).code).toBe(2);
    expect(server.stderr).toContain('--tool-if-env takes NAME:TOOL');
  });
});

describe('fixture-server --list-not-found', () => {
  it('answers the chosen list methods with -32601 and keeps declaring their capabilities', async () => {
    const server = new RawServer(FIXTURE, ['--list-not-found', 'prompts/list,resources/templates/list']);
    const init = await server.initialize('2025-06-18', {});
    expect(init).toMatchObject({ capabilities: { prompts: {}, resources: {} } });
    expect((await answer(server, 11, 'prompts/list')).error).toMatchObject({ code: -32601 });
    expect((await answer(server, 12, 'resources/templates/list')).error).toMatchObject({ code: -32601 });
    expect((await answer(server, 13, 'resources/list')).result).toHaveProperty('resources');
    expect((await answer(server, 14, 'tools/list')).result).toHaveProperty('tools');
  });

  it('accepts list methods only', async () => {
    const server = new RawServer(FIXTURE, ['--list-not-found', 'tools/call']);
    expect((await server.exited).code).toBe(2);
    expect(server.stderr).toContain('--list-not-found takes');
  });
});
