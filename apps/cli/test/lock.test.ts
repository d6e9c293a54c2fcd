import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO, EVERYTHING, FILESYSTEM, NODE, runCli } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mcptrust lock', () => {
  describe('against @modelcontextprotocol/server-everything', () => {
    it('writes a v3 lockfile, prints nothing on stdout, and re-locking leaves it byte-identical', async () => {
      const out = join(dir, 'everything.json');
      const first = await runCli(['lock', '--output', out, '--', NODE, EVERYTHING, 'stdio']);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe('');
      const bytes1 = await readFile(out, 'utf8');
      const lock = JSON.parse(bytes1) as { lockFileVersion: string; tools: Record<string, { snapshot: unknown }> };
      expect(lock.lockFileVersion).toBe('3.0');
      expect(Object.keys(lock.tools)).toEqual(expect.arrayContaining(['echo', 'get-roots-list']));
      expect(bytes1.endsWith('}\n')).toBe(true);

      const second = await runCli(['lock', '--output', out, '--', NODE, EVERYTHING, 'stdio']);
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/up to date/);
      expect(await readFile(out, 'utf8')).toBe(bytes1);
    });
  });

  describe('against @modelcontextprotocol/server-filesystem', () => {
    it('gives byte-identical files for two fresh locks with SOURCE_DATE_EPOCH set', async () => {
      const env = { SOURCE_DATE_EPOCH: '1767225600' };
      const a = join(dir, 'fs-a.json');
      const b = join(dir, 'fs-b.json');
      const server = ['--', NODE, FILESYSTEM, dir];
      expect((await runCli(['lock', '--output', a, ...server], { env })).code).toBe(0);
      expect((await runCli(['lock', '--output', b, ...server], { env })).code).toBe(0);
      const bytesA = await readFile(a, 'utf8');
      expect(await readFile(b, 'utf8')).toBe(bytesA);
      expect(bytesA).toContain('"updatedAt": "2026-01-01T00:00:00.000Z"');
      expect(bytesA).toContain('"write_file"');
    });
  });

  describe('when the server drifted since it was locked', () => {
    it('refuses with exit 1, names the added tool, and leaves the lockfile untouched', async () => {
      const out = join(dir, 'demo.json');
      expect((await runCli(['lock', '--output', out, '--', NODE, DEMO])).code).toBe(0);
      const before = await readFile(out, 'utf8');
      const r = await runCli(['lock', '--output', out, '--', NODE, DEMO, '--rogue-now']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/tool `exec_shell` was added/);
      expect(r.stdout).toBe('');
      expect(await readFile(out, 'utf8')).toBe(before);
      expect((await readdir(dir)).filter((f) => f.startsWith('demo.json') && f !== 'demo.json')).toEqual([]);
    });

    it('overwrites with --force and pins the new tool', async () => {
      const out = join(dir, 'demo-force.json');
      expect((await runCli(['lock', '-o', out, '--', NODE, DEMO])).code).toBe(0);
      const r = await runCli(['lock', '--force', '-o', out, '--', NODE, DEMO, '--rogue-now']);
      expect(r.code).toBe(0);
      const lock = JSON.parse(await readFile(out, 'utf8')) as { tools: Record<string, { riskLevel: string }> };
      expect(lock.tools['exec_shell']?.riskLevel).toBe('HIGH');
      expect(r.stderr).toMatch(/HIGH_RISK_TOOL/);
    });
  });

  describe('when the existing lockfile is invalid', () => {
    it('exits 2 before starting the server, naming the file and the JSON path, and keeps the file', async () => {
      const out = join(dir, 'broken.json');
      const broken = JSON.stringify({ lockFileVersion: '3.0', meta: { generator: 'mcptrust 0.1.0', updatedAt: 'x' }, server: {}, tools: { a: { descriptionHash: 'nope' } }, prompts: { definitions: {} }, resources: { templates: [], static: [] } });
      await writeFile(out, broken);
      const r = await runCli(['lock', '--output', out, '--', NODE, '-e', 'require("fs").writeFileSync(process.argv[1], "started")', join(dir, 'started')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(out);
      expect(r.stderr).toMatch(/tools\.a/);
      expect(await readFile(out, 'utf8')).toBe(broken);
      await expect(readFile(join(dir, 'started'))).rejects.toThrow();
    });
  });
});
