/**
 * The entry the runner starts (`runs.main` of action.yml, bundled into dist/index.js): the
 * action with `@actions/core` as its toolkit and the CLI bundled beside it.
 */
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { runAction } from './action.js';

try {
  await runAction({
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (message) => core.setFailed(message),
    info: (message) => core.info(message),
    error: (message, properties) => core.error(message, properties),
    warning: (message, properties) => core.warning(message, properties),
    notice: (message, properties) => core.notice(message, properties),
    writeSummary: async (markdown) => {
      await core.summary.addRaw(markdown).write();
    },
    env: process.env,
    log: process.stdout,
    cli: fileURLToPath(new URL('./mcptrust.js', import.meta.url)),
  });
} catch (error) {
  // A failure of the action itself (not a finding): still a failed step, with its reason.
  core.setOutput('outcome', 'FAIL');
  core.setFailed(`mcptrust action: ${error instanceof Error ? error.message : String(error)}`);
}
