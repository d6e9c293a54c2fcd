import { buildLockfile, compareLockfiles, deniedItems, describeLockfileChange, isDenied } from '@mcptrust/lockfile';
import type { Finding, JsonObject, JsonValue, LockfileItemKind, Lockfile, ScanReport } from '@mcptrust/lockfile';
import { uriScheme } from './cel-environment.js';
import type {
  PolicyArtifact,
  PolicyDeniedItem,
  PolicyDrift,
  PolicyDriftItem,
  PolicyFinding,
  PolicyInput,
  PolicySignature,
} from './input.types.js';

/** Options of {@link buildPolicyInput}. */
export interface BuildPolicyInputOptions {
  /**
   * The lockfile the server is checked against. Supplies the pinned artifact, the
   * denied items (left out of `tools`, `prompts`, `resources` and `findings`, listed in
   * `denied`) and, when `drift` is not given, a hash-level drift in which every change
   * counts as critical.
   */
  lockfile?: Lockfile;
  /** Drift items from a semantic comparison (preferred over the hash-level fallback). */
  drift?: PolicyDriftItem[];
  /** The lockfile's signature, when one was checked. */
  signature?: PolicySignature;
  /** An artifact pin to use instead of the lockfile's `server.artifact`. */
  artifact?: JsonObject;
}

const NO_SIGNATURE: PolicySignature = { present: false, verified: false, method: '' };

function str(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The artifact part of the input: always present, `pinned: false` when nothing is
 * pinned. Reads the pin as `@mcptrust/artifact` and the Go mcptrust write it
 * (snake_case fields; an OCI pin names its image in `image` and its tag in `tag`).
 */
function artifactOf(pin: JsonObject | undefined): PolicyArtifact {
  const p = pin ?? {};
  const prov = isObject(p['provenance']) ? p['provenance'] : undefined;
  const integrity = str(p['integrity']);
  const digest = str(p['digest']);
  return {
    pinned: pin !== undefined && (integrity !== '' || digest !== '' || str(p['tarball_sha256']) !== ''),
    type: str(p['type']),
    name: str(p['name']) || str(p['image']),
    version: str(p['version']) || str(p['tag']),
    integrity,
    tarballSha256: str(p['tarball_sha256']),
    digest,
    registry: str(p['registry']),
    treePinned: Array.isArray(p['tree']),
    provenance: {
      present: prov !== undefined,
      verified: prov?.['verified'] === true,
      method: str(prov?.['method']),
      sourceRepository: str(prov?.['source_repo']),
      sourceRef: str(prov?.['source_ref']),
      builderId: str(prov?.['builder_id']),
      issuer: str(prov?.['issuer']),
      identity: str(prov?.['identity']),
    },
  };
}

function findingOf(f: Finding): PolicyFinding {
  return {
    code: f.code,
    severity: f.severity,
    itemType: f.itemType,
    itemId: f.itemId,
    field: f.field,
    message: f.message,
    evidence: f.evidence ?? '',
  };
}

/**
 * Hash-level drift: which items changed, every one rated critical (no semantic diff
 * here). The live surface is built with the lockfile's denials, so an item denied on
 * purpose is not reported as added.
 */
function hashLevelDrift(lockfile: Lockfile, scan: ScanReport): PolicyDriftItem[] {
  const current = buildLockfile(scan, { updatedAt: lockfile.meta.updatedAt, deny: deniedItems(lockfile) });
  return compareLockfiles(lockfile, current).map((change) => ({
    kind: change.kind,
    itemType: change.itemType,
    id: change.id,
    severity: 'critical',
    fields: [...change.fields],
    rule: change.kind === 'added' ? 'item-added' : change.kind === 'removed' ? 'item-removed' : 'hash-only-changed',
    path: '',
    message: describeLockfileChange(change),
  }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The item kinds a finding can be about that a lockfile can deny. */
const DENIABLE: ReadonlySet<string> = new Set<LockfileItemKind>(['tool', 'prompt', 'resourceTemplate', 'resource']);

/**
 * The lockfile's denials, each marked with whether the server still offers it, and a
 * test for "denied" by kind and identity. Without a lockfile nothing is denied.
 */
function denialsOf(lockfile: Lockfile | undefined, scan: ScanReport): { denied: PolicyDeniedItem[]; isDenied: (itemType: string, id: string) => boolean } {
  const refs = lockfile === undefined ? [] : deniedItems(lockfile);
  const offered = new Set([
    ...scan.tools.map((t) => `tool\u0000${t.name}`),
    ...scan.prompts.map((p) => `prompt\u0000${p.name}`),
    ...scan.resourceTemplates.map((t) => `resourceTemplate\u0000${t.uriTemplate}`),
    ...scan.resources.map((r) => `resource\u0000${r.uri}`),
  ]);
  return {
    denied: refs.map((r) => ({ itemType: r.itemType, id: r.id, offered: offered.has(`${r.itemType}\u0000${r.id}`) })),
    // A finding may be about the server, which no lockfile denies.
    isDenied: (itemType, id) => lockfile !== undefined && DENIABLE.has(itemType) && isDenied(lockfile, { itemType: itemType as LockfileItemKind, id }),
  };
}

/**
 * Builds the input document (`input` in CEL) from a scan and, optionally, the lockfile,
 * its drift and its signature. Absent strings become `""` and absent maps `{}` so that
 * rules can test fields without `has()`.
 *
 * With a lockfile, the lists describe the surface the lockfile lets through: items it
 * denies (`mcptrust lock --exclude`) are left out of `tools`, `prompts`, `resources`
 * and `findings` — the proxy hides and refuses them, so a rule about the exposed
 * surface must not see them — and are listed in `denied` instead.
 */
export function buildPolicyInput(scan: ScanReport, options: BuildPolicyInputOptions = {}): PolicyInput {
  const { denied, isDenied } = denialsOf(options.lockfile, scan);
  const findings = scan.findings.filter((f) => !isDenied(f.itemType, f.itemId)).map(findingOf);
  const findingsFor = (itemType: string, id: string): PolicyFinding[] => findings.filter((f) => f.itemType === itemType && f.itemId === id);
  // Both kinds of resource carry the same descriptive fields; absent ones become "".
  const described = (r: { name: string; title?: string; description?: string; mimeType?: string }) => ({
    name: r.name,
    title: r.title ?? '',
    description: r.description ?? '',
    mimeType: r.mimeType ?? '',
  });
  const templates = scan.resourceTemplates
    .filter((t) => !isDenied('resourceTemplate', t.uriTemplate))
    .map((t) => ({ uriTemplate: t.uriTemplate, ...described(t), scheme: uriScheme(t.uriTemplate) }))
    .sort((a, b) => compare(a.uriTemplate, b.uriTemplate));
  const statics = scan.resources
    .filter((r) => !isDenied('resource', r.uri))
    .map((r) => ({ uri: r.uri, ...described(r), scheme: uriScheme(r.uri) }))
    .sort((a, b) => compare(a.uri, b.uri));
  const schemes = [...new Set([...templates, ...statics].map((r) => r.scheme).filter((s) => s !== ''))].sort(compare);

  let drift: PolicyDrift = { checked: false, hasDrift: false, items: [] };
  const items = options.drift ?? (options.lockfile === undefined ? undefined : hashLevelDrift(options.lockfile, scan));
  if (items !== undefined) drift = { checked: true, hasDrift: items.length > 0, items };

  return {
    server: {
      name: scan.server.name,
      version: scan.server.version,
      title: scan.server.title ?? '',
      protocolVersion: scan.server.protocolVersion,
      instructions: scan.server.instructions ?? '',
      capabilities: scan.server.capabilities,
      artifact: artifactOf(options.artifact ?? options.lockfile?.server.artifact),
    },
    tools: scan.tools
      .filter((t) => !isDenied('tool', t.name))
      .map((t) => ({
        name: t.name,
        title: t.title ?? '',
        description: t.description ?? '',
        riskLevel: t.riskLevel,
        riskReasons: [...t.riskReasons],
        annotations: t.annotations ?? {},
        inputSchema: t.inputSchema,
        ...(t.outputSchema === undefined ? {} : { outputSchema: t.outputSchema }),
        findings: findingsFor('tool', t.name),
      })),
    prompts: scan.prompts
      .filter((p) => !isDenied('prompt', p.name))
      .map((p) => ({
        name: p.name,
        title: p.title ?? '',
        description: p.description ?? '',
        arguments: (p.arguments ?? []).map((a) => ({
          name: a.name,
          title: a.title ?? '',
          description: a.description ?? '',
          required: a.required === true,
        })),
        findings: findingsFor('prompt', p.name),
      })),
    resources: { templates, static: statics, schemes },
    findings,
    drift,
    signature: options.signature ?? NO_SIGNATURE,
    denied,
  };
}
