/**
 * The signature covers the lockfile's `denied` section (it signs the canonical form of
 * the whole file): un-denying an item, or changing a denied item, breaks it. The
 * bundle's README lists the denied items.
 */
import { describe, expect, it } from '@jest/globals';
import { buildLockfile, serializeLockfile } from '@mcptrust/lockfile';
import type { ScanReport } from '@mcptrust/lockfile';
import { generateKeyPair, renderBundleReadme, signLockfileText, verifyLockfileText } from '../src/index.js';
import type { SigningError } from '../src/index.js';

const tool = (name: string, riskLevel: 'LOW' | 'HIGH') => ({
  name,
  description: `The ${name} tool.`,
  inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
  riskLevel,
  riskReasons: [],
});

function scan(): ScanReport {
  return {
    reportVersion: 1,
    scannedAt: '2026-01-01T00:00:00.000Z',
    server: { name: 'fs', version: '1.0.0', protocolVersion: '2025-06-18', capabilities: { tools: {} } },
    tools: [tool('read_file', 'LOW'), tool('write_file', 'HIGH'), tool('move_file', 'HIGH')],
    prompts: [{ name: 'debug_dump' }],
    resources: [],
    resourceTemplates: [],
    findings: [],
  };
}

const LOCK = buildLockfile(scan(), {
  updatedAt: '2026-01-01T00:00:00.000Z',
  deny: [
    { itemType: 'tool', id: 'write_file' },
    { itemType: 'tool', id: 'move_file' },
    { itemType: 'prompt', id: 'debug_dump' },
  ],
});
const TEXT = serializeLockfile(LOCK);
const PAIR = generateKeyPair();
const SIGNATURE = signLockfileText(TEXT, PAIR);

type Raw = { tools: Record<string, unknown>; denied: { tools: Record<string, { riskLevel: string }>; prompts: { definitions: Record<string, unknown> } } };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as SigningError).code;
  }
  return undefined;
}

describe('a signed lockfile with denied items', () => {
  it('verifies as written', () => {
    expect(verifyLockfileText(TEXT, SIGNATURE, PAIR.publicKey).canonVersion).toBe('v2');
  });

  const tampers: Array<[string, (raw: Raw) => void]> = [
    ['an item moved from denied back to approved', (raw) => {
      raw.tools['write_file'] = raw.denied.tools['write_file'];
      delete raw.denied.tools['write_file'];
    }],
    ['a denied item deleted (so it shows as new and can be approved)', (raw) => delete raw.denied.tools['move_file']],
    ['a denied prompt deleted', (raw) => delete raw.denied.prompts.definitions['debug_dump']],
    ['a field of a denied item', (raw) => (raw.denied.tools['write_file']!.riskLevel = 'LOW')],
    ['the whole denied section', (raw) => delete (raw as Partial<Raw>).denied],
  ];
  it.each(tampers)('rejects %s with SIGNATURE_INVALID', (_what, tamper) => {
    const raw = JSON.parse(TEXT) as Raw;
    tamper(raw);
    expect(codeOf(() => verifyLockfileText(`${JSON.stringify(raw, null, 2)}\n`, SIGNATURE, PAIR.publicKey))).toBe('SIGNATURE_INVALID');
  });
});

describe('renderBundleReadme', () => {
  it('lists the denied items beside the approved ones', () => {
    const readme = renderBundleReadme(LOCK);
    expect(readme).toContain('Approved tools (1):\n  - read_file [LOW]');
    expect(readme).toContain('Denied (3; offered by the server, not approved: hidden and refused by the proxy):\n  - tool move_file [HIGH]\n  - tool write_file [HIGH]\n  - prompt debug_dump\n');
  });

  it('says nothing about denials when nothing is denied', () => {
    expect(renderBundleReadme(buildLockfile(scan(), { updatedAt: '2026-01-01T00:00:00.000Z' }))).not.toContain('Denied');
  });
});
