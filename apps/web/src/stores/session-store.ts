import { createStore, type StoreApi } from 'zustand/vanilla';
import { ErrorCode, type LoginRequest, type RegisterRequest, type SelfUser } from '@chat/shared';
import { ApiError, type ApiClient } from '@/lib/api-client';
import { OriginRefusedError } from '@/lib/api-error';
import { type SessionHint, storedSessionHint } from '@/lib/session-hint';

/**
 * - `restoring`: asking the API for a session with the refresh cookie (page load).
 * - `signedIn` / `signedOut`: known.
 * - `unreachable`: the API could not be reached while restoring; `restore()` again to retry.
 */
export type SessionStatus = 'restoring' | 'signedIn' | 'signedOut' | 'unreachable';

export interface SessionState {
  status: SessionStatus;
  /** The signed-in person; null unless `status === 'signedIn'`. The access token stays inside ApiClient. */
  user: SelfUser | null;
  /**
   * With `unreachable`: the address the page was opened at when the API is up but does not allow it (its
   * WEB_ORIGIN), else null (the API did not answer at all).
   */
  refusedOrigin: string | null;
  /**
   * Restores the session through POST /api/auth/refresh (the httpOnly cookie), unless this browser knows its
   * session ended (SessionHint): then it is signed out without asking. Never throws.
   */
  restore: () => Promise<void>;
  /** Signs in; throws ApiError (INVALID_CREDENTIALS, VALIDATION_FAILED, RATE_LIMITED, SERVICE_UNAVAILABLE). */
  login: (input: LoginRequest) => Promise<void>;
  /** Creates the account and signs in; throws ApiError (USERNAME_TAKEN, VALIDATION_FAILED, ...). */
  register: (input: RegisterRequest) => Promise<void>;
  /** Revokes the session on the API and forgets it locally; throws ApiError if the API call failed. */
  logout: () => Promise<void>;
}

export type SessionStore = StoreApi<SessionState>;

/** The auth calls the session store makes and the auth changes it follows. */
export type SessionApi = Pick<
  ApiClient,
  'refresh' | 'login' | 'register' | 'logout' | 'onAuthChange'
>;

/**
 * Creates the session store bound to one ApiClient. Created inside the app provider (one per browser tab,
 * one per SSR request), never at module level, following zustand's Next.js guide.
 * @param hint whether this browser's session is known to have ended (default: kept in localStorage)
 */
export function createSessionStore(
  api: SessionApi,
  hint: SessionHint = storedSessionHint(),
): SessionStore {
  const store = createStore<SessionState>()((set, get) => ({
    status: 'restoring',
    user: null,
    refusedOrigin: null,
    restore: async () => {
      set({ status: 'restoring', refusedOrigin: null });
      if (hint.ended()) {
        set({ status: 'signedOut', user: null });
        return;
      }
      try {
        await api.refresh();
      } catch (error) {
        const unreachable = error instanceof ApiError && error.status === 0;
        // Only the API's own answer that the cookie gives no session is remembered (not a bare 401 of a proxy).
        if (error instanceof ApiError && error.code === ErrorCode.REFRESH_TOKEN_INVALID) {
          hint.remember(false);
        }
        set({
          status: unreachable ? 'unreachable' : 'signedOut',
          user: null,
          refusedOrigin: error instanceof OriginRefusedError ? error.origin : null,
        });
      }
    },
    login: async (input) => {
      await api.login(input);
    },
    register: async (input) => {
      await api.register(input);
    },
    logout: async () => {
      if (get().status !== 'signedIn') return;
      try {
        await api.logout();
      } finally {
        hint.remember(false); // signed out locally even when the API did not answer
      }
    },
  }));
  // Every auth result (login, register, refresh, proactive refresh, loss) flows through one place. A loss is not
  // remembered as the session's end: a tab that lost an older session (another tab signed out and in as someone
  // else meanwhile) must not hide the newer one's cookie from later page loads.
  api.onAuthChange((auth) => {
    if (auth) {
      hint.remember(true);
      store.setState({ status: 'signedIn', user: auth.user });
    } else {
      store.setState({ status: 'signedOut', user: null });
    }
  });
  return store;
}
