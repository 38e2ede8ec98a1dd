import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { ApiErrorBody } from '@chat/shared';
import { mapError } from './error-mapping.js';

/**
 * A request refused for its size is answered, then its connection closed: reading (and discarding) the rest of
 * an oversized body to keep the connection alive is exactly the work the limit is there to refuse. `Connection:
 * close` makes Node end the socket after the answer instead of draining the body, and the request stream is
 * destroyed once the answer is flushed in case a reader (multer) is still draining it.
 */
export function closeAfterResponse(res: Response): void {
  res.setHeader('Connection', 'close');
  res.once('finish', () => res.req.destroy());
}

/**
 * The global REST exception filter: every failure becomes the HTTP status of its code and
 * `{ statusCode, code, message, details?, retryAfterMs? }` (ApiErrorBody), plus `Retry-After` when
 * `retryAfterMs` is set. Unexpected errors are logged with their stack and
 * answered 500 INTERNAL without any of their text. A 413 closes the connection (closeAfterResponse). Socket.IO errors are mapped in the gateway with the same
 * `mapError`.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const { status, payload, unexpected } = mapError(exception);
    if (unexpected) this.logger.error(exception);
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (status === 413) closeAfterResponse(res);
    const body: ApiErrorBody = { statusCode: status, ...payload };
    // RFC 9110 section 10.2.3: whole seconds, rounded up so a client that honours it is never early.
    if (payload.retryAfterMs !== undefined)
      res.setHeader('Retry-After', String(Math.ceil(payload.retryAfterMs / 1000)));
    res.status(status).json(body);
  }
}

/**
 * Answers `error` on `res` at once, before the request's handler chain has finished (a stream cut at its limit
 * while the client is still sending), then closes the connection when it is a 413. Does nothing when an answer
 * was already sent. The chain's own error, reaching the filter later, then finds the answer sent and stops there.
 */
export function answerNow(res: Response, error: unknown): void {
  if (res.headersSent) return;
  const { status, payload } = mapError(error);
  if (status === 413) closeAfterResponse(res);
  const body: ApiErrorBody = { statusCode: status, ...payload };
  res.status(status).json(body);
}
