// `mcptrust proxy` runs from its own bundle (the runner with only the proxy command).
// Its help and usage errors must be exactly those of the full command tree.
import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers.js';

describe('mcptrust proxy fast path', () => {
  it('ships the proxy bundle and its lazily loaded validator next to the entry point', () => {
    const files = readdirSync(fileURLToPath(new URL('../dist/', import.meta.url)));
    expect(files).toContain('mcptrust-proxy.js');
    expect(files).toContain('mcptrust-ajv.cjs');
  });

  it('lists proxy in the top-level --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mcptrust proxy');
  });

  describe('when asked for `proxy --help`', () => {
    it('prints the proxy usage, flags and examples and exits 0', async () => {
      const r = await runCli(['proxy', '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: mcptrust proxy --lock mcp-lock.json [flags] -- <server command>');
      for (const flag of ['--lock', '--fail-on', '--request-timeout', '--print-effective-allowlist', '--version', '--help']) expect(r.stdout).toContain(flag);
      expect(r.stdout).toContain('Examples:');
    });
  });

  describe('when the proxy arguments are wrong', () => {
    it('exits 2 and names an unknown flag, as the full command tree does', async () => {
      const r = await runCli(['proxy', '--lock', 'x.json', '--lokc', '1', '--', 'node', 'server.js']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Unknown argument: lokc/);
      expect(r.stdout).toBe('');
    });

    it('exits 2 when --lock is missing', async () => {
      const r = await runCli(['proxy', '--', 'node', 'server.js']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/lock/);
      expect(r.stdout).toBe('');
    });
  });
});
