import { createStore, type StoreApi } from 'zustand/vanilla';
import { LIMITS, type Message } from '@chat/shared';
import type { ApiClient } from '@/lib/api-client';
import type { LoadStatus } from './conversations-store';

/** A message the person sent that the server has not confirmed yet (or refused). */
export interface PendingMessage {
  /** The idempotency key sent with every attempt; a retry reuses it so the server never stores it twice. */
  clientMessageId: string;
  conversationId: string;
  body: string;
  /** Attachments sent with it (kept so Retry sends them again). */
  attachmentIds?: string[];
  /** Local clock, for display only (ordering uses the server's seq once stored). */
  createdAt: string;
  status: 'pending' | 'failed';
  /** Why the last attempt failed, for the person. */
  error: string | null;
}

export interface Thread {
  /** Stored messages, ascending by `seq`, unique by `id`. */
  messages: Message[];
  /** Own messages not yet acknowledged, in the order they were written. Shown after `messages`. */
  pending: PendingMessage[];
  status: LoadStatus;
  /** True while older history exists before `messages[0]`. */
  hasMoreBefore: boolean;
  loadingOlder: boolean;
}

export interface MessagesState {
  threads: Record<string, Thread>;
  /** Loads the newest page of a conversation (once; later calls catch up instead). Throws ApiError. */
  loadLatest: (conversationId: string) => Promise<void>;
  /**
   * Makes sure the message with `seq` is loaded, with messages around it (jumping to a search result): when it is
   * older than what is loaded, the window around it is fetched and then the messages between that window and the
   * loaded ones, page by page (so the thread stays one unbroken run up to the newest). Throws ApiError.
   */
  loadAround: (conversationId: string, seq: number) => Promise<void>;
  /** Loads the page before the oldest loaded seq. Throws ApiError. */
  loadOlder: (conversationId: string) => Promise<void>;
  /**
   * Fetches everything after `afterSeq` (default: the newest loaded seq), page by page: after a reconnect, or from
   * the last seq before a gap a live message revealed. Throws ApiError.
   */
  catchUp: (conversationId: string, afterSeq?: number) => Promise<void>;
  /**
   * Adds a stored message (ack or `message:new`), dropping duplicates by id and replacing the pending
   * message with the same clientMessageId when it is the signed-in person's own.
   */
  receive: (message: Message, selfId: string) => void;
  /** Shows an own message as pending, unless it is already pending or already stored (same clientMessageId). */
  addPending: (pending: PendingMessage) => void;
  setPendingStatus: (
    conversationId: string,
    clientMessageId: string,
    status: PendingMessage['status'],
    error: string | null,
  ) => void;
  reset: () => void;
}

export type MessagesStore = StoreApi<MessagesState>;

/** The REST calls the message store makes. */
export type MessagesApi = Pick<ApiClient, 'history' | 'historyAround'>;

/** Messages on each side of a jump target. */
const AROUND = 25;
/** Pages (of LIMITS.HISTORY_PAGE_MAX) a jump loads at most between its window and the loaded messages. */
const MAX_FILL_PAGES = 50;

/** The thread of a conversation not opened yet (shared, so selectors return a stable object). */
export const EMPTY_THREAD: Thread = {
  messages: [],
  pending: [],
  status: 'idle',
  hasMoreBefore: false,
  loadingOlder: false,
};

/** Merges `incoming` into the seq-ordered `current`, dropping duplicate ids. Both inputs ascending. */
export function mergeBySeq(current: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return current as Message[];
  const seen = new Set(current.map((m) => m.id));
  const fresh = incoming.filter((m) => {
    if (seen.has(m.id)) return false;
    seen.add(m.id);
    return true;
  });
  if (fresh.length === 0) return current as Message[];
  return [...current, ...fresh].sort((a, b) => a.seq - b.seq);
}

/**
 * Drops pending messages the server has already stored (same clientMessageId among `stored`): a history page or
 * catch-up can bring an own message whose ack was lost (disconnect, reload), and it must not show twice.
 */
function withoutStored(pending: PendingMessage[], stored: readonly Message[]): PendingMessage[] {
  if (pending.length === 0 || stored.length === 0) return pending;
  const ids = new Set(stored.map((m) => m.clientMessageId));
  const left = pending.filter((p) => !ids.has(p.clientMessageId));
  return left.length === pending.length ? pending : left;
}

/**
 * Creates the per-user message store. Made in the app provider, never at module level.
 * @param onBackgroundError told about failures of work nobody awaits (gap filling), to show them.
 */
export function createMessagesStore(
  api: MessagesApi,
  onBackgroundError: (error: unknown) => void,
): MessagesStore {
  const inFlight = new Map<string, Promise<void>>();
  // Bumped by reset(): a page requested for the previous person must not land in the next person's threads.
  let epoch = 0;
  const once = (key: string, run: () => Promise<void>): Promise<void> => {
    const existing = inFlight.get(key);
    if (existing) return existing;
    const p = run().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  };

  return createStore<MessagesState>()((set, get) => {
    const thread = (id: string): Thread => get().threads[id] ?? EMPTY_THREAD;
    const patch = (id: string, update: (t: Thread) => Partial<Thread>, since = epoch): void => {
      if (since !== epoch) return;
      set((state) => {
        const current = state.threads[id] ?? EMPTY_THREAD;
        return { threads: { ...state.threads, [id]: { ...current, ...update(current) } } };
      });
    };

    return {
      threads: {},
      loadLatest: (conversationId) => {
        const t = thread(conversationId);
        if (t.status === 'ready') return get().catchUp(conversationId);
        return once(`latest:${conversationId}`, async () => {
          patch(conversationId, () => ({ status: 'loading' }));
          const started = epoch;
          try {
            const page = await api.history(conversationId, { limit: LIMITS.HISTORY_PAGE_DEFAULT });
            patch(
              conversationId,
              (cur) => ({
                messages: mergeBySeq(cur.messages, page.items),
                pending: withoutStored(cur.pending, page.items),
                status: 'ready',
                hasMoreBefore: page.hasMore,
              }),
              started,
            );
          } catch (error) {
            patch(conversationId, () => ({ status: 'error' }), started);
            throw error;
          }
        });
      },
      loadAround: (conversationId, seq) =>
        once(`around:${conversationId}:${seq}`, async () => {
          await get().loadLatest(conversationId);
          const started = epoch;
          const loaded = thread(conversationId).messages;
          const oldest = loaded[0]?.seq;
          if (oldest === undefined || seq >= oldest) return;
          const window = await api.historyAround(conversationId, { seq, limit: AROUND });
          const items = [...window.items];
          let last = items[items.length - 1]?.seq ?? seq;
          let more = window.hasMoreAfter;
          for (let page = 0; more && last < oldest - 1 && page < MAX_FILL_PAGES; page += 1) {
            if (started !== epoch) return;
            const next = await api.history(conversationId, {
              after: last,
              limit: LIMITS.HISTORY_PAGE_MAX,
            });
            items.push(...next.items);
            more = next.hasMore;
            const newest = next.items[next.items.length - 1]?.seq;
            if (newest === undefined) break;
            last = newest;
          }
          patch(
            conversationId,
            (cur) => ({
              messages: mergeBySeq(cur.messages, items),
              pending: withoutStored(cur.pending, items),
              hasMoreBefore: window.hasMoreBefore,
            }),
            started,
          );
        }),
      loadOlder: (conversationId) => {
        const t = thread(conversationId);
        const oldest = t.messages[0];
        if (t.status !== 'ready' || !t.hasMoreBefore || t.loadingOlder || !oldest)
          return Promise.resolve();
        return once(`older:${conversationId}`, async () => {
          patch(conversationId, () => ({ loadingOlder: true }));
          const started = epoch;
          try {
            const page = await api.history(conversationId, {
              before: oldest.seq,
              limit: LIMITS.HISTORY_PAGE_DEFAULT,
            });
            patch(
              conversationId,
              (cur) => ({
                messages: mergeBySeq(cur.messages, page.items),
                pending: withoutStored(cur.pending, page.items),
                hasMoreBefore: page.hasMore,
                loadingOlder: false,
              }),
              started,
            );
          } catch (error) {
            patch(conversationId, () => ({ loadingOlder: false }), started);
            throw error;
          }
        });
      },
      catchUp: (conversationId, afterSeq) =>
        once(`after:${conversationId}:${afterSeq ?? 'newest'}`, async () => {
          const started = epoch;
          let cursor = afterSeq;
          for (let guard = 0; guard < 100; guard += 1) {
            if (started !== epoch) return;
            const t = thread(conversationId);
            if (t.status !== 'ready') return;
            const after = cursor ?? t.messages[t.messages.length - 1]?.seq;
            const page = await api.history(conversationId, {
              limit: LIMITS.HISTORY_PAGE_MAX,
              ...(after !== undefined ? { after } : {}),
            });
            patch(
              conversationId,
              (cur) => ({
                messages: mergeBySeq(cur.messages, page.items),
                pending: withoutStored(cur.pending, page.items),
              }),
              started,
            );
            const last = page.items[page.items.length - 1];
            if (!page.hasMore || !last || after === undefined) return;
            cursor = last.seq;
          }
        }),
      receive: (message, selfId) => {
        const t = get().threads[message.conversationId];
        const own = message.senderId === selfId;
        if (!t) return; // never opened: its first history page will include this message
        const pending = own
          ? t.pending.filter((p) => p.clientMessageId !== message.clientMessageId)
          : t.pending;
        // While the first page is still loading, keep the message anyway: mergeBySeq dedups it when it lands.
        const messages = mergeBySeq(t.messages, [message]);
        if (messages === t.messages && pending.length === t.pending.length) return;
        patch(message.conversationId, () => ({ messages, pending }));
        const before = t.messages[t.messages.length - 1];
        // A jump in seq means messages in between were missed (a fan-out lost while the socket stayed up, or a
        // reconnect): fetch the range from the newest seq held before this one, the last one known contiguous.
        // (Catching up after the newest seq now held would skip exactly that range.)
        if (t.status === 'ready' && before && message.seq > before.seq + 1) {
          get().catchUp(message.conversationId, before.seq).catch(onBackgroundError);
        }
      },
      addPending: (pending) =>
        patch(pending.conversationId, (cur) =>
          // Restored from the outbox after a reload: the history may already hold it (ack lost), or it is listed.
          cur.messages.some((m) => m.clientMessageId === pending.clientMessageId) ||
          cur.pending.some((p) => p.clientMessageId === pending.clientMessageId)
            ? {}
            : { pending: [...cur.pending, pending] },
        ),
      setPendingStatus: (conversationId, clientMessageId, status, error) =>
        patch(conversationId, (cur) => ({
          pending: cur.pending.map((p) =>
            p.clientMessageId === clientMessageId ? { ...p, status, error } : p,
          ),
        })),
      reset: () => {
        epoch += 1;
        inFlight.clear();
        set({ threads: {} });
      },
    };
  });
}
