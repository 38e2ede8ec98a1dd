/**
 * Stable error codes: the one list both apps use. The API answers every failure with an HTTP status and
 * `ApiErrorBody`, and every failed socket acknowledgement with `{ ok: false, error: { code, message } }`.
 * Clients branch on `code`, never on `message` (which is for people and may change).
 *
 * Idea from twentyhq/twenty and documenso/documenso: one enum of codes, one place that maps codes to HTTP
 * statuses (`ERROR_HTTP_STATUS` below), one `{ code, message }` shape parsed by the client.
 */
export const ErrorCode = {
  /** Input failed validation (body, query, params or socket payload). 400. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** No credentials, or an access token that is missing, malformed or badly signed. 401. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The access token was valid but has expired: refresh and retry. 401. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** Unknown username or wrong password; deliberately the same answer for both. 401. */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** The refresh token is unknown, expired, revoked or was already used. 401. */
  REFRESH_TOKEN_INVALID: 'REFRESH_TOKEN_INVALID',
  /** The caller is signed in but may not do this. 403. */
  FORBIDDEN: 'FORBIDDEN',
  /** The resource does not exist, or the caller may not know it exists. 404. */
  NOT_FOUND: 'NOT_FOUND',
  /** Conversation missing or the caller is not a member (one answer for both: no existence leak). 404. */
  CONVERSATION_NOT_FOUND: 'CONVERSATION_NOT_FOUND',
  /** A referenced user does not exist. 404. */
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  /** The username is already taken (compared case-insensitively). 409. */
  USERNAME_TAKEN: 'USERNAME_TAKEN',
  /** A direct conversation needs another person. 400. */
  CANNOT_MESSAGE_SELF: 'CANNOT_MESSAGE_SELF',
  /** The request or socket payload is larger than allowed. 413. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** Too many requests in the window; retry later. 429. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A dependency (the database) is unavailable. 503. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** Anything unexpected; details are logged on the server, never sent. 500. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The one map from error code to HTTP status. */
export const ERROR_HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  INVALID_CREDENTIALS: 401,
  REFRESH_TOKEN_INVALID: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONVERSATION_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  USERNAME_TAKEN: 409,
  CANNOT_MESSAGE_SELF: 400,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** `{ code, message }`: the error inside a failed socket acknowledgement. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** Per-field problems for VALIDATION_FAILED: `{ field: ["reason", ...] }`. */
  details?: Record<string, string[]>;
}

/** The JSON body of every non-2xx REST response. */
export interface ApiErrorBody extends ErrorPayload {
  statusCode: number;
}

const CODES = new Set<string>(Object.values(ErrorCode));

/** True when `value` is one of the codes above (for parsing bodies from the network). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODES.has(value);
}
