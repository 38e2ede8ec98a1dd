import {
  createStore as createIdbStore,
  del,
  delMany,
  entries,
  set,
  type UseStore,
} from 'idb-keyval';
import { createStore, type StoreApi } from 'zustand/vanilla';

/** How long typing must pause before a draft is written to IndexedDB, in milliseconds. */
export const DRAFT_SAVE_DELAY_MS = 400;

export interface DraftsState {
  /** Whose drafts are loaded; null before the first load (and when nobody is signed in). */
  userId: string | null;
  /** Unsent text per conversation id (only non-empty drafts). */
  byConversation: Readonly<Record<string, string>>;
}

/** IndexedDB key of one draft: one person's text in one conversation. */
type DraftKey = [userId: string, conversationId: string];

function isDraftKey(key: IDBValidKey): key is DraftKey {
  return Array.isArray(key) && key.length === 2 && key.every((part) => typeof part === 'string');
}

/**
 * Half-written messages, per person and conversation, kept in IndexedDB so they survive switching conversations,
 * a reload or a closed tab (as in Slack and WhatsApp). The zustand store holds the signed-in person's drafts for
 * the composer and the conversation list; writes to IndexedDB wait for a pause in typing. Where IndexedDB is
 * missing (some private modes) drafts live in memory only, for the life of the tab.
 *
 * Privacy: drafts are keyed by person, loaded only for the person signed in, and deleted on a deliberate sign-out
 * (`removeAll`), so the next person on the browser cannot read them.
 */
export class Drafts {
  readonly store: StoreApi<DraftsState> = createStore<DraftsState>(() => ({
    userId: null,
    byConversation: {},
  }));
  private readonly idb: UseStore | null =
    typeof indexedDB === 'undefined' ? null : createIdbStore('relay-drafts', 'drafts');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Every IndexedDB write, chained in order, so `flush` can wait for them. */
  private writes: Promise<void> = Promise.resolve();

  /** Loads `userId`'s drafts (null: forgets the previous person's). Resolves once the store holds them. */
  async load(userId: string | null): Promise<void> {
    this.flushTimers();
    if (userId === null) {
      this.store.setState({ userId: null, byConversation: {} });
      return;
    }
    const byConversation: Record<string, string> = {};
    if (this.idb) {
      await this.writes;
      const all = await entries<IDBValidKey, string>(this.idb).catch(() => []);
      for (const [key, text] of all) {
        if (isDraftKey(key) && key[0] === userId && typeof text === 'string' && text !== '') {
          byConversation[key[1]] = text;
        }
      }
    }
    this.store.setState({ userId, byConversation });
  }

  /** The draft of a conversation, '' when there is none. */
  get(conversationId: string): string {
    return this.store.getState().byConversation[conversationId] ?? '';
  }

  /** Keeps `text` as the conversation's draft ('' or white space only removes it); saved after a pause. */
  update(conversationId: string, text: string): void {
    const { userId, byConversation } = this.store.getState();
    if (userId === null) return;
    const next = { ...byConversation };
    if (text.trim() === '') delete next[conversationId];
    else next[conversationId] = text;
    this.store.setState({ byConversation: next });
    this.schedule(userId, conversationId);
  }

  /** Removes a conversation's draft at once (after it was sent). */
  clear(conversationId: string): void {
    const { userId, byConversation } = this.store.getState();
    if (userId === null) return;
    this.cancel(conversationId);
    if (conversationId in byConversation) {
      const next = { ...byConversation };
      delete next[conversationId];
      this.store.setState({ byConversation: next });
    }
    const idb = this.idb;
    if (idb) {
      this.writes = this.writes
        .then(() => del([userId, conversationId], idb))
        .catch(() => undefined);
    }
  }

  /** Deletes every draft of `userId` from this browser (a deliberate sign-out). */
  async removeAll(userId: string): Promise<void> {
    if (this.store.getState().userId === userId) {
      this.flushTimers(false);
      this.store.setState({ byConversation: {} });
    }
    const idb = this.idb;
    if (!idb) return;
    await this.writes;
    const all = await entries<IDBValidKey, string>(idb).catch(() => []);
    const mine = all.map(([key]) => key).filter((key) => isDraftKey(key) && key[0] === userId);
    await delMany(mine, idb).catch(() => undefined);
  }

  /**
   * Writes the saves still waiting for a pause now (the page is going away).
   * @returns when every write started so far has finished (or failed: IndexedDB errors are dropped)
   */
  flush(): Promise<void> {
    this.flushTimers();
    return this.writes;
  }

  private schedule(userId: string, conversationId: string): void {
    this.cancel(conversationId);
    this.timers.set(
      conversationId,
      setTimeout(() => {
        this.timers.delete(conversationId);
        void this.write(userId, conversationId);
      }, DRAFT_SAVE_DELAY_MS),
    );
  }

  private write(userId: string, conversationId: string): Promise<void> {
    const idb = this.idb;
    if (!idb || this.store.getState().userId !== userId) return this.writes;
    const text = this.get(conversationId);
    const key: DraftKey = [userId, conversationId];
    this.writes = this.writes
      .then(() => (text === '' ? del(key, idb) : set(key, text, idb)))
      .catch(() => undefined);
    return this.writes;
  }

  private cancel(conversationId: string): void {
    const timer = this.timers.get(conversationId);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(conversationId);
  }

  /** Ends pending saves: written now (`write`), or dropped (a sign-out deletes them anyway). */
  private flushTimers(write = true): void {
    const userId = this.store.getState().userId;
    for (const conversationId of [...this.timers.keys()]) {
      this.cancel(conversationId);
      if (write && userId !== null) void this.write(userId, conversationId);
    }
  }
}
