import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ScanReport } from '@mcptrust/lockfile';
import { DriftError, scanServer } from '../src/index.js';
import type { ScanOptions, ServerCommand } from '../src/index.js';

const node = process.execPath;
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const everything = fileURLToPath(
  new URL('../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);
const filesystem = fileURLToPath(
  new URL('../../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', import.meta.url),
);

/** Short grace periods: these servers are stopped many times per run. */
const FAST: ScanOptions = { killGraceMs: 200 };

/** A process is gone when signal 0 fails with ESRCH, or when only its zombie is left. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) === 'Z';
  } catch {
    return true;
  }
}

async function scanError(server: ServerCommand, options: ScanOptions): Promise<DriftError> {
  try {
    await scanServer(server, options);
  } catch (error) {
    if (error instanceof DriftError) return error;
    throw error;
  }
  throw new Error('the scan succeeded');
}

/** Waits for the hang fixture to report its PID and its child's. */
function pidsFrom(chunks: string[]): number[] {
  const match = /pids (\d+) (\d+)/.exec(chunks.join(''));
  return match === null ? [] : [Number(match[1]), Number(match[2])];
}

describe('scanServer', () => {
  describe('when scanning the real server-everything', () => {
    let report: ScanReport;
    beforeAll(async () => {
      report = await scanServer({ command: node, args: [everything, 'stdio'] }, FAST);
    });

    it('captures serverInfo, protocolVersion, capabilities and instructions', () => {
      expect(report.reportVersion).toBe(1);
      expect(report.server.name).toBe('mcp-servers/everything');
      expect(report.server.title).toBe('Everything Reference Server');
      expect(report.server.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Object.keys(report.server.capabilities)).toEqual(expect.arrayContaining(['tools', 'prompts', 'resources']));
      expect(report.server.instructions).toContain('get-roots-list');
    });

    it('lists the tools that depend on the roots, sampling and elicitation client capabilities', () => {
      const names = report.tools.map((tool) => tool.name);
      expect(names).toEqual(expect.arrayContaining(['echo', 'get-roots-list', 'trigger-sampling-request', 'trigger-elicitation-request']));
    });

    it('lists every prompt, resource and resource template', () => {
      expect(report.prompts.map((prompt) => prompt.name)).toEqual(
        expect.arrayContaining(['simple-prompt', 'args-prompt', 'completable-prompt', 'resource-prompt']),
      );
      expect(report.resources.length).toBeGreaterThan(0);
      expect(report.resources.every((resource) => resource.uri.startsWith('demo://'))).toBe(true);
      expect(report.resourceTemplates.map((template) => template.uriTemplate)).toContain('demo://resource/dynamic/text/{resourceId}');
    });

    // The risk table applied to the real tools (see README): reads are LOW; state
    // changes, environment access and open-world tools are MEDIUM.
    it.each([
      ['echo', 'LOW'],
      ['get-annotated-message', 'LOW'],
      ['get-env', 'MEDIUM'],
      ['get-resource-links', 'LOW'],
      ['get-resource-reference', 'LOW'],
      ['get-structured-content', 'LOW'],
      ['get-sum', 'LOW'],
      ['get-tiny-image', 'LOW'],
      ['gzip-file-as-resource', 'MEDIUM'],
      ['toggle-simulated-logging', 'MEDIUM'],
      ['toggle-subscriber-updates', 'MEDIUM'],
      ['trigger-long-running-operation', 'LOW'],
      ['get-roots-list', 'LOW'],
      ['trigger-elicitation-request', 'MEDIUM'],
      ['trigger-sampling-request', 'MEDIUM'],
      ['simulate-research-query', 'MEDIUM'],
    ])('rates %s %s', (name, level) => {
      expect(report.tools.find((tool) => tool.name === name)?.riskLevel).toBe(level);
    });

    it('reports no high-severity finding for the reference server', () => {
      expect(report.findings.filter((finding) => finding.severity === 'high')).toEqual([]);
    });
  });

  describe('when scanning the real server-filesystem', () => {
    let dir: string;
    let report: ScanReport;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mcptrust-drift-'));
      report = await scanServer({ command: node, args: [filesystem, dir] }, FAST);
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    // write_file is HIGH: it writes on files (and says it overwrites, and is annotated
    // destructive); edit_file is HIGH only because the server annotates it destructive.
    it.each([
      ['read_file', 'LOW'],
      ['read_text_file', 'LOW'],
      ['read_media_file', 'LOW'],
      ['read_multiple_files', 'LOW'],
      ['write_file', 'HIGH'],
      ['edit_file', 'HIGH'],
      ['create_directory', 'MEDIUM'],
      ['list_directory', 'LOW'],
      ['list_directory_with_sizes', 'LOW'],
      ['directory_tree', 'LOW'],
      ['move_file', 'HIGH'],
      ['search_files', 'LOW'],
      ['get_file_info', 'LOW'],
      ['list_allowed_directories', 'LOW'],
    ])('rates %s %s', (name, level) => {
      expect(report.tools.find((tool) => tool.name === name)?.riskLevel).toBe(level);
    });

    it('explains why write_file is HIGH', () => {
      expect(report.tools.find((tool) => tool.name === 'write_file')?.riskReasons).toContain('name contains `write` on files (`file`)');
    });

    it('has no prompts, resources or templates because it declares only tools', () => {
      expect(report.server.capabilities).not.toHaveProperty('prompts');
      expect(report.prompts).toEqual([]);
      expect(report.resources).toEqual([]);
      expect(report.resourceTemplates).toEqual([]);
    });

    it('reports a HIGH_RISK_TOOL warning for each HIGH tool', () => {
      const high = report.tools.filter((tool) => tool.riskLevel === 'HIGH').map((tool) => tool.name).sort();
      const flagged = report.findings
        .filter((finding) => finding.code === 'HIGH_RISK_TOOL')
        .map((finding) => finding.itemId)
        .sort();
      expect(flagged).toEqual(high);
      expect(high).toContain('write_file');
    });
  });

  describe('when the server paginates every list', () => {
    it('follows nextCursor through all pages of tools, prompts, resources and templates', async () => {
      const report = await scanServer({ command: node, args: [fixture('paging-server.mjs'), 'pages'] }, FAST);
      expect(report.tools.map((tool) => tool.name)).toEqual(['tool_1', 'tool_2', 'tool_3', 'tool_4', 'tool_5']);
      expect(report.prompts.map((prompt) => prompt.name)).toEqual(['prompt_1', 'prompt_2', 'prompt_3']);
      expect(report.resources.map((resource) => resource.uri)).toEqual(['fixture://r/1', 'fixture://r/2', 'fixture://r/3']);
      expect(report.resourceTemplates.map((template) => template.name)).toEqual(['t1', 't2', 't3']);
    });

    it('keeps only the known fields of each definition and the raw capabilities', async () => {
      const report = await scanServer({ command: node, args: [fixture('paging-server.mjs'), 'pages'] }, FAST);
      expect(report.tools[0]).toEqual({
        name: 'tool_1',
        description: 'Reads item 1',
        inputSchema: { type: 'object', properties: { id: { type: 'string' } } },
        annotations: { readOnlyHint: true },
        riskLevel: 'LOW',
        riskReasons: [],
      });
      expect(report.prompts[1]).toEqual({ name: 'prompt_2', arguments: [{ name: 'city', required: true }] });
      expect(report.server.capabilities).toHaveProperty('experimental', { fixture: {} });
      expect(report.server.instructions).toBe('Fixture server for pagination tests.');
    });

    it('throws PAGINATION_LOOP with code when a cursor comes back', async () => {
      const error = await scanError({ command: node, args: [fixture('paging-server.mjs'), 'loop'] }, FAST);
      expect(error.code).toBe('PAGINATION_LOOP');
      expect(error.message).toContain('"again"');
    });

    it('throws PAGINATION_LIMIT with code when there are more pages than allowed', async () => {
      const error = await scanError({ command: node, args: [fixture('paging-server.mjs'), 'pages'] }, { ...FAST, maxPages: 2 });
      expect(error.code).toBe('PAGINATION_LIMIT');
    });
  });

  describe('when the server declares only some capabilities', () => {
    it('does not ask for the lists it did not declare', async () => {
      const report = await scanServer({ command: node, args: [fixture('paging-server.mjs'), 'tools-only'] }, FAST);
      expect(report.tools).toHaveLength(5);
      expect(report.prompts).toEqual([]);
      expect(report.resources).toEqual([]);
    });

    it('treats a list answered with -32601 as empty', async () => {
      const report = await scanServer({ command: node, args: [fixture('paging-server.mjs'), 'no-prompts'] }, FAST);
      expect(report.prompts).toEqual([]);
      expect(report.resources).toHaveLength(3);
    });
  });

  describe('when the server sends a malformed definition', () => {
    it('throws INVALID_SERVER_RESPONSE with code naming the item index', async () => {
      const error = await scanError({ command: node, args: [fixture('paging-server.mjs'), 'invalid-tool'] }, FAST);
      expect(error.code).toBe('INVALID_SERVER_RESPONSE');
      expect(error.message).toContain('tools[2]');
      expect(error.message).toContain('inputSchema');
    });

    it('throws INVALID_SERVER_RESPONSE with code when initialize lacks capabilities', async () => {
      const error = await scanError({ command: node, args: [fixture('paging-server.mjs'), 'bad-capabilities'] }, FAST);
      expect(error.code).toBe('INVALID_SERVER_RESPONSE');
    });
  });

  describe('when the server answers initialize with an error', () => {
    it('throws SERVER_ERROR with code quoting the error', async () => {
      const error = await scanError({ command: node, args: [fixture('paging-server.mjs'), 'init-error'] }, FAST);
      expect(error.code).toBe('SERVER_ERROR');
      expect(error.message).toContain('answered initialize with error -32603: database not ready');
    });
  });

  describe('when the server exits during startup', () => {
    it('throws SERVER_EXITED with code and the tail of its stderr', async () => {
      const error = await scanError({ command: node, args: [fixture('crash-server.mjs')] }, { ...FAST, stderrTailBytes: 256 });
      expect(error.code).toBe('SERVER_EXITED');
      expect(error.message).toContain('FATAL: cannot open the database');
      expect(error.message).not.toContain('junk line 1 ');
      expect(error.stderrTail?.endsWith('FATAL: cannot open the database')).toBe(true);
      expect(Buffer.byteLength(error.stderrTail ?? '')).toBeLessThanOrEqual(256);
    });
  });

  describe('when the server never answers initialize', () => {
    it('throws SERVER_TIMEOUT with code and kills it and its child, which ignore SIGTERM', async () => {
      const chunks: string[] = [];
      const error = await scanError(
        { command: node, args: [fixture('hang-server.mjs')] },
        { ...FAST, timeoutMs: 500, onStderr: (chunk) => chunks.push(chunk) },
      );
      expect(error.code).toBe('SERVER_TIMEOUT');
      expect(error.message).toContain('500 ms');
      const pids = pidsFrom(chunks);
      expect(pids).toHaveLength(2);
      for (const pid of pids) expect(isGone(pid)).toBe(true);
    });
  });

  describe('when the caller aborts', () => {
    it('throws ABORTED with code and stops the server tree', async () => {
      const chunks: string[] = [];
      const controller = new AbortController();
      const error = await scanError(
        { command: node, args: [fixture('hang-server.mjs')] },
        {
          ...FAST,
          signal: controller.signal,
          onStderr: (chunk) => {
            chunks.push(chunk);
            if (pidsFrom(chunks).length === 2) controller.abort(new Error('user pressed Ctrl-C'));
          },
        },
      );
      expect(error.code).toBe('ABORTED');
      const pids = pidsFrom(chunks);
      expect(pids).toHaveLength(2);
      for (const pid of pids) expect(isGone(pid)).toBe(true);
    });

    it('throws ABORTED with code without starting anything when already aborted', async () => {
      const error = await scanError({ command: 'mcptrust-never-started', args: [] }, { signal: AbortSignal.abort() });
      expect(error.code).toBe('ABORTED');
    });
  });

  describe('when the command does not exist', () => {
    it('throws SERVER_START_FAILED with code', async () => {
      const error = await scanError({ command: 'mcptrust-no-such-command-7f3a', args: [] }, FAST);
      expect(error.code).toBe('SERVER_START_FAILED');
      expect(error.message).toContain('command not found');
    });
  });

  describe('when options are out of range', () => {
    it('throws INVALID_OPTIONS with code', async () => {
      const error = await scanError({ command: node, args: [] }, { timeoutMs: 0 });
      expect(error.code).toBe('INVALID_OPTIONS');
    });
  });
});

describe('signalProcess', () => {
  it.each([0, -1, -42, Number.NaN, 1.5])('never signals a process group or bogus PID (%p)', async (pid) => {
    const { signalProcess } = await import('../src/process-tree.js');
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      signalProcess(pid, 'SIGKILL');
      expect(kill).not.toHaveBeenCalled();
    } finally {
      kill.mockRestore();
    }
  });
});
