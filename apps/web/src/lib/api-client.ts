import {
  ErrorCode,
  isErrorCode,
  type AddMembersRequest,
  type ApiErrorBody,
  type AuthResponse,
  type ConversationSummary,
  type CreateGroupRequest,
  type HistoryQuery,
  type LoginRequest,
  type Message,
  type MessagePage,
  type OpenDirectRequest,
  type Page,
  type PageQuery,
  type PublicUser,
  type RegisterRequest,
  type SelfUser,
  type SendMessageBody,
  type UpdateGroupRequest,
  type UpdateMemberRequest,
  type UpdateProfileRequest,
  type UserSearchQuery,
} from '@chat/shared';

/**
 * A failed API call, parsed from the API's `ApiErrorBody` (`{ statusCode, code, message, details? }`).
 * `status` is 0 and `code` is SERVICE_UNAVAILABLE when the API could not be reached at all.
 * Callers branch on `code`, never on `message` (which is for people).
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, string[]> | undefined;
  /** With RATE_LIMITED from the write limit: how long to wait before trying again, in ms. */
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

/** Who the client is signed in as after a successful auth call, or null once the session is gone. */
export type AuthListener = (auth: AuthResponse | null) => void;

/** Codes that mean the refresh cookie can no longer give a session: sign the person out. */
const SESSION_LOST_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.REFRESH_TOKEN_INVALID,
  ErrorCode.UNAUTHENTICATED,
]);

/** Web Lock taken around POST /api/auth/refresh (see `refresh`). */
const REFRESH_LOCK_NAME = 'chat-auth-refresh';

/** Refresh this long before the access token expires, so in-flight calls rarely meet TOKEN_EXPIRED. */
const PROACTIVE_REFRESH_MARGIN_MS = 30_000;

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  /** Send the Bearer token and retry once after refreshing on TOKEN_EXPIRED. Default true. */
  authenticated?: boolean;
  signal?: AbortSignal;
}

function parseErrorBody(status: number, body: unknown): ApiError {
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

/**
 * Typed client for the REST API described in `@chat/shared` (`rest.ts`).
 *
 * - Holds the access token in memory only (never storage or cookies); the refresh token is the API's
 *   httpOnly cookie, sent because every request uses `credentials: 'include'`.
 * - On `401 TOKEN_EXPIRED` it refreshes once and retries the call once. Refreshes are single-flight: every
 *   concurrent caller awaits the same POST /api/auth/refresh, because the API rotates the refresh token on
 *   use and a second refresh with the old cookie would be treated as token reuse.
 * - Every failure is thrown as `ApiError`; a network failure becomes status 0 / SERVICE_UNAVAILABLE.
 */
export class ApiClient {
  readonly baseUrl: string;
  private accessToken: string | null = null;
  private refreshing: Promise<AuthResponse> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<AuthListener>();

  /** @param baseUrl the API origin, e.g. `http://localhost:3001` (no trailing slash, no `/api`). */
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** The current access token (for the socket handshake), or null when signed out. */
  getAccessToken(): string | null {
    return this.accessToken;
  }

  /** Subscribes to sign-in, token refresh and session loss. Returns the unsubscribe function. */
  onAuthChange(listener: AuthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** POST /api/auth/register -> 201 AuthResponse. Throws ApiError (USERNAME_TAKEN, VALIDATION_FAILED, ...). */
  async register(input: RegisterRequest): Promise<AuthResponse> {
    return this.applyAuth(
      await this.request<AuthResponse>('/api/auth/register', {
        method: 'POST',
        body: input,
        authenticated: false,
      }),
    );
  }

  /** POST /api/auth/login -> AuthResponse. Throws ApiError INVALID_CREDENTIALS for unknown user or wrong password. */
  async login(input: LoginRequest): Promise<AuthResponse> {
    return this.applyAuth(
      await this.request<AuthResponse>('/api/auth/login', {
        method: 'POST',
        body: input,
        authenticated: false,
      }),
    );
  }

  /**
   * POST /api/auth/refresh with the cookie; single-flight. On REFRESH_TOKEN_INVALID/UNAUTHENTICATED the
   * in-memory session is dropped and listeners hear `null` before the error is rethrown.
   */
  refresh(): Promise<AuthResponse> {
    if (!this.refreshing) {
      const call = () =>
        this.request<AuthResponse>('/api/auth/refresh', { method: 'POST', authenticated: false });
      // Tabs share the cookie: the API revokes the whole session when a rotated refresh token is presented
      // again, so two tabs refreshing at once would sign the person out. A Web Lock serialises refreshes
      // across tabs; the second one sends the cookie the first has just rotated.
      const locked: Promise<AuthResponse> =
        typeof navigator !== 'undefined' && navigator.locks
          ? navigator.locks.request(REFRESH_LOCK_NAME, call)
          : call();
      this.refreshing = locked
        .then((auth) => this.applyAuth(auth))
        .catch((error: unknown) => {
          if (error instanceof ApiError && SESSION_LOST_CODES.has(error.code)) this.clearAuth();
          throw error;
        })
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  /** POST /api/auth/logout -> 204. The local session is dropped even if the call fails. */
  async logout(): Promise<void> {
    try {
      await this.request<void>('/api/auth/logout', { method: 'POST', authenticated: false });
    } finally {
      this.clearAuth();
    }
  }

  /**
   * Drops the in-memory session without calling the API, for when the server has already ended it (a socket
   * handshake refused with SESSION_REVOKED): listeners hear `null`, so the app shows sign-in. (Not `logout`: the
   * refresh cookie may by now belong to another sign-in, which must not be revoked.)
   */
  dropSession(): void {
    if (this.accessToken !== null) this.clearAuth();
  }

  /** GET /api/users/me -> SelfUser. */
  me(): Promise<SelfUser> {
    return this.request<SelfUser>('/api/users/me');
  }

  /** PATCH /api/users/me -> SelfUser. */
  updateProfile(input: UpdateProfileRequest): Promise<SelfUser> {
    return this.request<SelfUser>('/api/users/me', { method: 'PATCH', body: input });
  }

  /** GET /api/users?q=&cursor=&limit= -> Page<PublicUser>. */
  searchUsers(query: UserSearchQuery, signal?: AbortSignal): Promise<Page<PublicUser>> {
    return this.request<Page<PublicUser>>('/api/users', {
      query: { ...query },
      ...(signal ? { signal } : {}),
    });
  }

  /** GET /api/conversations?cursor=&limit= -> Page<ConversationSummary>, most recent activity first. */
  listConversations(query: PageQuery = {}): Promise<Page<ConversationSummary>> {
    return this.request<Page<ConversationSummary>>('/api/conversations', { query: { ...query } });
  }

  /** POST /api/conversations/direct -> ConversationSummary (idempotent: the same one every time). */
  openDirect(input: OpenDirectRequest): Promise<ConversationSummary> {
    return this.request<ConversationSummary>('/api/conversations/direct', {
      method: 'POST',
      body: input,
    });
  }

  /** GET /api/conversations/:id -> ConversationSummary. Throws CONVERSATION_NOT_FOUND for non-members. */
  getConversation(id: string): Promise<ConversationSummary> {
    return this.request<ConversationSummary>(`/api/conversations/${encodeURIComponent(id)}`);
  }

  /** GET /api/conversations/:id/messages?before=|after=&limit= -> MessagePage (ascending seq). */
  history(id: string, query: HistoryQuery = {}): Promise<MessagePage> {
    return this.request<MessagePage>(`/api/conversations/${encodeURIComponent(id)}/messages`, {
      query: { ...query },
    });
  }

  /** POST /api/conversations/:id/messages -> Message: the REST twin of `message:send`. */
  sendMessage(id: string, input: SendMessageBody): Promise<Message> {
    return this.request<Message>(`/api/conversations/${encodeURIComponent(id)}/messages`, {
      method: 'POST',
      body: input,
    });
  }

  /** POST /api/conversations/group -> 201 ConversationSummary (the caller is its first admin). */
  createGroup(input: CreateGroupRequest): Promise<ConversationSummary> {
    return this.request<ConversationSummary>('/api/conversations/group', {
      method: 'POST',
      body: input,
    });
  }

  /** PATCH /api/conversations/:id -> ConversationSummary. Admins; throws ADMIN_REQUIRED, NOT_A_GROUP, MEMBERSHIP_ENDED. */
  renameGroup(id: string, input: UpdateGroupRequest): Promise<ConversationSummary> {
    return this.request<ConversationSummary>(`/api/conversations/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: input,
    });
  }

  /** POST /api/conversations/:id/members -> ConversationSummary. Admins; throws ALREADY_MEMBER, USER_NOT_FOUND, MEMBER_LIMIT_EXCEEDED. */
  addMembers(id: string, input: AddMembersRequest): Promise<ConversationSummary> {
    return this.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/members`,
      { method: 'POST', body: input },
    );
  }

  /** DELETE /api/conversations/:id/members/:userId -> ConversationSummary. Admins (your own id means leaving); throws NOT_A_MEMBER. */
  removeMember(id: string, userId: string): Promise<ConversationSummary> {
    return this.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`,
      { method: 'DELETE' },
    );
  }

  /** PATCH /api/conversations/:id/members/:userId -> ConversationSummary. Admins promote or demote; throws NOT_A_MEMBER. */
  setMemberRole(
    id: string,
    userId: string,
    input: UpdateMemberRequest,
  ): Promise<ConversationSummary> {
    return this.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`,
      { method: 'PATCH', body: input },
    );
  }

  /** POST /api/conversations/:id/leave -> ConversationSummary with status 'left'. */
  leaveGroup(id: string): Promise<ConversationSummary> {
    return this.request<ConversationSummary>(`/api/conversations/${encodeURIComponent(id)}/leave`, {
      method: 'POST',
    });
  }

  /** DELETE /api/attachments/:id -> 204: an unsent upload of mine (cancelled or removed from the tray). */
  deleteAttachment(id: string): Promise<void> {
    return this.request<void>(`/api/attachments/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  /** DELETE /api/users/me/avatar -> SelfUser without a picture. (Uploads go through `uploadFile`: progress.) */
  removeAvatar(): Promise<SelfUser> {
    return this.request<SelfUser>('/api/users/me/avatar', { method: 'DELETE' });
  }

  /** DELETE /api/conversations/:id/avatar -> ConversationSummary (group admins). */
  removeGroupAvatar(id: string): Promise<ConversationSummary> {
    return this.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/avatar`,
      { method: 'DELETE' },
    );
  }

  /** Stops the proactive refresh timer (when the provider unmounts). */
  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.listeners.clear();
  }

  private applyAuth(auth: AuthResponse): AuthResponse {
    this.accessToken = auth.accessToken;
    this.scheduleRefresh(auth.accessTokenExpiresAt);
    for (const listener of this.listeners) listener(auth);
    return auth;
  }

  private clearAuth(): void {
    this.accessToken = null;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    for (const listener of this.listeners) listener(null);
  }

  private scheduleRefresh(expiresAtIso: string): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    const expiresAt = Date.parse(expiresAtIso);
    if (Number.isNaN(expiresAt)) return;
    // setTimeout overflows above 2^31-1 ms; tokens that long-lived need no proactive refresh.
    const delay = Math.min(
      Math.max(expiresAt - Date.now() - PROACTIVE_REFRESH_MARGIN_MS, 1_000),
      2_147_000_000,
    );
    this.refreshTimer = setTimeout(() => {
      // A failure here is handled where it matters: the next call meets TOKEN_EXPIRED and refreshes again,
      // and a lost session has already been broadcast to listeners by refresh().
      this.refresh().catch(() => undefined);
    }, delay);
  }

  private async request<T>(
    path: string,
    options: RequestOptions = {},
    retried = false,
  ): Promise<T> {
    const authenticated = options.authenticated ?? true;
    if (authenticated && !this.accessToken && this.refreshing)
      await this.refreshing.catch(() => undefined);

    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (authenticated && this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;

    let response: Response;
    try {
      response = await fetch(url, {
        method: options.method ?? 'GET',
        headers,
        credentials: 'include',
        cache: 'no-store',
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(
        0,
        ErrorCode.SERVICE_UNAVAILABLE,
        'Cannot reach the server. Check your connection and try again.',
      );
    }

    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = undefined;
      }
    }
    if (response.ok) return body as T;

    const error = parseErrorBody(response.status, body);
    if (authenticated && !retried && error.code === ErrorCode.TOKEN_EXPIRED) {
      await this.refresh();
      return this.request<T>(path, options, true);
    }
    throw error;
  }
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
