import { ErrorCode, type AuthResponse } from '@chat/shared';
import { ApiError } from './api-error';
import { browserLocks, type LockRequester } from './web-locks';

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
export const PROACTIVE_REFRESH_MARGIN_MS = 30_000;

/**
 * The signed-in session of one tab: the access token in memory only (never storage or cookies; the refresh token is
 * the API's httpOnly cookie), who listens to its changes, and token refresh.
 *
 * - Refreshes are single-flight: every concurrent caller awaits the same call, because the API rotates the refresh
 *   token on use and a second refresh with the old cookie would be treated as token reuse. Across tabs (which share
 *   the cookie) a Web Lock serialises them, so the second tab sends the cookie the first has just rotated.
 * - A refresh is scheduled PROACTIVE_REFRESH_MARGIN_MS before the access token expires.
 * - A refresh refused with REFRESH_TOKEN_INVALID or UNAUTHENTICATED ends the session: listeners hear `null`.
 */
export class AuthSession {
  private accessToken: string | null = null;
  private refreshing: Promise<AuthResponse> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<AuthListener>();

  /**
   * @param callRefresh POST /api/auth/refresh with the cookie; rejects with ApiError
   * @param locks cross-tab locks (default: the browser's, when it has them)
   */
  constructor(
    private readonly callRefresh: () => Promise<AuthResponse>,
    private readonly locks: LockRequester | undefined = browserLocks(),
  ) {}

  /** The current access token, or null when signed out. */
  token(): string | null {
    return this.accessToken;
  }

  /** Settles when the refresh in flight (if any) has, whatever its outcome. */
  async settled(): Promise<void> {
    await this.refreshing?.catch(() => undefined);
  }

  /** Subscribes to sign-in, token refresh and session loss. Returns the unsubscribe function. */
  onChange(listener: AuthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Gets a new access token with the refresh cookie; single-flight within the tab, serialised across tabs.
   * @throws ApiError from the call; on REFRESH_TOKEN_INVALID/UNAUTHENTICATED the session is dropped first
   */
  refresh(): Promise<AuthResponse> {
    if (!this.refreshing) {
      const call = (): Promise<AuthResponse> => this.callRefresh();
      const locked = this.locks ? this.locks.request(REFRESH_LOCK_NAME, call) : call();
      this.refreshing = locked
        .then((auth) => this.apply(auth))
        .catch((error: unknown) => {
          if (error instanceof ApiError && SESSION_LOST_CODES.has(error.code)) this.clear();
          throw error;
        })
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  /** Takes the tokens of a successful sign-in or refresh, schedules the next refresh and tells the listeners. */
  apply(auth: AuthResponse): AuthResponse {
    this.accessToken = auth.accessToken;
    this.scheduleRefresh(auth.accessTokenExpiresAt);
    for (const listener of this.listeners) listener(auth);
    return auth;
  }

  /** Forgets the session (sign-out or loss) and tells the listeners `null`. */
  clear(): void {
    this.accessToken = null;
    this.stopTimer();
    for (const listener of this.listeners) listener(null);
  }

  /** Stops the proactive refresh and drops every listener (when the tab's client is disposed). */
  dispose(): void {
    this.stopTimer();
    this.listeners.clear();
  }

  private stopTimer(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private scheduleRefresh(expiresAtIso: string): void {
    this.stopTimer();
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
}
