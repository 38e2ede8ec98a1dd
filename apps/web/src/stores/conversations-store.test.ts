import { describe, expect, it, vi } from 'vitest';
import type { ConversationSummary } from '@chat/shared';
import { createConversationsStore, type ConversationsApi } from './conversations-store';
import { conversation, member, message } from '@/testing/factories';

function setup(items: ConversationSummary[] = []) {
  const api = {
    listConversations: vi.fn<ConversationsApi['listConversations']>(async () => ({
      items,
      nextCursor: null,
    })),
    getConversation: vi.fn<ConversationsApi['getConversation']>(),
  } satisfies ConversationsApi;
  const store = createConversationsStore(api);
  /** A `receipt:update` as alice's tab receives it. */
  const receipt = (userId: string, deliveredSeq: number, readSeq: number, conversationId = 'c1') =>
    store.getState().raiseMarks({ conversationId, userId, deliveredSeq, readSeq }, 'alice');
  return { api, store, receipt };
}

describe('conversations store', () => {
  it('orders by last activity, newest first, ties by id', async () => {
    const { store } = setup([
      conversation({ id: 'b', lastActivityAt: '2026-11-20T10:00:00.000Z' }),
      conversation({ id: 'c', lastActivityAt: '2026-11-20T12:00:00.000Z' }),
      conversation({ id: 'a', lastActivityAt: '2026-11-20T10:00:00.000Z' }),
    ]);
    await store.getState().load();
    expect(store.getState().order).toEqual(['c', 'a', 'b']);
    expect(store.getState().status).toBe('ready');
  });

  it("counts another person's message as unread and moves the conversation to the top", async () => {
    const { store } = setup([
      conversation({ id: 'c1', lastActivityAt: '2026-11-20T09:00:00.000Z' }),
      conversation({ id: 'c2', lastActivityAt: '2026-11-20T10:00:00.000Z' }),
    ]);
    await store.getState().load();
    await store
      .getState()
      .applyMessage(message(1, { createdAt: '2026-11-20T11:00:00.000Z' }), 'alice');
    const c1 = store.getState().byId.c1!;
    expect(c1).toMatchObject({ lastSeq: 1, unreadCount: 1, lastMessage: { seq: 1 } });
    expect(store.getState().order).toEqual(['c1', 'c2']);
  });

  it('never counts own messages, and applies the same message once', async () => {
    const { store } = setup([conversation()]);
    await store.getState().load();
    await store.getState().applyMessage(message(1, { senderId: 'alice' }), 'alice');
    await store.getState().applyMessage(message(2), 'alice');
    await store.getState().applyMessage(message(2), 'alice');
    expect(store.getState().byId.c1).toMatchObject({ lastSeq: 2, unreadCount: 1 });
  });

  it('counts nothing for the conversation on screen in an attentive window, and counts it in a background one', async () => {
    const { store } = setup([conversation({ unreadCount: 2, lastSeq: 2 })]);
    await store.getState().load();
    store.getState().setActive('c1');
    expect(store.getState().byId.c1!.unreadCount).toBe(2); // window not attentive yet
    store.getState().setAttentive(true);
    expect(store.getState().byId.c1!.unreadCount).toBe(0);
    await store.getState().applyMessage(message(3), 'alice');
    expect(store.getState().byId.c1!.unreadCount).toBe(0);
    store.getState().setAttentive(false);
    await store.getState().applyMessage(message(4), 'alice');
    expect(store.getState().byId.c1!.unreadCount).toBe(1);
  });

  it('fetches a conversation it does not know when a message arrives for it', async () => {
    const { store, api } = setup([]);
    await store.getState().load();
    api.getConversation.mockResolvedValue(conversation({ id: 'new', lastSeq: 1, unreadCount: 1 }));
    await store.getState().applyMessage(message(1, { conversationId: 'new' }), 'alice');
    expect(api.getConversation).toHaveBeenCalledWith('new');
    expect(store.getState().byId.new).toMatchObject({ unreadCount: 1 });
  });

  it('keeps the newer preview when a reload brings an older summary', async () => {
    const { store } = setup([conversation({ lastSeq: 1, lastMessage: message(1) })]);
    await store.getState().load();
    await store
      .getState()
      .applyMessage(message(2, { createdAt: '2026-11-20T12:00:00.000Z' }), 'alice');
    await store.getState().load(); // the same stale page again
    expect(store.getState().byId.c1).toMatchObject({
      lastSeq: 2,
      lastMessage: { seq: 2 },
      lastActivityAt: '2026-11-20T12:00:00.000Z',
    });
  });

  it('counts every message that arrives while the fetch of an unknown conversation is in flight', async () => {
    const { store, api } = setup([]);
    await store.getState().load();
    let answer: (c: ConversationSummary) => void = () => {};
    api.getConversation.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    // Three messages arrive before the answer, which was made when only the first was stored.
    const applied = [1, 2, 3].map((seq) =>
      store.getState().applyMessage(message(seq, { conversationId: 'new' }), 'alice'),
    );
    answer(conversation({ id: 'new', lastSeq: 1, lastMessage: message(1), unreadCount: 1 }));
    await Promise.all(applied);
    expect(api.getConversation).toHaveBeenCalledTimes(1);
    expect(store.getState().byId.new).toMatchObject({
      lastSeq: 3,
      unreadCount: 3,
      lastMessage: { seq: 3 },
    });
  });

  it('counts a message that never came live (sent while the socket joined) when a resync brings it', async () => {
    // The first list answers at seq 20; message 21 is sent before the socket has joined, 22 arrives live; the
    // resync's list, requested after joining, answers at 21 (it includes 21) while 22 is already counted.
    const { store, api } = setup([conversation({ lastSeq: 20, lastMessage: message(20) })]);
    await store.getState().load();
    await store.getState().applyMessage(message(22), 'alice');
    expect(store.getState().byId.c1).toMatchObject({ lastSeq: 22, unreadCount: 1 });
    api.listConversations.mockResolvedValueOnce({
      items: [conversation({ lastSeq: 21, lastMessage: message(21), unreadCount: 1 })],
      nextCursor: null,
    });
    await store.getState().load();
    expect(store.getState().byId.c1).toMatchObject({
      lastSeq: 22,
      unreadCount: 2,
      lastMessage: { seq: 22 },
    });
    // The same stale answer again changes nothing; a read here up to 22 leaves nothing unread after it either.
    api.listConversations.mockResolvedValueOnce({
      items: [conversation({ lastSeq: 21, lastMessage: message(21), unreadCount: 1 })],
      nextCursor: null,
    });
    await store.getState().load();
    expect(store.getState().byId.c1?.unreadCount).toBe(2);
    store
      .getState()
      .raiseMarks(
        { conversationId: 'c1', userId: 'alice', deliveredSeq: 22, readSeq: 22 },
        'alice',
      );
    api.listConversations.mockResolvedValueOnce({
      items: [conversation({ lastSeq: 21, lastMessage: message(21), unreadCount: 1 })],
      nextCursor: null,
    });
    await store.getState().load();
    expect(store.getState().byId.c1?.unreadCount).toBe(0);
  });

  it('keeps the live unread count when the list answers with a summary older than live messages', async () => {
    const { store, api } = setup([]);
    let answer: (page: { items: ConversationSummary[]; nextCursor: null }) => void = () => {};
    api.listConversations.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    const loading = store.getState().load();
    // The conversation arrives by fetch (message 21), and two more live, before the list request answers.
    api.getConversation.mockResolvedValue(
      conversation({ lastSeq: 21, lastMessage: message(21), unreadCount: 1 }),
    );
    for (const seq of [21, 22, 23]) await store.getState().applyMessage(message(seq), 'alice');
    expect(store.getState().byId.c1).toMatchObject({ lastSeq: 23, unreadCount: 3 });
    answer({
      items: [conversation({ lastSeq: 20, lastMessage: message(20), unreadCount: 0 })],
      nextCursor: null,
    });
    await loading;
    expect(store.getState().byId.c1).toMatchObject({ lastSeq: 23, unreadCount: 3 });
  });

  describe('receipts', () => {
    it("raises a member's watermarks and never lowers them", async () => {
      const { store, receipt } = setup([conversation({ lastSeq: 5 })]);
      await store.getState().load();
      receipt('bob', 4, 2);
      receipt('bob', 3, 1);
      const bob = store.getState().byId.c1!.members.find((m) => m.user.id === 'bob');
      expect(bob).toMatchObject({ deliveredSeq: 4, readSeq: 2 });
    });

    it('sets the unread count to lastSeq - readSeq when the signed-in person read elsewhere', async () => {
      const { store, receipt } = setup([conversation({ lastSeq: 10, unreadCount: 6 })]);
      await store.getState().load();
      const before = store.getState().byId;
      receipt('alice', 8, 8);
      expect(store.getState().byId.c1!.unreadCount).toBe(2);
      expect(store.getState().byId).not.toBe(before);
      // A lower read mark cannot raise the count again.
      receipt('alice', 4, 4);
      expect(store.getState().byId.c1!.unreadCount).toBe(2);
    });

    it('changes nothing (same state object) for a receipt that raises nothing', async () => {
      const { store, receipt } = setup([
        conversation({
          members: [member('alice'), member('bob', { deliveredSeq: 3, readSeq: 3 })],
        }),
      ]);
      await store.getState().load();
      const before = store.getState().byId;
      receipt('bob', 2, 1);
      receipt('bob', 9, 9, 'unknown');
      expect(store.getState().byId).toBe(before);
    });
  });

  it('drops an answer that arrives after a reset (another person signed in meanwhile)', async () => {
    const { store, api } = setup();
    let answer: (value: { items: ConversationSummary[]; nextCursor: null }) => void = () => {};
    api.listConversations.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    const loading = store.getState().load();
    store.getState().reset();
    answer({ items: [conversation()], nextCursor: null });
    await loading;
    expect(store.getState().order).toEqual([]);
    expect(store.getState().status).toBe('idle');
  });
});
