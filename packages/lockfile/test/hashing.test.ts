import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  hashBytes,
  hashesMatch,
  hashJson,
  hashText,
  isHashString,
  LockfileError,
  normalizeText,
  promptHashes,
  resourceTemplateHashes,
  staticResourceHashes,
  toolHashes,
} from '@mcptrust/lockfile';
import type { PromptDefinition, ResourceTemplateDefinition } from '@mcptrust/lockfile';
import { GO_VECTORS, readVector } from './fixtures.js';

const utf8 = new TextEncoder();
const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('normalizeText', () => {
  describe('when lines end with CRLF or CR', () => {
    it('turns them into LF', () => {
      expect(normalizeText('a\r\nb\rc\n')).toBe('a\nb\nc\n');
    });
  });

  describe('when lines end with spaces or tabs', () => {
    it('removes them from every line and keeps leading blanks', () => {
      expect(normalizeText('  a \t\n\tb\t \r\nc  ')).toBe('  a\n\tb\nc');
    });

    it('keeps other trailing whitespace (no-break space, form feed, ideographic space)', () => {
      expect(normalizeText('a\u00a0\nb\f\nc\u3000')).toBe('a\u00a0\nb\f\nc\u3000');
    });

    it('trims a very long run of blanks before a newline', () => {
      const blanks = ' '.repeat(200_000);
      expect(normalizeText(`${blanks}x${blanks}\n`)).toBe(`${blanks}x\n`);
    });
  });

  describe('when given something that is not a string', () => {
    it('throws INVALID_INPUT', () => {
      expect(() => normalizeText(42 as unknown as string)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }) as unknown as Error);
    });
  });
});

describe('hashText', () => {
  it('is the SHA-256 of the UTF-8 bytes (empty text → the empty digest)', () => {
    expect(hashText('')).toBe(EMPTY_SHA256);
    expect(hashText('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  describe('when texts differ only in line endings or trailing blanks', () => {
    it.each([
      ['CRLF', 'one\r\ntwo', 'one\ntwo'],
      ['CR', 'one\rtwo', 'one\ntwo'],
      ['trailing spaces', 'one   \ntwo ', 'one\ntwo'],
      ['trailing tabs', 'one\t\ntwo\t', 'one\ntwo'],
    ])('gives the same hash (%s)', (_label, a, b) => {
      expect(hashText(a)).toBe(hashText(b));
    });
  });

  describe('when texts differ in invisible or look-alike characters', () => {
    it.each([
      ['a zero-width space', 'read file', 'read\u200b file'],
      ['a right-to-left override', 'safe', '\u202esafe'],
      ['tag characters', 'ok', 'ok\u{e0049}\u{e0047}'],
      ['NFC against NFD', '\u00e9', 'e\u0301'],
      ['a Cyrillic look-alike', 'paypal', 'p\u0430ypal'],
      ['a leading space', 'x', ' x'],
      ['a trailing no-break space', 'x', 'x\u00a0'],
    ])('gives a different hash (%s)', (_label, a, b) => {
      expect(hashText(a)).not.toBe(hashText(b));
    });
  });
});

describe('hashBytes', () => {
  it('hashes raw bytes without any normalization', () => {
    expect(hashBytes(utf8.encode('a \r\n'))).not.toBe(hashBytes(utf8.encode('a\n')));
    expect(hashBytes(new Uint8Array())).toBe(EMPTY_SHA256);
  });

  it('throws INVALID_INPUT for a string', () => {
    expect(() => hashBytes('abc' as unknown as Uint8Array)).toThrow(LockfileError);
  });
});

describe('hashJson', () => {
  it('is the SHA-256 of the canonical form', () => {
    expect(hashJson({ b: [1, 0.5], a: 'x' })).toBe(hashBytes(utf8.encode('{"a":"x","b":[1,0.5]}')));
  });

  it('does not depend on key order', () => {
    expect(hashJson({ a: 1, b: { d: 2, c: 3 } })).toBe(hashJson({ b: { c: 3, d: 2 }, a: 1 }));
  });

  it('throws CANONICALIZE_FAILED for a value that is not JSON', () => {
    expect(() => hashJson({ a: NaN })).toThrow(expect.objectContaining({ code: 'CANONICALIZE_FAILED' }) as unknown as Error);
  });
});

describe('isHashString', () => {
  it.each<[unknown, boolean]>([
    [EMPTY_SHA256, true],
    [EMPTY_SHA256.toUpperCase(), false],
    ['sha256:' + 'A'.repeat(64), false],
    ['sha256:' + 'a'.repeat(63), false],
    ['sha256:' + 'a'.repeat(65), false],
    ['sha512:' + 'a'.repeat(64), false],
    ['a'.repeat(64), false],
    ['sha256:abc', false],
    [` ${EMPTY_SHA256}`, false],
    [`${EMPTY_SHA256}\n`, false],
    [42, false],
    [null, false],
  ])('says %p is %p', (value, expected) => {
    expect(isHashString(value)).toBe(expected);
  });
});

describe('hashesMatch', () => {
  it.each<[string, string, boolean]>([
    [EMPTY_SHA256, EMPTY_SHA256, true],
    [EMPTY_SHA256, hashText('x'), false],
    [EMPTY_SHA256, EMPTY_SHA256.slice(0, -1), false],
    [EMPTY_SHA256.slice(0, -1) + '6', EMPTY_SHA256, false],
    ['', '', true],
  ])('compares %s and %s as %p', (a, b, expected) => {
    expect(hashesMatch(a, b)).toBe(expected);
  });

  it('is false for anything that is not a string', () => {
    expect(hashesMatch(undefined as unknown as string, undefined as unknown as string)).toBe(false);
  });

  it('is true exactly when the strings are equal, for any text of equal length, lone surrogates included (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 80 });
    fc.assert(fc.property(text, text, (a, b) => expect(hashesMatch(a, b)).toBe(a === b)));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }), fc.nat(), fc.integer({ min: 1, max: 0xffff }), (a, at, delta) => {
        const i = at % a.length;
        const b = a.slice(0, i) + String.fromCharCode((a.charCodeAt(i) + delta) % 0x10000) + a.slice(i + 1);
        expect(hashesMatch(a, b)).toBe(false);
        expect(hashesMatch(a, a.slice(0))).toBe(true);
      }),
    );
  });
});

describe('toolHashes', () => {
  const base = { name: 't', inputSchema: { type: 'object' } };

  it('hashes an absent description as empty text and always hashes the input schema', () => {
    expect(toolHashes(base)).toEqual({ descriptionHash: hashText(''), inputSchemaHash: hashJson({ type: 'object' }) });
  });

  it('adds outputSchemaHash, annotationsHash and titleHash only for present fields (an empty title counts)', () => {
    const hashes = toolHashes({ ...base, title: '', outputSchema: { type: 'object' }, annotations: { readOnlyHint: true } });
    expect(hashes).toEqual({
      descriptionHash: hashText(''),
      inputSchemaHash: hashJson({ type: 'object' }),
      outputSchemaHash: hashJson({ type: 'object' }),
      annotationsHash: hashJson({ readOnlyHint: true }),
      titleHash: hashText(''),
    });
  });

  it('normalizes the description like any text', () => {
    expect(toolHashes({ ...base, description: 'x \r\n' }).descriptionHash).toBe(hashText('x\n'));
  });
});

describe('promptHashes', () => {
  it('hashes [] when there are no arguments and leaves out an empty description or title', () => {
    expect(promptHashes({ name: 'p', description: '', title: '' })).toEqual({ argumentsHash: hashJson([]) });
  });

  it('sorts arguments by name and treats required: false as absent', () => {
    const a = promptHashes({ name: 'p', arguments: [{ name: 'b', required: false }, { name: 'a', description: 'x', required: true }] });
    const b = promptHashes({ name: 'p', arguments: [{ name: 'a', description: 'x', required: true }, { name: 'b' }] });
    expect(a.argumentsHash).toBe(b.argumentsHash);
    expect(a.argumentsHash).toBe(hashJson([{ description: 'x', name: 'a', required: true }, { name: 'b' }]));
  });

  it('changes argumentsHash when an argument title changes', () => {
    const plain = promptHashes({ name: 'p', arguments: [{ name: 'a' }] });
    const titled = promptHashes({ name: 'p', arguments: [{ name: 'a', title: 'Ignore previous instructions' }] });
    expect(titled.argumentsHash).not.toBe(plain.argumentsHash);
  });
});

describe('resourceTemplateHashes', () => {
  it('covers uriTemplate and a non-empty mimeType in templateHash', () => {
    const bare = resourceTemplateHashes({ uriTemplate: 'x://{a}', name: 'n' });
    expect(resourceTemplateHashes({ uriTemplate: 'x://{a}', name: 'n', mimeType: '' })).toEqual(bare);
    expect(resourceTemplateHashes({ uriTemplate: 'x://{a}', name: 'n', mimeType: 'text/plain' }).templateHash).not.toBe(bare.templateHash);
    expect(bare).toEqual({ templateHash: hashJson({ uriTemplate: 'x://{a}' }), nameHash: hashText('n') });
  });
});

describe('staticResourceHashes', () => {
  it('hashes the name always and description / title when non-empty', () => {
    expect(staticResourceHashes({ uri: 'a://b', name: 'n', description: '', title: 'T' })).toEqual({ nameHash: hashText('n'), titleHash: hashText('T') });
  });
});

describe('with the Go mcptrust golden lockfile', () => {
  // Source: prompts_list.json, resources_templates_list.json (captured list responses)
  // and golden-lock.v3.json (the lockfile the Go mcptrust built from them).
  const golden = JSON.parse(readVector(GO_VECTORS, 'golden-lock.v3.json')) as {
    prompts: { definitions: Record<string, unknown> };
    resources: { templates: { uriTemplate: string }[] };
  };
  const prompts = (JSON.parse(readVector(GO_VECTORS, 'prompts_list.json')) as { result: { prompts: PromptDefinition[] } }).result.prompts;
  const templates = (JSON.parse(readVector(GO_VECTORS, 'resources_templates_list.json')) as { result: { resourceTemplates: ResourceTemplateDefinition[] } })
    .result.resourceTemplates;

  it.each(prompts.map((p) => [p.name, p] as const))('computes the pinned hashes of prompt %s', (name, prompt) => {
    expect(promptHashes(prompt)).toEqual(golden.prompts.definitions[name]);
  });

  it.each(templates.map((t) => [t.uriTemplate, t] as const))('computes the pinned hashes of template %s', (uriTemplate, template) => {
    const pinned = golden.resources.templates.find((t) => t.uriTemplate === uriTemplate);
    const { mimeType } = template;
    expect({ uriTemplate, ...resourceTemplateHashes(template), ...(mimeType === undefined ? {} : { mimeType }) }).toEqual(pinned);
  });
});
