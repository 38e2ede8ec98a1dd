import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, type Message } from '@chat/shared';
import { ApiError } from './api-error';
import { ActionOutbox, ActionSender } from './action-outbox';
import { applyPendingActions, toggleReaction } from './message-actions';
import type { MessageActionEvent } from './socket';
import { createMessagesStore } from '@/stores/messages-store';
import { message } from '@/testing/factories';
import { FakeHistory } from '@/testing/fake-history';
import { FakeLocks } from '@/testing/fake-locks';

/**
 * A tiny server for alice's actions on conversation c1: applies each emitted action to its copy of the message
 * (changeSeq counting up) and answers with the new view, unless `refuse` names a code for the next call.
 */
function fakeServer() {
  let changeSeq = 0;
  const server = new FakeHistory();
  server.add(message(1, { senderId: 'alice', body: 'first' }), message(2, { body: 'second' }));
  const calls: Array<{ event: MessageActionEvent; payload: Record<string, unknown> }> = [];
  const state = { refuse: null as ErrorCode | null };
  const emit = async (event: MessageActionEvent, payload: object): Promise<Message> => {
    const p = payload as { messageId: string; body?: string; emoji?: string };
    calls.push({ event, payload: p });
    if (state.refuse) {
      const code = state.refuse;
      state.refuse = null;
      throw new ApiError(0, code, `refused: ${code}`);
    }
    const held = server.stored.get('c1')!.find((m) => m.id === p.messageId)!;
    changeSeq += 1;
    let next: Message = { ...held, changeSeq };
    if (event === 'message:edit')
      next = { ...next, body: p.body!, editedAt: '2026-11-21T10:00:00.000Z' };
    if (event === 'message:delete')
      next = {
        ...next,
        body: '',
        reactions: [],
        deletedAt: '2026-11-21T10:00:00.000Z',
        deletedBy: 'author',
      };
    if (event === 'reaction:add' || event === 'reaction:remove')
      next = {
        ...next,
        reactions: toggleReaction(held.reactions, p.emoji!, 'alice', event === 'reaction:add'),
      };
    server.update(next);
    return next;
  };
  return { server, calls, state, emit };
}

/** One tab of alice over the shared (fake) IndexedDB: its stores and action sender. */
function tab(server: ReturnType<typeof fakeServer>, locks?: FakeLocks) {
  const messages = createMessagesStore(server.server, () => undefined);
  const link = { connected: true };
  const notify = vi.fn<(text: string) => void>();
  const sender = new ActionSender({
    outbox: new ActionOutbox(),
    messages,
    userId: () => 'alice',
    connected: () => link.connected,
    emit: (event, payload) =>
      link.connected
        ? server.emit(event, payload)
        : Promise.reject(new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'offline')),
    onAcked: (m) => messages.getState().applyChanges(m.conversationId, [m]),
    notify,
    locks,
  });
  /** The thread as the person sees it: stored messages with pending actions applied. */
  const shown = () => {
    const t = messages.getState().threads.c1!;
    return applyPendingActions(t.messages, t.actions, 'alice');
  };
  return { messages, link, notify, sender, shown };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});
afterEach(() => vi.useRealTimers());

describe('ActionSender', () => {
  it('shows actions at once and sends them in the order they were made', async () => {
    const server = fakeServer();
    const t = tab(server);
    await t.messages.getState().loadLatest('c1');
    t.sender.enqueue('c1', 'm1', { kind: 'edit', body: 'first, edited' });
    t.sender.enqueue('c1', 'm2', { kind: 'react', emoji: '👍', add: true });
    t.sender.enqueue('c1', 'm2', { kind: 'react', emoji: '👍', add: false });
    expect(t.shown()[0]!.body).toBe('first, edited');
    await settle();
    expect(server.calls.map((c) => c.event)).toEqual([
      'message:edit',
      'reaction:add',
      'reaction:remove',
    ]);
    const thread = t.messages.getState().threads.c1!;
    expect(thread.actions).toEqual([]);
    expect(thread.messages[0]).toMatchObject({ body: 'first, edited', changeSeq: 1 });
    expect(thread.messages[1]!.reactions).toEqual([]);
  });

  it('keeps actions made offline, in order, through a reload, and sends each once when back online', async () => {
    const server = fakeServer();
    const before = tab(server);
    before.link.connected = false;
    await before.messages.getState().loadLatest('c1');
    before.sender.enqueue('c1', 'm2', { kind: 'react', emoji: '🎉', add: true });
    before.sender.enqueue('c1', 'm1', { kind: 'edit', body: 'offline edit' });
    await settle();
    expect(server.calls).toEqual([]);
    expect(before.shown()[0]!.body).toBe('offline edit');

    // A reload: a new tab state over the same IndexedDB, still offline at first.
    const after = tab(server);
    after.link.connected = false;
    await after.messages.getState().loadLatest('c1');
    await after.sender.restore('alice');
    expect(after.shown()[0]!.body).toBe('offline edit');
    expect(after.shown()[1]!.reactions.map((r) => r.emoji)).toEqual(['🎉']);
    after.link.connected = true;
    after.sender.drain();
    await settle();
    expect(server.calls.map((c) => c.event)).toEqual(['reaction:add', 'message:edit']);
    expect(await after.sender.count('alice')).toBe(0);
    after.sender.drain();
    await settle();
    expect(server.calls).toHaveLength(2);
  });

  it('rolls a refused action back with a toast and goes on with the next one', async () => {
    const server = fakeServer();
    const t = tab(server);
    await t.messages.getState().loadLatest('c1');
    server.state.refuse = ErrorCode.NOT_MESSAGE_AUTHOR;
    t.sender.enqueue('c1', 'm2', { kind: 'edit', body: 'not mine' });
    t.sender.enqueue('c1', 'm2', { kind: 'react', emoji: '❤️', add: true });
    expect(t.shown()[1]!.body).toBe('not mine');
    await settle();
    expect(t.shown()[1]!.body).toBe('second');
    expect(t.shown()[1]!.reactions.map((r) => r.emoji)).toEqual(['❤️']);
    expect(t.notify).toHaveBeenCalledWith(
      'Could not edit the message: refused: NOT_MESSAGE_AUTHOR',
    );
    expect(await t.sender.count('alice')).toBe(0);
  });

  it('keeps an action made while disconnected and sends it on the next drain', async () => {
    const server = fakeServer();
    const t = tab(server);
    await t.messages.getState().loadLatest('c1');
    t.link.connected = false;
    t.sender.enqueue('c1', 'm1', { kind: 'delete' });
    await settle();
    expect(t.shown()[0]!.deletedAt).not.toBeNull();
    t.link.connected = true;
    t.sender.drain();
    await settle();
    expect(server.calls.map((c) => c.event)).toEqual(['message:delete']);
    expect(t.messages.getState().threads.c1!.messages[0]!.deletedBy).toBe('author');
  });

  it('lets one tab at a time send a shared queue, and the other stops showing what was confirmed', async () => {
    const server = fakeServer();
    const locks = new FakeLocks();
    const one = tab(server, locks);
    const two = tab(server, locks);
    await one.messages.getState().loadLatest('c1');
    await two.messages.getState().loadLatest('c1');
    one.link.connected = false;
    one.sender.enqueue('c1', 'm1', { kind: 'edit', body: 'from tab one' });
    await settle();
    await two.sender.restore('alice');
    one.link.connected = true;
    one.sender.drain();
    two.sender.drain();
    await settle();
    expect(server.calls).toHaveLength(1);
    expect(one.messages.getState().threads.c1!.actions).toEqual([]);
    expect(two.messages.getState().threads.c1!.actions).toEqual([]);
  });
});
