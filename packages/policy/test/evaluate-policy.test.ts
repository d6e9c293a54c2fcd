import { describe, expect, it } from '@jest/globals';
import { buildLockfile } from '@mcptrust/lockfile';
import { buildPolicyInput, evaluatePolicy, loadPreset, parsePolicy } from '../src/index.js';
import type { PolicyInput } from '../src/index.js';
import { sampleScan } from './fixtures.js';

function policyOf(mode: 'warn' | 'strict', rules: { name: string; expr: string; severity?: 'warn' | 'error' }[]) {
  const body = rules
    .map((r) => `  - name: ${r.name}\n    expr: ${JSON.stringify(r.expr)}\n    failure_msg: ${r.name} failed${r.severity ? `\n    severity: ${r.severity}` : ''}`)
    .join('\n');
  return parsePolicy(`name: test\nmode: ${mode}\nrules:\n${body}\n`, { file: 'test.yaml' });
}

function input(): PolicyInput {
  return buildPolicyInput(sampleScan());
}

describe('evaluatePolicy', () => {
  describe('when every rule passes', () => {
    it('passes and counts each rule', () => {
      const result = evaluatePolicy(policyOf('strict', [{ name: 'some-tools', expr: 'size(input.tools) == 2' }]), input());
      expect(result.passed).toBe(true);
      expect(result.rules[0]?.status).toBe('pass');
      expect(result.summary).toEqual({ passed: 1, failed: 0, errors: 0, warnings: 0, fatalWarnings: 0 });
      expect(result.rules[0]?.failsCheck).toBe(false);
    });
  });

  describe('when an error-severity rule fails', () => {
    it('fails and lists the tools that matched', () => {
      const result = evaluatePolicy(policyOf('strict', [{ name: 'no-high', expr: 'input.tools.all(t, t.riskLevel != "HIGH")' }]), input());
      expect(result.passed).toBe(false);
      expect(result.rules[0]).toMatchObject({ status: 'fail', severity: 'error', failureMessage: 'no-high failed' });
      expect(result.rules[0]?.items).toEqual([{ list: 'input.tools', index: 1, id: 'write_file' }]);
    });

    it('lists failing items of each conjunct and of negated exists', () => {
      const expr = 'input.tools.all(t, t.description != "Read a file.") && !input.resources.static.exists(r, r.scheme == "file")';
      const result = evaluatePolicy(policyOf('strict', [{ name: 'r', expr }]), input());
      expect(result.rules[0]?.items.map((i) => `${i.list}:${i.id}`)).toEqual(['input.tools:read_file', 'input.resources.static:hosts']);
    });
  });

  describe('when the policy file has no mode', () => {
    const goStyle = (): string => 'name: go-style\nrules:\n  - name: no-high\n    expr: input.tools.all(t, t.riskLevel != "HIGH")\n    failure_msg: no HIGH tools\n';

    it('fails on a rule without a severity, as the Go mcptrust does', () => {
      const result = evaluatePolicy(parsePolicy(goStyle()), input());
      expect(result.passed).toBe(false);
      expect(result.mode).toBe('strict');
      expect(result.rules[0]).toMatchObject({ status: 'fail', severity: 'error' });
    });

    it('only warns once the file says mode: warn', () => {
      const result = evaluatePolicy(parsePolicy(goStyle().replace('name: go-style\n', 'name: go-style\nmode: warn\n')), input());
      expect(result.passed).toBe(true);
      expect(result.rules[0]).toMatchObject({ status: 'fail', severity: 'warn' });
    });
  });

  describe('when only warn-severity rules fail', () => {
    it('passes with warnings (warn mode default severity)', () => {
      const result = evaluatePolicy(policyOf('warn', [{ name: 'no-high', expr: 'input.tools.all(t, t.riskLevel != "HIGH")' }]), input());
      expect(result.passed).toBe(true);
      expect(result.rules[0]).toMatchObject({ status: 'fail', severity: 'warn', failsCheck: false });
      expect(result.summary).toMatchObject({ warnings: 1, fatalWarnings: 0 });
    });

    it('passes with warnings when a rule says severity: warn in warn mode', () => {
      const result = evaluatePolicy(policyOf('warn', [{ name: 'no-high', expr: 'input.tools.all(t, t.riskLevel != "HIGH")', severity: 'warn' }]), input());
      expect(result.passed).toBe(true);
    });

    it('still fails on a rule marked error in warn mode', () => {
      const result = evaluatePolicy(policyOf('warn', [{ name: 'x', expr: 'size(input.prompts) == 0', severity: 'error' }]), input());
      expect(result.passed).toBe(false);
    });
  });

  describe('in strict mode, where every failure is fatal (as in the Go mcptrust)', () => {
    const warnRule = { name: 'no-high', expr: 'input.tools.all(t, t.riskLevel != "HIGH")', severity: 'warn' as const };

    it('fails on a failing rule marked severity: warn, and says the warning is fatal', () => {
      const result = evaluatePolicy(policyOf('strict', [warnRule]), input());
      expect(result.passed).toBe(false);
      expect(result.rules[0]).toMatchObject({ status: 'fail', severity: 'warn', failsCheck: true });
      expect(result.summary).toEqual({ passed: 0, failed: 1, errors: 0, warnings: 1, fatalWarnings: 1 });
    });

    it('fails on a warn-severity rule in a file without mode', () => {
      const text = 'name: go-style\nrules:\n  - name: no-high\n    expr: input.tools.all(t, t.riskLevel != "HIGH")\n    failure_msg: no HIGH tools\n    severity: warn\n';
      const result = evaluatePolicy(parsePolicy(text), input());
      expect(result.mode).toBe('strict');
      expect(result.passed).toBe(false);
    });

    it('fails on a warn-severity rule that cannot be evaluated', () => {
      const result = evaluatePolicy(policyOf('strict', [{ name: 'ro', expr: 'input.tools.all(t, t.annotations.readOnlyHint == true)', severity: 'warn' }]), input());
      expect(result.rules[0]).toMatchObject({ status: 'error', severity: 'warn', failsCheck: true });
      expect(result.passed).toBe(false);
    });

    it('passes when the warn-severity rule passes', () => {
      const result = evaluatePolicy(policyOf('strict', [{ ...warnRule, expr: 'size(input.tools) == 2' }]), input());
      expect(result.passed).toBe(true);
      expect(result.rules[0]?.failsCheck).toBe(false);
    });
  });

  describe('when a rule cannot be evaluated', () => {
    it('fails closed with the evaluation error and the item that raised it', () => {
      // read_file has readOnlyHint, write_file has no annotations at all: the key is missing.
      const result = evaluatePolicy(policyOf('strict', [{ name: 'ro', expr: 'input.tools.all(t, t.annotations.readOnlyHint == true)' }]), input());
      expect(result.passed).toBe(false);
      expect(result.rules[0]?.status).toBe('error');
      expect(result.rules[0]?.error).toContain('readOnlyHint');
      expect(result.rules[0]?.items).toEqual([expect.objectContaining({ id: 'write_file', error: expect.stringContaining('readOnlyHint') })]);
      expect(result.summary.errors).toBe(1);
    });

    it('fails closed on a dyn expression that is not a bool', () => {
      const result = evaluatePolicy(policyOf('strict', [{ name: 'dyn', expr: 'input.tools[0].inputSchema.type' }]), input());
      expect(result.rules[0]?.status).toBe('error');
      expect(result.passed).toBe(false);
    });
  });

  describe('input fields reachable from CEL', () => {
    // One expression per documented field of the input document; each must be true
    // for sampleScan() plus the options below (a false or an error fails the test).
    const FIELDS: [string, string][] = [
      ['server.name', 'input.server.name == "sample-server"'],
      ['server.version', 'input.server.version == "1.2.3"'],
      ['server.title', 'input.server.title == "Sample"'],
      ['server.protocolVersion', 'input.server.protocolVersion == "2025-06-18"'],
      ['server.instructions', 'input.server.instructions.startsWith("Use")'],
      ['server.capabilities', '"tools" in input.server.capabilities && input.server.capabilities.tools.listChanged'],
      ['server.artifact.pinned', 'input.server.artifact.pinned'],
      ['server.artifact.type', 'input.server.artifact.type == "npm"'],
      ['server.artifact.name', 'input.server.artifact.name == "@scope/server"'],
      ['server.artifact.version', 'input.server.artifact.version == "1.0.0"'],
      ['server.artifact.integrity', 'input.server.artifact.integrity.startsWith("sha512-")'],
      ['server.artifact.tarballSha256', 'input.server.artifact.tarballSha256 == "ab"'],
      ['server.artifact.digest', 'input.server.artifact.digest == ""'],
      ['server.artifact.provenance.present', 'input.server.artifact.provenance.present'],
      ['server.artifact.provenance.verified', 'input.server.artifact.provenance.verified'],
      ['server.artifact.provenance.method', 'input.server.artifact.provenance.method == "sigstore_slsa"'],
      ['server.artifact.provenance.sourceRepository', 'input.server.artifact.provenance.sourceRepository == "https://github.com/o/r"'],
      ['server.artifact.provenance.sourceRef', 'input.server.artifact.provenance.sourceRef == "refs/tags/v1.0.0"'],
      ['server.artifact.provenance.builderId', 'input.server.artifact.provenance.builderId.startsWith("https://github.com/actions/runner/")'],
      ['server.artifact.provenance.issuer', 'input.server.artifact.provenance.issuer == "https://token.actions.githubusercontent.com"'],
      ['server.artifact.provenance.identity', 'input.server.artifact.provenance.identity.endsWith("@refs/tags/v1.0.0")'],
      ['server.artifact.registry', 'input.server.artifact.registry == "https://registry.npmjs.org/"'],
      ['server.artifact.treePinned', 'input.server.artifact.treePinned'],
      ['tools[].name', 'input.tools.map(t, t.name) == ["read_file", "write_file"]'],
      ['tools[].title', 'input.tools[0].title == "Read" && input.tools[1].title == ""'],
      ['tools[].description', 'input.tools[1].description == "Write a file."'],
      ['tools[].riskLevel', 'input.tools[1].riskLevel == "HIGH"'],
      ['tools[].riskReasons', '"writes files" in input.tools[1].riskReasons'],
      ['tools[].annotations', 'input.tools[0].annotations.readOnlyHint && size(input.tools[1].annotations) == 0'],
      ['tools[].inputSchema', '"path" in input.tools[0].inputSchema.properties && input.tools[0].inputSchema.maxProperties == 3'],
      ['tools[].outputSchema', 'input.tools.filter(t, has(t.outputSchema)).map(t, t.name) == ["read_file"]'],
      ['tools[].findings', 'input.tools[1].findings.exists(f, f.code == "HIGH_RISK_TOOL" && f.severity == "high")'],
      ['prompts[].name/title/description', 'input.prompts[0].name == "greet" && input.prompts[0].title == "Greet" && input.prompts[0].description == "Greets."'],
      ['prompts[].arguments', 'input.prompts[0].arguments.exists(a, a.name == "who" && a.required && a.description == "Whom" && a.title == "")'],
      ['prompts[].findings', 'input.prompts[0].findings[0].evidence == "x"'],
      ['resources.templates', 'input.resources.templates.exists(t, t.uriTemplate == "mem://notes/{id}" && t.name == "note" && t.title == "Note" && t.description == "A note" && t.mimeType == "text/markdown" && t.scheme == "mem")'],
      ['resources.static', 'input.resources.static.map(r, r.uri) == ["File:///etc/hosts", "https://example.invalid/doc"] && input.resources.static[0].scheme == "file" && input.resources.static[0].title == "Hosts" && input.resources.static[0].description == "Hosts file" && input.resources.static[1].mimeType == "text/plain" && input.resources.static[1].name == "doc"'],
      ['resources.schemes', 'input.resources.schemes == ["file", "https", "mem"]'],
      ['findings', 'input.findings.exists(f, f.itemType == "prompt" && f.itemId == "greet" && f.field == "description" && f.message == "has a URL")'],
      ['drift.checked/hasDrift', 'input.drift.checked && input.drift.hasDrift'],
      ['drift.items', 'input.drift.items.exists(d, d.kind == "added" && d.itemType == "tool" && d.id == "write_file" && d.severity == "critical" && d.fields == [] && d.rule == "item-added" && d.path == "" && d.message != "")'],
      ['signature', 'input.signature.present && input.signature.verified && input.signature.method == "ed25519"'],
      ['denied', 'size(input.denied) == 1 && input.denied.exists(d, d.itemType == "prompt" && d.id == "secret" && d.offered) && input.prompts.map(p, p.name) == ["greet"]'],
      ['normalizePath / uriScheme helpers', 'normalizePath("/tmp/../etc") == "/etc" && uriScheme("HTTPS://x") == "https"'],
    ];

    const full = (): PolicyInput => {
      const scan = sampleScan();
      // A prompt the lockfile denies: listed in input.denied, absent from input.prompts.
      scan.prompts.push({ name: 'secret', description: 'Denied on purpose.' });
      const lockfile = buildLockfile({ ...scan, tools: scan.tools.slice(0, 1) }, { deny: [{ itemType: 'prompt', id: 'secret' }] });
      lockfile.server.artifact = {
        type: 'npm',
        name: '@scope/server',
        version: '1.0.0',
        integrity: 'sha512-abc',
        registry: 'https://registry.npmjs.org/',
        tarball_sha256: 'ab',
        tree: [],
        provenance: {
          verified: true,
          method: 'sigstore_slsa',
          source_repo: 'https://github.com/o/r',
          source_ref: 'refs/tags/v1.0.0',
          builder_id: 'https://github.com/actions/runner/github-hosted',
          issuer: 'https://token.actions.githubusercontent.com',
          identity: 'https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.0.0',
        },
      };
      return buildPolicyInput(scan, { lockfile, signature: { present: true, verified: true, method: 'ed25519' } });
    };

    it.each(FIELDS)('reaches %s', (_field, expr) => {
      const result = evaluatePolicy(policyOf('strict', [{ name: 'field', expr }]), full());
      expect(result.rules[0]).toMatchObject({ status: 'pass' });
    });
  });

  describe('presets', () => {
    it('baseline warns about an unpinned server with HIGH-risk tools and passes', () => {
      const result = evaluatePolicy(loadPreset('baseline'), input());
      expect(result.passed).toBe(true);
      const failed = result.rules.filter((r) => r.status !== 'pass').map((r) => r.name);
      expect(failed).toEqual(['artifact-pinned', 'provenance-present', 'no-high-risk-tools']);
      expect(result.summary).toMatchObject({ warnings: 3, fatalWarnings: 0 });
    });

    it('baseline fails on critical drift', () => {
      const result = evaluatePolicy(loadPreset('baseline'), {
        ...input(),
        drift: { checked: true, hasDrift: true, items: [{ kind: 'added', itemType: 'tool', id: 'x', severity: 'critical', fields: [], rule: 'item-added', path: 'tools.x', message: 'tool x added' }] },
      });
      expect(result.passed).toBe(false);
      expect(result.rules.find((r) => r.name === 'no-critical-drift')?.items).toEqual([{ list: 'input.drift.items', index: 0, id: 'x' }]);
    });

    it('strict fails closed on an unpinned server and names the file resource', () => {
      const result = evaluatePolicy(loadPreset('strict'), input());
      expect(result.passed).toBe(false);
      const failed = result.rules.filter((r) => r.status !== 'pass');
      expect(failed.map((r) => r.name)).toEqual(['artifact-pinned', 'provenance-verified', 'no-high-risk-tools', 'no-file-scheme']);
      expect(failed.every((r) => r.severity === 'error')).toBe(true);
      expect(failed.find((r) => r.name === 'no-file-scheme')?.items.map((i) => i.id)).toEqual(['file']);
    });

    it('strict requires at least one tool', () => {
      const result = evaluatePolicy(loadPreset('strict'), { ...input(), tools: [] });
      expect(result.rules.find((r) => r.name === 'has-tools')?.status).toBe('fail');
    });
  });
});
