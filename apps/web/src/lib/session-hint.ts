/**
 * What this browser last knew of its session, kept in localStorage: whether it ended (sign-out, or a refresh the
 * API refused). A page load asks the API for a session with the refresh cookie only when it may have one, so a
 * signed-out visitor's every page load does not cost a request answered 401 (which the browser logs in the
 * console as an error). The hint never grants anything: the httpOnly cookie stays the only proof, and a missing
 * or unreadable hint means "ask" (a first visit, storage refused in private mode, a browser from before the hint).
 */
export interface SessionHint {
  /** True when the last thing this browser learnt is that its session ended. */
  ended(): boolean;
  /**
   * Records a sign-in or refresh (`true`: the next page load asks), or that this browser's session surely ended
   * (`false`): a sign-out, or the API refusing the refresh cookie. Not for a tab losing its session some other
   * way, which may be an older session than the cookie's.
   */
  remember(signedIn: boolean): void;
}

/** localStorage key of the hint ('ended' when the session ended; absent otherwise). */
export const SESSION_HINT_KEY = 'relay:session';

/**
 * The hint in `storage` (the page's localStorage by default). Every storage error is swallowed: without storage
 * the page simply asks the API each time, as before.
 */
export function storedSessionHint(storage: () => Storage = () => localStorage): SessionHint {
  return {
    ended() {
      try {
        return storage().getItem(SESSION_HINT_KEY) === 'ended';
      } catch {
        return false;
      }
    },
    remember(signedIn) {
      try {
        if (signedIn) storage().removeItem(SESSION_HINT_KEY);
        else storage().setItem(SESSION_HINT_KEY, 'ended');
      } catch {
        // Storage refused: the next page load asks the API, as without a hint.
      }
    },
  };
}
