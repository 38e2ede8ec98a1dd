import { describe, expect, it, vi } from 'vitest';
import { ErrorCode, type AuthResponse, type ConversationSummary } from '@chat/shared';
import type { ApiClient } from './api-client';
import { LiveLink } from './live-link';
import { createConversationsStore, type ConversationsApi } from '@/stores/conversations-store';
import { createMessagesStore } from '@/stores/messages-store';
import { createPresenceStore } from '@/stores/presence-store';
import { createSessionStore, type SessionApi } from '@/stores/session-store';
import { authResponse, conversation, message, messages, user } from '@/testing/factories';
import { FakeHistory } from '@/testing/fake-history';
import { FakeSocket } from '@/testing/fake-socket';

function setup(list: ConversationSummary[] = [conversation()]) {
  const server = new FakeHistory();
  const listApi = {
    listConversations: vi.fn<ConversationsApi['listConversations']>(async () => ({
      items: list,
      nextCursor: null,
    })),
    getConversation: vi.fn<ConversationsApi['getConversation']>(),
  };
  let hearAuth: (auth: AuthResponse | null) => void = () => {};
  const sessionApi: SessionApi = {
    refresh: vi.fn(),
    login: vi.fn(),
    register: vi.fn(),
    logout: vi.fn(),
    onAuthChange: (listener) => {
      hearAuth = listener;
      return () => undefined;
    },
  };
  const session = createSessionStore(sessionApi);
  hearAuth(authResponse());
  const conversations = createConversationsStore(listApi);
  const messagesStore = createMessagesStore(server, () => undefined);
  const presence = createPresenceStore();
  const socket = new FakeSocket();
  const calls = {
    onConnect: vi.fn(),
    onDisconnect: vi.fn(),
    onMessage: vi.fn(),
    onUpdated: vi.fn(),
    onListLoaded: vi.fn(),
    notify: vi.fn<(text: string) => void>(),
  };
  const link = new LiveLink({
    // The link hands the API only to createSocket, which is replaced here.
    api: {} as ApiClient,
    session,
    conversations,
    messages: messagesStore,
    presence,
    ...calls,
    createSocket: () => socket.asSocket(),
  });
  return {
    server,
    listApi,
    session,
    conversations,
    messages: messagesStore,
    presence,
    socket,
    link,
    calls,
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('LiveLink', () => {
  it('goes connecting, online, offline and back online (a reconnect)', () => {
    const { link, socket, calls } = setup();
    link.open('alice');
    expect(socket.connectCalls).toBe(1);
    expect(link.connection.getState()).toEqual({ status: 'connecting', reconnected: false });
    socket.connectNow();
    expect(link.connection.getState()).toEqual({ status: 'online', reconnected: false });
    expect(link.connected()).toBe(true);
    expect(calls.onConnect).toHaveBeenCalledTimes(1);
    socket.dropNow();
    expect(link.connection.getState().status).toBe('offline');
    expect(calls.onDisconnect).toHaveBeenCalledTimes(1);
    socket.connectNow();
    expect(link.connection.getState()).toEqual({ status: 'online', reconnected: true });
  });

  it('resyncs on every connect: reloads the list and catches up each opened conversation after its newest seq', async () => {
    const { link, socket, server, messages: thread, listApi, calls } = setup();
    server.add(...messages(1, 3));
    await thread.getState().loadLatest('c1');
    server.add(...messages(4, 6)); // sent while this tab was not connected
    link.open('alice');
    socket.connectNow();
    await flush();
    expect(listApi.listConversations).toHaveBeenCalledTimes(1);
    expect(calls.onListLoaded).toHaveBeenCalledTimes(1);
    expect(server.calls.at(-1)).toMatchObject({ after: 3 });
    expect(thread.getState().threads.c1!.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('routes server events to the stores and the client', async () => {
    const { link, socket, conversations, presence, session, calls } = setup();
    link.open('alice');
    socket.connectNow();
    await flush(); // the list has loaded
    socket.serverEmit('message:new', message(1));
    expect(calls.onMessage).toHaveBeenCalledWith(message(1));
    socket.serverEmit('presence:update', { userId: 'bob', online: true, lastSeenAt: null });
    expect(presence.getState().byUserId.bob).toMatchObject({ online: true });
    socket.serverEmit('receipt:update', {
      conversationId: 'c1',
      userId: 'bob',
      deliveredSeq: 2,
      readSeq: 1,
    });
    expect(conversations.getState().byId.c1!.members[1]).toMatchObject({
      deliveredSeq: 2,
      readSeq: 1,
    });
    socket.serverEmit(
      'conversation:updated',
      conversation({ id: 'c2', type: 'group', title: 'New group' }),
    );
    expect(conversations.getState().byId.c2).toMatchObject({ title: 'New group' });
    socket.serverEmit('conversation:removed', { conversationId: 'c2' });
    expect(conversations.getState().byId.c2).toBeUndefined();
    expect(conversations.getState().order).not.toContain('c2');
    socket.serverEmit('user:updated', user('bob', { displayName: 'Robert' }));
    expect(conversations.getState().byId.c1!.members[1]!.user.displayName).toBe('Robert');
    socket.serverEmit('user:updated', user('alice', { displayName: 'Alice L' }));
    expect(session.getState().user).toMatchObject({
      displayName: 'Alice L',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('tells the person about a refused connection, but not about what is retried or refreshed', () => {
    const { link, socket, calls } = setup();
    link.open('alice');
    socket.refuse(ErrorCode.TOKEN_EXPIRED);
    socket.refuse(ErrorCode.SERVICE_UNAVAILABLE);
    socket.refuse('xhr poll error', true);
    expect(calls.notify).not.toHaveBeenCalled();
    socket.refuse(ErrorCode.FORBIDDEN);
    expect(calls.notify).toHaveBeenCalledWith(
      `Real-time connection refused: ${ErrorCode.FORBIDDEN}`,
    );
    expect(link.connection.getState().status).toBe('offline');
  });

  it('refuses to send while disconnected', async () => {
    const { link } = setup();
    link.open('alice');
    await expect(
      link.send({ conversationId: 'c1', clientMessageId: 'x', body: 'hi' }),
    ).rejects.toMatchObject({ code: ErrorCode.SERVICE_UNAVAILABLE });
  });

  it('hears nothing more once closed', () => {
    const { link, socket, calls } = setup();
    link.open('alice');
    socket.connectNow();
    link.close();
    expect(link.connection.getState()).toEqual({ status: 'idle', reconnected: false });
    expect(link.connected()).toBe(false);
    socket.serverEmit('message:new', message(1));
    expect(calls.onMessage).not.toHaveBeenCalled();
  });
});
