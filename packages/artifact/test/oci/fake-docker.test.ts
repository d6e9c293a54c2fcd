import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const FAKE_DOCKER = fileURLToPath(new URL('../../../../tooling/test-support/fake-docker.mjs', import.meta.url));
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('fake docker', () => {
  it('logs each argv as a JSON line, exits 0 and writes nothing to stdout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcptrust-fake-docker-'));
    dirs.push(dir);
    const log = join(dir, 'argv.jsonl');
    const env = { ...process.env, FAKE_DOCKER_LOG: log };
    const first = await promisify(execFile)(FAKE_DOCKER, ['run', '-i', 'img@sha256:abc', 'arg with space'], { env });
    await promisify(execFile)(FAKE_DOCKER, ['version'], { env });
    expect(first.stdout).toBe('');
    expect(first.stderr).toBe('');
    const lines = (await readFile(log, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([['run', '-i', 'img@sha256:abc', 'arg with space'], ['version']]);
  });
});
