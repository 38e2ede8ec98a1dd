import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ErrorCode,
  type Ack,
  type Message,
  type ReceiptPayload,
  type SendMessagePayload,
} from '@chat/shared';
import { ChatClient } from './chat-client';
import { RECEIPT_DEBOUNCE_MS } from './receipt-sender';
import { authResponse, conversation, message } from '@/testing/factories';
import { FakeHistory } from '@/testing/fake-history';
import { FakeLocks } from '@/testing/fake-locks';
import { FakeSocket } from '@/testing/fake-socket';

const AUTH = authResponse();

/** A small stand-in for the API over fetch: auth routes, the conversation list and history from FakeHistory. */
function fakeApi(history: FakeHistory) {
  const json = (status: number, body?: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), { status });
  const fetch = vi.fn(async (url: URL, init?: RequestInit) => {
    const route = `${init?.method ?? 'GET'} ${url.pathname}`;
    if (route === 'POST /api/auth/refresh')
      return json(401, { statusCode: 401, code: ErrorCode.REFRESH_TOKEN_INVALID, message: 'none' });
    if (route === 'POST /api/auth/login') return json(200, AUTH);
    if (route === 'POST /api/auth/logout') return json(204);
    if (route === 'GET /api/conversations')
      return json(200, { items: [conversation()], nextCursor: null });
    const thread = url.pathname.match(/^\/api\/conversations\/([^/]+)\/messages$/);
    if (route.startsWith('GET') && thread) {
      const after = url.searchParams.get('after');
      return json(200, await history.history(thread[1]!, after ? { after: Number(after) } : {}));
    }
    return json(404, { statusCode: 404, code: ErrorCode.NOT_FOUND, message: route });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

async function signedIn() {
  const history = new FakeHistory();
  fakeApi(history);
  const socket = new FakeSocket();
  const notify = vi.fn<(text: string) => void>();
  const client = new ChatClient('http://api.test', notify, {
    createSocket: () => socket.asSocket(),
    locks: new FakeLocks(),
  });
  client.start();
  await settle();
  expect(client.session.getState().status).toBe('signedOut');
  await client.session.getState().login({ username: 'alice', password: 'secret-password' });
  await settle();
  socket.connectNow();
  await settle();
  return { client, socket, history, notify };
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('ChatClient', () => {
  it('connects once signed in and loads the list', async () => {
    const { client, socket } = await signedIn();
    expect(socket.connectCalls).toBe(1);
    expect(client.connection.getState().status).toBe('online');
    expect(client.conversations.getState().order).toEqual(['c1']);
  });

  it("shows another person's live message, counts it unread and reports it delivered", async () => {
    const { client, socket, history } = await signedIn();
    await client.messages.getState().loadLatest('c1');
    client.presence.getState().applyTyping({
      conversationId: 'c1',
      userId: 'bob',
      typing: true,
      expiresInMs: 5_000,
    });
    const live = message(1, { createdAt: '2026-11-20T11:00:00.000Z' });
    history.add(live);
    socket.serverEmit('message:new', live);
    await settle();
    expect(client.messages.getState().threads.c1!.messages).toEqual([live]);
    expect(client.conversations.getState().byId.c1).toMatchObject({ unreadCount: 1, lastSeq: 1 });
    expect(client.presence.getState().typing.c1).toEqual({});
    await vi.advanceTimersByTimeAsync(RECEIPT_DEBOUNCE_MS);
    expect(socket.sent<ReceiptPayload>('receipt:update').map((r) => r.payload)).toEqual([
      { conversationId: 'c1', deliveredSeq: 1 },
    ]);
  });

  it('sends through the outbox and shows the acknowledged message in place of the pending one', async () => {
    const { client, socket } = await signedIn();
    await client.messages.getState().loadLatest('c1');
    client.typing('c1', true);
    client.send('c1', 'hello');
    await settle();
    const [send] = socket.sent<SendMessagePayload, null | Ack<Message>>('message:send');
    expect(send!.payload).toMatchObject({ conversationId: 'c1', body: 'hello' });
    expect(client.messages.getState().threads.c1!.pending).toHaveLength(1);
    const stored = message(1, {
      senderId: 'alice',
      body: 'hello',
      clientMessageId: send!.payload.clientMessageId,
    });
    send!.ack(null, { ok: true, data: stored });
    await settle();
    const thread = client.messages.getState().threads.c1!;
    expect(thread.pending).toEqual([]);
    expect(thread.messages).toEqual([stored]);
    expect(client.conversations.getState().byId.c1).toMatchObject({ unreadCount: 0, lastSeq: 1 });
    expect(await client.unsentCount()).toBe(0);
    // Typing said "started" once; the send ends it on the server, so no "stopped" goes out.
    expect(socket.sent('typing:update').map((t) => t.payload)).toEqual([
      { conversationId: 'c1', typing: true },
    ]);
  });

  it('signs out: the socket closes, the stores empty and the unsent messages are discarded', async () => {
    const { client, socket } = await signedIn();
    socket.dropNow();
    client.send('c1', 'never sent');
    await settle();
    expect(await client.unsentCount()).toBe(1);
    await client.signOut();
    await settle();
    expect(client.session.getState().status).toBe('signedOut');
    expect(client.connection.getState().status).toBe('idle');
    expect(client.conversations.getState().order).toEqual([]);
    expect(client.messages.getState().threads).toEqual({});
    await client.session.getState().login({ username: 'alice', password: 'secret-password' });
    await settle();
    expect(await client.unsentCount()).toBe(0);
    client.stop();
  });
});
