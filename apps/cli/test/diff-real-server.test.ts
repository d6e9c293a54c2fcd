import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolHashes } from '@mcptrust/lockfile';
import type { JsonObject, LockedTool, ToolDefinition } from '@mcptrust/lockfile';
import { EVERYTHING, NODE, runCli } from './helpers.js';

let dir: string;
let lock: string;

/** Edits a pinned tool's snapshot and re-hashes it, so that the lockfile still loads. */
function edit(tools: Record<string, LockedTool>, name: string, change: (schema: JsonObject) => void): void {
  const tool = tools[name];
  if (tool?.snapshot === undefined) throw new Error(`server-everything has no tool ${name}`);
  change(tool.snapshot.inputSchema);
  const hashes = toolHashes({ name, ...tool.snapshot } as ToolDefinition);
  Object.assign(tool, hashes);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-diff-real-'));
  lock = join(dir, 'mcp-lock.json');
  const locked = await runCli(['lock', '-o', lock, '--', NODE, EVERYTHING, 'stdio']);
  expect(locked.code).toBe(0);
  const lockfile = JSON.parse(await readFile(lock, 'utf8')) as { tools: Record<string, LockedTool> };
  // Pinned with an extra property and a looser bound than the live server has.
  edit(lockfile.tools, 'get-resource-links', (schema) => {
    const properties = schema['properties'] as JsonObject;
    properties['verbose'] = { type: 'boolean' };
    (properties['count'] as JsonObject)['maximum'] = 50;
  });
  // Pinned with one city fewer than the live server accepts.
  edit(lockfile.tools, 'get-structured-content', (schema) => {
    const location = (schema['properties'] as JsonObject)['location'] as JsonObject;
    location['enum'] = (location['enum'] as string[]).filter((city) => city !== 'Los Angeles');
  });
  await writeFile(lock, `${JSON.stringify(lockfile, null, 2)}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mcptrust diff against @modelcontextprotocol/server-everything', () => {
  describe('when the pinned snapshots were edited and re-hashed', () => {
    it('names each change with the right severity', async () => {
      const result = await runCli(['diff', '-l', lock, '--format', 'json', '--', NODE, EVERYTHING, 'stdio']);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { items: Array<{ severity: string; message: string; path: string }> };
      expect(report.items.map((i) => [i.severity, i.message, i.path])).toEqual([
        ['critical', 'tool `get-structured-content` parameter `location` accepts new value "Los Angeles"', 'tools["get-structured-content"].inputSchemaHash'],
        ['moderate', 'tool `get-resource-links` parameter `count` maximum lowered from 50 to 10', 'tools["get-resource-links"].inputSchemaHash'],
        ['moderate', 'tool `get-resource-links` no longer declares parameter `verbose`', 'tools["get-resource-links"].inputSchemaHash'],
      ]);
    });
  });
});
