import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ack, ReceiptEvent, ReceiptPayload } from '@chat/shared';
import { RECEIPT_DEBOUNCE_MS, ReceiptSender } from './receipt-sender';
import { createConversationsStore } from '@/stores/conversations-store';
import { conversation, member } from '@/testing/factories';
import { FakeSocket } from '@/testing/fake-socket';

/** The receipts the client emitted, with their ack callbacks (error first, as with Socket.IO's timeout()). */
const receiptsOf = (socket: FakeSocket) =>
  socket.sent<ReceiptPayload, Error | null | Ack<ReceiptEvent>>('receipt:update');

async function setup() {
  const conversations = createConversationsStore({
    listConversations: async () => ({
      items: [
        conversation({
          lastSeq: 10,
          unreadCount: 8,
          members: [member('alice', { deliveredSeq: 2, readSeq: 2 }), member('bob')],
        }),
      ],
      nextCursor: null,
    }),
    getConversation: vi.fn(),
  });
  await conversations.getState().load();
  const socket = new FakeSocket();
  const link = { up: true };
  const sender = new ReceiptSender({
    socket: () => (link.up ? socket.asSocket() : null),
    selfId: () => 'alice',
    conversations,
  });
  return { conversations, socket, link, sender };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ReceiptSender', () => {
  it('sends one receipt for a burst, after the debounce, with the highest marks', async () => {
    const { socket, sender } = await setup();
    sender.delivered('c1', 5);
    sender.delivered('c1', 7);
    sender.read('c1', 6);
    vi.advanceTimersByTime(RECEIPT_DEBOUNCE_MS - 1);
    expect(receiptsOf(socket)).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(receiptsOf(socket).map((r) => r.payload)).toEqual([
      { conversationId: 'c1', deliveredSeq: 7, readSeq: 6 },
    ]);
  });

  it('sends only marks above what the server has, and nothing when none are', async () => {
    const { socket, sender } = await setup();
    sender.read('c1', 2);
    sender.flush();
    expect(receiptsOf(socket)).toEqual([]);
    sender.delivered('c1', 3);
    sender.flush();
    expect(receiptsOf(socket).map((r) => r.payload)).toEqual([
      { conversationId: 'c1', deliveredSeq: 3 },
    ]);
  });

  it('raises the local marks from the ack, which clears the unread count', async () => {
    const { socket, sender, conversations } = await setup();
    sender.read('c1', 10);
    sender.flush();
    receiptsOf(socket)[0]!.ack(null, {
      ok: true,
      data: { conversationId: 'c1', userId: 'alice', deliveredSeq: 10, readSeq: 10 },
    });
    expect(conversations.getState().byId.c1!.unreadCount).toBe(0);
    sender.flush();
    expect(receiptsOf(socket)).toHaveLength(1); // nothing above the server's marks any more
  });

  it('keeps what could not be sent (offline, or no ack in time) for the next flush', async () => {
    const { socket, sender, link } = await setup();
    link.up = false;
    sender.read('c1', 9);
    vi.advanceTimersByTime(RECEIPT_DEBOUNCE_MS);
    expect(receiptsOf(socket)).toEqual([]);
    link.up = true;
    sender.flush(); // on connect
    expect(receiptsOf(socket)).toHaveLength(1);
    receiptsOf(socket)[0]!.ack(new Error('operation has timed out'));
    sender.flush();
    expect(receiptsOf(socket)).toHaveLength(2);
    expect(receiptsOf(socket)[1]!.payload).toEqual({
      conversationId: 'c1',
      deliveredSeq: 9,
      readSeq: 9,
    });
  });

  it('forgets everything on reset', async () => {
    const { socket, sender } = await setup();
    sender.read('c1', 9);
    sender.reset();
    vi.advanceTimersByTime(RECEIPT_DEBOUNCE_MS);
    sender.flush();
    expect(receiptsOf(socket)).toEqual([]);
  });
});
