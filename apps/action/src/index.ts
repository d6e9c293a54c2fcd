/**
 * @packageDocumentation
 * The MCPTrust GitHub Action. This release parses and validates the action's inputs;
 * the lock/check/policy runs are composed from the CLI in a later release.
 */
export { ACTION_MODES, parseActionInputs, ActionInputError } from './inputs.js';
export type { ActionInputs, ActionMode } from './inputs.js';
