/**
 * The standalone GET stream: server requests and notifications not tied to a request
 * (`notifications/tools/list_changed`, `roots/list`, logging). Supervised: when it ends
 * it is reopened with `Last-Event-ID` after the server's `retry`, with backoff; after
 * `maxReconnects` failures in a row it keeps trying at a slow interval. Enforcement never
 * depends on it; a 405 means the server has none.
 */
import { drain } from './body.js';
import type { ConnectionContext } from './context.js';
import { FATAL_CODES } from './context.js';
import { mediaTypeOf } from './headers.js';
import { newCursor, readStream } from './request-stream.js';
import { sendUpstream, toRemoteError } from './request.js';
import { RemoteError } from '../errors.js';

/** Longest wait between reopenings while backing off, in ms. */
export const MAX_BACKOFF_MS = 30_000;
/** Wait between reopenings once the retries ran out, in ms. */
export const SLOW_RETRY_MS = 60_000;

type Outcome = 'stop' | 'ended' | 'failed';

async function openOnce(ctx: ConnectionContext, cursor: ReturnType<typeof newCursor>, epoch: number): Promise<Outcome> {
  const controller = ctx.track();
  try {
    const response = await sendUpstream(ctx.settings, {
      method: 'GET',
      sessionId: ctx.sessionId,
      protocolVersion: ctx.protocolVersion,
      lastEventId: cursor.lastEventId,
      controller,
    });
    if (response.status === 405) {
      await drain(response.body);
      ctx.warn('the upstream offers no GET stream (HTTP 405); server notifications arrive only with responses');
      return 'stop';
    }
    if (response.status === 404 && response.sentSession) {
      await drain(response.body);
      ctx.sessionGone(epoch);
      return 'stop';
    }
    const type = mediaTypeOf(response.headers['content-type']);
    if (response.status < 200 || response.status >= 300 || type !== 'text/event-stream') {
      await drain(response.body);
      ctx.warn(`the upstream's GET stream answered HTTP ${response.status}${type === undefined ? '' : ` (${type.slice(0, 40)})`}`);
      return 'failed';
    }
    const progressed = await readStream(ctx, response.body, cursor, epoch);
    return progressed ? 'ended' : 'failed';
  } catch (error) {
    const err = error instanceof RemoteError ? error : toRemoteError(error, controller);
    if (FATAL_CODES.has(err.code)) {
      ctx.fatal(err);
      return 'stop';
    }
    if (ctx.closed || ctx.epoch !== epoch) return 'stop';
    ctx.warn(`the upstream's GET stream failed: ${err.message}`);
    return 'failed';
  } finally {
    ctx.release(controller);
  }
}

/**
 * Runs the GET stream of one epoch until the epoch ends. Never rejects.
 * @param ctx - the connection
 * @param epoch - the epoch (session) it belongs to
 */
export async function superviseGetStream(ctx: ConnectionContext, epoch: number): Promise<void> {
  const cursor = newCursor();
  let failures = 0;
  let gaveUpWarned = false;
  while (!ctx.closed && ctx.epoch === epoch) {
    const outcome = await openOnce(ctx, cursor, epoch);
    if (outcome === 'stop' || ctx.closed || ctx.epoch !== epoch) return;
    failures = outcome === 'ended' ? 0 : failures + 1;
    let wait: number;
    if (failures > ctx.maxReconnects) {
      if (!gaveUpWarned) {
        ctx.warn(`the upstream's GET stream failed ${failures} times in a row; retrying every ${SLOW_RETRY_MS / 1000} s`);
        gaveUpWarned = true;
      }
      wait = SLOW_RETRY_MS;
    } else {
      const backoff = Math.min(ctx.reconnectDelayMs * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
      wait = cursor.retryMs === undefined ? backoff : Math.max(cursor.retryMs, failures > 0 ? backoff : 0);
    }
    if (!(await ctx.sleep(wait, epoch))) return;
  }
}
