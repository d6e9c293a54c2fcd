import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { CLI, EVERYTHING, FIXTURE, NODE, runCli } from './helpers.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

describe('mcptrust (built CLI)', () => {
  it('prints its version with --version and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
    expect(r.stderr).toBe('');
  });

  it('lists every command in --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['scan', 'lock', 'demo']) expect(r.stdout).toContain(`mcptrust ${command}`);
    expect(r.stdout).toContain('Exit codes');
  });

  it.each(['scan', 'lock', 'demo'])('shows examples in `%s --help`', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
  });

  describe('when the arguments are wrong', () => {
    it('exits 2 on an unknown command', async () => {
      const r = await runCli(['frobnicate']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Unknown argument: frobnicate/);
      expect(r.stdout).toBe('');
    });

    it('exits 2 and names an unknown flag', async () => {
      const r = await runCli(['lock', '--outptu', 'x.json', '--', NODE, EVERYTHING]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/outptu/);
    });

    it('exits 2 when the server command is missing', async () => {
      const r = await runCli(['scan']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/missing server command/);
    });

    it('exits 2 and names --timeout when its value is not a duration', async () => {
      const r = await runCli(['scan', '--timeout', 'soon', '--', NODE, EVERYTHING]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--timeout: expected a duration/);
    });

    it('refuses a quoted command that needs a shell, exit 2', async () => {
      const r = await runCli(['scan', '--', `${NODE} ${EVERYTHING} stdio | tee /tmp/x`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/shell/i);
    });
  });

  it('is started from a bundle that exists', () => {
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  describe('colours', () => {
    const scanConfusable = ['scan', '--', NODE, FIXTURE, '--confusable'];
    it('colours warnings on stderr when FORCE_COLOR is set', async () => {
      const r = await runCli(scanConfusable, { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('\u001b[');
    });

    it('writes no ANSI escape at all when NO_COLOR is set, even with FORCE_COLOR', async () => {
      const r = await runCli(scanConfusable, { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/CONFUSABLE_NAME|MIXED_SCRIPT_NAME/);
      expect(r.stderr).not.toContain('\u001b[');
      expect(r.stdout).not.toContain('\u001b[');
    });
  });
});
