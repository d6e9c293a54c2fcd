import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKED_FOLDERS, findOutsideReferences } from '../scripts/check-self-contained.mjs';

const SCRIPT = fileURLToPath(new URL('../scripts/check-self-contained.mjs', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const created: string[] = [];

// Test data is assembled at run time so that this file does not itself name the paths
// it plants in temporary checkouts.
/** `..` n times, joined with `/`. */
function up(n: number): string {
  return Array(n).fill('..').join('/');
}

/** `'..'` n times as path-segment arguments. */
function segments(n: number): string {
  return Array(n).fill("'..'").join(', ');
}

afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` into `<tmp>/checkout/` and returns that folder (its parent is the tmp folder). */
function checkout(files: Record<string, string>): string {
  const parent = mkdtempSync(join(tmpdir(), 'mcptrust-self-contained-'));
  created.push(parent);
  const root = join(parent, 'checkout');
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

describe('findOutsideReferences', () => {
  describe('on this repository', () => {
    it('finds no test, script or build step reading a path outside the repository', () => {
      expect(findOutsideReferences(REPO_ROOT)).toEqual([]);
    });

    it('checks the folders that hold code', () => {
      expect(CHECKED_FOLDERS).toEqual(['packages', 'apps', 'tooling', 'bench', '.ci']);
    });
  });

  describe('when a file reaches outside the checkout', () => {
    it.each([
      ['a URL relative to the module', 'packages/lockfile/test/fixtures.ts', `export const V = new URL('${up(4)}/outside/vectors/', import.meta.url);\n`, `${up(4)}/outside/vectors/`],
      ['a plain relative path', 'bench/run.mjs', `const data = readFileSync('${up(2)}/vectors/x.json');\n`, `${up(2)}/vectors/x.json`],
      ['path segments', 'apps/cli/test/helpers.ts', `export const V = join(import.meta.dirname, ${segments(4)}, 'outside');\n`, `${segments(4)}, 'outside'`],
      ['a relative path in a shell script', '.ci/run', `cp -r ${up(2)}/outside/vectors packages/\n`, `${up(2)}/outside/vectors`],
      ['the folder above the root itself', 'tooling/scripts/x.mjs', `const above = new URL('${up(3)}', import.meta.url);\n`, up(3)],
    ])('reports %s', (_label, file, text, reference) => {
      const root = checkout({ [file]: text });
      expect(findOutsideReferences(root)).toEqual([expect.objectContaining({ file, line: 1, reference })]);
    });

    it('reports an absolute path to a sibling of the checkout', () => {
      const root = checkout({ 'tooling/scripts/x.mjs': '' });
      const sibling = join(dirname(root), 'vectors', 'x.json');
      writeFileSync(join(root, 'tooling/scripts/x.mjs'), `readFileSync(${JSON.stringify(sibling)});\n`);
      expect(findOutsideReferences(root)).toEqual([
        { file: 'tooling/scripts/x.mjs', line: 1, reference: sibling, message: 'an absolute path next to the repository' },
      ]);
    });
  });

  describe('when every path stays inside', () => {
    it('reports nothing for paths to the workspace root, node_modules or a sibling package', () => {
      const root = checkout({
        'apps/cli/test/helpers.ts': [
          `export const FS = new URL('${up(3)}/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', import.meta.url);`,
          `export const ROOT = join(import.meta.dirname, ${segments(3)});`,
          `export const GO = new URL('${up(3)}/packages/signing/test/vectors/mcptrust-go/', import.meta.url);`,
          'const range = [1..2];',
        ].join('\n'),
        'packages/lockfile/README.md': `See [the CLI](${up(2)}/docs/CLI.md).\n`,
      });
      expect(findOutsideReferences(root)).toEqual([]);
    });

    it('skips node_modules and build output', () => {
      const root = checkout({
        'packages/lockfile/node_modules/x/index.js': `require('${up(6)}/outside');\n`,
        'apps/cli/dist/mcptrust.js': `import('${up(4)}/outside.js');\n`,
      });
      expect(findOutsideReferences(root)).toEqual([]);
    });

    it('skips a line marked as naming a path on purpose, and only that line', () => {
      const marked = `// check-self-contained: allow\nconst p = '${up(3)}/outside';\n\nconst q = '${up(3)}/outside';\n`;
      const root = checkout({ 'tooling/test/x.test.ts': marked });
      expect(findOutsideReferences(root)).toEqual([expect.objectContaining({ file: 'tooling/test/x.test.ts', line: 4 })]);
    });
  });
});

describe('check-self-contained.mjs', () => {
  it('exits 1 and names the file and line of each reference', () => {
    const root = checkout({ 'packages/a/test/a.test.ts': `\nconst v = '${up(4)}/outside';\n` });
    const run = spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`packages/a/test/a.test.ts:2: "${up(4)}/outside" resolves outside the repository`);
  });

  it('exits 0 on this repository', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
