// Test support for the legacy SSE tests: records every handler call of a connection and
// lets a test wait for the one it expects, and an undici Agent that records every origin
// it is asked to dial.
import { Agent, type Dispatcher } from 'undici';
import type { RemoteError } from '../../src/errors.js';
import type { UpstreamHandlers } from '../../src/upstream.types.js';

export type Recorded =
  | { kind: 'message'; text: string; value: Record<string, unknown> }
  | { kind: 'requestFailed'; id: string | number; error: RemoteError }
  | { kind: 'sessionLost'; error: RemoteError }
  | { kind: 'closed'; error: RemoteError | undefined }
  | { kind: 'warning'; message: string };

export interface Recorder {
  readonly handlers: UpstreamHandlers;
  readonly events: Recorded[];
  /** The first recorded event (past or future) that matches; rejects after 5 s with the log. */
  waitFor(match: (event: Recorded) => boolean, what: string): Promise<Recorded>;
  /** The response with this id. */
  response(id: string | number): Promise<Record<string, unknown>>;
}

export function recordHandlers(): Recorder {
  const events: Recorded[] = [];
  const waiters: Array<{ match: (event: Recorded) => boolean; resolve: (event: Recorded) => void }> = [];
  const push = (event: Recorded): void => {
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.match(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  };
  const handlers: UpstreamHandlers = {
    message: (text) => push({ kind: 'message', text, value: JSON.parse(text) as Record<string, unknown> }),
    requestFailed: (id, error) => push({ kind: 'requestFailed', id, error }),
    sessionLost: (error) => push({ kind: 'sessionLost', error }),
    closed: (error) => push({ kind: 'closed', error }),
    warning: (message) => push({ kind: 'warning', message }),
  };
  const waitFor = (match: (event: Recorded) => boolean, what: string): Promise<Recorded> => {
    const found = events.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} within 5 s; recorded: ${JSON.stringify(events.map(describe))}`));
      }, 5000);
      const waiter = {
        match,
        resolve: (event: Recorded) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      waiters.push(waiter);
    });
  };
  const response = async (id: string | number): Promise<Record<string, unknown>> => {
    const event = await waitFor((e) => e.kind === 'message' && e.value['id'] === id && !('method' in e.value), `response ${id}`);
    return (event as { value: Record<string, unknown> }).value;
  };
  return { handlers, events, waitFor, response };
}

function describe(event: Recorded): string {
  switch (event.kind) {
    case 'message':
      return `message ${event.text.slice(0, 120)}`;
    case 'requestFailed':
      return `requestFailed ${event.id} ${event.error.code}: ${event.error.message}`;
    case 'sessionLost':
      return `sessionLost ${event.error.code}`;
    case 'closed':
      return `closed ${event.error?.code ?? ''}`;
    case 'warning':
      return `warning ${event.message}`;
  }
}

/** An Agent that records the origin of every request it dispatches. */
export class RecordingAgent extends Agent {
  readonly origins: string[] = [];

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.origins.push(String(options.origin));
    return super.dispatch(options, handler);
  }
}

/** The JSON text of a request. */
export function request(id: number, method: string, params: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

/** The JSON text of an initialize request for protocol 2024-11-05. */
export function initialize(id: number): string {
  return request(id, 'initialize', {
    protocolVersion: '2024-11-05',
    capabilities: {},
    clientInfo: { name: 'legacy-sse-test', version: '0.0.0' },
  });
}
