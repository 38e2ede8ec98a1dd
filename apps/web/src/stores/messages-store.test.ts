import { describe, expect, it, vi } from 'vitest';
import { LIMITS } from '@chat/shared';
import { createMessagesStore, mergeBySeq } from './messages-store';
import { message, messages, pendingMessage } from '@/testing/factories';
import { FakeHistory } from '@/testing/fake-history';

function setup() {
  const server = new FakeHistory();
  const errors: unknown[] = [];
  const store = createMessagesStore(server, (error) => errors.push(error));
  return { server, store, errors };
}

const seqs = (list: readonly { seq: number }[]): number[] => list.map((m) => m.seq);

const pending = pendingMessage;

describe('mergeBySeq', () => {
  it('merges ascending by seq and drops duplicate ids', () => {
    const merged = mergeBySeq(
      [message(1), message(3)],
      [message(2), message(3), message(5), message(5)],
    );
    expect(seqs(merged)).toEqual([1, 2, 3, 5]);
  });

  it('returns the same array when nothing is new (selectors stay stable)', () => {
    const current = [message(1), message(2)];
    expect(mergeBySeq(current, [])).toBe(current);
    expect(mergeBySeq(current, [message(2)])).toBe(current);
  });
});

describe('messages store', () => {
  it('loads the newest page and then older pages before the oldest seq', async () => {
    const { server, store } = setup();
    server.add(...messages(1, 120));
    await store.getState().loadLatest('c1');
    let thread = store.getState().threads.c1!;
    expect(thread.status).toBe('ready');
    expect(seqs(thread.messages)).toEqual(seqs(messages(71, 120)));
    expect(thread.hasMoreBefore).toBe(true);
    await store.getState().loadOlder('c1');
    await store.getState().loadOlder('c1');
    thread = store.getState().threads.c1!;
    expect(thread.messages).toHaveLength(120);
    expect(thread.hasMoreBefore).toBe(false);
    expect(server.calls.map((c) => c.before)).toEqual([undefined, 71, 21]);
  });

  it('loads a conversation once when asked twice at the same time', async () => {
    const { server, store } = setup();
    server.add(message(1));
    await Promise.all([store.getState().loadLatest('c1'), store.getState().loadLatest('c1')]);
    expect(server.calls).toHaveLength(1);
  });

  it('catches up page by page after the newest seq (resync)', async () => {
    const { server, store } = setup();
    server.add(...messages(1, 3));
    await store.getState().loadLatest('c1');
    server.add(...messages(4, 4 + LIMITS.HISTORY_PAGE_MAX + 10));
    await store.getState().catchUp('c1');
    const thread = store.getState().threads.c1!;
    expect(thread.messages.at(-1)!.seq).toBe(4 + LIMITS.HISTORY_PAGE_MAX + 10);
    expect(thread.messages).toHaveLength(3 + LIMITS.HISTORY_PAGE_MAX + 11);
    expect(server.calls.slice(1).map((c) => c.after)).toEqual([3, 3 + LIMITS.HISTORY_PAGE_MAX]);
  });

  it('ignores a live message of a conversation never opened (its first page will hold it)', () => {
    const { store } = setup();
    store.getState().receive(message(1), 'alice');
    expect(store.getState().threads.c1).toBeUndefined();
  });

  it('adds a live message once, even when it comes twice', async () => {
    const { server, store } = setup();
    server.add(message(1));
    await store.getState().loadLatest('c1');
    store.getState().receive(message(2), 'alice');
    store.getState().receive(message(2), 'alice');
    expect(seqs(store.getState().threads.c1!.messages)).toEqual([1, 2]);
  });

  it('fetches the missed range when a live message skips seqs, while the socket stays up', async () => {
    const { server, store, errors } = setup();
    server.add(...messages(1, 3));
    await store.getState().loadLatest('c1');
    // 4 and 5 were stored but their fan-out to this tab was lost; 6 arrives live.
    server.add(...messages(4, 6));
    store.getState().receive(message(6), 'alice');
    await vi.waitFor(() =>
      expect(seqs(store.getState().threads.c1!.messages)).toEqual([1, 2, 3, 4, 5, 6]),
    );
    expect(server.calls.at(-1)).toMatchObject({ after: 3 });
    expect(errors).toEqual([]);
  });

  it('fills a gap wider than one page, page by page from the last contiguous seq', async () => {
    const { server, store } = setup();
    server.add(...messages(1, 2));
    await store.getState().loadLatest('c1');
    const last = 2 + LIMITS.HISTORY_PAGE_MAX + 5;
    server.add(...messages(3, last));
    store.getState().receive(message(last), 'alice');
    await vi.waitFor(() => expect(store.getState().threads.c1!.messages).toHaveLength(last));
    expect(server.calls.slice(1).map((c) => c.after)).toEqual([2, 2 + LIMITS.HISTORY_PAGE_MAX]);
  });

  it('fetches nothing for the next expected seq', async () => {
    const { server, store } = setup();
    server.add(...messages(1, 3));
    await store.getState().loadLatest('c1');
    store.getState().receive(message(4), 'alice');
    expect(server.calls).toHaveLength(1);
  });

  it('replaces an own pending message by its acknowledged form (same clientMessageId)', async () => {
    const { server, store } = setup();
    await store.getState().loadLatest('c1');
    store.getState().addPending(pending('mine'));
    store.getState().addPending(pending('mine'));
    expect(store.getState().threads.c1!.pending).toHaveLength(1);
    store.getState().receive(message(1, { senderId: 'alice', clientMessageId: 'mine' }), 'alice');
    const thread = store.getState().threads.c1!;
    expect(thread.pending).toEqual([]);
    expect(seqs(thread.messages)).toEqual([1]);
    expect(server.calls).toHaveLength(1);
  });

  it('drops pending messages that a history page shows were stored (their ack was lost)', async () => {
    const { server, store } = setup();
    store.getState().addPending(pending('lost-ack'));
    store.getState().addPending(pending('still-out'));
    server.add(message(1, { senderId: 'alice', clientMessageId: 'lost-ack' }));
    await store.getState().loadLatest('c1');
    expect(store.getState().threads.c1!.pending.map((p) => p.clientMessageId)).toEqual([
      'still-out',
    ]);
    // Restoring the outbox after a reload does not show a stored message as pending again.
    store.getState().addPending(pending('lost-ack'));
    expect(store.getState().threads.c1!.pending).toHaveLength(1);
  });

  it('marks a pending message failed and pending again (Retry)', () => {
    const { store } = setup();
    store.getState().addPending(pending('p'));
    store.getState().setPendingStatus('c1', 'p', 'failed', 'You are offline.');
    expect(store.getState().threads.c1!.pending[0]).toMatchObject({
      status: 'failed',
      error: 'You are offline.',
    });
    store.getState().setPendingStatus('c1', 'p', 'pending', null);
    expect(store.getState().threads.c1!.pending[0]).toMatchObject({
      status: 'pending',
      error: null,
    });
  });

  it('drops a page that arrives after a reset (another person signed in meanwhile)', async () => {
    const { server, store } = setup();
    server.add(message(1));
    const loading = store.getState().loadLatest('c1');
    store.getState().reset();
    await loading;
    expect(store.getState().threads).toEqual({});
  });

  it('shows an error status when the first page fails, and rethrows', async () => {
    const failing = vi.fn().mockRejectedValue(new Error('down'));
    const store = createMessagesStore(
      { history: failing, historyAround: failing, changes: new FakeHistory().changes },
      () => undefined,
    );
    await expect(store.getState().loadLatest('c1')).rejects.toThrow('down');
    expect(store.getState().threads.c1!.status).toBe('error');
  });

  it('jumps to an old message: loads the window around it and the gap up to the loaded ones, in one run', async () => {
    const { server, store } = setup();
    server.add(...messages(1, 400));
    await store.getState().loadLatest('c1');
    await store.getState().loadAround('c1', 100);
    const thread = store.getState().threads.c1!;
    // 76..400 without a hole: the window 76..125, then pages after 125 until the loaded 351..400.
    expect(seqs(thread.messages)).toEqual(seqs(messages(76, 400)));
    expect(thread.hasMoreBefore).toBe(true);
    expect(server.aroundCalls).toEqual([{ conversationId: 'c1', seq: 100, limit: 25 }]);
  });

  it('does not fetch a window for a message already loaded', async () => {
    const { server, store } = setup();
    server.add(...messages(1, 30));
    await store.getState().loadAround('c1', 10);
    expect(seqs(store.getState().threads.c1!.messages)).toEqual(seqs(messages(1, 30)));
    expect(server.aroundCalls).toEqual([]);
  });
});

describe('messages store: changes (edits, deletions, reactions)', () => {
  it('keeps a newer view of a held message from a page, never an older one', () => {
    const held = [message(1, { changeSeq: 4, body: 'v4' })];
    expect(mergeBySeq(held, [message(1, { changeSeq: 2, body: 'v2' })])).toBe(held);
    expect(mergeBySeq(held, [message(1, { changeSeq: 6, body: 'v6' })])[0]!.body).toBe('v6');
  });

  it('starts the change cursor at the baseline read before the first page, then catches up page by page', async () => {
    const server = new FakeHistory();
    const store = createMessagesStore(
      server,
      () => undefined,
      () => 3,
    );
    server.add(...messages(1, 5));
    await store.getState().loadLatest('c1');
    expect(store.getState().threads.c1!.changeSeq).toBe(3);
    // While away: 250 changes to message 2 and one deletion of message 4 (the server keeps the latest view).
    server.update(
      message(2, { body: 'edited', editedAt: '2026-11-21T10:00:00.000Z', changeSeq: 250 }),
    );
    server.update(
      message(4, {
        body: '',
        deletedAt: '2026-11-21T10:00:00.000Z',
        deletedBy: 'author',
        changeSeq: 251,
      }),
    );
    await store.getState().catchUpChanges('c1');
    const thread = store.getState().threads.c1!;
    expect(server.changeCalls.map((c) => c.after)).toEqual([3]);
    expect(thread.changeSeq).toBe(251);
    expect(thread.messages[1]!.body).toBe('edited');
    expect(thread.messages[3]!.deletedBy).toBe('author');
    await store.getState().catchUpChanges('c1');
    expect(server.changeCalls.map((c) => c.after)).toEqual([3, 251]);
  });

  it('pages through the changes feed until it has no more', async () => {
    const server = new FakeHistory();
    const store = createMessagesStore(server, () => undefined);
    server.add(...messages(1, LIMITS.CHANGES_PAGE_MAX + 10));
    await store.getState().loadLatest('c1');
    // Every stored message changed once (the loaded page among them).
    for (const [i, m] of [...server.stored.get('c1')!].entries())
      server.update({ ...m, body: 'changed', changeSeq: i + 1 });
    await store.getState().catchUpChanges('c1');
    expect(server.changeCalls.map((c) => c.after)).toEqual([0, LIMITS.CHANGES_PAGE_MAX]);
    expect(store.getState().threads.c1!.messages.every((m) => m.body === 'changed')).toBe(true);
  });

  it('applies a live change only when newer, and shows actions until they are removed', async () => {
    const { server, store } = setup();
    server.add(...messages(1, 3));
    await store.getState().loadLatest('c1');
    store.getState().applyChanges('c1', [message(2, { body: 'live', changeSeq: 7 })]);
    store.getState().applyChanges('c1', [message(2, { body: 'stale', changeSeq: 5 })]);
    expect(store.getState().threads.c1!.messages[1]!.body).toBe('live');
    const action = {
      kind: 'delete' as const,
      actionId: 'a1',
      conversationId: 'c1',
      messageId: 'm2',
      createdAt: '2026-11-21T10:00:00.000Z',
      order: 1,
    };
    store.getState().addAction(action);
    store.getState().addAction(action);
    expect(store.getState().threads.c1!.actions).toHaveLength(1);
    store.getState().removeAction('c1', 'a1');
    expect(store.getState().threads.c1!.actions).toEqual([]);
  });
});
