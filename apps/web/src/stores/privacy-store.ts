import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BlockedUser, PrivacySettings, UpdatePrivacyRequest } from '@chat/shared';
import type { ApiClient } from '@/lib/api-client';

export interface PrivacyState {
  /** The signed-in person's settings; null until loaded. */
  settings: PrivacySettings | null;
  /** The people they blocked, newest first. */
  blocked: BlockedUser[];
  /** True once the block list has been loaded for this person. */
  loaded: boolean;
  /** Loads settings and blocks; throws ApiError. */
  load: () => Promise<void>;
  /**
   * Changes settings (PATCH): shown at once, then replaced by what the server answers, or put back when it
   * refuses; throws ApiError.
   */
  update: (changes: UpdatePrivacyRequest) => Promise<void>;
  /** Blocks someone and lists them first; throws ApiError. */
  block: (userId: string) => Promise<void>;
  /** Unblocks someone and drops them from the list; throws ApiError. */
  unblock: (userId: string) => Promise<void>;
  /** Forgets everything (sign-out). */
  reset: () => void;
}

export type PrivacyStore = StoreApi<PrivacyState>;

/** The REST calls the privacy store makes. */
export type PrivacyApi = Pick<
  ApiClient,
  'privacySettings' | 'updatePrivacy' | 'listBlocked' | 'block' | 'unblock'
>;

/** Creates the per-user privacy store (settings and blocks). Made by ChatClient, never at module level. */
export function createPrivacyStore(api: PrivacyApi): PrivacyStore {
  // Bumped by reset(): an answer for the previous person must not land in the next one's store.
  let epoch = 0;
  return createStore<PrivacyState>()((set, get) => ({
    settings: null,
    blocked: [],
    loaded: false,
    load: async () => {
      const started = epoch;
      const [settings, blocked] = await Promise.all([api.privacySettings(), api.listBlocked()]);
      if (started === epoch) set({ settings, blocked, loaded: true });
    },
    update: async (changes) => {
      const started = epoch;
      const before = get().settings;
      if (before) set({ settings: { ...before, ...changes } });
      try {
        const settings = await api.updatePrivacy(changes);
        if (started === epoch) set({ settings });
      } catch (error) {
        if (started === epoch) set({ settings: before });
        throw error;
      }
    },
    block: async (userId) => {
      const started = epoch;
      const entry = await api.block(userId);
      if (started !== epoch) return;
      set((state) => ({
        blocked: [entry, ...state.blocked.filter((b) => b.user.id !== userId)],
      }));
    },
    unblock: async (userId) => {
      const started = epoch;
      await api.unblock(userId);
      if (started !== epoch) return;
      set((state) => ({ blocked: state.blocked.filter((b) => b.user.id !== userId) }));
    },
    reset: () => {
      epoch += 1;
      set({ settings: null, blocked: [], loaded: false });
    },
  }));
}
