import { ErrorCode, isErrorCode, type ApiErrorBody } from '@chat/shared';

/**
 * A failed API call, parsed from the API's `ApiErrorBody` (`{ statusCode, code, message, details?, retryAfterMs? }`).
 * `status` is 0 and `code` is SERVICE_UNAVAILABLE when the API could not be reached at all.
 * Callers branch on `code`, never on `message` (which is for people).
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, string[]> | undefined;
  /** With RATE_LIMITED from the per-person write limit: how long to wait before trying again, in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    details?: Record<string, string[]>,
    retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The API is up but refuses this page's origin: the browser blocked its answer (CORS), because the API's
 * `WEB_ORIGIN` does not list the address the page was opened at (an IP address instead of `localhost`, say).
 * `status` 0 and SERVICE_UNAVAILABLE as for an API that cannot be reached, so callers treat it the same way.
 */
export class OriginRefusedError extends ApiError {
  /** @param origin the page's origin, e.g. `http://192.168.1.5:3000` */
  constructor(readonly origin: string) {
    super(
      0,
      ErrorCode.SERVICE_UNAVAILABLE,
      `The server does not accept this address (${origin}). Open Relay at the address it was set up for, or ` +
        `add ${origin} to the server's WEB_ORIGIN.`,
    );
    this.name = 'OriginRefusedError';
  }
}

/**
 * The ApiError for an error response: its `code`, `message`, `details` and `retryAfterMs` when the body is an `ApiErrorBody` with a known code,
 * else a code guessed from the HTTP status (401 UNAUTHENTICATED, 404 NOT_FOUND, 429 RATE_LIMITED, else INTERNAL).
 * @param body the parsed JSON body, or undefined when there was none or it was not JSON
 */
export function parseErrorBody(status: number, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null) {
    const b = body as Partial<ApiErrorBody>;
    if (isErrorCode(b.code)) {
      return new ApiError(
        status,
        b.code,
        typeof b.message === 'string' ? b.message : b.code,
        b.details,
        typeof b.retryAfterMs === 'number' ? b.retryAfterMs : undefined,
      );
    }
  }
  const fallback: ErrorCode =
    status === 401
      ? ErrorCode.UNAUTHENTICATED
      : status === 404
        ? ErrorCode.NOT_FOUND
        : status === 429
          ? ErrorCode.RATE_LIMITED
          : ErrorCode.INTERNAL;
  return new ApiError(status, fallback, `The server answered ${status}`);
}

/** A person-readable sentence for any thrown value (for toasts and inline errors). */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case ErrorCode.INVALID_CREDENTIALS:
        return 'Wrong username or password.';
      case ErrorCode.USERNAME_TAKEN:
        return 'That username is already taken.';
      case ErrorCode.RATE_LIMITED:
        return 'Too many attempts. Wait a moment and try again.';
      case ErrorCode.REFRESH_TOKEN_INVALID:
      case ErrorCode.UNAUTHENTICATED:
      case ErrorCode.TOKEN_EXPIRED:
        return 'Your session has ended. Please sign in again.';
      default:
        return error.message;
    }
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
