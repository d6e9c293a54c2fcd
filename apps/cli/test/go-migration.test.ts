// Moving from the Go mcptrust to this CLI: what reads unchanged, what differs, what is
// not built yet. docs/MIGRATION.md cites these tests by name.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalizeV1 } from '@mcptrust/lockfile';
import type { JsonValue } from '@mcptrust/lockfile';
import { DEMO, FIXTURE, NODE, runCli } from './helpers.js';

// Files written by the Go mcptrust (packages/signing/test/vectors/mcptrust-go/SOURCE.md).
const GO = (name: string): string => fileURLToPath(new URL(`../../../packages/signing/test/vectors/mcptrust-go/${name}`, import.meta.url));

let dir: string;
const at = (name: string): string => join(dir, name);

/** A tools-only surface for the fixture server (the Go lockfiles 1.0 and 2.0 pin tools only). */
const TOOLS = [
  {
    name: 'read_note',
    description: 'Reads a note <by id> & returns it',
    inputSchema: { type: 'object', properties: { id: { type: 'string', description: 'note id' } }, required: ['id'] },
  },
  { name: 'list_notes', description: 'Lists notes', inputSchema: { type: 'object', properties: {} } },
];
const PROMPT = { name: 'summarize', description: 'Summarize a note', arguments: [{ name: 'id', required: true }] };

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

/**
 * A lockfile as the Go mcptrust's `lock` (without --v3) writes it: version 2.0, the
 * command, and per tool the SHA-256 of the raw description and of the Go canonical JSON
 * of the input schema.
 */
function goV2Lockfile(): string {
  const tools = Object.fromEntries(
    TOOLS.map((t) => [t.name, { description_hash: sha256(t.description), input_schema_hash: sha256(canonicalizeV1(t.inputSchema as JsonValue)), risk_level: 'LOW' }]),
  );
  return `${JSON.stringify({ version: '2.0', server_command: 'node fixture-server.mjs', tools }, null, 2)}\n`;
}

let toolsOnly: string[];
let withPrompt: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-go-migration-'));
  await writeFile(at('tools.json'), JSON.stringify({ tools: TOOLS }));
  await writeFile(at('tools-and-prompt.json'), JSON.stringify({ tools: TOOLS, prompts: [PROMPT] }));
  toolsOnly = [NODE, FIXTURE, '--surface', at('tools.json')];
  withPrompt = [NODE, FIXTURE, '--surface', at('tools-and-prompt.json')];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('migrating from the Go mcptrust', () => {
  describe('a Go lockfile version 2.0 (what the Go `lock` wrote without --v3)', () => {
    it('is accepted as it is by check and diff (exit 0 on the same server), with a notice that it was converted', async () => {
      const lock = at('check-v2.json');
      await writeFile(lock, goV2Lockfile());
      const check = await runCli(['check', '--lock', lock, '--', ...toolsOnly]);
      expect(check.code).toBe(0);
      expect(check.stdout).toContain('lockfile version 2.0 of the Go mcptrust');
      const diff = await runCli(['diff', '--lock', lock, '--', ...toolsOnly]);
      expect(diff.code).toBe(0);
      expect(await readFile(lock, 'utf8')).toBe(goV2Lockfile());
    });

    it('is rewritten as lockfile v3 by `mcptrust lock` when the server still matches; locking again is a no-op', async () => {
      const lock = at('migrate-v2.json');
      await writeFile(lock, goV2Lockfile());
      const first = await runCli(['lock', '--output', lock, '--', ...toolsOnly]);
      expect(first.code).toBe(0);
      expect(first.stderr).toContain('lockfile version 2.0 of the Go mcptrust');
      expect(first.stderr).toMatch(/written/);
      const migrated = await readFile(lock, 'utf8');
      const parsed = JSON.parse(migrated) as { lockFileVersion: string; version?: string; tools: Record<string, { snapshot?: unknown }> };
      expect(parsed.lockFileVersion).toBe('3.0');
      expect(parsed.version).toBeUndefined();
      expect(Object.keys(parsed.tools).sort()).toEqual(['list_notes', 'read_note']);
      expect(parsed.tools['read_note']?.snapshot).toBeDefined();

      const second = await runCli(['lock', '--output', lock, '--', ...toolsOnly]);
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/up to date/);
      expect(await readFile(lock, 'utf8')).toBe(migrated);
    });

    it('is refused by `mcptrust lock` (exit 1) when the server also has a prompt, which the Go format never pinned', async () => {
      const lock = at('v2-prompt.json');
      await writeFile(lock, goV2Lockfile());
      const refused = await runCli(['lock', '--output', lock, '--', ...withPrompt]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/prompt `summarize` was added/);
      expect(await readFile(lock, 'utf8')).toBe(goV2Lockfile());
      const forced = await runCli(['lock', '--force', '--output', lock, '--', ...withPrompt]);
      expect(forced.code).toBe(0);
      const parsed = JSON.parse(await readFile(lock, 'utf8')) as { lockFileVersion: string; prompts: { definitions: Record<string, unknown> } };
      expect(parsed.lockFileVersion).toBe('3.0');
      expect(Object.keys(parsed.prompts.definitions)).toEqual(['summarize']);
    });
  });

  describe('a Go lockfile version 1.0', () => {
    it('is refused by `mcptrust lock` when the server changed (exit 1, naming the tool), and --force rewrites it as v3', async () => {
      const lock = at('legacy.json');
      const original = await readFile(GO('legacy-lock.v1.json'), 'utf8');
      await writeFile(lock, original);
      const server = [NODE, FIXTURE, '--tools', 'read_file', '--prompts', ''];
      const refused = await runCli(['lock', '--output', lock, '--', ...server]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('lockfile version 1.0 of the Go mcptrust');
      expect(refused.stderr).toMatch(/tool `read_file` changed/);
      expect(await readFile(lock, 'utf8')).toBe(original);
      const forced = await runCli(['lock', '--force', '--output', lock, '--', ...server]);
      expect(forced.code).toBe(0);
      expect((JSON.parse(await readFile(lock, 'utf8')) as { lockFileVersion: string }).lockFileVersion).toBe('3.0');
    });
  });

  describe('a Go lockfile v3 (lock --v3: prompts and resource templates, no snapshots)', () => {
    it('is enforced by the proxy as it is: --print-effective-allowlist lists its prompts and templates', async () => {
      const r = await runCli(['proxy', '--lock', GO('golden-lock.v3.json'), '--print-effective-allowlist']);
      expect(r.code).toBe(0);
      const allow = JSON.parse(r.stdout) as { tools: string[]; prompts: string[]; resourceTemplates: string[] };
      expect(allow.prompts).toEqual(['code_review', 'summarize', 'translate']);
      expect(allow.resourceTemplates).toEqual(['api://endpoint/{endpoint_path}', 'db://table/{table_name}', 'file:///{path}']);
      expect(r.stderr).toContain('written by the Go mcptrust');
    });
  });

  describe('Go keys and signatures', () => {
    it.each(['compat_new_v1_sig.txt', 'compat_new_v2_sig.txt', 'compat_legacy_v1_sig.hex'])(
      'rejects the Go signature %s (exit 1) once one value of the lockfile changed',
      async (sig) => {
        const lock = at(`tampered-${sig}.json`);
        const text = await readFile(GO('legacy-lock.v1.json'), 'utf8');
        await writeFile(lock, text.replace('"LOW"', '"HIGH"'));
        const r = await runCli(['verify', '--key', GO('compat_test_public.key'), '--signature', GO(sig), lock]);
        expect(r.code).toBe(1);
      },
    );

    it('signs with a Go private key; --canonicalization v1 gives the Go signature byte for byte', async () => {
      const sig = at('go-v1.sig');
      const r = await runCli(['sign', '--key', GO('compat_test_private.key'), '--canonicalization', 'v1', '--output', sig, GO('legacy-lock.v1.json')]);
      expect(r.code).toBe(0);
      const ours = (await readFile(sig, 'utf8')).trim();
      const go = (await readFile(GO('compat_new_v1_sig.txt'), 'utf8')).trim();
      expect(ours).toBe(go);
    });

    it('writes keys in the Go key file format with keygen (PEM-style armour, raw 32-byte public key, 64-byte private key)', async () => {
      const r = await runCli(['keygen', '--private', at('k.key'), '--public', at('k.pub')]);
      expect(r.code).toBe(0);
      const shape = (text: string): [string[], number] => {
        const lines = text.trim().split('\n');
        return [[lines[0] ?? '', lines[lines.length - 1] ?? ''], Buffer.from(lines.slice(1, -1).join(''), 'base64').length];
      };
      expect(shape(await readFile(at('k.pub'), 'utf8'))).toEqual(shape(await readFile(GO('compat_test_public.key'), 'utf8')));
      expect(shape(await readFile(at('k.key'), 'utf8'))).toEqual(shape(await readFile(GO('compat_test_private.key'), 'utf8')));
      expect(shape(await readFile(at('k.pub'), 'utf8'))[1]).toBe(32);
    });

    it('does not read a Go Sigstore signature (a .sig with sig_type sigstore_bundle): verify exits 2 naming the file', async () => {
      const sig = at('go-sigstore.sig');
      const bundle = Buffer.from(JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1' })).toString('base64');
      await writeFile(sig, `{"canon_version":"v1","sig_type":"sigstore_bundle","bundle_encoding":"base64+json"}\n${bundle}`);
      const r = await runCli(['verify', '--issuer', 'https://token.actions.githubusercontent.com', '--identity', 'ci@example.com', '--signature', sig, GO('legacy-lock.v1.json')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(sig);
    });
  });

  describe('Go flags', () => {
    it('offers exactly these commands: the Go commands plus run, artifact, audit, auth and the host-configuration commands hosts, wrap, unwrap', async () => {
      const r = await runCli(['--help']);
      expect(r.code).toBe(0);
      const commands = [...r.stdout.matchAll(/^ {2}mcptrust (\S+)/gm)].map((m) => m[1]);
      expect(commands.sort()).toEqual(['artifact', 'audit', 'auth', 'bundle', 'check', 'demo', 'diff', 'hosts', 'keygen', 'lock', 'policy', 'proxy', 'run', 'scan', 'sign', 'unwrap', 'verify', 'wrap']);
    });

    it('accepts `lock --v3` and writes lockfile v3 (the only format it writes)', async () => {
      const lock = at('v3-flag.json');
      const r = await runCli(['lock', '--v3', '--output', lock, '--', NODE, DEMO]);
      expect(r.code).toBe(0);
      expect((JSON.parse(await readFile(lock, 'utf8')) as { lockFileVersion: string }).lockFileVersion).toBe('3.0');
    });

    it('accepts the Go short flags -t, -f and -p of lock and scan', async () => {
      const lock = at('short-flags.json');
      const locked = await runCli(['lock', '-t', '5s', '-f', '-o', lock, '--', NODE, DEMO]);
      expect(locked.code).toBe(0);
      expect((JSON.parse(await readFile(lock, 'utf8')) as { lockFileVersion: string }).lockFileVersion).toBe('3.0');
      const scanned = await runCli(['scan', '-t', '5s', '-p', '--', NODE, DEMO]);
      expect(scanned.code).toBe(0);
      // -p indents: the report spans many lines.
      expect(scanned.stdout.split('\n').length).toBeGreaterThan(10);
    });

    it('accepts the Go short flag -l for the lockfile of sign, verify and bundle export', async () => {
      const lock = at('short-l.json');
      expect((await runCli(['lock', '-o', lock, '--', NODE, DEMO])).code).toBe(0);
      const keys = await runCli(['keygen', '--private', at('short-l.key'), '--public', at('short-l.pub')]);
      expect(keys.stderr).toContain('wrote');
      expect((await runCli(['sign', '-l', lock, '--key', at('short-l.key')])).code).toBe(0);
      const verified = await runCli(['verify', '-l', lock, '--key', at('short-l.pub')]);
      expect(verified.code).toBe(0);
      const bundled = await runCli(['bundle', 'export', '-l', lock, '-o', at('short-l.zip'), '--key', at('short-l.pub')]);
      expect(bundled.code).toBe(0);
    });

    it('accepts the Go flags -P, -t and --lockfile of policy check', async () => {
      const lock = at('policy-flags.json');
      expect((await runCli(['lock', '-o', lock, '--', NODE, DEMO])).code).toBe(0);
      const policy = at('policy-flags.yaml');
      await writeFile(policy, 'name: go-flags\nmode: warn\nrules:\n  - name: no-drift\n    expr: "!input.drift.hasDrift"\n    failure_msg: drift\n');
      const r = await runCli(['policy', 'check', '-P', policy, '-t', '5s', '--lockfile', lock, '--format', 'json', '--', NODE, DEMO]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as { policy: string; rules: { name: string; status: string }[] };
      expect(report.policy).toBe('go-flags');
      expect(report.rules).toEqual([expect.objectContaining({ name: 'no-drift', status: 'pass' })]);
    });

    it.each<[string, string[]]>([
      ['policy explain --json (use --format json)', ['policy', 'explain', '--json', '--', NODE, DEMO]],
    ])('refuses the Go spelling %s with exit 2, naming it', async (_label, args) => {
      const r = await runCli(args, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Unknown argument/);
      expect(r.stdout).toBe('');
    });

    it.each<[string, string[], string | undefined]>([
      ['--log-format jsonl --log-output', ['lock', '--force', '--log-format', 'jsonl', '--log-output', 'log.jsonl', '--', NODE, DEMO], 'log.jsonl'],
      ['--receipt', ['lock', '--force', '--receipt', 'receipt.json', '--', NODE, DEMO], 'receipt.json'],
      // Nothing listens on the default collector port here: the export fails, the exit code does not.
      ['--otel --otel-endpoint localhost:4318', ['lock', '--force', '--otel', '--otel-endpoint', 'localhost:4318', '--', NODE, DEMO], undefined],
    ])('takes the Go spelling %s as the Go tool documents it', async (_label, args, written) => {
      const r = await runCli(args, { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      if (written !== undefined) expect(readFileSync(join(dir, written), 'utf8')).toContain('"run_id"');
    });

    it('takes a policy file in `check --policy`: the Go form `--policy baseline` exits 2 (use --preset baseline)', async () => {
      const lock = at('check-policy.json');
      await writeFile(lock, goV2Lockfile());
      const r = await runCli(['check', '--lock', lock, '--policy', 'baseline', '--', ...toolsOnly], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--policy baseline: no such policy file; for the shipped preset, use --preset baseline/);
      const preset = await runCli(['check', '--lock', lock, '--preset', 'baseline', '--', ...toolsOnly], { cwd: dir });
      expect(preset.code).toBe(0);
    });

    it('runs stdio servers only: a URL after -- is not a transport (exit 2)', async () => {
      const r = await runCli(['scan', '--timeout', '5s', '--', 'https://mcp.example.invalid/mcp']);
      expect(r.code).toBe(2);
    });
  });

  describe('Go policy files', () => {
    const policy = async (name: string, lines: string[]): Promise<string> => {
      const file = at(name);
      await writeFile(file, `${lines.join('\n')}\n`);
      return file;
    };

    it('accepts the Go policy keys: name, mode, rules with severity, control_refs, evidence and evidence_commands', async () => {
      const file = await policy('go-keys.yaml', [
        'name: go-keys',
        'mode: strict',
        'rules:',
        '  - name: has-tools',
        '    expr: size(input.tools) > 0',
        '    failure_msg: no tools',
        '    severity: error',
        '    control_refs: ["SOC2: CC7.2"]',
        '    evidence: ["mcptrust scan output"]',
        '    evidence_commands: ["mcptrust scan -- <server>"]',
      ]);
      const r = await runCli(['policy', 'check', '--policy', file, '--', ...toolsOnly]);
      expect(r.code).toBe(0);
    });

    it('refuses a rule over the Go input fields (t.risk_level) with a type error naming the rule (exit 2)', async () => {
      const file = await policy('go-fields.yaml', [
        'name: go-fields',
        'rules:',
        '  - name: no-high-risk',
        '    expr: \'!input.tools.exists(t, t.risk_level == "HIGH")\'',
        '    failure_msg: High risk tool detected!',
      ]);
      const r = await runCli(['policy', 'check', '--policy', file, '--', NODE, '-e', 'process.exit(7)']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/rule "no-high-risk": CEL type error/);
      expect(r.stderr).toContain('risk_level');
    });

    it('fails (exit 1) on a failing rule with severity: warn in a file without mode, as the Go tool does', async () => {
      const file = await policy('warn-severity.yaml', [
        'name: warn-severity',
        'rules:',
        '  - name: no-tools',
        '    expr: size(input.tools) == 0',
        '    failure_msg: the server has tools',
        '    severity: warn',
      ]);
      const r = await runCli(['policy', 'check', '--policy', file, '--', ...toolsOnly]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('WARN  no-tools: the server has tools');
      expect(r.stdout).toContain('(strict mode: warnings fail)');
    });

    it('applies the baseline preset when neither --policy nor --preset is given: a HIGH-risk tool only warns (exit 0)', async () => {
      const r = await runCli(['policy', 'check', '--', NODE, DEMO, '--rogue-now']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/baseline/i);
      expect(r.stdout).toContain('WARN  no-high-risk-tools');
    });
  });
});
