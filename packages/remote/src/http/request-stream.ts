/**
 * The SSE stream that answers one request POST: server requests and notifications may
 * come before the response; when the stream ends early it is resumed with GET and
 * `Last-Event-ID` (never re-POSTed), bounded, and the request fails when it cannot be.
 */
import { RemoteError } from '../errors.js';
import type { ResponseBody } from './body.js';
import { consumeSse, drain } from './body.js';
import type { ConnectionContext } from './context.js';
import { FATAL_CODES } from './context.js';
import { mediaTypeOf } from './headers.js';
import type { JsonRpcId } from './messages.js';
import { idKey, parseIncoming, serverRequestIdOf } from './messages.js';
import { sendUpstream, toRemoteError } from './request.js';

/** The longest server `retry` honoured, in ms. */
export const MAX_RETRY_MS = 30_000;

const STOP = new Error('stream answered');

const EVENT_ID = /^[\x20-\x7e]{1,1024}$/;

/** Cursor of one SSE stream across resumptions. */
export interface StreamCursor {
  /** The last event ID received. */
  lastEventId: string | undefined;
  /** The server's last `retry`, in ms. */
  retryMs: number | undefined;
  /** Keys of server requests already delivered (a resumed stream may replay them). */
  readonly seen: Set<string>;
}

/** A fresh cursor. */
export function newCursor(lastEventId?: string): StreamCursor {
  return { lastEventId, retryMs: undefined, seen: new Set() };
}

/**
 * Reads one SSE body, handing messages to the connection, until it ends or `done()` says
 * the request it answers is settled.
 * @returns whether any event arrived
 * @throws RemoteError `TOO_LARGE` / `PROTOCOL_ERROR` from the content; other errors of the stream as thrown
 */
export async function readStream(
  ctx: ConnectionContext,
  body: ResponseBody,
  cursor: StreamCursor,
  epoch: number,
  done?: () => boolean,
): Promise<boolean> {
  let progressed = false;
  let finished = false;
  const consume = consumeSse(body, {
    maxBytes: ctx.maxMessageBytes,
    onEventId: (id) => {
      // Echoed as Last-Event-ID: an id that cannot be a header value is not kept.
      if (EVENT_ID.test(id)) cursor.lastEventId = id;
      progressed = true;
    },
    onRetry: (ms) => {
      // Attacker-controlled: a huge retry would park the request for days.
      cursor.retryMs = Math.min(ms, MAX_RETRY_MS);
    },
    onMessage: (data) => {
      progressed = true;
      for (const message of parseIncoming(data, ctx.allowsBatch())) {
        const serverId = serverRequestIdOf(message.value);
        if (serverId !== undefined) {
          const key = idKey(serverId);
          if (cursor.seen.has(key)) continue;
          cursor.seen.add(key);
        }
        ctx.deliver(message, epoch);
      }
      if (done?.() === true) {
        // The stream answered its request: what a server might still send on it has no
        // request to belong to, and the connection is freed rather than held open.
        finished = true;
        throw STOP;
      }
    },
  });
  try {
    await consume;
  } catch (error) {
    if (finished && error === STOP) return progressed;
    if (error instanceof RemoteError && (error.code === 'TOO_LARGE' || error.code === 'PROTOCOL_ERROR')) throw error;
    // A dropped connection: the caller decides whether to resume.
  }
  return progressed;
}

/** Result of one resumption GET. */
type Resumed = { body: ResponseBody; controller: AbortController } | 'retry' | 'stop' | 'unresumable';

/**
 * One GET with `Last-Event-ID`.
 * @param ctx - the connection
 * @param lastEventId - the cursor
 * @param epoch - the epoch of the stream
 */
export async function resumeGet(ctx: ConnectionContext, lastEventId: string, epoch: number): Promise<Resumed> {
  const controller = ctx.track();
  try {
    const response = await sendUpstream(ctx.settings, {
      method: 'GET',
      sessionId: ctx.sessionId,
      protocolVersion: ctx.protocolVersion,
      lastEventId,
      controller,
    });
    if (response.status === 404 && response.sentSession) {
      await drain(response.body);
      ctx.release(controller);
      ctx.sessionGone(epoch);
      return 'stop';
    }
    if (response.status >= 200 && response.status < 300 && mediaTypeOf(response.headers['content-type']) === 'text/event-stream') {
      return { body: response.body, controller };
    }
    await drain(response.body);
    ctx.release(controller);
    // 405: the server has no GET at all, so nothing can ever be resumed.
    if (response.status === 405) return 'unresumable';
    ctx.warn(`resuming an upstream stream got HTTP ${response.status}`);
    return 'retry';
  } catch (error) {
    ctx.release(controller);
    const err = toRemoteError(error, controller);
    if (FATAL_CODES.has(err.code)) {
      ctx.fatal(err);
      return 'stop';
    }
    if (ctx.closed || ctx.epoch !== epoch) return 'stop';
    return 'retry';
  }
}

/**
 * Follows the SSE answer of request `id` until its response arrived or it failed.
 * @param ctx - the connection
 * @param id - the request ID
 * @param body - the POST's SSE body
 * @param epoch - the epoch the request was sent in
 */
export async function followRequestStream(ctx: ConnectionContext, id: JsonRpcId, body: ResponseBody, epoch: number): Promise<void> {
  const cursor = newCursor();
  let current: ResponseBody | undefined = body;
  let controller: AbortController | undefined;
  let attempts = 0;
  try {
    for (;;) {
      let progressed = false;
      if (current !== undefined) {
        try {
          progressed = await readStream(ctx, current, cursor, epoch, () => !ctx.isPending(id));
        } catch (error) {
          ctx.fail(id, error as RemoteError);
          return;
        }
      }
      if (controller !== undefined) ctx.release(controller);
      controller = undefined;
      current = undefined;
      if (!ctx.isPending(id) || ctx.closed || ctx.epoch !== epoch) return;
      if (cursor.lastEventId === undefined) {
        ctx.fail(id, new RemoteError('STREAM_ENDED', 'the upstream ended the stream before the response and sent no event ID to resume from'));
        return;
      }
      if (progressed) attempts = 0;
      attempts += 1;
      if (attempts > ctx.maxReconnects) {
        ctx.fail(id, new RemoteError('STREAM_ENDED', `the upstream's stream ended before the response and could not be resumed in ${ctx.maxReconnects} attempts`));
        return;
      }
      if (!(await ctx.sleep(cursor.retryMs ?? ctx.reconnectDelayMs, epoch))) return;
      if (!ctx.isPending(id)) return;
      ctx.warn(`resuming the upstream's stream of a request (attempt ${attempts} of ${ctx.maxReconnects})`);
      const resumed = await resumeGet(ctx, cursor.lastEventId, epoch);
      if (resumed === 'stop') return;
      if (resumed === 'unresumable') {
        ctx.fail(id, new RemoteError('STREAM_ENDED', "the upstream's stream ended before the response and the server does not allow resuming it (HTTP 405)"));
        return;
      }
      if (resumed !== 'retry') {
        current = resumed.body;
        controller = resumed.controller;
      }
    }
  } finally {
    if (controller !== undefined) ctx.release(controller);
  }
}
