import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE, NODE, runCli } from './helpers.js';

let dir: string;
let lock: string;
const SERVER = [NODE, FIXTURE, '--tools', 'read_file'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-check-'));
  lock = join(dir, 'mcp-lock.json');
  expect((await runCli(['lock', '-o', lock, '--', ...SERVER])).code).toBe(0);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mcptrust check', () => {
  describe('when the server matches the lockfile', () => {
    it('exits 0 with one combined report listing every section', async () => {
      const result = await runCli(['check', '--lock', lock, '--format', 'json', '--', ...SERVER]);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as { command: string; failed: boolean; sections: Array<{ name: string; status: string }> };
      expect(report.command).toBe('check');
      expect(report.failed).toBe(false);
      expect(report.sections.map((s) => [s.name, s.status])).toEqual([
        ['signature', 'skipped'],
        ['policy', 'skipped'],
        ['drift', 'pass'],
      ]);
    });
  });

  describe('when the server drifted', () => {
    it('exits 1 and names the change in the text report', async () => {
      const result = await runCli(['check', '--lock', lock, '--', ...SERVER, '--drift-after', '0', '--drift', 'widen-schema']);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('drift: fail');
      expect(result.stdout).toContain('tool `read_file` gained optional parameter `recursive` (boolean)');
    });
  });

  describe('with a signature check', () => {
    let good: string;
    let wrong: string;
    beforeAll(async () => {
      good = join(dir, 'good');
      wrong = join(dir, 'wrong');
      for (const k of [good, wrong]) {
        expect((await runCli(['keygen', '--private', `${k}.key`, '--public', `${k}.pub`])).code).toBe(0);
      }
      expect((await runCli(['sign', '--key', `${good}.key`, '--lockfile', lock])).code).toBe(0);
    });

    it('passes the signature section with the signer\'s key (exit 0)', async () => {
      const result = await runCli(['check', '--lock', lock, '--key', `${good}.pub`, '--format', 'json', '--', ...SERVER]);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as { sections: Array<{ name: string; status: string; summary: string }> };
      expect(report.sections[0]).toMatchObject({ name: 'signature', status: 'pass' });
      expect(report.sections[0]?.summary).toMatch(/valid Ed25519 signature/);
    });

    it('fails the gate (exit 1) with another key, and still reports drift', async () => {
      const result = await runCli(['check', '--lock', lock, '--key', `${wrong}.pub`, '--format', 'json', '--', ...SERVER]);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { failed: boolean; sections: Array<{ name: string; status: string }> };
      expect(report.failed).toBe(true);
      expect(report.sections.map((s) => [s.name, s.status])).toEqual([
        ['signature', 'fail'],
        ['policy', 'skipped'],
        ['drift', 'pass'],
      ]);
    });

    it('exits 2 naming the key file when it cannot be read, before any server starts', async () => {
      const missing = join(dir, 'missing.pub');
      const marker = join(dir, 'started-by-check');
      const result = await runCli(['check', '--lock', lock, '--key', missing, '--', NODE, '-e', 'require("fs").writeFileSync(process.argv[1], "x")', marker]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(missing);
      await expect(rm(marker)).rejects.toThrow();
    });

    it('refuses --key together with keyless flags (exit 2)', async () => {
      const result = await runCli(['check', '--lock', lock, '--key', `${good}.pub`, '--issuer', 'https://issuer.example', '--identity', 'me', '--', ...SERVER]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--key is for Ed25519 signatures/);
    });

    describe('and a policy that requires a verified signature', () => {
      let policyFile: string;
      beforeAll(async () => {
        policyFile = join(dir, 'signed.yaml');
        await writeFile(policyFile, [
          'name: signed-only',
          'mode: strict',
          'rules:',
          '  - name: signature-verified',
          '    expr: input.signature.verified',
          '    failure_msg: the lockfile must carry a verified signature',
          '',
        ].join('\n'));
      });

      it('passes when the signature holds', async () => {
        const result = await runCli(['check', '--lock', lock, '--key', `${good}.pub`, '--policy', policyFile, '--format', 'json', '--', ...SERVER]);
        expect(result.code).toBe(0);
        const report = JSON.parse(result.stdout) as { sections: Array<{ name: string; status: string }> };
        expect(report.sections.find((s) => s.name === 'policy')?.status).toBe('pass');
      });

      it('fails the policy section when no signature was checked', async () => {
        const result = await runCli(['check', '--lock', lock, '--policy', policyFile, '--', ...SERVER]);
        expect(result.code).toBe(1);
        expect(result.stdout).toContain('signature-verified (error): the lockfile must carry a verified signature');
      });
    });
  });

  describe('with a preset', () => {
    it('fails on strict (nothing pinned, no provenance) naming the failing rules', async () => {
      const result = await runCli(['check', '--lock', lock, '--preset', 'strict', '--format', 'json', '--', ...SERVER]);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { sections: Array<{ name: string; status: string; summary: string }> };
      const policy = report.sections.find((s) => s.name === 'policy');
      expect(policy?.status).toBe('fail');
      expect(policy?.summary).toContain('artifact-pinned');
    });

    it('passes on baseline, whose artifact rules only warn', async () => {
      const result = await runCli(['check', '--lock', lock, '--preset', 'baseline', '--format', 'json', '--', ...SERVER]);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as { sections: Array<{ name: string; status: string; summary: string }> };
      expect(report.sections.find((s) => s.name === 'policy')?.status).toBe('pass');
    });

    it('exits 2 on an unknown preset name', async () => {
      const result = await runCli(['check', '--lock', lock, '--preset', 'lenient', '--', ...SERVER]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/preset/);
    });
  });

  it('exits 2 naming a policy file that does not exist', async () => {
    const missing = join(dir, 'nope.yaml');
    const result = await runCli(['check', '--lock', lock, '--policy', missing, '--', ...SERVER]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(missing);
  });
});
