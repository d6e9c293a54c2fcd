/** Parses fixture documents the way the hosts do (JSONC tolerant of comments and trailing commas). */
import jsonc from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { hostDefinition } from '../../src/registry.js';
import type { ConfigLocation, HostId, ServerEntry } from '../../src/types.js';
import { LINUX } from './fixtures.js';

/** Parses JSONC, failing on any syntax error. */
export function parseJsonc(text: string): unknown {
  const errors: jsonc.ParseError[] = [];
  const value: unknown = jsonc.parse(text, errors, { allowTrailingComma: true });
  if (errors.length > 0) throw new Error(`JSONC fixture does not parse: ${JSON.stringify(errors)}`);
  return value;
}

/** Parses a fixture in the format of its location. */
export function parseFixture(text: string, location: ConfigLocation): unknown {
  if (location.format === 'yaml') return parseYaml(text) as unknown;
  if (location.format === 'toml') return parseToml(text);
  if (location.format === 'json') return JSON.parse(text) as unknown;
  return parseJsonc(text);
}

/** The Linux location of a host with this label. */
export function locationOf(host: HostId, label = 'user'): ConfigLocation {
  const found = hostDefinition(host).locations(LINUX).find((l) => l.label === label);
  if (found === undefined) throw new Error(`no ${label} location for ${host}`);
  return found;
}

/** Reads the entries of a fixture text at a host's location. */
export function entriesOf(host: HostId, text: string, label = 'user'): ServerEntry[] {
  const location = locationOf(host, label);
  return hostDefinition(host).readEntries(parseFixture(text, location), location);
}

/** The entry with this name. */
export function named(entries: readonly ServerEntry[], name: string): ServerEntry {
  const found = entries.find((e) => e.name === name);
  if (found === undefined) throw new Error(`no entry ${name}`);
  return found;
}
