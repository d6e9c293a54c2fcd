// The framework examples, run as a user runs them (`node guarded-tools.mjs --lock … -- <server>`)
// against @modelcontextprotocol/server-everything locked with one tool denied. Each example
// runs once through the guard and once without it: the unguarded run lists the denied tool
// and lets its call through, so what the guarded run hides and refuses is the guard's doing.
// The examples import the built workspace packages (run the build first, as for the CLI tests).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const run = promisify(execFile);
const examplesDir = dirname(dirname(fileURLToPath(import.meta.url)));
const repoRoot = dirname(examplesDir);
const CLI = join(repoRoot, 'apps/cli/dist/mcptrust.js');
const SERVER = join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const SERVER_COMMAND = [process.execPath, SERVER, 'stdio'];
const DENIED = 'get-env';
const DENIAL = /MCPTRUST_DENIED: denied by the lockfile/;

const EXAMPLES = [
  { framework: 'LangChain.js', script: join(examplesDir, 'langchain/guarded-tools.mjs') },
  { framework: 'Vercel AI SDK', script: join(examplesDir, 'vercel-ai/guarded-tools.mjs') },
];

interface ExampleOutput {
  tools: string[];
  echo: { result: string };
  tried: { tool: string; refused: boolean; error?: string };
}

let dir: string;
let lockPath: string;

beforeAll(async () => {
  expect(existsSync(CLI)).toBe(true);
  expect(existsSync(SERVER)).toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-examples-'));
  lockPath = join(dir, 'mcp-lock.json');
  await run(process.execPath, [CLI, 'lock', '--output', lockPath, '--exclude', `tool:${DENIED}`, '--', ...SERVER_COMMAND], {
    cwd: dir,
    timeout: 60_000,
  });
}, 90_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs one example to its end. It exits only once its client, the guard and the stdio
 * transport are closed: a server child left running would keep it alive past the timeout.
 */
async function runExample(script: string, flags: string[]): Promise<ExampleOutput> {
  const { stdout } = await run(process.execPath, [script, ...flags, '--', ...SERVER_COMMAND], { cwd: dir, timeout: 30_000 });
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines).toHaveLength(3);
  const [listed, echo, tried] = lines as [{ tools: string[] }, { result: string }, ExampleOutput['tried']];
  return { tools: listed.tools, echo, tried };
}

describe('the lockfile the examples run against', () => {
  it(`approves echo and denies ${DENIED}`, () => {
    const lockfile = JSON.parse(readFileSync(lockPath, 'utf8')) as { tools: Record<string, unknown>; denied: { tools: Record<string, unknown> } };
    expect(Object.keys(lockfile.tools)).toContain('echo');
    expect(Object.keys(lockfile.tools)).not.toContain(DENIED);
    expect(Object.keys(lockfile.denied.tools)).toEqual([DENIED]);
  });
});

describe.each(EXAMPLES)('the $framework example', ({ script }) => {
  it(`hides ${DENIED}, runs echo through the framework and has the call to ${DENIED} refused`, async () => {
    const out = await runExample(script, ['--lock', lockPath, '--try', DENIED]);
    expect(out.tools).toContain('echo');
    expect(out.tools).not.toContain(DENIED);
    expect(out.echo.result).toContain('hello through MCPTrust');
    expect(out.tried).toMatchObject({ tool: DENIED, refused: true });
    expect(out.tried.error).toMatch(DENIAL);
  });

  it(`without the guard lists ${DENIED} and lets its call through (control)`, async () => {
    const out = await runExample(script, ['--unguarded', '--try', DENIED]);
    expect(out.tools).toContain('echo');
    expect(out.tools).toContain(DENIED);
    expect(out.tried).toEqual({ tool: DENIED, refused: false });
  });
});
