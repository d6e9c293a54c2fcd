/**
 * The proxy's gates beyond the allowlist, on the built CLI: the lockfile signature is
 * verified before the server starts (issue: signed lockfiles), and runtime policy rules
 * decide each call (issue: governance rules), through the real server-filesystem.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO, FILESYSTEM, NODE, runCli } from './helpers.js';
import { lockWithCli, removeTempDirs, startProxy, stopAllProxies, tempDir } from './proxy-harness.js';

let dir = '';
let demoLock = '';
let fsDir = '';
let fsLock = '';

beforeAll(async () => {
  dir = tempDir();
  fsDir = tempDir('mcptrust-gate-fs-');
  [demoLock, fsLock] = await Promise.all([lockWithCli(dir, 'demo.json', [NODE, DEMO]), lockWithCli(dir, 'fs.json', [NODE, FILESYSTEM, fsDir])]);
  for (const k of ['good', 'wrong']) {
    const r = await runCli(['keygen', '--private', join(dir, `${k}.key`), '--public', join(dir, `${k}.pub`)]);
    expect(r.code).toBe(0);
  }
  expect((await runCli(['sign', '--key', join(dir, 'good.key'), '--lockfile', demoLock])).code).toBe(0);
}, 60_000);
afterEach(stopAllProxies);
afterAll(removeTempDirs);

describe('mcptrust proxy --key', () => {
  it('verifies the signature, then serves the pinned surface', async () => {
    const run = startProxy(['--lock', demoLock, '--key', join(dir, 'good.pub')], [NODE, DEMO]);
    const init = await run.initialize();
    expect(init.message['result']).toBeDefined();
    const list = await run.request(2, 'tools/list');
    const tools = (list.message['result'] as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
    expect(tools).toContain('read_note');
    await run.waitForStderr(/signature valid/);
  });

  it('refuses to start the server (exit 1) when the signature does not hold for the key', async () => {
    const marker = join(dir, 'started-wrong-key');
    const run = startProxy(['--lock', demoLock, '--key', join(dir, 'wrong.pub')], [NODE, '-e', 'require("fs").writeFileSync(process.argv[1], "x")', marker]);
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toMatch(/signature/i);
    expect(existsSync(marker)).toBe(false);
    expect(run.received).toEqual([]);
  });

  it('refuses to start (exit 1) when the lockfile was changed after signing', async () => {
    const tampered = join(dir, 'demo-tampered.json');
    const lock = JSON.parse(readFileSync(demoLock, 'utf8')) as { tools: Record<string, { riskLevel: string }> };
    const first = Object.keys(lock.tools)[0]!;
    lock.tools[first]!.riskLevel = lock.tools[first]!.riskLevel === 'LOW' ? 'MEDIUM' : 'LOW';
    writeFileSync(tampered, JSON.stringify(lock, null, 2));
    writeFileSync(`${tampered}.sig`, readFileSync(`${demoLock}.sig`));
    const run = startProxy(['--lock', tampered, '--key', join(dir, 'good.pub')], [NODE, DEMO]);
    expect((await run.exited).code).toBe(1);
  });

  it('exits 2 naming an unreadable key file, before the server starts', async () => {
    const missing = join(dir, 'missing.pub');
    const run = startProxy(['--lock', demoLock, '--key', missing], [NODE, DEMO]);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toContain(missing);
  });
});

describe('mcptrust proxy --policy (runtime rules)', () => {
  let policyFile = '';
  beforeAll(() => {
    policyFile = join(dir, 'runtime.yaml');
    writeFileSync(
      policyFile,
      [
        'name: writes-stay-in-the-workspace',
        'mode: strict',
        'rules: []',
        'runtime:',
        '  - name: write-only-tmp',
        '    expr: call.tool != "write_file" || normalizePath(call.arguments.path).startsWith("/tmp/")',
        '    failure_msg: write_file may only write under /tmp',
        '',
      ].join('\n'),
    );
  });

  it('allows a write under /tmp and denies one outside it with the rule named', async () => {
    const run = startProxy(['--lock', fsLock, '--policy', policyFile], [NODE, FILESYSTEM, fsDir]);
    await run.initialize();
    const inside = join(fsDir, 'allowed.txt');
    const ok = await run.request(2, 'tools/call', { name: 'write_file', arguments: { path: inside, content: 'fine' } });
    expect(ok.message['error']).toBeUndefined();
    expect(readFileSync(inside, 'utf8')).toBe('fine');

    const denied = await run.request(3, 'tools/call', { name: 'write_file', arguments: { path: `${fsDir}/../../etc/mcptrust-should-not-exist`, content: 'x' } });
    const error = denied.message['error'] as { code: number; message: string };
    expect(error.message).toBe('MCPTRUST_DENIED: write-only-tmp: write_file may only write under /tmp');
    // The audit line travels on stderr, a separate pipe: it may arrive after the answer.
    await run.waitForStderr(/action=blocked method=tools\/call tool=write_file/);
    expect(run.stderr()).not.toMatch(/not enforced/);
  });

  it('exits 2 naming the policy file when a runtime rule does not compile, before the server starts', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'name: b\nmode: strict\nrules: []\nruntime:\n  - name: bad\n    expr: call.tool ==\n    failure_msg: x\n');
    const run = startProxy(['--lock', fsLock, '--policy', broken], [NODE, FILESYSTEM, fsDir]);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toContain(broken);
  });
});
