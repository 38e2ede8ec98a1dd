/**
 * REST contract under `/api`. Each request type is what the API's DTO class `implements`; each response type
 * is what the web app's client returns.
 *
 *   POST   /api/auth/register                     RegisterRequest      -> 201 AuthResponse (+ refresh cookie)
 *   POST   /api/auth/login                        LoginRequest         -> 200 AuthResponse (+ refresh cookie)
 *   POST   /api/auth/refresh                      (refresh cookie)     -> 200 AuthResponse (+ rotated cookie)
 *   POST   /api/auth/logout                       (refresh cookie)     -> 204 (cookie cleared, session revoked)
 *   GET    /api/users/me                                               -> 200 SelfUser
 *   PATCH  /api/users/me                          UpdateProfileRequest -> 200 SelfUser
 *   GET    /api/users?q=&cursor=&limit=           UserSearchQuery      -> 200 Page<PublicUser>
 *   GET    /api/conversations?cursor=&limit=      PageQuery            -> 200 Page<ConversationSummary>
 *   POST   /api/conversations/direct              OpenDirectRequest    -> 200|201 ConversationSummary
 *   GET    /api/conversations/:id                                      -> 200 ConversationSummary
 *   GET    /api/conversations/:id/messages        HistoryQuery         -> 200 MessagePage
 *   POST   /api/conversations/:id/messages        SendMessageBody      -> 200|201 Message (REST twin of message:send)
 *   GET    /api/health                                                 -> 200|503 HealthResponse
 */
import type { SelfUser } from './models.js';

/** Name of the httpOnly cookie that carries the refresh token (path-scoped to /api/auth). */
export const REFRESH_COOKIE_NAME = 'chat_refresh';

export interface RegisterRequest {
  username: string;
  password: string;
  /** Defaults to the username. */
  displayName?: string;
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

export interface PageQuery {
  cursor?: string;
  limit?: number;
}

export interface UserSearchQuery extends PageQuery {
  /** Matches the start of a username or of any word of a display name, case-insensitively. */
  q?: string;
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
}

export type HealthStatus = 'ok' | 'error';

export interface HealthResponse {
  status: HealthStatus;
  database: {
    status: HealthStatus;
    /** Which adapter serves storage: 'pglite', 'postgres' or 'mongodb'. */
    driver: string;
    /** Round trip of a trivial query, in milliseconds. */
    latencyMs: number | null;
  };
  uptimeSeconds: number;
}
