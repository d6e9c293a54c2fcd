/** The modes the action runs in. */
export const ACTION_MODES = ['lock', 'check', 'policy'] as const;

/** One of {@link ACTION_MODES}. */
export type ActionMode = (typeof ACTION_MODES)[number];

/** The action's validated inputs. */
export interface ActionInputs {
  /** What to run. */
  mode: ActionMode;
  /** Path of the lockfile. */
  lockfile: string;
  /** Drift threshold. */
  failOn: 'critical' | 'moderate' | 'info';
  /** Policy preset name or file, if any. */
  policy?: string;
  /** The server command, one string split like a shell would (never run by one). */
  serverCommand: string;
}

/** An input the workflow gave is missing or invalid. */
export class ActionInputError extends Error {
  override readonly name = 'ActionInputError';
  /** The input's name, as written in the workflow (`fail_on`). */
  readonly input: string;
  constructor(input: string, message: string) {
    super(`input "${input}": ${message}`);
    this.input = input;
  }
}

/**
 * Reads the action's inputs from the environment GitHub sets (`INPUT_<NAME>`).
 * @throws ActionInputError naming the input
 */
export function parseActionInputs(env: Record<string, string | undefined>): ActionInputs {
  const get = (name: string): string => (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
  const mode = get('mode') || 'check';
  if (!(ACTION_MODES as readonly string[]).includes(mode)) {
    throw new ActionInputError('mode', `expected one of ${ACTION_MODES.join(', ')}, got "${mode}"`);
  }
  const failOn = get('fail_on') || 'critical';
  if (failOn !== 'critical' && failOn !== 'moderate' && failOn !== 'info') {
    throw new ActionInputError('fail_on', `expected critical, moderate or info, got "${failOn}"`);
  }
  const serverCommand = get('server_command');
  if (serverCommand === '') throw new ActionInputError('server_command', 'is required');
  const policy = get('policy');
  return {
    mode: mode as ActionMode,
    lockfile: get('lockfile') || 'mcp-lock.json',
    failOn,
    ...(policy === '' ? {} : { policy }),
    serverCommand,
  };
}
