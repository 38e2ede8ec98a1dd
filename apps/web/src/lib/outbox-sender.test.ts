import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, type Message, type SendMessagePayload } from '@chat/shared';
import { ApiError } from './api-error';
import { Outbox } from './outbox';
import { OUTBOX_ATTEMPTS, OutboxSender } from './outbox-sender';
import { createMessagesStore } from '@/stores/messages-store';
import { message } from '@/testing/factories';
import { FakeHistory } from '@/testing/fake-history';
import { FakeLocks } from '@/testing/fake-locks';

/** The server's answer to one `message:send`: stores it (seq counting up) unless a test says otherwise. */
type SendAnswer = (payload: SendMessagePayload) => Promise<Message>;

let seq = 0;
const stored: SendAnswer = async (payload) => {
  seq += 1;
  return message(seq, { senderId: 'alice', ...payload, id: `stored-${payload.clientMessageId}` });
};
const offline = (): Promise<Message> =>
  Promise.reject(new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'no ack'));

/**
 * One browser tab of alice: its own stores and sender over the shared (fake) IndexedDB and, when given, shared
 * Web Locks. `connected` and `answer` can be changed by the test at any time.
 */
function tab(locks?: FakeLocks) {
  const server = new FakeHistory();
  const messages = createMessagesStore(server, () => undefined);
  const state = {
    userId: 'alice' as string | null,
    connected: true,
    answer: stored,
  };
  const send = vi.fn((payload: SendMessagePayload) => state.answer(payload));
  const onStored = vi.fn<(m: Message) => void>();
  const notify = vi.fn<(text: string) => void>();
  const outbox = new Outbox();
  const sender = new OutboxSender({
    outbox,
    messages,
    userId: () => state.userId,
    connected: () => state.connected,
    send,
    onStored,
    notify,
    locks,
  });
  const pending = () => messages.getState().threads.c1?.pending ?? [];
  return { server, messages, state, send, onStored, notify, outbox, sender, pending };
}

/** Lets IndexedDB requests and promise chains finish (fake-indexeddb completes on real macrotasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Lets `ms` of fake time pass in 1 s steps, letting IndexedDB work finish after each. */
async function elapse(ms: number): Promise<void> {
  for (let passed = 0; passed < ms; passed += 1_000) {
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
  }
}

/** Lets `ms` of fake time pass at once, then answers how many sends the tab has made in all. */
async function sendsAfter(t: ReturnType<typeof tab>, ms: number): Promise<number> {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
  return t.send.mock.calls.length;
}

beforeEach(() => {
  // A fresh, empty IndexedDB for every test; time is faked (setTimeout and Date only: IndexedDB needs setImmediate).
  globalThis.indexedDB = new IDBFactory();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  seq = 0;
});
afterEach(() => vi.useRealTimers());

describe('OutboxSender', () => {
  it('shows a message as pending, sends it, and forgets it once acknowledged', async () => {
    const t = tab();
    expect(t.sender.send('c1', '  hello  ')).toBe(true);
    expect(t.pending()).toMatchObject([{ body: 'hello', status: 'pending' }]);
    const id = t.pending()[0]!.clientMessageId;
    await settle();
    expect(t.send).toHaveBeenCalledWith({
      conversationId: 'c1',
      clientMessageId: id,
      body: 'hello',
    });
    expect(t.onStored).toHaveBeenCalledWith(expect.objectContaining({ clientMessageId: id }));
    expect(await t.outbox.list('alice')).toEqual([]);
  });

  it('refuses blank and oversized bodies locally, and sends attachments without text', async () => {
    const t = tab();
    expect(t.sender.send('c1', '   ')).toBe(false);
    expect(t.sender.send('c1', 'x'.repeat(10_000))).toBe(false);
    expect(t.sender.send('c1', '', ['a1'])).toBe(true);
    await settle();
    expect(t.send).toHaveBeenCalledTimes(1);
    expect(t.send.mock.calls[0]![0]).toMatchObject({ body: '', attachmentIds: ['a1'] });
  });

  it('retries with a growing delay and the same clientMessageId', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1); // full jitter at its ceiling: 1 s, then 2 s
    const t = tab();
    let failures = 2;
    t.state.answer = (payload) => (failures-- > 0 ? offline() : stored(payload));
    t.sender.send('c1', 'hello');
    await settle();
    expect(t.send).toHaveBeenCalledTimes(1);
    const attemptsAfter = (ms: number) => sendsAfter(t, ms);
    expect(await attemptsAfter(999)).toBe(1);
    expect(await attemptsAfter(1)).toBe(2);
    expect(await attemptsAfter(1_999)).toBe(2);
    expect(await attemptsAfter(1)).toBe(3);
    const ids = new Set(t.send.mock.calls.map(([p]) => p.clientMessageId));
    expect(ids.size).toBe(1);
    expect(t.onStored).toHaveBeenCalledTimes(1);
    expect(t.notify).not.toHaveBeenCalled();
  });

  it('gives up after its attempts, keeps the entry as failed, and sends it again on Retry', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const t = tab();
    t.state.answer = offline;
    t.sender.send('c1', 'hello');
    await settle();
    await elapse(60_000);
    expect(t.send).toHaveBeenCalledTimes(OUTBOX_ATTEMPTS);
    expect(t.pending()).toMatchObject([{ status: 'failed', error: 'no ack' }]);
    expect(await t.outbox.list('alice')).toMatchObject([{ status: 'failed' }]);
    expect(t.notify).toHaveBeenCalledWith('Message not sent: no ack');

    t.state.answer = stored;
    const id = t.pending()[0]!.clientMessageId;
    t.sender.retry('c1', id);
    expect(t.pending()).toMatchObject([{ status: 'pending', error: null }]);
    await settle();
    expect(t.send).toHaveBeenCalledTimes(OUTBOX_ATTEMPTS + 1);
    expect(t.send.mock.calls.at(-1)![0].clientMessageId).toBe(id);
    expect(await t.outbox.list('alice')).toEqual([]);
  });

  it('waits out RATE_LIMITED for its retryAfterMs, without using up an attempt', async () => {
    const t = tab();
    let refusals = OUTBOX_ATTEMPTS + 1; // more refusals than attempts: none of them may count as one
    t.state.answer = (payload) =>
      refusals-- > 0
        ? Promise.reject(new ApiError(0, ErrorCode.RATE_LIMITED, 'Slow down.', undefined, 700))
        : stored(payload);
    t.sender.send('c1', 'hello');
    await settle();
    expect(t.send).toHaveBeenCalledTimes(1);
    const attemptsAfter = (ms: number) => sendsAfter(t, ms);
    expect(await attemptsAfter(699)).toBe(1);
    expect(await attemptsAfter(1)).toBe(2);
    expect(await attemptsAfter(700)).toBe(3);
    expect(await attemptsAfter(700)).toBe(4);
    expect(await attemptsAfter(700)).toBe(5);
    expect(await attemptsAfter(5_000)).toBe(5);
    expect(new Set(t.send.mock.calls.map(([p]) => p.clientMessageId)).size).toBe(1);
    expect(t.onStored).toHaveBeenCalledTimes(1);
    expect(await t.outbox.list('alice')).toEqual([]);
    expect(t.notify).not.toHaveBeenCalled();
  });

  it('does not retry an error that cannot change (no longer a member)', async () => {
    const t = tab();
    t.state.answer = () =>
      Promise.reject(new ApiError(0, ErrorCode.MEMBERSHIP_ENDED, 'You left this group.'));
    t.sender.send('c1', 'hello');
    await settle();
    await elapse(60_000);
    expect(t.send).toHaveBeenCalledTimes(1);
    expect(t.pending()).toMatchObject([{ status: 'failed', error: 'You left this group.' }]);
  });

  it('waits while offline and sends on the next connect', async () => {
    const t = tab();
    t.state.connected = false;
    t.sender.send('c1', 'hello');
    await settle();
    await elapse(60_000);
    expect(t.send).not.toHaveBeenCalled();
    expect(t.pending()).toMatchObject([{ status: 'pending' }]);
    t.state.connected = true;
    t.sender.drainAll();
    await settle();
    expect(t.send).toHaveBeenCalledTimes(1);
    expect(await t.outbox.list('alice')).toEqual([]);
  });

  it('parks a send that lost the connection between attempts, without marking it failed', async () => {
    const t = tab();
    t.state.answer = () => {
      t.state.connected = false; // the link drops while the ack is awaited
      return offline();
    };
    t.sender.send('c1', 'hello');
    await settle();
    expect(t.send).toHaveBeenCalledTimes(1);
    expect(t.pending()).toMatchObject([{ status: 'pending' }]);
    expect(t.notify).not.toHaveBeenCalled();
    t.state.answer = stored;
    t.state.connected = true;
    t.sender.drainAll();
    await settle();
    expect(t.send).toHaveBeenCalledTimes(2);
    expect(t.onStored).toHaveBeenCalledTimes(1);
  });

  it('survives a restart: a new tab restores the outbox, shows it and sends it', async () => {
    const before = tab();
    before.state.connected = false;
    before.sender.send('c1', 'written offline');
    await settle();
    const id = before.pending()[0]!.clientMessageId;

    const after = tab(); // the page was reloaded: new stores, new sender, the same IndexedDB
    expect(after.pending()).toEqual([]);
    await after.sender.restore('alice');
    expect(after.pending()).toMatchObject([{ clientMessageId: id, body: 'written offline' }]);
    await settle();
    expect(after.send).toHaveBeenCalledWith(expect.objectContaining({ clientMessageId: id }));
    expect(await after.outbox.list('alice')).toEqual([]);
  });

  it('does not resend after a restart what the server already stored (the ack was lost)', async () => {
    const before = tab();
    before.state.connected = false;
    before.sender.send('c1', 'hello');
    await settle();
    const id = before.pending()[0]!.clientMessageId;

    const after = tab();
    after.server.add(message(1, { senderId: 'alice', clientMessageId: id }));
    after.state.connected = false;
    await after.sender.restore('alice');
    // The thread was opened after the restore: its first page shows the message stored.
    await after.messages.getState().loadLatest('c1');
    await settle();
    expect(after.pending()).toEqual([]);
    expect(await after.outbox.list('alice')).toEqual([]);
    after.state.connected = true;
    after.sender.drainAll();
    await settle();
    expect(after.send).not.toHaveBeenCalled();
  });

  it('lets one tab at a time send an entry; the other finds it acknowledged and sends nothing', async () => {
    const locks = new FakeLocks();
    const a = tab(locks);
    const b = tab(locks);
    let ack: () => void = () => {};
    a.state.answer = (payload) =>
      new Promise<Message>((resolve) => (ack = () => void stored(payload).then(resolve)));
    a.state.connected = false;
    a.sender.send('c1', 'hello');
    await settle();
    const id = a.pending()[0]!.clientMessageId;
    a.state.connected = true;
    a.sender.drainAll();
    await settle();
    expect(a.send).toHaveBeenCalledTimes(1);
    expect(locks.held).toEqual(new Set([`chat-outbox:${id}`]));
    // The second tab connects while the first is still waiting for the ack: it queues for the lock.
    b.sender.drainAll();
    await settle();
    expect(b.send).not.toHaveBeenCalled();
    ack();
    await settle();
    expect(b.send).not.toHaveBeenCalled();
    // Granted to a (offline, parked), to a again on connect, and to b only after a's ack.
    expect(locks.granted).toEqual(Array(3).fill(`chat-outbox:${id}`));
    expect(await b.outbox.list('alice')).toEqual([]);
  });

  it('shows in another tab an entry the first tab gave up on as failed, without sending it', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const locks = new FakeLocks();
    const a = tab(locks);
    const b = tab(locks);
    a.state.answer = offline;
    a.sender.send('c1', 'hello');
    await settle();
    await b.sender.restore('alice'); // b shows it and queues behind a's lock
    await elapse(60_000);
    expect(a.send).toHaveBeenCalledTimes(OUTBOX_ATTEMPTS);
    expect(b.send).not.toHaveBeenCalled();
    expect(b.pending()).toMatchObject([{ status: 'failed' }]);
  });

  it('never sends an entry as another person who signed in during the backoff', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const t = tab();
    t.state.answer = offline;
    t.sender.send('c1', 'from alice');
    await settle();
    t.state.userId = 'bob';
    t.state.answer = stored;
    await elapse(60_000);
    expect(t.send).toHaveBeenCalledTimes(1);
    expect(await t.outbox.list('alice')).toHaveLength(1); // kept for alice's next session
  });

  it('still sends from memory when IndexedDB refuses the write', async () => {
    const t = tab();
    vi.spyOn(t.outbox, 'put').mockRejectedValue(new DOMException('full', 'QuotaExceededError'));
    t.state.connected = false;
    t.sender.send('c1', 'hello');
    await settle();
    expect(await t.sender.unsentCount('alice')).toBe(1);
    t.state.connected = true;
    t.sender.drainAll();
    await settle();
    expect(t.send).toHaveBeenCalledTimes(1);
    expect(await t.sender.unsentCount('alice')).toBe(0);
  });

  it('holds a send until its uploads finish, leaving out the failed ones', async () => {
    const t = tab();
    let finish: (result: { ids: string[]; failed: number }) => void = () => {};
    t.sender.sendAfterUploads('c1', 'pictures', new Promise((resolve) => (finish = resolve)));
    expect(t.sender.heldSends.getState()).toEqual({ c1: 1 });
    expect(await t.sender.unsentCount('alice')).toBe(1);
    finish({ ids: ['a1'], failed: 1 });
    await settle();
    expect(t.sender.heldSends.getState()).toEqual({ c1: 0 });
    expect(t.notify).toHaveBeenCalledWith('A file could not be uploaded and was left out.');
    expect(t.send.mock.calls[0]![0]).toMatchObject({ body: 'pictures', attachmentIds: ['a1'] });
  });

  it('discards a person’s entries on a deliberate sign-out', async () => {
    const t = tab();
    t.state.connected = false;
    t.sender.send('c1', 'one');
    t.sender.send('c1', 'two');
    await settle();
    expect(await t.sender.unsentCount('alice')).toBe(2);
    await t.sender.discard('alice');
    t.sender.reset();
    expect(await t.sender.unsentCount('alice')).toBe(0);
  });
});
