import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLongFiles, MAX_LINES } from '../scripts/check-file-size.mjs';

const SCRIPT = fileURLToPath(new URL('../scripts/check-file-size.mjs', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const created: string[] = [];

afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

const linesOf = (n: number): string => 'x;\n'.repeat(n);

function checkout(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mcptrust-file-size-'));
  created.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('findLongFiles', () => {
  it('reports a source file one line over the limit, in src, in nested folders and among the fixture servers', () => {
    const root = checkout({
      'packages/a/src/ok.ts': linesOf(MAX_LINES),
      'packages/a/src/deep/long.ts': linesOf(MAX_LINES + 1),
      'apps/cli/src/long.ts': linesOf(MAX_LINES + 5),
      'tooling/servers/fixture/long.mjs': linesOf(MAX_LINES + 2),
    });
    expect(findLongFiles(root)).toEqual([
      { file: join('apps', 'cli', 'src', 'long.ts'), lines: MAX_LINES + 5 },
      { file: join('packages', 'a', 'src', 'deep', 'long.ts'), lines: MAX_LINES + 1 },
      { file: join('tooling', 'servers', 'fixture', 'long.mjs'), lines: MAX_LINES + 2 },
    ]);
  });

  it('leaves tests, build output, declarations and files outside the checked folders alone', () => {
    const root = checkout({
      'packages/a/test/long.test.ts': linesOf(MAX_LINES * 2),
      'packages/a/dist/index.js': linesOf(MAX_LINES * 2),
      'packages/a/src/generated.d.ts': linesOf(MAX_LINES * 2),
      'tooling/scripts/long.mjs': linesOf(MAX_LINES * 2),
    });
    expect(findLongFiles(root)).toEqual([]);
  });

  it('finds no long file in this repository', () => {
    expect(findLongFiles(REPO_ROOT)).toEqual([]);
  });
});

describe('check-file-size.mjs', () => {
  it('exits 1 naming each long file, 0 when there is none, 2 on bad usage', () => {
    const bad = checkout({ 'packages/a/src/long.ts': linesOf(MAX_LINES + 1) });
    const r1 = spawnSync(process.execPath, [SCRIPT, '--root', bad], { encoding: 'utf8' });
    expect(r1.status).toBe(1);
    expect(r1.stderr).toContain(`${join('packages', 'a', 'src', 'long.ts')}: ${MAX_LINES + 1} lines (limit ${MAX_LINES})`);
    const good = checkout({ 'packages/a/src/short.ts': linesOf(3) });
    const r0 = spawnSync(process.execPath, [SCRIPT, '--root', good], { encoding: 'utf8' });
    expect(r0.status).toBe(0);
    expect(r0.stdout).toMatch(/every file within 400 lines/);
    expect(spawnSync(process.execPath, [SCRIPT, '--nope'], { encoding: 'utf8' }).status).toBe(2);
  });
});
