import type { Finding } from './report.js';
import { bySeverity } from './summary.js';

/** Where an annotation points (as `@actions/core` takes it). */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
}

/** The three annotation kinds of a workflow run. */
export interface AnnotationSink {
  error(message: string, properties: AnnotationProperties): void;
  warning(message: string, properties: AnnotationProperties): void;
  notice(message: string, properties: AnnotationProperties): void;
}

/** GitHub shows at most 10 annotations of each kind per step and drops the rest silently. */
export const ANNOTATIONS_PER_KIND = 10;

/**
 * Annotates the findings on their lockfile lines, most severe first: at most
 * {@link ANNOTATIONS_PER_KIND} of each kind, and when some do not fit, one notice saying
 * how many more there are and where (it takes a notice's place, so nothing is dropped unseen).
 * @returns how many findings were annotated
 */
export function annotate(findings: readonly Finding[], sink: AnnotationSink, elsewhere: string): number {
  const sorted = bySeverity(findings);
  const kinds = { error: sorted.filter((f) => f.level === 'error'), warning: sorted.filter((f) => f.level === 'warning'), note: sorted.filter((f) => f.level === 'note') };
  const overflow =
    Math.max(0, kinds.error.length - ANNOTATIONS_PER_KIND) + Math.max(0, kinds.warning.length - ANNOTATIONS_PER_KIND) + Math.max(0, kinds.note.length - ANNOTATIONS_PER_KIND);
  const noteRoom = overflow > 0 ? ANNOTATIONS_PER_KIND - 1 : ANNOTATIONS_PER_KIND;
  const props = (f: Finding): AnnotationProperties => ({
    title: f.rule === '' ? 'mcptrust' : f.rule,
    ...(f.file === undefined ? {} : { file: f.file }),
    ...(f.line === undefined ? {} : { startLine: f.line }),
  });
  let shown = 0;
  for (const f of kinds.error.slice(0, ANNOTATIONS_PER_KIND)) (sink.error(f.message, props(f)), (shown += 1));
  for (const f of kinds.warning.slice(0, ANNOTATIONS_PER_KIND)) (sink.warning(f.message, props(f)), (shown += 1));
  for (const f of kinds.note.slice(0, noteRoom)) (sink.notice(f.message, props(f)), (shown += 1));
  const hidden = sorted.length - shown;
  if (hidden > 0) {
    const first = sorted[0];
    sink.notice(`${hidden} more finding${hidden === 1 ? '' : 's'} not annotated (GitHub shows ${ANNOTATIONS_PER_KIND} per kind): see ${elsewhere}.`, {
      title: 'mcptrust',
      ...(first?.file === undefined ? {} : { file: first.file }),
    });
  }
  return shown;
}
