/**
 * One POST per message. A notification or response expects 202; a request expects one
 * JSON object (an array only under 2025-03-26) or an SSE stream. Every request ends in
 * exactly one response delivered or one `requestFailed`.
 */
import { RemoteError } from '../errors.js';
import type { ResponseBody } from './body.js';
import { drain, readCapped } from './body.js';
import type { ConnectionContext } from './context.js';
import { FATAL_CODES } from './context.js';
import { headerOf, mediaTypeOf } from './headers.js';
import type { OutgoingMessage } from './messages.js';
import { errorMessageOf, parseIncoming } from './messages.js';
import { followRequestStream } from './request-stream.js';
import type { UpstreamResponse } from './request.js';
import { sendUpstream, toRemoteError } from './request.js';

const ERROR_BODY_BYTES = 65_536;

function printable(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
}

async function statusError(response: UpstreamResponse): Promise<RemoteError> {
  let detail: string | undefined;
  try {
    detail = errorMessageOf(await readCapped(response.body, ERROR_BODY_BYTES));
  } catch {
    detail = undefined;
  }
  const suffix = detail === undefined ? '' : `: ${detail}`;
  return new RemoteError('HTTP_STATUS', `the upstream answered HTTP ${response.status}${suffix}`, { status: response.status });
}

/** Reads a body that is not a stream within the headers deadline, else aborts the exchange. */
async function withDeadline<T>(ctx: ConnectionContext, controller: AbortController, what: string, read: () => Promise<T>): Promise<T> {
  const limit = ctx.settings.headersTimeoutMs;
  const timer = setTimeout(() => {
    controller.abort(new RemoteError('NETWORK_ERROR', `the upstream's ${what} did not arrive within ${limit} ms of its headers`));
  }, limit);
  try {
    return await read();
  } finally {
    clearTimeout(timer);
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

async function answerNotification(
  ctx: ConnectionContext,
  message: OutgoingMessage,
  response: UpstreamResponse,
  controller: AbortController,
  epoch: number,
): Promise<void> {
  await withDeadline(ctx, controller, 'answer body', () => drain(response.body));
  if (!isSuccess(response.status)) {
    ctx.warn(`the upstream answered HTTP ${response.status} to a ${message.method ?? 'response'} message`);
    return;
  }
  if (message.method === 'notifications/initialized') ctx.initializedAccepted(epoch);
}

/** The declared length when it frames the body (no `Transfer-Encoding` overriding it). */
function framedLength(response: UpstreamResponse): string | undefined {
  return response.headers['transfer-encoding'] === undefined ? headerOf(response.headers, 'content-length') : undefined;
}

async function readJsonAnswer(
  ctx: ConnectionContext,
  message: OutgoingMessage,
  response: UpstreamResponse,
  controller: AbortController,
  epoch: number,
): Promise<void> {
  const id = message.id as string | number;
  // A JSON answer is written whole once the result is ready; a body that trickles past the
  // headers deadline would hold the request forever (SSE answers have no such deadline).
  const text = await withDeadline(ctx, controller, 'JSON answer', () =>
    readCapped(response.body, ctx.maxMessageBytes, framedLength(response)),
  );
  const messages = parseIncoming(text, ctx.allowsBatch());
  for (const incoming of messages) ctx.deliver(incoming, epoch);
  if (ctx.isPending(id)) {
    ctx.fail(id, new RemoteError('PROTOCOL_ERROR', 'the upstream answered with JSON that carried no response to the request'));
  }
}

async function answerRequest(
  ctx: ConnectionContext,
  message: OutgoingMessage,
  response: UpstreamResponse,
  controller: AbortController,
  epoch: number,
): Promise<void> {
  const id = message.id as string | number;
  const isInitialize = message.method === 'initialize';
  if (!isSuccess(response.status)) {
    if (isInitialize && ctx.fallback(message, response.status)) {
      await drain(response.body);
      return;
    }
    ctx.fail(id, await withDeadline(ctx, controller, 'error body', () => statusError(response)));
    return;
  }
  if (isInitialize && !ctx.adoptSession(headerOf(response.headers, 'mcp-session-id'), epoch)) {
    await drain(response.body);
    return;
  }
  const type = mediaTypeOf(response.headers['content-type']);
  if (type === 'application/json') {
    await readJsonAnswer(ctx, message, response, controller, epoch);
  } else if (type === 'text/event-stream') {
    await followRequestStream(ctx, id, response.body as ResponseBody, epoch);
  } else {
    await drain(response.body);
    const shown = type === undefined ? 'no content type' : `content type ${printable(type)}`;
    ctx.fail(id, new RemoteError('CONTENT_TYPE', `the upstream answered HTTP ${response.status} with ${shown}`, { status: response.status }));
  }
}

/**
 * POSTs one message and handles its answer. Never rejects.
 * @param ctx - the connection
 * @param message - the classified message
 * @param epoch - the epoch it is sent in
 */
export async function postMessage(ctx: ConnectionContext, message: OutgoingMessage, epoch: number): Promise<void> {
  const controller = ctx.track();
  try {
    const response = await sendUpstream(ctx.settings, {
      method: 'POST',
      body: message.text,
      sessionId: ctx.sessionId,
      protocolVersion: ctx.protocolVersion,
      controller,
    });
    if (response.status === 404 && response.sentSession) {
      await drain(response.body);
      ctx.sessionGone(epoch);
      return;
    }
    if (message.kind === 'request') await answerRequest(ctx, message, response, controller, epoch);
    else await answerNotification(ctx, message, response, controller, epoch);
  } catch (error) {
    const err = error instanceof RemoteError ? error : toRemoteError(error, controller);
    if (FATAL_CODES.has(err.code)) {
      ctx.fatal(err);
    } else if (message.kind === 'request') {
      ctx.fail(message.id as string | number, err);
    } else if (!ctx.closed && ctx.epoch === epoch) {
      ctx.warn(`a ${message.method ?? 'response'} message could not be sent upstream: ${err.message}`);
    }
  } finally {
    ctx.release(controller);
  }
}
