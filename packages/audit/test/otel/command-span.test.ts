import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { startCommandSpan } from '../../src/otel/index.js';

let exporter: InMemorySpanExporter;
let provider: TracerProvider;
let tracer: Tracer;

beforeEach(() => {
  exporter = new InMemorySpanExporter();
  provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  tracer = provider.getTracer('test');
});

afterEach(async () => {
  await provider.shutdown();
});

describe('startCommandSpan', () => {
  it('records a successful command as an INTERNAL span mcptrust.<command> with status OK and the exit code', () => {
    const span = startCommandSpan(tracer, 'lock', { 'mcptrust.run_id': 'run-1' });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    span.end({ exitCode: 0 });
    const [done] = exporter.getFinishedSpans();
    expect(done!.name).toBe('mcptrust.lock');
    expect(done!.kind).toBe(SpanKind.INTERNAL);
    expect(done!.attributes).toEqual({ 'mcptrust.run_id': 'run-1', 'mcptrust.command': 'lock', 'mcptrust.exit_code': 0 });
    expect(done!.status.code).toBe(SpanStatusCode.OK);
    expect(done!.parentSpanContext).toBeUndefined();
  });

  it('joins a command of several words with dots, and records a failure as ERROR with its message', () => {
    const span = startCommandSpan(tracer, 'artifact  verify');
    span.end({ exitCode: 1, error: 'integrity mismatch' });
    span.end({ exitCode: 0 });
    const finished = exporter.getFinishedSpans();
    expect(finished).toHaveLength(1);
    expect(finished[0]!.name).toBe('mcptrust.artifact.verify');
    expect(finished[0]!.attributes['mcptrust.command']).toBe('artifact verify');
    expect(finished[0]!.attributes['mcptrust.exit_code']).toBe(1);
    expect(finished[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'integrity mismatch' });
  });

  it('gives a failure without a message the exit code as its status message, bounded', () => {
    startCommandSpan(tracer, 'check').end({ exitCode: 2 });
    startCommandSpan(tracer, 'diff').end({ exitCode: 2, error: 'e'.repeat(5000) });
    const [check, diff] = exporter.getFinishedSpans();
    expect(check!.status.message).toBe('exit code 2');
    expect(diff!.status.message!.length).toBeLessThanOrEqual(256);
  });

  it('never throws, even with a tracer that does', () => {
    const broken = { startSpan: () => { throw new Error('down'); } } as unknown as Tracer;
    const span = startCommandSpan(broken, 'lock');
    expect(() => span.end({ exitCode: 0 })).not.toThrow();
  });
});
