/**
 * With `--log-format jsonl` on stderr, stderr must carry JSON records only: the
 * commands' human lines (notices, errors, the proxy's start-up messages) are turned into
 * `mcptrust.message` records instead of being interleaved as text.
 */
import { Writable } from 'node:stream';
import type { LogLevel } from '@mcptrust/audit';

// Human lines carry their severity in their prefix.
function levelOf(line: string): LogLevel {
  if (/^mcptrust: (error|refused)\b/.test(line) || /^error\b/i.test(line)) return 'error';
  if (/^mcptrust: (warning|interrupted)\b/.test(line) || /^warning\b/i.test(line)) return 'warn';
  return 'info';
}

/** A stream whose every complete line becomes one record (empty lines are dropped). */
export function createStderrEvents(emit: (level: LogLevel, message: string) => void): Writable {
  let partial = '';
  const flushLine = (line: string): void => {
    if (line.trim() !== '') emit(levelOf(line), line);
  };
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      const text = partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) flushLine(line);
      done();
    },
    final(done) {
      if (partial !== '') flushLine(partial);
      partial = '';
      done();
    },
  });
}
