import { createStore, type StoreApi } from 'zustand/vanilla';
import { LIMITS, type ConversationSummary, type Message, type ReceiptEvent } from '@chat/shared';
import type { ApiClient } from '@/lib/api-client';
import { mentionsUser } from '@/lib/mentions';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ConversationsState {
  byId: Record<string, ConversationSummary>;
  /** Ids sorted by `lastActivityAt` descending (ties by id, for a stable order). */
  order: string[];
  status: LoadStatus;
  /** Cursor for the next page of the list, null when everything is loaded. */
  nextCursor: string | null;
  /**
   * The conversation on screen. Its incoming messages do not count as unread only while `attentive`: the server
   * counts a message read when the conversation is on screen AND the window is visible and focused.
   */
  activeId: string | null;
  /** True while the page is visible and the window has focus (fed by ChatClient from focus/visibility events). */
  attentive: boolean;
  /** Loads the first page (again, after a reconnect); throws ApiError. */
  load: () => Promise<void>;
  /** Loads the next page; throws ApiError. */
  loadMore: () => Promise<void>;
  /** Inserts or replaces a conversation (from the API or `conversation:updated`). */
  upsert: (conversation: ConversationSummary) => void;
  /** Drops a conversation from the list (declined on this or another device: `conversation:removed`). */
  remove: (id: string) => void;
  /** Fetches one conversation (deep link, or a message for an unknown one); throws ApiError. */
  fetchOne: (id: string) => Promise<ConversationSummary>;
  /**
   * Applies a stored message (from an ack or `message:new`): updates last message, activity and unread.
   * Another person's message counts as unread unless its conversation is on screen in an attentive window
   * (`attentive`, default: the store's own flag). A message for an unknown conversation fetches it. Rejects with
   * ApiError only from that fetch.
   */
  applyMessage: (message: Message, selfId: string, attentive?: boolean) => Promise<void>;
  /**
   * Applies a changed message (edit, deletion, reaction; live or from an ack): the preview follows when it is the
   * conversation's last message and newer than the one held, and the conversation's change counter rises to it.
   */
  applyUpdate: (message: Message) => void;
  /**
   * Raises a member's receipt watermarks (from `receipt:update`, or inferred from a message they sent). Never
   * lowers them. For the signed-in person the unread count follows the server's rule: lastSeq - readSeq.
   */
  raiseMarks: (event: ReceiptEvent, selfId: string) => void;
  /** Marks the conversation on screen; its unread count is cleared locally while the window is attentive. */
  setActive: (id: string | null) => void;
  /**
   * The window became attentive (visible and focused) or stopped being so. Becoming attentive clears the badge of
   * the conversation on screen (its read receipt goes out from `useReadReceipts`).
   */
  setAttentive: (attentive: boolean) => void;
  /** Forgets everything (sign-out). */
  reset: () => void;
}

export type ConversationsStore = StoreApi<ConversationsState>;

/** The REST calls the conversation list store makes. */
export type ConversationsApi = Pick<ApiClient, 'listConversations' | 'getConversation'>;

function sortIds(byId: Record<string, ConversationSummary>): string[] {
  return Object.values(byId)
    .sort((a, b) => {
      const diff = Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt);
      return diff !== 0 ? diff : a.id.localeCompare(b.id);
    })
    .map((c) => c.id);
}

const EMPTY = {
  byId: {},
  order: [],
  status: 'idle' as LoadStatus,
  nextCursor: null,
  activeId: null,
};

/** Whether a conversation's incoming messages are being read right now: on screen in an attentive window. */
function onScreen(
  state: Pick<ConversationsState, 'activeId' | 'attentive'>,
  id: string,
  attentive = state.attentive,
): boolean {
  return attentive && state.activeId === id;
}

/** Creates the per-user conversation list store. Made in the app provider, never at module level. */
export function createConversationsStore(api: ConversationsApi): ConversationsStore {
  const pendingFetches = new Map<string, Promise<ConversationSummary>>();
  // Per conversation, what its unread counts were built from: the lastSeq of the summary they start from, the seqs
  // counted as unread (and those that mention me) from live messages since, and the highest seq known read here (a
  // receipt of mine, or the conversation seen on screen). A summary older than live messages but newer than that
  // base is merged with them (upsertMany).
  const base = new Map<string, number>();
  const liveUnread = new Map<string, Set<number>>();
  const liveMentions = new Map<string, Set<number>>();
  const readUpTo = new Map<string, number>();
  /** Forgets what a summary or a read at `seq` covers. */
  const settle = (id: string, seq: number): void => {
    for (const seqs of [liveUnread.get(id), liveMentions.get(id)]) {
      for (const counted of seqs ?? []) if (counted <= seq) seqs!.delete(counted);
    }
  };
  /** The conversation is read up to `seq` here (on screen, or my receipt). */
  const markRead = (id: string, seq: number): void => {
    readUpTo.set(id, Math.max(readUpTo.get(id) ?? 0, seq));
    settle(id, seq);
  };
  const above = (seqs: Set<number> | undefined, floor: number): number =>
    [...(seqs ?? [])].filter((seq) => seq > floor).length;
  // Bumped by reset(): an answer to a request made for the previous person (sign-out, or another person signed in
  // while it was in flight) must not land in the next person's list.
  let epoch = 0;

  return createStore<ConversationsState>()((set, get) => {
    const upsertMany = (items: ConversationSummary[]): void => {
      set((state) => {
        const byId = { ...state.byId };
        for (const item of items) {
          const existing = byId[item.id];
          // A summary older than what live messages already told us (a list requested before they arrived) must
          // not roll the preview back. Its unread count is the truth up to its lastSeq (it may include messages
          // that never came live: those sent while the socket was still joining), less what was read here since;
          // the messages above it are those counted live.
          if (
            existing &&
            existing.lastSeq > item.lastSeq &&
            item.lastSeq <= (base.get(item.id) ?? 0)
          ) {
            // Nothing the counts were built from is newer in it: keep them.
            byId[item.id] = {
              ...item,
              lastSeq: existing.lastSeq,
              lastMessage: existing.lastMessage,
              lastActivityAt: existing.lastActivityAt,
              unreadCount: existing.unreadCount,
              unreadMentionCount: existing.unreadMentionCount,
            };
          } else if (existing && existing.lastSeq > item.lastSeq) {
            const read = readUpTo.get(item.id) ?? 0;
            const below = Math.min(item.unreadCount, Math.max(0, item.lastSeq - read));
            const floor = Math.max(item.lastSeq, read);
            byId[item.id] = {
              ...item,
              lastSeq: existing.lastSeq,
              lastMessage: existing.lastMessage,
              lastActivityAt: existing.lastActivityAt,
              unreadCount: below + above(liveUnread.get(item.id), floor),
              unreadMentionCount:
                Math.min(item.unreadMentionCount, below) + above(liveMentions.get(item.id), floor),
            };
            base.set(item.id, item.lastSeq);
            settle(item.id, item.lastSeq);
          } else if (
            existing?.lastMessage &&
            item.lastMessage?.id === existing.lastMessage.id &&
            existing.lastMessage.changeSeq > item.lastMessage.changeSeq
          ) {
            // Nor may one older than an edit or deletion heard live roll that back.
            byId[item.id] = {
              ...item,
              lastMessage: existing.lastMessage,
              changeSeq: Math.max(item.changeSeq, existing.changeSeq),
            };
            base.set(item.id, item.lastSeq);
            settle(item.id, item.lastSeq);
          } else {
            byId[item.id] = item;
            base.set(item.id, item.lastSeq);
            settle(item.id, item.lastSeq);
          }
          if (onScreen(state, item.id)) {
            byId[item.id] = { ...byId[item.id]!, unreadCount: 0, unreadMentionCount: 0 };
            markRead(item.id, byId[item.id]!.lastSeq);
          }
        }
        return { byId, order: sortIds(byId) };
      });
    };

    return {
      ...EMPTY,
      attentive: false,
      load: async () => {
        set({ status: get().status === 'ready' ? 'ready' : 'loading' });
        const started = epoch;
        try {
          const page = await api.listConversations({ limit: LIMITS.CONVERSATION_PAGE_DEFAULT });
          if (started !== epoch) return;
          upsertMany(page.items);
          set({ status: 'ready', nextCursor: page.nextCursor });
        } catch (error) {
          if (started !== epoch) return;
          if (get().status !== 'ready') set({ status: 'error' });
          throw error;
        }
      },
      loadMore: async () => {
        const cursor = get().nextCursor;
        if (!cursor) return;
        const started = epoch;
        const page = await api.listConversations({
          cursor,
          limit: LIMITS.CONVERSATION_PAGE_DEFAULT,
        });
        if (started !== epoch) return;
        upsertMany(page.items);
        set({ nextCursor: page.nextCursor });
      },
      upsert: (conversation) => upsertMany([conversation]),
      fetchOne: async (id) => {
        let pending = pendingFetches.get(id);
        if (!pending) {
          pending = api.getConversation(id).finally(() => pendingFetches.delete(id));
          pendingFetches.set(id, pending);
        }
        const started = epoch;
        const conversation = await pending;
        if (started === epoch) upsertMany([conversation]);
        return conversation;
      },
      remove: (id) => {
        set((state) => {
          if (!state.byId[id]) return {};
          const byId = { ...state.byId };
          delete byId[id];
          return { byId, order: state.order.filter((other) => other !== id) };
        });
      },
      applyMessage: async (message, selfId, attentive) => {
        let existing = get().byId[message.conversationId];
        if (!existing) {
          // Usually the fetched summary already includes this message and counts it. Not always: messages that
          // arrive while one fetch is in flight share it, and its answer may predate them. So the message is
          // applied on top of whatever the store holds then (skipped below when the summary has it already).
          await get().fetchOne(message.conversationId);
          existing = get().byId[message.conversationId];
          if (!existing) return;
        }
        if (existing.lastMessage && existing.lastMessage.seq >= message.seq) return;
        // At or below the summary's lastSeq the server's unread count includes it already: preview only.
        const counted = message.seq <= existing.lastSeq;
        const countsAsUnread =
          !counted &&
          message.senderId !== selfId &&
          !onScreen(get(), message.conversationId, attentive);
        if (countsAsUnread) {
          const id = message.conversationId;
          liveUnread.set(id, (liveUnread.get(id) ?? new Set()).add(message.seq));
          if (mentionsUser(message, selfId))
            liveMentions.set(id, (liveMentions.get(id) ?? new Set()).add(message.seq));
        } else if (!counted && message.senderId !== selfId) {
          markRead(message.conversationId, message.seq); // seen on screen as it arrived
        }
        const updated: ConversationSummary = {
          ...existing,
          lastSeq: Math.max(existing.lastSeq, message.seq),
          lastMessage: message,
          lastActivityAt: message.createdAt,
          unreadCount: countsAsUnread ? existing.unreadCount + 1 : existing.unreadCount,
          unreadMentionCount:
            countsAsUnread && mentionsUser(message, selfId)
              ? existing.unreadMentionCount + 1
              : existing.unreadMentionCount,
        };
        set((state) => {
          const byId = { ...state.byId, [updated.id]: updated };
          return { byId, order: sortIds(byId) };
        });
      },
      applyUpdate: (message) => {
        set((state) => {
          const current = state.byId[message.conversationId];
          if (!current) return {};
          const last = current.lastMessage;
          const preview =
            last?.id === message.id && message.changeSeq > last.changeSeq ? message : last;
          const changeSeq = Math.max(current.changeSeq, message.changeSeq);
          if (preview === last && changeSeq === current.changeSeq) return {};
          return {
            byId: { ...state.byId, [current.id]: { ...current, lastMessage: preview, changeSeq } },
          };
        });
      },
      raiseMarks: (event, selfId) => {
        set((state) => {
          const current = state.byId[event.conversationId];
          if (!current) return {};
          let changed = false;
          const members = current.members.map((m) => {
            if (m.user.id !== event.userId) return m;
            const deliveredSeq = Math.max(m.deliveredSeq, event.deliveredSeq);
            const readSeq = Math.max(m.readSeq, event.readSeq);
            if (deliveredSeq === m.deliveredSeq && readSeq === m.readSeq) return m;
            changed = true;
            return { ...m, deliveredSeq, readSeq };
          });
          let unreadCount = current.unreadCount;
          let unreadMentionCount = current.unreadMentionCount;
          if (event.userId === selfId) {
            markRead(current.id, event.readSeq);
            const left = Math.max(0, current.lastSeq - event.readSeq);
            if (left < unreadCount) {
              unreadCount = left;
              changed = true;
            }
            // Which of the unread messages mentioned me is not known here: at most as many as are left unread.
            if (unreadMentionCount > left) {
              unreadMentionCount = left;
              changed = true;
            }
          }
          if (!changed) return {};
          return {
            byId: {
              ...state.byId,
              [current.id]: { ...current, members, unreadCount, unreadMentionCount },
            },
          };
        });
      },
      setActive: (id) => {
        set((state) => {
          if (!id) return { activeId: null };
          const current = state.byId[id];
          if (current && state.attentive) markRead(id, current.lastSeq);
          if (!current || current.unreadCount === 0 || !state.attentive) return { activeId: id };
          return {
            activeId: id,
            byId: { ...state.byId, [id]: { ...current, unreadCount: 0, unreadMentionCount: 0 } },
          };
        });
      },
      setAttentive: (attentive) => {
        set((state) => {
          const current = state.activeId ? state.byId[state.activeId] : undefined;
          if (attentive && current) markRead(current.id, current.lastSeq);
          if (!attentive || !current || current.unreadCount === 0) return { attentive };
          return {
            attentive,
            byId: {
              ...state.byId,
              [current.id]: { ...current, unreadCount: 0, unreadMentionCount: 0 },
            },
          };
        });
      },
      reset: () => {
        epoch += 1;
        pendingFetches.clear();
        base.clear();
        liveUnread.clear();
        liveMentions.clear();
        readUpTo.clear();
        // The window's attention is not per person: keep it.
        set({ ...EMPTY });
      },
    };
  });
}
