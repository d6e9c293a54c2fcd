import { describe, expect, it } from '@jest/globals';
import * as drift from '@mcptrust/drift';

describe('@mcptrust/drift export surface', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(drift).sort()).toEqual([
      'DEFAULT_FAIL_ON',
      'DEFAULT_KILL_GRACE_MS',
      'DEFAULT_MAX_PAGES',
      'DEFAULT_SCAN_TIMEOUT_MS',
      'DEFAULT_STDERR_TAIL_BYTES',
      'DRIFT_SEVERITIES',
      'DriftError',
      'LIST_METHODS',
      'METHOD_NOT_FOUND',
      'analyzeScanReport',
      'analyzeToolRisk',
      'checkDrift',
      'compactWordDiff',
      'compareArtifactPins',
      'compareDeniedItems',
      'compareLiveListing',
      'compareToLockfile',
      'confusableSkeleton',
      'describeRemoteEndpoint',
      'describeSchemaType',
      'detectConfusableNames',
      'detectInjectionIndicators',
      'diffJsonSchemas',
      'escapeInvisible',
      'formatJsonPath',
      'highestSeverity',
      'listErrorMeansNone',
      'newInjectionIndicators',
      'parseServerCommand',
      'scanRemoteServer',
      'scanServer',
      'serverSpawnOptions',
      'severityAtLeast',
    ]);
  });

  it('uses a 10 second default scan deadline', () => {
    expect(drift.DEFAULT_SCAN_TIMEOUT_MS).toBe(10_000);
  });
});

describe('DriftError', () => {
  describe('when built with a cause and a stderr tail', () => {
    it('keeps the code, the cause and the tail', () => {
      const cause = new Error('spawn ENOENT');
      const error = new drift.DriftError('SERVER_START_FAILED', 'could not start', { cause, stderrTail: 'boom' });
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('DriftError');
      expect(error.code).toBe('SERVER_START_FAILED');
      expect(error.cause).toBe(cause);
      expect(error.stderrTail).toBe('boom');
    });
  });

  describe('when built without options', () => {
    it('has no cause and no stderr tail', () => {
      const error = new drift.DriftError('INVALID_COMMAND', 'empty');
      expect('cause' in error).toBe(false);
      expect(error.stderrTail).toBeUndefined();
    });
  });
});
