// `mcptrust proxy` runs from its own bundle (the runner with only the proxy command).
// Its help and usage errors must be exactly those of the full command tree.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers.js';

describe('mcptrust proxy fast path', () => {
  it('ships the proxy bundle and its lazily loaded validator next to the entry point', () => {
    const files = readdirSync(fileURLToPath(new URL('../dist/', import.meta.url)));
    expect(files).toContain('mcptrust-proxy.js');
    expect(files).toContain('mcptrust-ajv.cjs');
  });

  it('starts without loading Sigstore, CEL, YAML, yargs, ajv, the MCP SDK or the drift model', () => {
    // Every chunk the proxy entry imports statically (dynamic import() is lazy and not
    // followed); each bundled module keeps a "// <path>" comment naming its source.
    const dist = fileURLToPath(new URL('../dist/', import.meta.url));
    const loaded = new Set<string>();
    const visit = (file: string): void => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const text = readFileSync(dist + file, 'utf8');
      for (const m of text.matchAll(/\b(?:import|export)\s*(?:\{[^}]*\}|\*\s+as\s+\w+|\w+)?\s*(?:from\s*)?"\.\/([^"]+)"/g)) visit(m[1]!);
    };
    visit('mcptrust-proxy.js');
    expect(loaded.size).toBeGreaterThan(1); // the entry does import its chunks
    const sources = [...loaded].flatMap((file) => [...readFileSync(dist + file, 'utf8').matchAll(/^\/\/ (\S+)$/gm)].map((m) => m[1]!));
    expect(sources.some((s) => s.includes('packages/proxy-core/'))).toBe(true);
    const heavy = sources.filter((s) => /node_modules\/\.pnpm\/(?:@?sigstore|@sigstore\+|@marcbachmann\+cel-js|yaml|yargs|ajv|zod|@modelcontextprotocol\+sdk|diff)[@+]/.test(s));
    expect(heavy).toEqual([]);
    // The drift model (grading preflight drift) is loaded only when there is drift.
    expect(sources.filter((s) => /packages\/drift\/dist\/(?:compare|analyze|describe-change|schema-diff)/.test(s))).toEqual([]);
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
      expect(r.stdout).toContain('Usage: mcptrust proxy --lock mcp-lock.json [flags] (--url URL');
      expect(r.stdout).toContain('<server command>)');
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
