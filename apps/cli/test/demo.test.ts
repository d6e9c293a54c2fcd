import { describe, expect, it } from '@jest/globals';
import { runCli } from './helpers.js';

describe('mcptrust demo', () => {
  it('locks the bundled demo server, shows the surface and the refused rogue tool, exit 0', async () => {
    const r = await runCli(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/read_note/);
    expect(r.stdout).toMatch(/sha256:[0-9a-f]{64}/);
    expect(r.stdout).toMatch(/refused tool `exec_shell` added/);
  });
});
