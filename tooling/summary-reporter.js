// Prints one plain closing line after the whole run, e.g. "jest: 120 passed, 0 failed, 2 skipped",
// so that CI logs end with a summary that any reader can parse.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(
      `\njest: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`,
    );
  }
}
