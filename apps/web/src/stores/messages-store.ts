import { createStore, type StoreApi } from 'zustand/vanilla';
import { LIMITS, type Message, type ReplyQuote } from '@chat/shared';
import type { ApiClient } from '@/lib/api-client';
import { mergeChanges, type PendingAction } from '@/lib/message-actions';
import type { LoadStatus } from './conversations-store';

/** A message the person sent that the server has not confirmed yet (or refused). */
export interface PendingMessage {
  /** The idempotency key sent with every attempt; a retry reuses it so the server never stores it twice. */
  clientMessageId: string;
  conversationId: string;
  body: string;
  /** Attachments sent with it (kept so Retry sends them again). */
  attachmentIds?: string[];
  /** The message it replies to (sent as replyToId), with the quote shown until the server's view arrives. */
  replyTo?: ReplyQuote;
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
  /**
   * The changes-feed cursor: every edit, deletion and reaction with a higher change value than this may be missing
   * from `messages` (resync asks for the changes after it). Never above the truth, so at worst a change is fetched
   * twice (applying one is idempotent: the newer changeSeq wins).
   */
  changeSeq: number;
  /** The signed-in person's unconfirmed edits, deletions and reactions on `messages`, in queue order. */
  actions: PendingAction[];
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
  /**
   * Applies changed messages (live `message:updated`, an action's ack): newer views replace held ones and the quotes
   * of replies to them follow. Messages not held are ignored.
   */
  applyChanges: (conversationId: string, changes: readonly Message[]) => void;
  /**
   * Fetches the changes after the thread's change cursor, page by page, applies them and moves the cursor (resync,
   * after catching up by seq). Nothing for a thread not loaded. Throws ApiError.
   */
  catchUpChanges: (conversationId: string) => Promise<void>;
  /** Shows an unconfirmed action on its message (optimistic); no-op when it is already shown (same actionId). */
  addAction: (action: PendingAction) => void;
  /** Drops an action (confirmed: its message's new view is applied first; refused: the view rolls back). */
  removeAction: (conversationId: string, actionId: string) => void;
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
export type MessagesApi = Pick<ApiClient, 'history' | 'historyAround' | 'changes'>;

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
  changeSeq: 0,
  actions: [],
};

/** The highest changeSeq among `messages` (0 for none). */
function maxChangeSeq(messages: readonly Message[]): number {
  let max = 0;
  for (const m of messages) if (m.changeSeq > max) max = m.changeSeq;
  return max;
}

/**
 * Merges `incoming` into the seq-ordered `current`, one message per id: a message held already is replaced only by a
 * newer view of it (higher changeSeq, e.g. edited meanwhile). Both inputs ascending. Returns `current` itself when
 * nothing changed.
 */
export function mergeBySeq(current: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return current as Message[];
  const held = new Map(current.map((m) => [m.id, m]));
  const fresh: Message[] = [];
  const newer: Message[] = [];
  for (const m of incoming) {
    const existing = held.get(m.id);
    if (!existing) {
      held.set(m.id, m);
      fresh.push(m);
    } else if (m.changeSeq > existing.changeSeq) {
      newer.push(m);
    }
  }
  if (fresh.length === 0 && newer.length === 0) return current as Message[];
  const base = newer.length > 0 ? mergeChanges(current, newer) : (current as Message[]);
  return fresh.length === 0 ? base : [...base, ...fresh].sort((a, b) => a.seq - b.seq);
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
 * @param changeBaseline the conversation's change counter as last heard (its summary's `changeSeq`), read just
 * before the first page is requested: the first page shows every change up to at least that value, so the change
 * cursor starts there (default: the highest changeSeq on the page).
 */
export function createMessagesStore(
  api: MessagesApi,
  onBackgroundError: (error: unknown) => void,
  changeBaseline: (conversationId: string) => number | undefined = () => undefined,
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
          const baseline = changeBaseline(conversationId) ?? 0;
          try {
            const page = await api.history(conversationId, { limit: LIMITS.HISTORY_PAGE_DEFAULT });
            patch(
              conversationId,
              (cur) => ({
                messages: mergeBySeq(cur.messages, page.items),
                pending: withoutStored(cur.pending, page.items),
                status: 'ready',
                hasMoreBefore: page.hasMore,
                changeSeq: Math.max(cur.changeSeq, baseline, maxChangeSeq(page.items)),
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
      applyChanges: (conversationId, changes) => {
        // A conversation never opened holds nothing to change: its first page brings the messages as they are.
        if (!get().threads[conversationId]) return;
        patch(conversationId, (cur) => {
          const messages = mergeChanges(cur.messages, changes);
          return messages === cur.messages ? {} : { messages };
        });
      },
      catchUpChanges: (conversationId) =>
        once(`changes:${conversationId}`, async () => {
          const started = epoch;
          for (let guard = 0; guard < 100; guard += 1) {
            if (started !== epoch) return;
            const t = thread(conversationId);
            if (t.status !== 'ready') return;
            const after = t.changeSeq;
            const page = await api.changes(conversationId, {
              after,
              limit: LIMITS.CHANGES_PAGE_MAX,
            });
            patch(
              conversationId,
              (cur) => ({
                messages: mergeChanges(cur.messages, page.items),
                changeSeq: Math.max(cur.changeSeq, maxChangeSeq(page.items)),
              }),
              started,
            );
            if (!page.hasMore || page.items.length === 0) return;
          }
        }),
      addAction: (action) =>
        patch(action.conversationId, (cur) =>
          cur.actions.some((a) => a.actionId === action.actionId)
            ? {}
            : { actions: [...cur.actions, action].sort((a, b) => a.order - b.order) },
        ),
      removeAction: (conversationId, actionId) =>
        patch(conversationId, (cur) =>
          cur.actions.some((a) => a.actionId === actionId)
            ? { actions: cur.actions.filter((a) => a.actionId !== actionId) }
            : {},
        ),
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
