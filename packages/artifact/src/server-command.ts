/**
 * Recognises the server commands whose artifact can be pinned: an npm launcher
 * (`npx`, `npm exec`/`npm x`, `pnpm dlx`) of a registry package, or `docker run IMAGE`
 * (and `podman run`). Everything else (`uvx`, `python`, `node ./server.js`...) is refused,
 * naming what can be pinned.
 */
import { ArtifactError } from './errors.js';
import { parseNpmLaunch } from './npm/launch-command.js';
import type { NpmLaunch } from './npm/launch-command.js';
import { parseDockerRun } from './oci/docker-command.js';
import type { DockerRun } from './oci/docker-command.js';

/** A recognised server command. */
export type RecognizedServerCommand = { kind: 'npm'; launch: NpmLaunch } | { kind: 'oci'; run: DockerRun };

/** What can be pinned, for error messages. */
export const PINNABLE_COMMANDS = 'npx, npm exec or pnpm dlx of a registry package, or docker run IMAGE';

/**
 * Recognises a server command whose artifact can be pinned.
 *
 * @param argv - the server command (environment assignments already removed)
 * @throws ArtifactError `UNPINNABLE_COMMAND` for any other command (naming what can be
 *   pinned), and the launch parsers' `INVALID_COMMAND`/`UNPINNABLE_COMMAND`
 */
export function recognizeServerCommand(argv: string[]): RecognizedServerCommand {
  const launch = parseNpmLaunch(argv);
  if (launch !== undefined) return { kind: 'npm', launch };
  const run = parseDockerRun(argv);
  if (run !== undefined) return { kind: 'oci', run };
  // Only the program is named: later arguments may carry secrets.
  const shown = argv.length === 0 ? 'an empty command' : `a ${JSON.stringify(argv[0])} command`;
  throw new ArtifactError('UNPINNABLE_COMMAND', `cannot pin the artifact of ${shown}: only ${PINNABLE_COMMANDS} can be pinned`);
}
