import { ERROR_HTTP_STATUS, type ErrorCode, type ErrorPayload } from '@chat/shared';

/**
 * The one error type services throw for expected failures. Transports translate it: the REST filter answers
 * `ERROR_HTTP_STATUS[code]` with `{ statusCode, code, message, details? }`; the gateway acks
 * `{ ok: false, error: { code, message, details? } }`. `message` is shown to people; clients branch on `code`.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, string[]>,
    /** For a retryable refusal (quota, rate limit): how long to wait, in ms; REST sends it as `Retry-After`. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  /** HTTP status from the shared map (e.g. 404 for CONVERSATION_NOT_FOUND). */
  get status(): number {
    return ERROR_HTTP_STATUS[this.code];
  }

  toPayload(): ErrorPayload {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}
