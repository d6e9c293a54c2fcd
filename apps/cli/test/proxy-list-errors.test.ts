/**
 * A server that declares a capability but answers one of its list methods with -32601
 * ("method not found") has none of those items: `lock` and the proxy's preflight read
 * it with one rule, so a server lock accepts is not refused by the proxy. Any other
 * error still refuses the session. Through the built CLI, with a real SDK host.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { FIXTURE, NODE } from './helpers.js';
import { lockWithCli, removeTempDirs, tempDir } from './proxy-harness.js';
import { closeHosts, connectHost } from './sdk-host.js';

let dir = '';
beforeAll(() => {
  dir = tempDir('mcptrust-list-errors-');
});
afterEach(closeHosts);
afterAll(removeTempDirs);

interface Pinned {
  tools: Record<string, unknown>;
  prompts: { definitions: Record<string, unknown> };
  resources: { static: unknown[]; templates: Record<string, unknown> };
}

describe('list methods answered with -32601', () => {
  const cases: Array<[string, string]> = [
    ['resources/templates/list', 'templates'],
    ['prompts/list', 'prompts'],
    ['resources/list', 'resources'],
    ['prompts/list,resources/list,resources/templates/list', 'all'],
  ];
  for (const [methods, name] of cases) {
    it(`${methods}: lock pins none of them and the proxy opens the session`, async () => {
      const server = [NODE, FIXTURE, '--list-not-found', methods];
      const lock = await lockWithCli(dir, `${name}.json`, server);
      const pinned = JSON.parse(readFileSync(lock, 'utf8')) as Pinned;
      const host = await connectHost(['--lock', lock], server);
      const caps = host.client.getServerCapabilities();
      expect(caps?.prompts).toBeDefined();
      expect(caps?.resources).toBeDefined();
      expect((await host.client.listTools()).tools.map((t) => t.name).sort()).toEqual(Object.keys(pinned.tools).sort());
      for (const method of methods.split(',')) {
        if (method === 'prompts/list') {
          expect(Object.keys(pinned.prompts.definitions)).toEqual([]);
          // The host asking gets the server's own answer, unchanged.
          await expect(host.client.listPrompts()).rejects.toMatchObject({ code: -32601 });
        }
        if (method === 'resources/list') expect(pinned.resources.static).toEqual([]);
        if (method === 'resources/templates/list') {
          expect(Object.keys(pinned.resources.templates)).toEqual([]);
          await expect(host.client.listResourceTemplates()).rejects.toMatchObject({ code: -32601 });
        }
      }
      expect(host.stderr()).toMatch(/session established \(0 drifted item\(s\) denied\)/);
      const echo = await host.client.callTool({ name: 'echo', arguments: { message: 'hi' } });
      expect(JSON.stringify(echo.content)).toContain('hi');
    });
  }

  it('a lockfile that pins templates the server no longer lists: moderate drift, the session opens', async () => {
    const lock = await lockWithCli(dir, 'with-templates.json', [NODE, FIXTURE]);
    const host = await connectHost(['--lock', lock], [NODE, FIXTURE, '--list-not-found', 'resources/templates/list']);
    expect((await host.client.listResources()).resources.length).toBeGreaterThan(0);
    await host.waitForStderr(/action=audit_only method=preflight uri="?file:\/\/\/project\/\{path\}"? reason="resourceTemplate removed \(moderate\)"/);
  });

  // Other error codes are covered by packages/proxy-core/test/preflight-settlement.test.ts.
  it('a list method that never answers still refuses the session', async () => {
    const lock = await lockWithCli(dir, 'never.json', [NODE, FIXTURE]);
    await expect(
      connectHost(['--lock', lock, '--timeout', '1s'], [NODE, FIXTURE, '--never-answer', 'resources/templates/list']),
    ).rejects.toThrow();
  });
});
