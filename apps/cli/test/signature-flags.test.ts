import { describe, expect, it } from '@jest/globals';
import { GITHUB_ACTIONS_ISSUER } from '@mcptrust/signing';
import { SIGNATURE_FLAG_SPECS } from '../src/signature-flags.js';
import { PROXY_FLAGS } from '../src/commands/proxy.js';

describe('SIGNATURE_FLAG_SPECS', () => {
  it('names the issuer --github-actions stands for, as the signing package defines it', () => {
    expect(SIGNATURE_FLAG_SPECS.find((f) => f.name === 'github-actions')?.describe).toContain(GITHUB_ACTIONS_ISSUER);
  });

  it('is part of the proxy flag table, so the fast path and yargs accept the same signature flags', () => {
    for (const spec of SIGNATURE_FLAG_SPECS) expect(PROXY_FLAGS).toContainEqual(spec);
  });
});
