import { ERROR_HTTP_STATUS, type ErrorCode, type ErrorPayload } from '@chat/shared';

/**
 * The one error type services throw for expected failures. Transports translate it: the REST filter answers
 * `ERROR_HTTP_STATUS[code]` with `{ statusCode, code, message, details? }`; the gateway acks
 * `{ ok: false, error: { code, message, details? } }`. `message` is shown to people; clients branch on `code`.
 */
export class AppError extends Error {
  /** With RATE_LIMITED: how long to wait before trying again, in ms (ErrorPayload.retryAfterMs). */
  readonly retryAfterMs?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, string[]>,
    options: { retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /** HTTP status from the shared map (e.g. 404 for CONVERSATION_NOT_FOUND). */
  get status(): number {
    return ERROR_HTTP_STATUS[this.code];
  }

  toPayload(): ErrorPayload {
    return {
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}
