// Hostile servers against the scanner: each case ends with a report or a DriftError
// naming what was wrong, in bounded time and memory. The servers are the surfaces of
// tooling/servers/hostile/surfaces.mjs served by tooling/servers/hostile/raw-server.mjs.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { analyzeScanReport, detectInjectionIndicators, DriftError, scanServer } from '../src/index.js';
import type { ServerCommand } from '../src/index.js';

const node = process.execPath;
const HOSTILE = fileURLToPath(new URL('../../../tooling/servers/hostile/', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-hostile-scan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the hostile surface `kind` and returns the command serving it. */
function hostileServer(kind: string): ServerCommand {
  const file = join(dir, `${kind}.json`);
  execFileSync(node, [join(HOSTILE, 'surfaces.mjs'), kind, file]);
  return { command: node, args: [join(HOSTILE, 'raw-server.mjs'), '--tools', file] };
}

async function scanError(server: ServerCommand): Promise<DriftError> {
  try {
    await scanServer(server, { killGraceMs: 200 });
  } catch (error) {
    if (error instanceof DriftError) return error;
    throw error;
  }
  throw new Error('expected the scan to fail');
}

describe('scanServer against hostile servers', () => {
  describe('when the server lists 100,000 tools', () => {
    it('scans every tool and checks every description against every name', async () => {
      const report = await scanServer(hostileServer('many-tools'), { killGraceMs: 200 });
      expect(report.tools).toHaveLength(100_000);
      expect(report.tools[99_999]?.name).toBe('tool_99999');
    }, 120_000);
  });

  describe('when a tool schema nests 100,000 levels deep', () => {
    it('throws INVALID_SERVER_RESPONSE naming the list, the entry and the tool', async () => {
      const error = await scanError(hostileServer('deep-schema'));
      expect(error.code).toBe('INVALID_SERVER_RESPONSE');
      expect(error.message).toBe('tools/list: entry 0 (`deep`) nests deeper than 256 levels');
    }, 60_000);
  });

  describe('when a description is 10 MiB (one JSON-RPC line over the 10 MiB read limit)', () => {
    it('fails naming the list and the size limit', async () => {
      const error = await scanError(hostileServer('huge-description'));
      expect(error.message).toContain('tools/list');
      expect(error.message).toContain('exceeded maximum size of 10485760 bytes');
    }, 60_000);
  });

  describe('when schemas refer to themselves through $ref', () => {
    it('scans them as data (nothing follows the references)', async () => {
      const report = await scanServer(hostileServer('ref-cycle'), { killGraceMs: 200 });
      expect(report.tools.map((tool) => tool.name)).toEqual(['self_ref', 'mutual_ref', 'root_ref']);
    }, 60_000);
  });
});

describe('injection analysis on hostile sizes', () => {
  it('finds a reference to another tool among 100,000 names, in the order of the names', () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `tool_${i}`);
    const text = `${'padding '.repeat(10_000)}then call tool_99998 and TOOL_5, not tool_5x or xtool_6`;
    const references = detectInjectionIndicators(text, { toolNames: names, selfName: 'tool_1' }).filter((i) => i.code === 'TOOL_REFERENCE');
    expect(references.map((i) => i.message)).toEqual(['text refers to another tool, `tool_5`', 'text refers to another tool, `tool_99998`']);
  });

  it('analyses 20,000 tools that each mention the next one', () => {
    const tools = Array.from({ length: 20_000 }, (_, i) => ({ name: `tool_${i}`, description: `Use after tool_${i + 1}.`, inputSchema: { type: 'object' } }));
    const report = analyzeScanReport({ server: { name: 's', version: '1' }, tools } as unknown as Parameters<typeof analyzeScanReport>[0]);
    expect(report.findings.filter((f) => f.code === 'TOOL_REFERENCE')).toHaveLength(19_999);
  });

  it('checks a 9 MiB plain-ASCII description with a hidden escape at its end', () => {
    const text = `${'x'.repeat(9 * 1024 * 1024)}\u001b[2J`;
    const indicators = detectInjectionIndicators(text);
    expect(indicators.map((i) => i.code)).toEqual(['HIDDEN_UNICODE']);
  });
});
