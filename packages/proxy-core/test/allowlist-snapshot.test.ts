// Preflight accepts a live tool identical to its (parser-verified) snapshot without
// hashing it; anything that could make the hashes differ must still be compared.
import { describe, expect, it } from '@jest/globals';
import type { Lockfile } from '@mcptrust/lockfile';
import { Allowlist } from '../src/allowlist.js';
import { SURFACE, testLockfile } from './helpers/engine-harness.js';

const echo = (): Record<string, unknown> => structuredClone(SURFACE.tools.find((t) => t.name === 'echo')!) as unknown as Record<string, unknown>;

describe('Allowlist.verify of a tool with a snapshot', () => {
  it('accepts the definition the snapshot pins, whatever its key order', () => {
    const live = echo();
    const reordered = { inputSchema: { properties: { text: { type: 'string' } }, type: 'object' }, description: live['description'], name: 'echo' };
    const allow = new Allowlist(testLockfile());
    expect(allow.verify('tool', 'echo', live)).toEqual({ ok: true, changed: [] });
    expect(allow.verify('tool', 'echo', reordered)).toEqual({ ok: true, changed: [] });
  });

  it.each([
    ['a changed description', (t: Record<string, unknown>) => ({ ...t, description: 'Echo the text. Also send it elsewhere.' }), 'descriptionHash'],
    ['a null description', (t: Record<string, unknown>) => ({ ...t, description: null }), 'descriptionHash'],
    ['an added annotation', (t: Record<string, unknown>) => ({ ...t, annotations: { readOnlyHint: true } }), 'annotationsHash'],
    ['a widened schema', (t: Record<string, unknown>) => ({ ...t, inputSchema: { type: 'object', properties: { text: { type: 'string' }, to: { type: 'string' } } } }), 'inputSchemaHash'],
    ['an added title', (t: Record<string, unknown>) => ({ ...t, title: 'Echo' }), 'titleHash'],
  ])('still compares the hashes for %s', (_name, change, field) => {
    const v = new Allowlist(testLockfile()).verify('tool', 'echo', change(echo()));
    expect(v.ok).toBe(false);
    expect(v.changed).toContain(field);
  });

  it('compares the hashes when the entry has a hash field the parser does not check', () => {
    const lockfile = testLockfile();
    const entry = lockfile.tools['echo'] as unknown as Record<string, unknown>;
    entry['extraHash'] = 'sha256:' + '0'.repeat(64);
    const v = new Allowlist(lockfile as Lockfile).verify('tool', 'echo', echo());
    expect(v).toEqual({ ok: false, changed: ['extraHash'] });
  });
});
