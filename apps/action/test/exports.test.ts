import { expect, it } from '@jest/globals';
import * as api from '../src/index.js';

it('exports exactly the documented surface', () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      'ACTION_MODES', 'ANNOTATIONS_PER_KIND', 'ActionInputError', 'FAIL_ON', 'POLICY_PRESETS', 'REPORTS', 'SUMMARY_BUDGET_BYTES', 'annotate', 'bySeverity', 'cell',
      'checkReportFacts', 'cliArgs', 'cliEnvironment', 'envInputReader', 'findingsOf', 'parseActionInputs', 'policyReportFacts', 'rebaseSarif', 'renderSummary',
      'repositoryPath', 'runAction', 'runBundledCli',
    ].sort(),
  );
});
