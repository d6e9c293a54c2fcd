// Hostile policy files: YAML features that make a file mean more (or other) than its
// text shows, sizes and nesting meant to exhaust the loader, truncation. Each is
// refused with a PolicyError naming the file and what was wrong.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy, parsePolicy, PolicyError } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-hostile-policy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function refusal(text: string): PolicyError {
  try {
    parsePolicy(text, { file: 'p.yaml' });
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

describe('parsePolicy with hostile YAML', () => {
  it.each([
    ['a !!js/function tag', 'name: a\nrules:\n  - name: r\n    expr: !!js/function "function () { return true }"\n    failure_msg: m\n', 'Unresolved tag: tag:yaml.org,2002:js/function'],
    ['a !!js/function tag on a name (a string field that would accept its text)', 'name: !!js/function "function () {}"\nrules: []\n', 'Unresolved tag'],
    ['a custom local tag', 'name: !include other.yaml\nrules: []\n', 'Unresolved tag: !include'],
    ['a !!python/object tag', 'name: !!python/object:os.system "id"\nrules: []\n', 'Unresolved tag'],
  ])('refuses %s with POLICY_INVALID naming the tag', (_what, text, expected) => {
    const error = refusal(text);
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.message).toContain('p.yaml: not valid YAML');
    expect(error.message).toContain(expected);
  });

  it('keeps the core tags YAML defines (!!str)', () => {
    expect(parsePolicy('name: !!str a\nrules: []\n').document.name).toBe('a');
  });

  it('refuses a merge key: `<<` is an unknown key, not a merge (YAML 1.2 core schema)', () => {
    const text = 'name: a\nrules:\n  - <<: {name: r, expr: "true", failure_msg: m}\n    severity: warn\n';
    expect(refusal(text).message).toContain('rules[0].<<: unknown key');
  });

  it('refuses a billion-laughs alias bomb (nine levels of ten aliases) without expanding it', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 0; i < 8; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    const error = refusal(`${lines.join('\n')}\nname: a\nrules: []\n`);
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.message).toMatch(/alias/i);
  });

  it.each([
    ['flow sequences', `name: a\nrules: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`],
    ['flow mappings', `name: a\nrules: ${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}\n`],
  ])('refuses %s nested 100,000 levels deep with POLICY_INVALID naming the line and column', (_what, text) => {
    const error = refusal(text);
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.message).toMatch(/^p\.yaml: not valid YAML: .* at line 2, column \d+/);
  });

  it.each([
    ['inside a quoted expression', 'name: a\nrules:\n  - name: r\n    expr: "size(input.tools'],
    ['inside a flow mapping', 'name: a\nrules:\n  - {name: r, expr: "true", failure_msg: m'],
    ['after a key', 'name: a\nrules:\n  - name: r\n    expr'],
  ])('refuses a file truncated %s with POLICY_INVALID', (_what, text) => {
    expect(refusal(text).code).toBe('POLICY_INVALID');
  });

  it('refuses several documents in one file', () => {
    expect(refusal('name: a\nrules: []\n---\nname: b\nrules: []\n').message).toContain('multiple documents');
  });
});

describe('loadPolicy with a hostile file', () => {
  it('refuses a 200 MB file from its size, before reading it', async () => {
    const path = join(dir, 'huge.yaml');
    await writeFile(path, '');
    await truncate(path, 200 * 1000 * 1000); // sparse
    await expect(loadPolicy(path)).rejects.toMatchObject({ code: 'POLICY_READ_FAILED', message: expect.stringContaining('larger than 1048576 bytes') });
  });

  it('refuses a device that never ends (not a regular file)', async () => {
    await expect(loadPolicy('/dev/zero')).rejects.toMatchObject({ code: 'POLICY_READ_FAILED', message: expect.stringContaining('not a regular file') });
  });
});
