import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PresenceState, TypingEvent } from '@chat/shared';

export interface PresenceStoreState {
  /** Presence of contacts (people who share a conversation with the signed-in person), by user id. */
  byUserId: Record<string, PresenceState>;
  /** Who is typing where: conversation id -> user id -> when the indicator expires (ms since the epoch). */
  typing: Record<string, Record<string, number>>;
  /** `presence:snapshot` after connecting: replaces what was known. */
  applySnapshot: (states: PresenceState[]) => void;
  /** `presence:update`. */
  applyUpdate: (state: PresenceState) => void;
  /** `typing:update`: starts (or renews) or stops someone's indicator; it expires on its own after expiresInMs. */
  applyTyping: (event: TypingEvent) => void;
  /** A message from `userId` ends their typing there (the server says so too; this avoids a flicker). */
  clearTyping: (conversationId: string, userId: string) => void;
  /** Forgets everything (sign-out). */
  reset: () => void;
}

export type PresenceStore = StoreApi<PresenceStoreState>;

/**
 * Creates the per-user presence and typing store (made by ChatClient, never at module level). Typing indicators
 * are ephemeral: each has a timer that removes it at its expiry unless renewed (LIMITS.TYPING_TTL_MS from the
 * server's `expiresInMs`), so a lost "stopped" event never leaves "typing…" on screen.
 */
export function createPresenceStore(): PresenceStore {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const timerKey = (conversationId: string, userId: string) => `${conversationId}:${userId}`;

  return createStore<PresenceStoreState>()((set, get) => {
    const remove = (conversationId: string, userId: string): void => {
      const key = timerKey(conversationId, userId);
      const timer = timers.get(key);
      if (timer) clearTimeout(timer);
      timers.delete(key);
      const current = get().typing[conversationId];
      if (!current || !(userId in current)) return;
      const { [userId]: _gone, ...rest } = current;
      set((state) => ({ typing: { ...state.typing, [conversationId]: rest } }));
    };

    return {
      byUserId: {},
      typing: {},
      applySnapshot: (states) =>
        set({ byUserId: Object.fromEntries(states.map((s) => [s.userId, s])) }),
      applyUpdate: (state) => set((s) => ({ byUserId: { ...s.byUserId, [state.userId]: state } })),
      applyTyping: (event) => {
        if (!event.typing) return remove(event.conversationId, event.userId);
        const key = timerKey(event.conversationId, event.userId);
        const previous = timers.get(key);
        if (previous) clearTimeout(previous);
        timers.set(
          key,
          setTimeout(() => remove(event.conversationId, event.userId), event.expiresInMs),
        );
        set((state) => ({
          typing: {
            ...state.typing,
            [event.conversationId]: {
              ...state.typing[event.conversationId],
              [event.userId]: Date.now() + event.expiresInMs,
            },
          },
        }));
      },
      clearTyping: (conversationId, userId) => remove(conversationId, userId),
      reset: () => {
        for (const timer of timers.values()) clearTimeout(timer);
        timers.clear();
        set({ byUserId: {}, typing: {} });
      },
    };
  });
}
