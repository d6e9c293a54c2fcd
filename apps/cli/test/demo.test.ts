import { beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from './helpers.js';
import type { CliResult } from './helpers.js';

// One run of the whole demo serves every assertion: it starts three servers.
let r: CliResult;
beforeAll(async () => {
  r = await runCli(['demo']);
}, 30_000);

describe('mcptrust demo', () => {
  it('locks the bundled demo server, shows the surface and the refused rogue tool, exit 0', () => {
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/read_note/);
    expect(r.stdout).toMatch(/sha256:[0-9a-f]{64}/);
    expect(r.stdout).toMatch(/refused tool `exec_shell` added/);
  });

  describe('when the demo server runs behind the proxy', () => {
    it('lets read_note through, then blocks the late exec_shell with the brief log line', () => {
      expect(r.code).toBe(0);
      const runtime = r.stdout.slice(r.stdout.indexOf('4. At runtime'));
      expect(runtime).toMatch(/tools\/call read_note \{"id":"oncall"\}: allowed/);
      expect(runtime).toMatch(/tools\/list: sees `list_notes`, `read_note`, `search_notes` \(/);
      expect(runtime).toMatch(/tools\/call exec_shell: blocked with -32050 "MCPTRUST_DENIED: not in allowlist"/);
      expect(runtime.split('\n').map((l) => l.trim())).toContain(
        'mcptrust: action=blocked method=tools/call tool=exec_shell reason="not in allowlist"',
      );
    });
  });

  describe('when the demo package is pinned and run from verified bytes', () => {
    it('runs the pinned package behind the proxy, then refuses a tarball swapped on the registry before unpacking it', () => {
      expect(r.code).toBe(0);
      const pinned = r.stdout.slice(r.stdout.indexOf('5. Pin what you run'));
      expect(pinned).toMatch(/run: npm mcptrust-demo-server@1\.0\.0, bin mcptrust-demo-server \(installed, 1 tarball downloaded\); behind the proxy/);
      expect(pinned).toMatch(/pinned mcptrust-demo-server@1\.0\.0: integrity sha512-.*registry signature verified/);
      expect(pinned).toMatch(/refused server\.artifact\.integrity: the downloaded tarball does not match the pin \(expected sha512-\S+, found sha512-\S+\)/);
    });
  });
});
