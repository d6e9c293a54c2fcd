/**
 * The presets shipped inside the package. Kept as YAML text in code (not files next
 * to it) so that bundled CLIs carry them without a file lookup.
 */
import type { PresetName } from './policy.types.js';

/** Names of the presets shipped with the package. */
export const PRESET_NAMES = ['baseline', 'strict'] as const satisfies readonly PresetName[];

const BASELINE = `name: baseline
mode: warn
rules:
  - name: artifact-pinned
    expr: input.server.artifact.pinned
    failure_msg: the server's package or image is not pinned (run mcptrust lock --pin)
    control_refs: [SLSA-L2]
    evidence: [lockfile server.artifact]
    evidence_commands: [mcptrust lock --pin -- <server>]
  - name: provenance-present
    expr: input.server.artifact.provenance.present
    failure_msg: the pinned artifact has no provenance (run mcptrust lock --pin --verify-provenance)
    control_refs: [SLSA-L3]
    evidence: [lockfile server.artifact.provenance]
    evidence_commands: [mcptrust lock --pin --verify-provenance -- <server>]
  - name: no-high-risk-tools
    expr: input.tools.all(t, t.riskLevel != "HIGH")
    failure_msg: the server exposes HIGH-risk tools; review them before approving
    evidence: [mcptrust scan output]
    evidence_commands: [mcptrust scan --pretty -- <server>]
  - name: no-critical-drift
    expr: input.drift.items.all(d, d.severity != "critical")
    failure_msg: the server drifted from its lockfile in a critical way
    severity: error
    evidence: [mcptrust diff report]
    evidence_commands: [mcptrust diff --lock mcp-lock.json -- <server>]
`;

const STRICT = `name: strict
mode: strict
rules:
  - name: artifact-pinned
    expr: input.server.artifact.pinned
    failure_msg: the server's package or image is not pinned (run mcptrust lock --pin)
    control_refs: [SLSA-L2]
    evidence: [lockfile server.artifact]
    evidence_commands: [mcptrust lock --pin -- <server>]
  - name: provenance-verified
    expr: input.server.artifact.provenance.verified
    failure_msg: the pinned artifact's provenance is missing or was not verified
    control_refs: [SLSA-L3]
    evidence: [lockfile server.artifact.provenance]
    evidence_commands: [mcptrust lock --pin --verify-provenance -- <server>]
  - name: no-high-risk-tools
    expr: input.tools.all(t, t.riskLevel != "HIGH")
    failure_msg: the server exposes HIGH-risk tools
    evidence: [mcptrust scan output]
    evidence_commands: [mcptrust scan --pretty -- <server>]
  - name: has-tools
    expr: size(input.tools) > 0
    failure_msg: the server exposes no tools (a scan that found nothing is not an approval)
  - name: no-critical-drift
    expr: input.drift.items.all(d, d.severity != "critical")
    failure_msg: the server drifted from its lockfile in a critical way
    evidence: [mcptrust diff report]
    evidence_commands: [mcptrust diff --lock mcp-lock.json -- <server>]
  - name: no-file-scheme
    expr: input.resources.schemes.all(s, s != "file")
    failure_msg: the server exposes file:// resources
`;

/** The YAML text of a preset. */
export const PRESET_SOURCES: Readonly<Record<PresetName, string>> = { baseline: BASELINE, strict: STRICT };
