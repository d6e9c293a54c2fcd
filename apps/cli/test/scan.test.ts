import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScanReport } from '@mcptrust/lockfile';
import { EVERYTHING, FILESYSTEM, FIXTURE, NODE, runCli } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-scan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mcptrust scan', () => {
  describe('against @modelcontextprotocol/server-everything', () => {
    it('prints a complete ScanReport as JSON on stdout and nothing else', async () => {
      const r = await runCli(['scan', '--', NODE, EVERYTHING, 'stdio']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as ScanReport;
      expect(report.reportVersion).toBe(1);
      expect(report.server.name).toBe('mcp-servers/everything');
      const names = report.tools.map((t) => t.name);
      // Tools that the server lists only to clients declaring roots/sampling/elicitation.
      expect(names).toEqual(expect.arrayContaining(['echo', 'get-roots-list', 'trigger-sampling-request', 'trigger-elicitation-request']));
      expect(report.prompts.map((p) => p.name)).toContain('simple-prompt');
      expect(report.resourceTemplates.length).toBeGreaterThan(0);
      expect(report.resources.length).toBeGreaterThan(0);
      expect(report.server.instructions ?? '').toContain('Everything');
      for (const tool of report.tools) expect(['LOW', 'MEDIUM', 'HIGH']).toContain(tool.riskLevel);
    });

    it('indents the JSON with --pretty', async () => {
      const r = await runCli(['scan', '--pretty', '--', NODE, EVERYTHING, 'stdio']);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[1]).toMatch(/^ {2}"/);
    });
  });

  describe('against @modelcontextprotocol/server-filesystem given as one quoted string', () => {
    it('splits the string like a shell and scans the server (no prompts → empty section)', async () => {
      const r = await runCli(['scan', '--', `${NODE} ${FILESYSTEM} ${dir}`]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as ScanReport;
      expect(report.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['read_text_file', 'write_file', 'move_file']));
      expect(report.prompts).toEqual([]);
      expect(report.tools.find((t) => t.name === 'read_text_file')?.riskLevel).toBe('LOW');
    });

    it('warns about each HIGH-risk tool on stderr, saying the severity once', async () => {
      const r = await runCli(['scan', '--', NODE, FILESYSTEM, dir]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^warning HIGH_RISK_TOOL tool `write_file` \(riskLevel\): /m);
      expect(r.stderr).not.toContain('warning [warning]');
    });
  });

  describe('against the fixture server', () => {
    it('warns on stderr about a confusable tool name', async () => {
      const r = await runCli(['scan', '--', NODE, FIXTURE, '--confusable']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as ScanReport;
      expect(report.findings.some((f) => f.code === 'CONFUSABLE_NAME' || f.code === 'MIXED_SCRIPT_NAME')).toBe(true);
      expect(r.stderr).toMatch(/CONFUSABLE_NAME|MIXED_SCRIPT_NAME/);
    });
  });

  describe('when the server fails', () => {
    it('exits 2 with the tail of the server stderr when it dies during start-up', async () => {
      const r = await runCli(['scan', '--', NODE, '-e', 'console.error("fatal: DATABASE_URL is not set"); process.exit(1)']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('DATABASE_URL is not set');
      expect(r.stdout).toBe('');
    });

    it('exits 2 when the command does not exist', async () => {
      const r = await runCli(['scan', '--', 'mcptrust-no-such-server-binary']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/mcptrust-no-such-server-binary/);
    });

    it('exits 2 naming the timeout when the server never answers initialize', async () => {
      const r = await runCli(['scan', '--timeout', '700ms', '--', NODE, FIXTURE, '--slow-start', '60000']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/did not finish within 700 ms \(stuck at initialize\)/);
    });
  });
});
