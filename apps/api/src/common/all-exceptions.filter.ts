import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { ApiErrorBody } from '@chat/shared';
import { mapError } from './error-mapping.js';

/**
 * The global REST exception filter: every failure becomes the HTTP status of its code and
 * `{ statusCode, code, message, details?, retryAfterMs? }` (ApiErrorBody), plus `Retry-After` when
 * `retryAfterMs` is set. Unexpected errors are logged with their stack and
 * answered 500 INTERNAL without any of their text. Socket.IO errors are mapped in the gateway with the same
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
    const body: ApiErrorBody = { statusCode: status, ...payload };
    // RFC 9110 section 10.2.3: whole seconds, rounded up so a client that honours it is never early.
    if (payload.retryAfterMs !== undefined)
      res.setHeader('Retry-After', String(Math.ceil(payload.retryAfterMs / 1000)));
    res.status(status).json(body);
  }
}
