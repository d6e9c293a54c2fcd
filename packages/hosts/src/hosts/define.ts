/** Builds a {@link HostDefinition} from the parts that differ between hosts. */
import type { ConfigLocation, HostEnvironment, HostId, ServerEntry } from '../types.js';
import type { VariableSyntax } from '../variables.js';
import type { HostDefinition } from './definition.js';
import { standardMapEntries } from './entries.js';
import { resolveWithSyntax } from './resolve.js';

/** The parts of a host definition; entries default to a map of standard entries. */
export interface HostSpec {
  id: HostId;
  name: string;
  syntax: VariableSyntax;
  processNames: readonly string[];
  reloadHint: string;
  locations(env: HostEnvironment): ConfigLocation[];
  readEntries?: (document: unknown, location: ConfigLocation) => ServerEntry[];
  overrides?: (env: HostEnvironment) => string[];
}

/** A frozen {@link HostDefinition} from its spec. */
export function defineHost(spec: HostSpec): HostDefinition {
  const candidates = spec.overrides ?? ((): string[] => []);
  return Object.freeze({
    id: spec.id,
    name: spec.name,
    locations: spec.locations,
    readEntries: spec.readEntries ?? standardMapEntries,
    resolveEntry: (entry, location, env) => resolveWithSyntax(entry, location, env, spec.syntax),
    overrides: (env, exists) => candidates(env).filter((file) => exists(file)),
    processNames: Object.freeze([...spec.processNames]),
    reloadHint: spec.reloadHint,
  } satisfies HostDefinition);
}
