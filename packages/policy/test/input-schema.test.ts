/**
 * Keeps docs/policy-input.schema.json honest: the documents buildPolicyInput produces,
 * and docs/policy-input.example.json, must match it. The schema uses a small subset of
 * JSON Schema (type, enum, required, properties, additionalProperties, items, $ref),
 * checked here without a validator dependency.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { buildLockfile } from '@mcptrust/lockfile';
import { buildPolicyInput } from '../src/index.js';
import { sampleScan } from './fixtures.js';

type Schema = Record<string, any>;
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../../docs/policy-input.schema.json', import.meta.url)), 'utf8')) as Schema;
const example = JSON.parse(readFileSync(fileURLToPath(new URL('../../../docs/policy-input.example.json', import.meta.url)), 'utf8')) as unknown;

function validate(node: Schema, value: unknown, path: string, errors: string[]): void {
  if (typeof node['$ref'] === 'string') {
    const name = (node['$ref'] as string).replace('#/$defs/', '');
    validate(schema['$defs'][name] as Schema, value, path, errors);
    return;
  }
  if (Array.isArray(node['enum']) && !(node['enum'] as unknown[]).includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  const type = node['type'];
  if (type === 'string' && typeof value !== 'string') errors.push(`${path}: expected string`);
  if (type === 'boolean' && typeof value !== 'boolean') errors.push(`${path}: expected boolean`);
  if (type === 'array') {
    if (!Array.isArray(value)) errors.push(`${path}: expected array`);
    else value.forEach((item, i) => validate(node['items'] as Schema, item, `${path}[${i}]`, errors));
  }
  if (type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push(`${path}: expected object`);
      return;
    }
    const v = value as Record<string, unknown>;
    for (const key of (node['required'] as string[] | undefined) ?? []) if (!(key in v)) errors.push(`${path}.${key}: missing`);
    const props = node['properties'] as Record<string, Schema> | undefined;
    if (props === undefined) return;
    for (const [key, child] of Object.entries(v)) {
      if (props[key] === undefined) {
        if (node['additionalProperties'] === false) errors.push(`${path}.${key}: not in the schema`);
      } else validate(props[key], child, `${path}.${key}`, errors);
    }
  }
}

function errorsOf(value: unknown): string[] {
  const errors: string[] = [];
  validate(schema, value, 'input', errors);
  return errors;
}

describe('docs/policy-input.schema.json', () => {
  it('describes the document buildPolicyInput makes from a scan alone', () => {
    expect(errorsOf(JSON.parse(JSON.stringify(buildPolicyInput(sampleScan()))))).toEqual([]);
  });

  it('describes a document with lockfile drift, artifact and signature', () => {
    const scan = sampleScan();
    const lockfile = buildLockfile({ ...scan, tools: [] });
    lockfile.server.artifact = { type: 'npm', name: 'x', version: '1', integrity: 'sha512-x', provenance: { verified: true } };
    const input = buildPolicyInput(scan, { lockfile, signature: { present: true, verified: false, method: 'sigstore' } });
    expect(input.drift.items.length).toBeGreaterThan(0);
    expect(errorsOf(JSON.parse(JSON.stringify(input)))).toEqual([]);
  });

  it('describes a document with denied items', () => {
    const scan = sampleScan();
    const lockfile = buildLockfile(scan, { deny: [{ itemType: 'tool', id: 'write_file' }, { itemType: 'resource', id: 'File:///etc/hosts' }] });
    const input = buildPolicyInput(scan, { lockfile });
    expect(input.denied).toHaveLength(2);
    expect(errorsOf(JSON.parse(JSON.stringify(input)))).toEqual([]);
  });

  it('rejects a denied item of an unknown kind (the check can fail)', () => {
    const denied = [{ itemType: 'server', id: 'x', offered: true }];
    expect(errorsOf({ ...(example as object), denied })).toEqual(['input.denied[0].itemType: "server" not in enum']);
  });

  it('matches the example document', () => {
    expect(errorsOf(example)).toEqual([]);
  });

  it('rejects a document with an unknown field (the check can fail)', () => {
    expect(errorsOf({ ...(example as object), extra: true })).toEqual(['input.extra: not in the schema']);
  });
});
