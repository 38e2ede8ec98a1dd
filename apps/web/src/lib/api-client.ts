import type { AuthResponse, LoginRequest, RegisterRequest } from '@chat/shared';
import { ApiEndpoints } from './api-endpoints';
import { AuthSession, type AuthListener } from './auth-session';
import { browserLocks, type LockRequester } from './web-locks';
import { RequestCore } from './request-core';

export { ApiError, describeError } from './api-error';
export type { AuthListener } from './auth-session';

/**
 * Typed client for the REST API described in `@chat/shared` (`rest.ts`): the endpoints (`ApiEndpoints`) plus
 * sign-in, sign-out and the session.
 *
 * - The access token lives in memory only, in an `AuthSession` (single-flight refresh, serialised across tabs with
 *   a Web Lock, refreshed shortly before it expires); the refresh token is the API's httpOnly cookie.
 * - Every call goes through one `RequestCore`: on `401 TOKEN_EXPIRED` it refreshes once and retries once.
 * - Every failure is thrown as `ApiError`; a network failure becomes status 0 / SERVICE_UNAVAILABLE.
 */
export class ApiClient extends ApiEndpoints {
  readonly baseUrl: string;
  private readonly session: AuthSession;

  /**
   * @param baseUrl the API origin, e.g. `http://localhost:3001` (no trailing slash, no `/api`).
   * @param locks cross-tab locks for refreshes (default: the browser's Web Locks, when it has them)
   */
  constructor(baseUrl: string, locks: LockRequester | undefined = browserLocks()) {
    const origin = baseUrl.replace(/\/+$/, '');
    const session: AuthSession = new AuthSession(
      (): Promise<AuthResponse> =>
        http.request<AuthResponse>('/api/auth/refresh', { method: 'POST', authenticated: false }),
      locks,
    );
    const http: RequestCore = new RequestCore(origin, session);
    super(http);
    this.baseUrl = origin;
    this.session = session;
  }

  /** The current access token (for the socket handshake and uploads), or null when signed out. */
  getAccessToken(): string | null {
    return this.session.token();
  }

  /** Subscribes to sign-in, token refresh and session loss. Returns the unsubscribe function. */
  onAuthChange(listener: AuthListener): () => void {
    return this.session.onChange(listener);
  }

  /** POST /api/auth/register -> 201 AuthResponse. Throws ApiError (USERNAME_TAKEN, VALIDATION_FAILED, ...). */
  async register(input: RegisterRequest): Promise<AuthResponse> {
    return this.session.apply(
      await this.http.request<AuthResponse>('/api/auth/register', {
        method: 'POST',
        body: input,
        authenticated: false,
      }),
    );
  }

  /** POST /api/auth/login -> AuthResponse. Throws ApiError INVALID_CREDENTIALS for unknown user or wrong password. */
  async login(input: LoginRequest): Promise<AuthResponse> {
    return this.session.apply(
      await this.http.request<AuthResponse>('/api/auth/login', {
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
    return this.session.refresh();
  }

  /** POST /api/auth/logout -> 204. The local session is dropped even if the call fails. */
  async logout(): Promise<void> {
    try {
      await this.http.request<void>('/api/auth/logout', { method: 'POST', authenticated: false });
    } finally {
      this.session.clear();
    }
  }

  /**
   * Drops the in-memory session without calling the API, for when the server has already ended it (a socket
   * handshake refused with SESSION_REVOKED): listeners hear `null`, so the app shows sign-in. (Not `logout`: the
   * refresh cookie may by now belong to another sign-in, which must not be revoked.)
   */
  dropSession(): void {
    if (this.session.token() !== null) this.session.clear();
  }

  /** Stops the proactive refresh timer and drops the listeners (when the provider unmounts). */
  dispose(): void {
    this.session.dispose();
  }
}
