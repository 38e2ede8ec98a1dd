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
  /** The conversation is a direct one and the operation is for groups only. 400. */
  NOT_A_GROUP: 'NOT_A_GROUP',
  /** Only group admins may do this. 403. */
  ADMIN_REQUIRED: 'ADMIN_REQUIRED',
  /** The caller left or was removed: the conversation is read-only for them. 403. */
  MEMBERSHIP_ENDED: 'MEMBERSHIP_ENDED',
  /** A user to add is already an active member. 409. */
  ALREADY_MEMBER: 'ALREADY_MEMBER',
  /** A user to remove, promote or demote is not an active member. 404. */
  NOT_A_MEMBER: 'NOT_A_MEMBER',
  /** The group would exceed LIMITS.GROUP_MEMBERS_MAX members. 400. */
  MEMBER_LIMIT_EXCEEDED: 'MEMBER_LIMIT_EXCEEDED',
  /**
   * This person cannot be messaged, added to a group or reached by the caller: a block between the two (in either
   * direction). Deliberately one code for "they blocked you" and "you blocked them", so a refusal does not say who
   * blocked whom (docs/privacy.md). 403.
   */
  CONTACT_UNAVAILABLE: 'CONTACT_UNAVAILABLE',
  /**
   * The caller has not accepted this message request or group invitation yet: accept it (or reply, which
   * accepts) before typing in it. 403.
   */
  REQUEST_PENDING: 'REQUEST_PENDING',
  /** The conversation holds no pending request or invitation of the caller (nothing to accept or decline). 409. */
  NO_PENDING_REQUEST: 'NO_PENDING_REQUEST',
  /** A mentioned user is not an active member of the conversation (nothing is stored). 400. */
  MENTION_NOT_MEMBER: 'MENTION_NOT_MEMBER',
  /** An uploaded file is larger than the per-file limit. 413. */
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  /** An image has more pixels than LIMITS.IMAGE_MAX_PIXELS (decompression-bomb guard). 413. */
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  /** An uploaded file has no bytes. 400. */
  EMPTY_FILE: 'EMPTY_FILE',
  /** The file's type (sniffed from its bytes) is not allowed, or does not match what it claims to be. 415. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** More attachments in one message than LIMITS.ATTACHMENTS_PER_MESSAGE. 400. */
  TOO_MANY_ATTACHMENTS: 'TOO_MANY_ATTACHMENTS',
  /**
   * The message does not exist in this conversation, or lies beyond what the caller may read (a former member's
   * history ends at their departure). Also for a reply naming such a message. 404.
   */
  MESSAGE_NOT_FOUND: 'MESSAGE_NOT_FOUND',
  /** Only the author may do this to a message (edit; delete, unless a group admin). 403. */
  NOT_MESSAGE_AUTHOR: 'NOT_MESSAGE_AUTHOR',
  /** System messages (group timeline entries) cannot be edited, deleted, reacted to or forwarded. 400. */
  MESSAGE_NOT_MODIFIABLE: 'MESSAGE_NOT_MODIFIABLE',
  /** The message was deleted: it cannot be edited, reacted to or forwarded any more. 409. */
  MESSAGE_DELETED: 'MESSAGE_DELETED',
  /** The edit window (the API's MESSAGE_EDIT_WINDOW_MINUTES) after sending has passed. 403. */
  EDIT_WINDOW_CLOSED: 'EDIT_WINDOW_CLOSED',
  /** The message already has LIMITS.REACTIONS_PER_MESSAGE_MAX distinct emoji; react with one of them instead. 409. */
  REACTION_LIMIT_EXCEEDED: 'REACTION_LIMIT_EXCEEDED',
  /** The caller's upload quota for the day is used up. 429. */
  UPLOAD_QUOTA_EXCEEDED: 'UPLOAD_QUOTA_EXCEEDED',
  /** The attachment does not exist or the caller may not use or see it. 404. */
  ATTACHMENT_NOT_FOUND: 'ATTACHMENT_NOT_FOUND',
  /** The attachment was already sent with a message. 409. */
  ATTACHMENT_IN_USE: 'ATTACHMENT_IN_USE',
  /**
   * The session behind this access token is over (signed out, revoked for refresh-token reuse, expired), on REST
   * and on sockets alike: treat as signed out, do not refresh and retry. 401.
   */
  SESSION_REVOKED: 'SESSION_REVOKED',
  /**
   * A socket handshake from a browser page whose `Origin` is not one of the web app's origins (WEB_ORIGIN): a
   * foreign site trying to use a signed-in person's tab. Not retryable. 403.
   */
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  /**
   * A socket handshake over the per-person cap on simultaneous sockets (SOCKETS_PER_USER_MAX): close another tab
   * or device, or retry later. 429.
   */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /**
   * The account was deactivated by an instance administrator: sign-in and refresh are refused and its sessions
   * were ended (their sockets get `session:expired` with this code). Not retryable. 403.
   */
  ACCOUNT_DEACTIVATED: 'ACCOUNT_DEACTIVATED',
  /** Registration is closed on this server (registration mode `closed`). 403. */
  REGISTRATION_CLOSED: 'REGISTRATION_CLOSED',
  /**
   * Registration is invite-only and the invite token is missing, unknown, expired, revoked or used up. 403.
   */
  INVITE_INVALID: 'INVITE_INVALID',
  /** Only instance administrators may do this. 403. */
  INSTANCE_ADMIN_REQUIRED: 'INSTANCE_ADMIN_REQUIRED',
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
  NOT_A_GROUP: 400,
  ADMIN_REQUIRED: 403,
  MEMBERSHIP_ENDED: 403,
  ALREADY_MEMBER: 409,
  NOT_A_MEMBER: 404,
  MEMBER_LIMIT_EXCEEDED: 400,
  CONTACT_UNAVAILABLE: 403,
  REQUEST_PENDING: 403,
  NO_PENDING_REQUEST: 409,
  MENTION_NOT_MEMBER: 400,
  FILE_TOO_LARGE: 413,
  IMAGE_TOO_LARGE: 413,
  EMPTY_FILE: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_ATTACHMENTS: 400,
  MESSAGE_NOT_FOUND: 404,
  NOT_MESSAGE_AUTHOR: 403,
  MESSAGE_NOT_MODIFIABLE: 400,
  MESSAGE_DELETED: 409,
  EDIT_WINDOW_CLOSED: 403,
  REACTION_LIMIT_EXCEEDED: 409,
  UPLOAD_QUOTA_EXCEEDED: 429,
  ATTACHMENT_NOT_FOUND: 404,
  ATTACHMENT_IN_USE: 409,
  SESSION_REVOKED: 401,
  ORIGIN_NOT_ALLOWED: 403,
  TOO_MANY_CONNECTIONS: 429,
  ACCOUNT_DEACTIVATED: 403,
  REGISTRATION_CLOSED: 403,
  INVITE_INVALID: 403,
  INSTANCE_ADMIN_REQUIRED: 403,
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
  /**
   * With RATE_LIMITED from the per-person write limit: milliseconds to wait before the next write can succeed
   * (REST answers also carry it as the `Retry-After` header, in whole seconds).
   */
  retryAfterMs?: number;
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
