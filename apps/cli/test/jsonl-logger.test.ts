// The JSONL writer: records are batched (size, time, close), written in order, filtered
// by level, and a failing file is reported once without taking the command down.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createJsonlLogger } from '../src/observe/jsonl-logger.js';
import { createLineSink, MAX_BATCH_BYTES, MAX_BATCH_DELAY_MS } from '../src/observe/line-sink.js';

const ENVELOPE = { runId: '7b0c1a52-8f0a-4a53-9a55-2c1b8d0e6f11', version: '1.0.0', command: 'proxy' };

function collector(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, writes };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-jsonl-'));
});
afterEach(() => {
  jest.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('createLineSink', () => {
  it('holds lines until the delay has passed, then writes them in one write, in order', () => {
    jest.useFakeTimers();
    const { stream, writes } = collector();
    const sink = createLineSink({ stream }, () => undefined);
    sink.write('a');
    sink.write('b');
    expect(writes).toEqual([]);
    jest.advanceTimersByTime(MAX_BATCH_DELAY_MS);
    expect(writes).toEqual(['a\nb\n']);
    sink.close();
  });

  it('writes at once when the batch reaches its size', () => {
    const { stream, writes } = collector();
    const sink = createLineSink({ stream }, () => undefined);
    const line = 'x'.repeat(1024);
    for (let i = 0; i < MAX_BATCH_BYTES / 1024; i++) sink.write(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split('\n')).toHaveLength(MAX_BATCH_BYTES / 1024 + 1);
    sink.close();
  });

  it('writes what waits on close, closes its file, and ignores lines after close', () => {
    const path = join(dir, 'out.jsonl');
    const sink = createLineSink({ fd: openSync(path, 'a', 0o600) }, () => undefined);
    sink.write('one');
    sink.close();
    sink.write('two');
    sink.close();
    expect(readFileSync(path, 'utf8')).toBe('one\n');
  });

  it('reports a failing write once and drops what follows', () => {
    const errors: Error[] = [];
    // A descriptor that is not open: every write fails with EBADF.
    const sink = createLineSink({ fd: 987654 }, (e) => errors.push(e));
    sink.write('a');
    sink.flush();
    sink.write('b');
    sink.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/EBADF/);
    sink.close();
  });
});

describe('createJsonlLogger', () => {
  it('appends schema-shaped records below no level, to a file created with mode 0600', async () => {
    const path = join(dir, 'log.jsonl');
    const { stream } = collector();
    const logger = createJsonlLogger({ level: 'warn', output: path, stderr: stream, envelope: ENVELOPE });
    expect(logger.enabled('info')).toBe(false);
    expect(logger.enabled('warn')).toBe(true);
    logger.log('info', 'proxy.decision', { action: 'allowed' });
    logger.log('warn', 'proxy.decision', { action: 'blocked', tool: 'exec_shell' });
    logger.log('error', 'proxy.complete', { exit_code: 2 });
    await logger.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l['level'], l['event']])).toEqual([
      ['warn', 'mcptrust.proxy.decision'],
      ['error', 'mcptrust.proxy.complete'],
    ]);
    expect(lines[0]).toMatchObject({ run_id: ENVELOPE.runId, tool: 'exec_shell' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(logger.enabled('error')).toBe(false);
  });

  it('writes decision records at their level: allowed is info, blocked is warn', async () => {
    const path = join(dir, 'decisions.jsonl');
    const { stream } = collector();
    const logger = createJsonlLogger({ level: 'warn', output: path, stderr: stream, envelope: ENVELOPE });
    const base = { time: '2026-01-02T03:04:05.678Z', direction: 'host_to_server', method: 'tools/call' } as const;
    logger.logDecision({ ...base, action: 'allowed', tool: 'read_note', requestId: '1' });
    logger.logDecision({ ...base, action: 'blocked', tool: 'exec_shell', code: 'TOOL_NOT_ALLOWED', requestId: '2' });
    await logger.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', event: 'mcptrust.proxy.decision', action: 'blocked', tool: 'exec_shell', reason_code: 'TOOL_NOT_ALLOWED', request_id: '2' });
  });

  it('writes to the given stderr when the output is stderr', async () => {
    const { stream, writes } = collector();
    const logger = createJsonlLogger({ level: 'info', output: 'stderr', stderr: stream, envelope: ENVELOPE });
    logger.log('info', 'lock.start', { args: [] });
    await logger.close();
    expect(writes.join('')).toMatch(/^\{"ts":"[^"]+","level":"info","event":"mcptrust\.lock\.start",.*\}\n$/);
  });

  it('refuses a file it cannot open with a usage error naming --log-output', () => {
    const { stream } = collector();
    expect(() => createJsonlLogger({ level: 'info', output: join(dir, 'missing', 'log.jsonl'), stderr: stream, envelope: ENVELOPE })).toThrow(/--log-output: cannot open/);
  });
});
