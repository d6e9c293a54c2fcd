import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, Tracer } from '@opentelemetry/api';
import { sanitizeText } from '../redact/text.js';
import { ATTR_MCPTRUST_COMMAND, ATTR_MCPTRUST_EXIT_CODE } from './semconv.js';

/** How a command ended, for {@link CommandSpan.end}. */
export interface CommandOutcome {
  /** The process exit code the command ends with (0 = success). */
  exitCode: number;
  /** The error message the command failed with, if any (already redacted by the caller). */
  error?: string;
}

/** A running command span, from {@link startCommandSpan}. */
export interface CommandSpan {
  /** Ends the span with the command's outcome. Later calls do nothing; never throws. */
  end(outcome: CommandOutcome): void;
}

/**
 * Starts the INTERNAL span of one MCPTrust command: `mcptrust.<command>` with the
 * command's words joined by dots (`lock` → `mcptrust.lock`, `artifact verify` →
 * `mcptrust.artifact.verify`), attribute `mcptrust.command` and the given attributes
 * (for example `mcptrust.run_id`). {@link CommandSpan.end} adds `mcptrust.exit_code` and
 * sets status OK on exit code 0, else ERROR with the error message (cut to 256
 * characters). The span is a root span: nothing is read from the environment or
 * registered globally. Never throws; a tracer that fails yields a span that does nothing.
 *
 * @param tracer - where the span goes
 * @param command - the command name, as typed (`lock`, `artifact verify`)
 * @param attributes - extra attributes recorded at start
 * @returns the span handle
 */
export function startCommandSpan(tracer: Tracer, command: string, attributes: Record<string, string | number | boolean> = {}): CommandSpan {
  try {
    const words = String(command).trim().split(/\s+/).filter((w) => w !== '');
    const name = sanitizeText(`mcptrust${words.map((w) => `.${w}`).join('')}`, 255);
    const start: Attributes = { ...attributes, [ATTR_MCPTRUST_COMMAND]: sanitizeText(words.join(' '), 255) };
    const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: start }, ROOT_CONTEXT);
    let ended = false;
    return {
      end(outcome: CommandOutcome): void {
        if (ended) return;
        ended = true;
        try {
          span.setAttribute(ATTR_MCPTRUST_EXIT_CODE, outcome.exitCode);
          if (outcome.exitCode === 0) span.setStatus({ code: SpanStatusCode.OK });
          else span.setStatus({ code: SpanStatusCode.ERROR, message: sanitizeText(outcome.error ?? `exit code ${outcome.exitCode}`, 255) });
          span.end();
        } catch {
          // Telemetry never changes how a command ends.
        }
      },
    };
  } catch {
    return { end(): void {} };
  }
}
