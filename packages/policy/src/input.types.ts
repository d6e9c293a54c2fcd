/**
 * The input document rules are written against (`input.*` in CEL). Every field is
 * always present unless marked optional, so that a rule can test it without `has()`;
 * absent strings are `""` and absent maps are `{}`. Documented field by field in
 * docs/POLICY.md and as a JSON Schema in docs/policy-input.schema.json.
 */
import type { FindingCode, JsonObject, LockfileItemKind, RiskLevel } from '@mcptrust/lockfile';

/** Provenance of the pinned artifact. */
export interface PolicyProvenance {
  /** The lockfile pins provenance for the artifact. */
  present: boolean;
  /** The provenance was verified (signature and identity checked). */
  verified: boolean;
  /** How it was produced or verified (e.g. `slsa`, `sigstore`); `""` when unknown. */
  method: string;
  /** Source repository the provenance names; `""` when unknown. */
  sourceRepository: string;
  /** Git ref the artifact was built from (`refs/tags/v1.2.3`); `""` when unknown. */
  sourceRef: string;
  /** Builder id (`https://github.com/actions/runner/github-hosted`); `""` when unknown. */
  builderId: string;
  /** Signing certificate's OIDC issuer; `""` when unknown. */
  issuer: string;
  /** Signing certificate's identity (SAN); `""` when unknown. */
  identity: string;
}

/** The artifact the server runs from, as pinned by `mcptrust lock --pin`. */
export interface PolicyArtifact {
  /** A pin exists (`npm` integrity or an OCI digest). */
  pinned: boolean;
  /** `npm`, `oci` or `""` when not pinned. */
  type: string;
  /** Package name, or image repository (`ghcr.io/org/server`). */
  name: string;
  /** Exact version, or image tag (`""` when the image was pinned by digest). */
  version: string;
  /** SRI integrity of the npm tarball (`sha512-…`). */
  integrity: string;
  /** SHA-256 of the tarball, hex. */
  tarballSha256: string;
  /** OCI image digest (`sha256:…`). */
  digest: string;
  /** npm registry the package was pinned from (`""` for images or when not pinned). */
  registry: string;
  /** The whole npm dependency tree is pinned (`tree` in the pin), not only the package. */
  treePinned: boolean;
  /** Provenance of the artifact. */
  provenance: PolicyProvenance;
}

/** `input.server`. */
export interface PolicyServer {
  /** `serverInfo.name`. */
  name: string;
  /** `serverInfo.version`. */
  version: string;
  /** `serverInfo.title` (`""` when absent). */
  title: string;
  /** The protocol version the server answered with. */
  protocolVersion: string;
  /** Server instructions (`""` when absent). */
  instructions: string;
  /** Declared capabilities. */
  capabilities: JsonObject;
  /** The pinned artifact (`pinned: false` when nothing is pinned). */
  artifact: PolicyArtifact;
}

/** One analysis finding. */
export interface PolicyFinding {
  /** Stable code, e.g. `HIGH_RISK_TOOL`, `HIDDEN_UNICODE`. */
  code: FindingCode;
  /** `info`, `warning` or `high`. */
  severity: string;
  /** `server`, `tool`, `prompt`, `resource` or `resourceTemplate`. */
  itemType: string;
  /** The item's name, URI or URI template. */
  itemId: string;
  /** Where in the item. */
  field: string;
  /** One sentence. */
  message: string;
  /** The offending text, escaped (`""` when none). */
  evidence: string;
}

/** One tool of `input.tools`. */
export interface PolicyTool {
  /** Tool name. */
  name: string;
  /** Title (`""` when absent). */
  title: string;
  /** Description (`""` when absent). */
  description: string;
  /** `LOW`, `MEDIUM` or `HIGH`. */
  riskLevel: RiskLevel;
  /** Why the tool got its risk level. */
  riskReasons: string[];
  /** Behaviour hints (`{}` when absent). */
  annotations: JsonObject;
  /** JSON Schema of the arguments. */
  inputSchema: JsonObject;
  /** JSON Schema of structured results; absent when the tool has none (test with `has()`). */
  outputSchema?: JsonObject;
  /** Findings about this tool. */
  findings: PolicyFinding[];
}

/** One prompt argument. */
export interface PolicyPromptArgument {
  /** Argument name. */
  name: string;
  /** Title (`""` when absent). */
  title: string;
  /** Description (`""` when absent). */
  description: string;
  /** Whether it must be given. */
  required: boolean;
}

/** One prompt of `input.prompts`. */
export interface PolicyPrompt {
  /** Prompt name. */
  name: string;
  /** Title (`""` when absent). */
  title: string;
  /** Description (`""` when absent). */
  description: string;
  /** Declared arguments. */
  arguments: PolicyPromptArgument[];
  /** Findings about this prompt. */
  findings: PolicyFinding[];
}

/** One resource template. */
export interface PolicyResourceTemplate {
  /** RFC 6570 URI template. */
  uriTemplate: string;
  /** Programmatic name. */
  name: string;
  /** Title (`""` when absent). */
  title: string;
  /** Description (`""` when absent). */
  description: string;
  /** MIME type (`""` when absent). */
  mimeType: string;
  /** URI scheme of the template, lower case (`""` when it has none). */
  scheme: string;
}

/** One static resource. */
export interface PolicyStaticResource {
  /** The resource URI. */
  uri: string;
  /** Programmatic name. */
  name: string;
  /** Title (`""` when absent). */
  title: string;
  /** Description (`""` when absent). */
  description: string;
  /** MIME type (`""` when absent). */
  mimeType: string;
  /** URI scheme, lower case (`""` when it has none). */
  scheme: string;
}

/** `input.resources`. */
export interface PolicyResources {
  /** Resource templates, sorted by `uriTemplate`. */
  templates: PolicyResourceTemplate[];
  /** Static resources, sorted by `uri`. */
  static: PolicyStaticResource[];
  /** The sorted set of URI schemes used by templates and static resources. */
  schemes: string[];
}

/** One drifted item. */
export interface PolicyDriftItem {
  /** `added`, `removed` or `changed`. */
  kind: string;
  /** `server`, `tool`, `prompt`, `resourceTemplate` or `resource`. */
  itemType: string;
  /** Name, URI template, URI or server field. */
  id: string;
  /** `critical`, `moderate` or `info`. */
  severity: string;
  /** The pinned parts that differ (e.g. `inputSchemaHash`); may be empty. */
  fields: string[];
  /** The drift rule that produced the item (e.g. `schema-widened`, `item-added`). */
  rule: string;
  /** JSON path into the lockfile (`tools.read_file.inputSchemaHash`); `""` when unknown. */
  path: string;
  /** One sentence. */
  message: string;
}

/** `input.drift`: the server compared with its lockfile. */
export interface PolicyDrift {
  /** A lockfile was given and compared. */
  checked: boolean;
  /** At least one item drifted. */
  hasDrift: boolean;
  /** The drifted items. */
  items: PolicyDriftItem[];
}

/** `input.signature`: the lockfile's signature. */
export interface PolicySignature {
  /** A signature was found. */
  present: boolean;
  /** It was verified. */
  verified: boolean;
  /** `ed25519`, `sigstore`, or `""` when none. */
  method: string;
}

/** One item the lockfile denies (`mcptrust lock --exclude`), in `input.denied`. */
export interface PolicyDeniedItem {
  /** `tool`, `prompt`, `resourceTemplate` or `resource`. */
  itemType: LockfileItemKind;
  /** Tool or prompt name, URI template or URI. */
  id: string;
  /** The server still offers it (and it was left out of the other lists); false once the server stopped offering it. */
  offered: boolean;
}

/** The whole input document (`input` in CEL). */
export interface PolicyInput {
  /** The server's identity and pinned artifact. */
  server: PolicyServer;
  /** Every tool the lockfile lets through (all of them without a lockfile), in the order listed. */
  tools: PolicyTool[];
  /** Every prompt the lockfile lets through. */
  prompts: PolicyPrompt[];
  /** Resource templates and static resources the lockfile lets through, and their schemes. */
  resources: PolicyResources;
  /** Every analysis finding (server-level ones included), except those about denied items. */
  findings: PolicyFinding[];
  /** Drift against the lockfile. */
  drift: PolicyDrift;
  /** Signature of the lockfile. */
  signature: PolicySignature;
  /** What the lockfile denies, in lockfile order; empty without a lockfile or denials. */
  denied: PolicyDeniedItem[];
}

/** A call the proxy asks runtime rules about (`call` in CEL). */
export interface RuntimeCall {
  /** `tools/call`, `prompts/get` or `resources/read`. */
  method: string;
  /** Tool name, for `tools/call`. */
  tool?: string;
  /** Prompt name, for `prompts/get`. */
  prompt?: string;
  /** Resource URI, for `resources/read`. */
  uri?: string;
  /** Arguments of the call. */
  arguments?: unknown;
}

/** What a runtime guard decides (assignable to the proxy's `callGuard` result). */
export type RuntimeDecision = { allow: true } | { allow: false; reason: string };
