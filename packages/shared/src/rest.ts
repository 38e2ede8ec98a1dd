/**
 * REST request and response types under `/api`. Each request type is what the API's DTO class `implements`; each
 * response type is what the web app's client returns. The routes themselves (method, path, auth, status codes
 * and error codes) are described by the API's OpenAPI document, served at `/api/docs-json` (Swagger UI at
 * `/api/docs`) and built from the controllers, so it cannot drift from them.
 *
 * File GETs are made by <img> and download links, which cannot send an Authorization header: they authenticate
 * with the httpOnly MEDIA_COOKIE_NAME cookie that the auth routes set beside the refresh cookie.
 */
import type {
  GroupAddPolicy,
  LastSeenVisibility,
  MemberRole,
  NotificationLevel,
  SelfUser,
} from './models.js';

/** Name of the httpOnly cookie that carries the refresh token (path-scoped to /api/auth). */
export const REFRESH_COOKIE_NAME = 'chat_refresh';

/**
 * Name of the httpOnly cookie that authenticates file downloads (GET only, path-scoped to the file routes).
 * Set and renewed by register, login and refresh; cleared by logout. Never accepted by any other route.
 */
export const MEDIA_COOKIE_NAME = 'chat_media';

export interface RegisterRequest {
  username: string;
  password: string;
  /** Defaults to the username. */
  displayName?: string;
  /** Required when the server's registration mode is `invite-only`: the token of an invite link. */
  inviteToken?: string;
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface AuthResponse {
  /** Short-lived JWT; send as `Authorization: Bearer <token>` and as the socket's `auth.token`. */
  accessToken: string;
  /** When the access token expires (ISO 8601); refresh a little before. */
  accessTokenExpiresAt: string;
  user: SelfUser;
}

export interface UpdateProfileRequest {
  displayName: string;
}

/** PATCH /api/users/me/privacy: one or more of the settings; the answer is every setting (PrivacySettings). */
export interface UpdatePrivacyRequest {
  lastSeen?: LastSeenVisibility;
  groupAdd?: GroupAddPolicy;
}

export interface PageQuery {
  cursor?: string;
  limit?: number;
}

export interface UserSearchQuery extends PageQuery {
  /**
   * Matches the start of a username or of any word of a display name, case-insensitively. Required, at least one
   * character after trimming: the directory answers searches, it does not list everyone.
   */
  q: string;
}

export interface OpenDirectRequest {
  /** The other person. */
  userId: string;
}

/** Give at most one of `before` / `after`; neither means the newest page. */
export interface HistoryQuery {
  /** Messages with seq < before, newest page first (returned ascending). */
  before?: number;
  /** Messages with seq > after, oldest first (catch-up after reconnect). */
  after?: number;
  limit?: number;
}

export interface SendMessageBody {
  clientMessageId: string;
  body: string;
  /** As SendMessagePayload.attachmentIds: unsent attachments of the sender in this conversation (0..10). */
  attachmentIds?: string[];
  /** As SendMessagePayload.replyToId: the message of this conversation this one replies to. */
  replyToId?: string;
  /** As SendMessagePayload.mentions. */
  mentions?: string[];
  /** As SendMessagePayload.mentionsAll. */
  mentionsAll?: boolean;
}

/**
 * GET /api/conversations/:id/messages/around: a window of history centred on `seq` (for jumping to a search result
 * or a replied-to message): up to `limit` messages with seq <= `seq` and up to `limit` above it.
 */
export interface HistoryAroundQuery {
  seq: number;
  /** Messages on each side, 1..LIMITS.HISTORY_AROUND_MAX (default LIMITS.HISTORY_AROUND_DEFAULT). */
  limit?: number;
}

/**
 * GET /api/search/messages: full-text search over every message the caller may read (conversations they are in,
 * and a former member's history up to their departure). Best match first, ties newest first; keyset pages.
 * Words are matched whole, ignoring case and accents; the last word also matches as a prefix (search as you type);
 * `"quoted phrase"`, `or` and `-word` work as in web search engines (PostgreSQL websearch_to_tsquery).
 */
export interface MessageSearchQuery extends PageQuery {
  /** 1..LIMITS.SEARCH_QUERY_MAX characters after trimming. */
  q: string;
  /** Only this conversation. */
  conversationId?: string;
  /** Only messages of this sender. */
  senderId?: string;
  /** Only messages with at least one attachment. */
  hasFile?: boolean;
  /** Only messages sent at or after this time (ISO 8601). */
  from?: string;
  /** Only messages sent before this time (ISO 8601). */
  to?: string;
}

/** PUT /api/conversations/:id/notification-level: the caller's level for this conversation. */
export interface NotificationLevelRequest {
  level: NotificationLevel;
}

/**
 * `PATCH /api/conversations/:id/messages/:messageId`: replace the body (author only, text messages, not deleted).
 * Same body rules as sending (trimmed 1..LIMITS.MESSAGE_BODY_MAX; may be empty when the message has attachments).
 * Setting the body it already has changes nothing (so a retry is harmless). Answers the message as it is now.
 */
export interface EditMessageBody {
  body: string;
}

/**
 * `POST /api/conversations/:id/messages/:messageId/forward`: copy the message (body and attachments, as new files)
 * into another conversation as a new message marked `forwarded`. The caller must be able to read the source and
 * write to the target. Idempotent on (target, caller, clientMessageId) like a send: 201 stored now, 200 a retry.
 */
export interface ForwardMessageBody {
  /** Where the copy goes (may be the same conversation). */
  targetConversationId: string;
  /** UUID made by the client for the new message (the send's idempotency key in the target). */
  clientMessageId: string;
}

/**
 * `GET /api/conversations/:id/changes?after=&limit=`: the messages changed (edited, deleted, reacted to) after
 * change value `after`, oldest change first, as the caller sees them now (MessageChangesPage). A former member gets
 * changes up to their departure only, and only of messages they can read.
 */
export interface ChangesQuery {
  /** A conversation change value (ConversationSummary.changeSeq / Message.changeSeq); 0 = from the start. */
  after: number;
  /** 1..LIMITS.CHANGES_PAGE_MAX, default LIMITS.CHANGES_PAGE_DEFAULT. */
  limit?: number;
}

/*
 * Other message-action routes (no request body; each answers the message as it is now, 200):
 * - `DELETE /api/conversations/:id/messages/:messageId`: delete (author; in a group also any admin). Deleting a
 *   deleted message changes nothing.
 * - `PUT /api/conversations/:id/messages/:messageId/reactions/:emoji`: add the caller's reaction (emoji
 *   URL-encoded with encodeURIComponent); adding one the caller already has changes nothing.
 * - `DELETE /api/conversations/:id/messages/:messageId/reactions/:emoji`: remove it; removing one the caller does
 *   not have changes nothing.
 */

/**
 * Raise the caller's receipt watermarks (REST twin of the `receipt:update` socket event, same rules): values
 * are sequence numbers; they never lower a watermark and are capped at the conversation's lastSeq.
 */
export interface ReceiptRequest {
  deliveredSeq?: number;
  readSeq?: number;
}

export interface CreateGroupRequest {
  /** 1..LIMITS.GROUP_TITLE_MAX characters after trimming. */
  title: string;
  /** The other members (1..LIMITS.GROUP_MEMBERS_MAX - 1 distinct existing users, not the creator). */
  memberIds: string[];
}

export interface UpdateGroupRequest {
  title: string;
}

export interface AddMembersRequest {
  /** Distinct existing users who are not active members. */
  userIds: string[];
}

export interface UpdateMemberRequest {
  role: MemberRole;
}

export type HealthStatus = 'ok' | 'error';

/**
 * GET /api/health/origin: whether the API accepts the calling page's origin (its `WEB_ORIGIN` list). Readable from
 * any origin (`Access-Control-Allow-Origin: *`, no credentials), so a page the API refuses can learn that it is
 * refused, and say so, instead of "cannot reach the server".
 */
export interface OriginCheckResponse {
  /** False also when the request carries no `Origin` header (not a browser page). */
  allowed: boolean;
}

export interface HealthResponse {
  status: HealthStatus;
  database: {
    status: HealthStatus;
    /** Which adapter serves storage: 'pglite', 'postgres' or 'mongodb'. */
    driver: string;
    /** Round trip of a trivial query, in milliseconds. */
    latencyMs: number | null;
  };
  /**
   * Present only when the API runs with REDIS_URL (several processes share live state through it). Reported, not
   * part of `status`: without Redis a process still serves its own sockets and REST, so a balancer should keep it.
   */
  redis?: {
    status: HealthStatus;
    /** Round trip of PING, in milliseconds; null when it did not answer. */
    latencyMs: number | null;
  };
  uptimeSeconds: number;
}
