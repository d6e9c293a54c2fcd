// `parseProxyArgv` (the proxy's fast path, no yargs) must hand `runProxy` exactly what
// yargs hands it, for every command line it accepts; everything else goes to yargs.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Writable } from 'node:stream';
import { runCli } from '../src/cli.js';
import type { CommandModule } from '../src/command.js';
import { FAST_PATH_FLAGS, parseProxyArgv, proxyOptions } from '../src/commands/proxy.js';
import type { Io } from '../src/output.js';

// Every flag of the command and the global observability flags, plus the server command.
const KEYS = [...FAST_PATH_FLAGS.map((f) => f.name), '--'];
const ALIASES = new Set(FAST_PATH_FLAGS.flatMap((f) => f.alias ?? []));

function pick(argv: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) if (argv[k] !== undefined) out[k] = argv[k];
  return out;
}

const sink = (): Writable => new Writable({ write: (_c, _e, done) => done() });

/** What yargs (the real runner, proxy command registered) gives the handler, if it runs. */
async function viaYargs(argv: string[]): Promise<{ code: number; argv: Record<string, unknown> | undefined; all: Record<string, unknown> | undefined }> {
  let captured: Record<string, unknown> | undefined;
  const capture: CommandModule = (cli) =>
    cli.command('proxy', 'proxy', proxyOptions, (a) => {
      captured = a as unknown as Record<string, unknown>;
    });
  const io: Io = { stdout: sink(), stderr: sink(), color: false, env: {} };
  const code = await runCli(argv, [capture], io);
  return { code, argv: captured === undefined ? undefined : pick(captured), all: captured };
}

describe('parseProxyArgv', () => {
  describe('when the command line is in the plain form', () => {
    it.each([
      [['proxy', '--lock', 'mcp-lock.json', '--', 'node', 'server.js']],
      [['proxy', '--lock=a.json', '--timeout', '5s', '--request-timeout=2m', '--', 'npx', '-y', 'pkg', '/tmp']],
      [['proxy', '--audit-only', '--lock', 'l.json', '--fail-on', 'info', '--no-preflight', '--', 'node', 's.js', '--', '--lock', 'x', '500']],
      [['proxy', '--lock', 'l.json', '--deny-sampling', '--deny-roots', '--deny-elicitation', '--allow-static-resources', '--policy', 'p.yaml', '--', 'srv']],
      [['proxy', '--lock', 'l.json', '--print-effective-allowlist', '--', 'srv']],
      [['proxy', '--lock', 'l.json', '--url', 'https://mcp.example.com/mcp']],
      [['proxy', '--lock', 'l.json', '--url=http://127.0.0.1:8080/mcp', '--transport', 'sse', '--header', 'Authorization: Bearer ${T}', '--header', 'X-Tenant: a', '--allow-url-change']],
      [['proxy', '--lock', 'l.json', '--header', 'X-A: 1', '--url', 'https://a.example/mcp']],
    ])('gives runProxy what yargs gives it: %j', async (argv) => {
      const fast = parseProxyArgv(argv);
      expect(fast).toBeDefined();
      const slow = await viaYargs(argv);
      expect(slow.code).toBe(0);
      expect(pick(fast!)).toEqual(slow.argv);
    });
  });

  describe('when yargs knows an option the flag table does not', () => {
    it('cannot happen: every option yargs fills in is in FAST_PATH_FLAGS, with the same default', async () => {
      const argv = ['proxy', '--lock', 'l.json', '--', 'srv'];
      const { all } = await viaYargs(argv);
      const own = Object.keys(all!).filter((k) => k !== '_' && k !== '$0' && !/[A-Z]/.test(k) && !ALIASES.has(k));
      expect(own.sort()).toEqual(KEYS.filter((k) => all![k] !== undefined).sort());
      expect(pick(parseProxyArgv(argv)!)).toEqual(pick(all!));
    });
  });

  describe('when the server command has number-like arguments', () => {
    it('passes them on as written on both paths (1e3 stays 1e3)', async () => {
      const argv = ['proxy', '--lock', 'l.json', '--', 'node', 's.js', '1e3', '0500', '7'];
      expect(parseProxyArgv(argv)?.['--']).toEqual(['node', 's.js', '1e3', '0500', '7']);
      expect((await viaYargs(argv)).argv?.['--']).toEqual(['node', 's.js', '1e3', '0500', '7']);
      expect((await viaYargs(['proxy', '-l', 'l.json', '--', 'node', '1e3'])).argv?.['--']).toEqual(['node', '1e3']);
    });
  });

  describe('when the command line needs yargs', () => {
    it.each([
      [['proxy', '--help']],
      [['proxy', '--lock', 'l.json', '--version', '--', 'srv']],
      [['proxy', '-l', 'l.json', '--', 'srv']],
      [['proxy', '--lockfile', 'l.json', '--', 'srv']],
      [['proxy', '--lock', 'a', '--lock', 'b', '--', 'srv']],
      [['proxy', '--lock', 'l.json', '--lokc', 'x', '--', 'srv']],
      [['proxy', '--lock', 'l.json', '--fail-on', 'bogus', '--', 'srv']],
      [['proxy', '--lock', 'l.json', '--audit-only=false', '--', 'srv']],
      [['proxy', '--lock', '-x', '--', 'srv']],
      [['proxy', '--timeout', '5s', '--', 'srv']],
      [['proxy', '--lock', 'l.json']],
      [['proxy', '--lock', 'l.json', '--']],
      [['proxy', 'extra', '--lock', 'l.json', '--', 'srv']],
      [['proxy', '--lock', 'l.json', '--url', 'https://a.example/mcp', 'extra']],
      [['proxy', '--lock', 'l.json', '--url', 'a', '--url', 'b']],
      [['proxy', '--lock', 'l.json', '--transport', 'websocket', '--url', 'https://a.example/mcp']],
    ])('returns undefined for %j', (argv) => {
      expect(parseProxyArgv(argv)).toBeUndefined();
    });
  });

  describe('for any generated command line', () => {
    const value = fc.constantFrom('l.json', '10s', '5', '1e3', 'a b', 'x=y', '-x', '', 'true', 'critical', 'moderate', 'info', 'bogus', 'Zürich', '--');
    const flag = fc.constantFrom(
      '--lock',
      '--timeout',
      '--request-timeout',
      '--fail-on',
      '--policy',
      '--preflight',
      '--no-preflight',
      '--audit-only',
      '--filter-only',
      '--allow-static-resources',
      '--deny-sampling',
      '--deny-roots',
      '--deny-elicitation',
      '--print-effective-allowlist',
      '--url',
      '--header',
      '--lockfile',
      '-l',
      '--help',
      '--lokc',
    );
    const token = fc.oneof(
      flag,
      value,
      fc.tuple(flag, value).map(([f, v]) => `${f}=${v}`),
    );
    // Well-formed flags (possibly repeated, which sends the line to yargs).
    const good = fc.oneof(
      fc.tuple(fc.constantFrom('--timeout', '--request-timeout', '--policy'), fc.constantFrom('10s', '5', '1e3', 'p.yaml', 'Zürich')).map(([f, v]) => [f, v]),
      fc.constantFrom('critical', 'moderate', 'info').map((v) => ['--fail-on', v]),
      fc.constantFrom('X-A: 1', 'Authorization: Bearer ${T}', 'x-b:2').map((v) => ['--header', v]),
      fc.constantFrom('auto', 'sse', 'streamable-http').map((v) => ['--transport', v]),
      fc.constantFrom('--preflight', '--no-preflight', '--audit-only', '--no-audit-only', '--filter-only', '--deny-roots', '--no-deny-roots', '--print-effective-allowlist').map((f) => [f]),
    );
    // Noise: sometimes a flag with any value of the pool, or a lone token.
    const noise = fc.oneof(
      { weight: 4, arbitrary: fc.constant([] as string[]) },
      { weight: 1, arbitrary: fc.tuple(flag, value).map(([f, v]) => [f, v]) },
      { weight: 1, arbitrary: token.map((t) => [t]) },
    );
    const server = fc.array(fc.oneof(value, flag), { minLength: 0, maxLength: 4 });
    // Most lines carry a valid --lock and a server command, so that many are accepted.
    const line = fc
      .tuple(fc.array(good, { maxLength: 3 }), noise, fc.constantFrom(true, true, true, false), fc.constantFrom(true, true, true, false), server)
      .map(([before, extra, withLock, dashes, after]) => [
        'proxy',
        ...before.flat(),
        ...(withLock ? ['--lock', 'l.json'] : []),
        ...extra,
        ...(dashes ? ['--', 'node', ...after] : after),
      ]);

    it('is accepted by the fast path only where yargs runs the command with the same values', async () => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(line, async (argv) => {
          const fast = parseProxyArgv(argv);
          if (fast === undefined) return;
          accepted++;
          const slow = await viaYargs(argv);
          expect(slow.code).toBe(0);
          expect(pick(fast)).toEqual(slow.argv);
        }),
        { numRuns: 400 },
      );
      expect(accepted).toBeGreaterThan(20);
    });

    it('accepts a useful share of well-formed lines (the property above is not vacuous)', () => {
      let accepted = 0;
      fc.assert(
        fc.property(fc.tuple(fc.subarray(['--audit-only', '--deny-roots', '--no-preflight']), fc.constantFrom('l.json', 'x.json')), ([flags, lock]) => {
          if (parseProxyArgv(['proxy', ...flags, '--lock', lock, '--', 'node', 's.js']) !== undefined) accepted++;
        }),
        { numRuns: 50 },
      );
      expect(accepted).toBe(50);
    });
  });
});
