import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLockfile, serializeLockfile } from '@mcptrust/lockfile';
import type { Lockfile, ScanReport } from '@mcptrust/lockfile';
import { checkDrift, compareToLockfile, DriftError } from '@mcptrust/drift';

function scanAt(url: string | undefined): ScanReport {
  return {
    reportVersion: 1,
    scannedAt: '2026-01-01T00:00:00.000Z',
    server: { name: 'remote', version: '1.0.0', protocolVersion: '2025-11-25', capabilities: { tools: {} }, ...(url === undefined ? {} : { url }) },
    tools: [{ name: 'echo', inputSchema: { type: 'object' }, riskLevel: 'LOW', riskReasons: [] }],
    prompts: [],
    resources: [],
    resourceTemplates: [],
    findings: [],
  };
}

const lock = (url: string | undefined): Lockfile => buildLockfile(scanAt(url), { updatedAt: '2026-01-01T00:00:00.000Z' });

describe('the endpoint of a remote server in drift', () => {
  it('reports another endpoint as moderate drift of the server', () => {
    const items = compareToLockfile(lock('https://a.example/mcp'), scanAt('https://b.example/mcp'));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ itemType: 'serverInfo', severity: 'moderate', rule: 'server-info-changed', details: { field: 'url', before: 'https://a.example/mcp', after: 'https://b.example/mcp' } });
  });

  it('reports a stdio lockfile compared with a remote server', () => {
    const items = compareToLockfile(lock(undefined), scanAt('https://a.example/mcp'));
    expect(items.map((i) => i.message)).toEqual(['server endpoint changed from "a stdio server" to "https://a.example/mcp"']);
  });

  it('reports nothing for the same endpoint', () => {
    expect(compareToLockfile(lock('https://a.example/mcp'), scanAt('https://a.example/mcp'))).toEqual([]);
  });
});

describe('checkDrift with a scan of its own (remote servers)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads the lockfile first and hands it to the scan', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcptrust-drift-'));
    const path = join(dir, 'mcp-lock.json');
    writeFileSync(path, serializeLockfile(lock('https://a.example/mcp')));
    const seen: Lockfile[] = [];
    const result = await checkDrift({
      lockfilePath: path,
      scan: async (lockfile) => {
        seen.push(lockfile);
        return scanAt('https://a.example/mcp');
      },
    });
    expect(seen.map((l) => l.server.url)).toEqual(['https://a.example/mcp']);
    expect(result.items).toEqual([]);
  });

  it('never calls the scan when the lockfile cannot be read', async () => {
    let called = false;
    await expect(
      checkDrift({
        lockfilePath: join(tmpdir(), 'mcptrust-no-such-dir', 'mcp-lock.json'),
        scan: async () => {
          called = true;
          return scanAt(undefined);
        },
      }),
    ).rejects.toThrow();
    expect(called).toBe(false);
  });

  it('needs exactly one of server and scan', async () => {
    const both = checkDrift({ lockfile: lock(undefined), server: { command: 'node', args: [] }, scan: async () => scanAt(undefined) });
    await expect(both).rejects.toBeInstanceOf(DriftError);
    await expect(checkDrift({ lockfile: lock(undefined) })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
