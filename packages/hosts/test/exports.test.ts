import { describe, expect, it } from '@jest/globals';
import * as hosts from '@mcptrust/hosts';
import * as errors from '@mcptrust/hosts/errors';

describe('@mcptrust/hosts export surface', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(hosts).sort()).toEqual([
      'HOSTS',
      'HOST_IDS',
      'HostsError',
      'applyEdits',
      'applyPlan',
      'argvEdits',
      'expandVariables',
      'hostDefinition',
      'hostIsRunning',
      'lockFileName',
      'originalBytes',
      'parseConfig',
      'parseWrappedArgv',
      'planUnwrap',
      'planWrap',
      'readConfigFile',
      'readWrapState',
      'replaceConfigFile',
      'runningProcesses',
      'unifiedDiff',
      'wrapArgv',
    ]);
    expect(Object.keys(errors)).toEqual(['HostsError']);
  });

  it('lists every host id once, each with a definition', () => {
    expect(hosts.HOSTS.map((h) => h.id)).toEqual([...hosts.HOST_IDS]);
  });
});
