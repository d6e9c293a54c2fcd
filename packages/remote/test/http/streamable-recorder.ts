// Test support for the Streamable HTTP tests: records every handler call of a connection
// and lets a test wait for the one it expects (an event, never a sleep).
import type { RemoteError } from '../../src/errors.js';
import type { UpstreamHandlers } from '../../src/upstream.types.js';

export type Event =
  | { kind: 'message'; text: string; value: Record<string, unknown> }
  | { kind: 'requestFailed'; id: string | number; error: RemoteError }
  | { kind: 'sessionLost'; error: RemoteError }
  | { kind: 'closed'; error: RemoteError | undefined }
  | { kind: 'warning'; message: string };

export interface Recorder {
  readonly handlers: UpstreamHandlers;
  readonly events: Event[];
  /** The first event (past or future) that matches; rejects after `ms` (default 5 s) with the log. */
  waitFor(match: (event: Event) => boolean, what: string, ms?: number): Promise<Event>;
  /** The response with this id. */
  response(id: string | number): Promise<Record<string, unknown>>;
  /** The requestFailed of this id. */
  failure(id: string | number): Promise<RemoteError>;
  /** Every message or failure about request `id`. */
  settlements(id: string | number): Event[];
}

function show(event: Event): string {
  switch (event.kind) {
    case 'message':
      return `message ${event.text.slice(0, 160)}`;
    case 'requestFailed':
      return `requestFailed ${event.id} ${event.error.code}: ${event.error.message}`;
    case 'sessionLost':
      return `sessionLost ${event.error.code}`;
    case 'closed':
      return `closed ${event.error?.code ?? ''} ${event.error?.message ?? ''}`;
    case 'warning':
      return `warning ${event.message}`;
  }
}

export function record(): Recorder {
  const events: Event[] = [];
  const waiters: Array<{ match: (event: Event) => boolean; resolve: (event: Event) => void }> = [];
  const push = (event: Event): void => {
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
  const waitFor = (match: (event: Event) => boolean, what: string, ms = 5000): Promise<Event> => {
    const found = events.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (event: Event) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} within ${ms} ms; recorded:\n${events.map(show).join('\n')}`));
      }, ms);
      waiters.push(waiter);
    });
  };
  const isResponse = (event: Event, id: string | number): boolean =>
    event.kind === 'message' && event.value['id'] === id && !('method' in event.value);
  return {
    handlers,
    events,
    waitFor,
    response: async (id) => {
      const event = await waitFor((e) => isResponse(e, id) || (e.kind === 'requestFailed' && e.id === id), `response ${id}`);
      if (event.kind === 'requestFailed') throw new Error(`request ${id} failed: ${event.error.code} ${event.error.message}`);
      return (event as { value: Record<string, unknown> }).value;
    },
    failure: async (id) => {
      const event = await waitFor((e) => isResponse(e, id) || (e.kind === 'requestFailed' && e.id === id), `failure ${id}`);
      if (event.kind !== 'requestFailed') throw new Error(`request ${id} was answered: ${show(event)}`);
      return event.error;
    },
    settlements: (id) => events.filter((e) => isResponse(e, id) || (e.kind === 'requestFailed' && e.id === id)),
  };
}

/** JSON-RPC text of a request. */
export function request(id: string | number, method: string, params?: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
}

/** JSON-RPC text of a notification. */
export function notification(method: string, params?: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) });
}

/** The initialize request of a client asking for `version`. */
export function initialize(id: string | number = 0, version = '2025-11-25'): string {
  return request(id, 'initialize', {
    protocolVersion: version,
    capabilities: {},
    clientInfo: { name: 'mcptrust-test', version: '0.0.0' },
  });
}
