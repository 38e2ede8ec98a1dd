import { HttpException } from '@nestjs/common';
import { ERROR_HTTP_STATUS, ErrorCode, type ErrorPayload } from '@chat/shared';
import {
  ChangeLockTimeoutError,
  InvalidCursorError,
  isStorageUnavailable,
} from '../storage/storage.errors.js';
import { AppError } from './app-error.js';

/** What a transport needs to answer a failure. */
export interface MappedError {
  /** HTTP status, always `ERROR_HTTP_STATUS[payload.code]`. */
  status: number;
  payload: ErrorPayload;
  /** True for anything that is not an expected failure: log it with its stack; its text is never sent. */
  unexpected: boolean;
}

/** Messages for failures that did not come from our own services (framework, body parser, guards). */
const GENERIC_MESSAGES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request is malformed.',
  UNAUTHENTICATED: 'Sign in first.',
  TOKEN_EXPIRED: 'The access token has expired.',
  INVALID_CREDENTIALS: 'Wrong username or password.',
  REFRESH_TOKEN_INVALID: 'The session has ended; sign in again.',
  FORBIDDEN: 'Not allowed.',
  NOT_FOUND: 'Not found.',
  CONVERSATION_NOT_FOUND: 'Conversation not found.',
  USER_NOT_FOUND: 'User not found.',
  USERNAME_TAKEN: 'That username is taken.',
  CANNOT_MESSAGE_SELF: 'Pick someone else to talk to.',
  NOT_A_GROUP: 'Only group conversations allow that.',
  ADMIN_REQUIRED: 'Only group admins can do that.',
  MEMBERSHIP_ENDED: 'You are no longer a member of this conversation.',
  ALREADY_MEMBER: 'Already a member.',
  NOT_A_MEMBER: 'Not a member of this conversation.',
  MEMBER_LIMIT_EXCEEDED: 'The group is full.',
  CONTACT_UNAVAILABLE: 'This person cannot be reached.',
  REQUEST_PENDING: 'Accept the request first.',
  NO_PENDING_REQUEST: 'There is nothing to accept or decline.',
  MENTION_NOT_MEMBER: 'A mentioned person is not a member of this conversation.',
  FILE_TOO_LARGE: 'The file is too large.',
  IMAGE_TOO_LARGE: 'The image has too many pixels.',
  EMPTY_FILE: 'The file is empty.',
  UNSUPPORTED_MEDIA_TYPE: 'This type of file is not allowed.',
  TOO_MANY_ATTACHMENTS: 'Too many attachments in one message.',
  MESSAGE_NOT_FOUND: 'Message not found.',
  NOT_MESSAGE_AUTHOR: 'Only the author can do that to this message.',
  MESSAGE_NOT_MODIFIABLE: 'This message cannot be changed.',
  MESSAGE_DELETED: 'This message was deleted.',
  EDIT_WINDOW_CLOSED: 'This message can no longer be edited.',
  REACTION_LIMIT_EXCEEDED: 'This message has the most different reactions it can have.',
  UPLOAD_QUOTA_EXCEEDED: 'Daily upload quota used up; try again tomorrow.',
  ATTACHMENT_NOT_FOUND: 'Attachment not found.',
  ATTACHMENT_IN_USE: 'That attachment was already sent.',
  SESSION_REVOKED: 'This session was signed out.',
  ORIGIN_NOT_ALLOWED: 'This page may not connect to the chat service.',
  TOO_MANY_CONNECTIONS: 'Too many open connections; close another tab or device.',
  ACCOUNT_DEACTIVATED: 'This account has been deactivated by an administrator.',
  REGISTRATION_CLOSED: 'Registration is closed on this server.',
  INVITE_INVALID: 'This invite link is not valid (expired, revoked or used up).',
  INSTANCE_ADMIN_REQUIRED: 'Only instance administrators can do that.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  RATE_LIMITED: 'Too many attempts; try again later.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable.',
  INTERNAL: 'Something went wrong on our side.',
};

function codeForStatus(status: number): ErrorCode | null {
  switch (status) {
    case 401:
      return ErrorCode.UNAUTHENTICATED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 413:
      return ErrorCode.PAYLOAD_TOO_LARGE;
    case 429:
      return ErrorCode.RATE_LIMITED;
    case 503:
      return ErrorCode.SERVICE_UNAVAILABLE;
    default:
      // Any other client error (malformed JSON, unsupported media type, bad method...) is the caller's input.
      return status >= 400 && status < 500 ? ErrorCode.VALIDATION_FAILED : null;
  }
}

function of(
  code: ErrorCode,
  message: string,
  unexpected = false,
  details?: Record<string, string[]>,
): MappedError {
  return {
    status: ERROR_HTTP_STATUS[code],
    payload: details ? { code, message, details } : { code, message },
    unexpected,
  };
}

/**
 * Maps anything thrown to the wire error. Shared by the REST exception filter and the Socket.IO gateway so
 * both speak the same codes.
 *
 * - `AppError`: its own code, message, details and retryAfterMs. A storage `InvalidCursorError`: VALIDATION_FAILED.
 * - Nest `HttpException` and http-errors style objects (`{ status, expose: true }`, as body-parser throws for
 *   malformed or oversized bodies): the code for the status with a generic message (their own text may name
 *   internals, e.g. a parser's position).
 * - A database that cannot be reached or was closed (`isStorageUnavailable`), or a group's change lock not obtained
 *   in time (`ChangeLockTimeoutError`): SERVICE_UNAVAILABLE (503, which
 *   clients retry), `unexpected: true` so it is logged.
 * - Everything else: INTERNAL, `unexpected: true`.
 */
export function mapError(error: unknown): MappedError {
  if (error instanceof AppError)
    return { status: error.status, payload: error.toPayload(), unexpected: false };
  if (error instanceof InvalidCursorError) {
    return of(ErrorCode.VALIDATION_FAILED, 'The cursor is invalid.', false, {
      cursor: ['is not a cursor from this list'],
    });
  }

  if (error instanceof HttpException) {
    const code = codeForStatus(error.getStatus());
    return code
      ? of(code, GENERIC_MESSAGES[code])
      : of(ErrorCode.INTERNAL, GENERIC_MESSAGES.INTERNAL, true);
  }

  if (isHttpError(error)) {
    const code = codeForStatus(error.status);
    if (code) return of(code, GENERIC_MESSAGES[code]);
  }

  if (error instanceof ChangeLockTimeoutError) {
    return of(ErrorCode.SERVICE_UNAVAILABLE, GENERIC_MESSAGES.SERVICE_UNAVAILABLE, true);
  }
  if (isStorageUnavailable(error)) {
    return of(ErrorCode.SERVICE_UNAVAILABLE, GENERIC_MESSAGES.SERVICE_UNAVAILABLE, true);
  }

  return of(ErrorCode.INTERNAL, GENERIC_MESSAGES.INTERNAL, true);
}

/** http-errors (used by body-parser/raw-body): `expose` is true only for client errors meant to be shown. */
function isHttpError(error: unknown): error is { status: number; expose: boolean } {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { status?: unknown; expose?: unknown };
  return typeof e.status === 'number' && e.expose === true;
}
