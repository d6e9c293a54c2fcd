import type { DriftRule, DriftSeverity } from '@mcptrust/drift';

/** What each drift rule means (SARIF rule metadata; docs/DRIFT.md has the long form). */
export const RULE_DESCRIPTIONS: Readonly<Record<DriftRule, { name: string; text: string; severity: DriftSeverity }>> = {
  'item-added': { name: 'ItemAdded', text: 'A tool, prompt, resource template or static resource the lockfile does not pin appeared.', severity: 'critical' },
  'confusable-name': { name: 'ConfusableName', text: 'A new name looks like a pinned one (Unicode look-alike or mixed scripts).', severity: 'critical' },
  'item-removed': { name: 'ItemRemoved', text: 'A pinned item is no longer exposed.', severity: 'moderate' },
  'schema-widened': { name: 'SchemaWidened', text: 'A tool input schema now accepts inputs it rejected when it was approved.', severity: 'critical' },
  'schema-narrowed': { name: 'SchemaNarrowed', text: 'A tool input schema now rejects inputs it accepted.', severity: 'moderate' },
  'schema-undecidable': { name: 'SchemaUndecidable', text: 'A tool input schema changed in a way that cannot be classified; treated as widening.', severity: 'critical' },
  'schema-text-changed': { name: 'SchemaTextChanged', text: 'Text inside a tool input schema (a property description, default, title) changed.', severity: 'moderate' },
  'output-schema-changed': { name: 'OutputSchemaChanged', text: 'A tool output schema changed.', severity: 'moderate' },
  'description-changed': { name: 'DescriptionChanged', text: 'A description changed (no injection indicators in the new text).', severity: 'moderate' },
  'description-injection': { name: 'DescriptionInjection', text: 'A changed description carries new prompt-injection indicators.', severity: 'critical' },
  'annotations-safer': { name: 'AnnotationsSafer', text: 'Tool annotations changed to make the tool look safer (readOnlyHint true, destructiveHint or openWorldHint false).', severity: 'critical' },
  'annotations-changed': { name: 'AnnotationsChanged', text: 'Other tool annotation changes.', severity: 'moderate' },
  'title-changed': { name: 'TitleChanged', text: 'A display title changed.', severity: 'info' },
  'prompt-arguments-changed': { name: 'PromptArgumentsChanged', text: 'Prompt arguments were added, removed, made required or optional, or re-described.', severity: 'moderate' },
  'resource-changed': { name: 'ResourceChanged', text: 'A resource or resource template changed its name or MIME type.', severity: 'moderate' },
  'instructions-changed': { name: 'InstructionsChanged', text: 'The server instructions changed (no injection indicators).', severity: 'moderate' },
  'instructions-injection': { name: 'InstructionsInjection', text: 'Changed server instructions carry new prompt-injection indicators.', severity: 'critical' },
  'capabilities-changed': { name: 'CapabilitiesChanged', text: 'The server declares a different set of capabilities.', severity: 'moderate' },
  'server-info-changed': { name: 'ServerInfoChanged', text: 'The server name, version or protocol version changed.', severity: 'info' },
  'hash-only-changed': { name: 'HashOnlyChanged', text: 'A pinned hash changed and the lockfile has no snapshot to explain it (re-lock to see what changed).', severity: 'moderate' },
  'artifact-changed': { name: 'ArtifactChanged', text: 'The server command now resolves to another package version, tarball or image digest than the one pinned (lock --pin).', severity: 'critical' },
  'artifact-unpinned': { name: 'ArtifactUnpinned', text: 'The lockfile pins an artifact, but the server command no longer names a pinnable package or image.', severity: 'critical' },
};
