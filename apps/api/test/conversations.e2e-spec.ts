import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  type ConversationSummary,
  ErrorCode,
  type Message,
  type Page,
  type PublicUser,
  type SelfUser,
} from '@chat/shared';
import { asError, registerUser, type SignedIn, uniqueUsername } from './support/http.js';
import { connect, disconnectAll } from './support/sockets.js';
import { acceptRequest, callAs, useTestApp } from './support/suite.js';

const t = useTestApp();

const call = callAs(t);

afterEach(() => disconnectAll());

async function openDirect(me: SignedIn, other: SignedIn | string) {
  return call<ConversationSummary>(me, 'POST', '/api/conversations/direct', {
    userId: typeof other === 'string' ? other : other.id,
  });
}

describe('users', () => {
  it('reads and updates my profile (display name trimmed and validated)', async () => {
    const me = await registerUser(t.baseUrl, 'prof');
    const updated = await call<SelfUser>(me, 'PATCH', '/api/users/me', {
      displayName: '  Grace Hopper ',
    });
    expect(updated.status).toBe(200);
    expect(updated.body.displayName).toBe('Grace Hopper');
    expect((await call<SelfUser>(me, 'GET', '/api/users/me')).body.displayName).toBe(
      'Grace Hopper',
    );
    const blank = await call(me, 'PATCH', '/api/users/me', { displayName: '   ' });
    expect(blank.status).toBe(400);
    expect(asError(blank).details).toHaveProperty('displayName');
    const sneaky = await call(me, 'PATCH', '/api/users/me', {
      displayName: 'ok',
      username: 'root',
    });
    expect(asError(sneaky).details).toHaveProperty('username');
  });

  it('tells the people I share a conversation with about a new display name (user:updated)', async () => {
    const me = await registerUser(t.baseUrl, 'rename');
    const friend = await registerUser(t.baseUrl, 'renamefriend');
    const opened = await openDirect(me, friend);
    await acceptRequest(t, friend, opened.body.id);
    const socket = await connect(t.baseUrl, friend.accessToken);
    const told = new Promise<PublicUser>((resolve) => socket.once('user:updated', resolve));
    await call<SelfUser>(me, 'PATCH', '/api/users/me', { displayName: 'Ada Byron' });
    expect(await told).toMatchObject({ id: me.id, displayName: 'Ada Byron' });
  });

  it('searches the directory by username or display-name word, excluding me, with only public fields', async () => {
    const tag = uniqueUsername('dir').replace(/_/g, '');
    const me = await registerUser(t.baseUrl, `${tag}_me`);
    const alice = await registerUser(t.baseUrl, `${tag}_alice`, { displayName: 'Alice Zephyrine' });
    const res = await call<Page<PublicUser>>(me, 'GET', `/api/users?q=${tag}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((u) => u.id)).toEqual([alice.id]);
    expect(Object.keys(res.body.items[0]!).sort()).toEqual([
      'avatarUrl',
      'displayName',
      'id',
      'username',
    ]);
    const byWord = await call<Page<PublicUser>>(me, 'GET', '/api/users?q=zephyr');
    expect(byWord.body.items.map((u) => u.id)).toContain(alice.id);
  });

  it('pages the directory with cursor and limit', async () => {
    const tag = uniqueUsername('pg').replace(/_/g, '');
    const me = await registerUser(t.baseUrl, `${tag}_0`);
    const others = [];
    for (let i = 1; i <= 3; i += 1) others.push(await registerUser(t.baseUrl, `${tag}_${i}`));
    const first = await call<Page<PublicUser>>(me, 'GET', `/api/users?q=${tag}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call<Page<PublicUser>>(
      me,
      'GET',
      `/api/users?q=${tag}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`,
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.items, ...second.body.items].map((u) => u.id).sort()).toEqual(
      others.map((o) => o.id).sort(),
    );
  });

  it('refuses a limit above 50 and a forged cursor with VALIDATION_FAILED', async () => {
    const me = await registerUser(t.baseUrl, 'lim');
    const tooMany = await call(me, 'GET', '/api/users?q=a&limit=51');
    expect(tooMany.status).toBe(400);
    expect(asError(tooMany).details).toHaveProperty('limit');
    const forged = await call(me, 'GET', '/api/users?q=a&cursor=bm9wZQ');
    expect(forged.status).toBe(400);
    expect(asError(forged).code).toBe(ErrorCode.VALIDATION_FAILED);
  });

  it('does not hand out the directory to a missing, empty or blank query (400 naming q)', async () => {
    const me = await registerUser(t.baseUrl, 'dir');
    for (const query of ['', '?q=', '?q=%20%20', '?limit=50']) {
      const res = await call(me, 'GET', `/api/users${query}`);
      expect(res.status).toBe(400);
      expect(asError(res).details).toHaveProperty('q');
    }
  });
});

describe('direct conversations', () => {
  it('creates one (201), then returns the same one (200) from either side', async () => {
    const a = await registerUser(t.baseUrl, 'dA');
    const b = await registerUser(t.baseUrl, 'dB');
    const created = await openDirect(a, b);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      type: 'direct',
      title: null,
      lastSeq: 0,
      lastMessage: null,
      unreadCount: 0,
    });
    expect(created.body.members.map((m) => m.user.id).sort()).toEqual([a.id, b.id].sort());
    const again = await openDirect(a, b);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    const fromB = await openDirect(b, a);
    expect(fromB.status).toBe(200);
    expect(fromB.body.id).toBe(created.body.id);
  });

  it('returns one conversation to concurrent requests', async () => {
    const a = await registerUser(t.baseUrl, 'cA');
    const b = await registerUser(t.baseUrl, 'cB');
    const results = await Promise.all([openDirect(a, b), openDirect(b, a), openDirect(a, b)]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
  });

  it('refuses myself (CANNOT_MESSAGE_SELF), unknown users (USER_NOT_FOUND) and malformed ids', async () => {
    const a = await registerUser(t.baseUrl, 'self');
    const self = await openDirect(a, a);
    expect(self.status).toBe(400);
    expect(asError(self).code).toBe(ErrorCode.CANNOT_MESSAGE_SELF);
    const unknown = await openDirect(a, randomUUID());
    expect(unknown.status).toBe(404);
    expect(asError(unknown).code).toBe(ErrorCode.USER_NOT_FOUND);
    const objectId = await openDirect(a, '507f1f77bcf86cd799439011');
    expect(asError(objectId).code).toBe(ErrorCode.USER_NOT_FOUND);
    const malformed = await openDirect(a, 'x'.repeat(65));
    expect(malformed.status).toBe(400);
    expect(asError(malformed).details).toHaveProperty('userId');
  });
});

describe('conversation list and details', () => {
  it('lists my conversations by latest activity with last message and unread count', async () => {
    const me = await registerUser(t.baseUrl, 'lst');
    const b = await registerUser(t.baseUrl, 'lstB');
    const c = await registerUser(t.baseUrl, 'lstC');
    const withB = (await openDirect(me, b)).body;
    const withC = (await openDirect(me, c)).body;
    // b writes twice to me; the conversation with b becomes the most recent.
    for (const body of ['one', 'two']) {
      const sent = await call<Message>(b, 'POST', `/api/conversations/${withB.id}/messages`, {
        clientMessageId: randomUUID(),
        body,
      });
      expect(sent.status).toBe(201);
    }
    const page = await call<Page<ConversationSummary>>(me, 'GET', '/api/conversations');
    expect(page.status).toBe(200);
    expect(page.body.items.map((i) => i.id)).toEqual([withB.id, withC.id]);
    const first = page.body.items[0]!;
    expect(first.lastSeq).toBe(2);
    expect(first.lastMessage).toMatchObject({ body: 'two', seq: 2, senderId: b.id });
    expect(first.unreadCount).toBe(2);
    expect(first.members.map((m) => m.user.username).sort()).toEqual(
      [me.username, b.username].sort(),
    );
    // The sender's own messages are never unread for them.
    const bView = await call<ConversationSummary>(b, 'GET', `/api/conversations/${withB.id}`);
    expect(bView.body.unreadCount).toBe(0);
    // Paging: one per page.
    const p1 = await call<Page<ConversationSummary>>(me, 'GET', '/api/conversations?limit=1');
    expect(p1.body.items.map((i) => i.id)).toEqual([withB.id]);
    const p2 = await call<Page<ConversationSummary>>(
      me,
      'GET',
      `/api/conversations?limit=1&cursor=${encodeURIComponent(p1.body.nextCursor!)}`,
    );
    expect(p2.body.items.map((i) => i.id)).toEqual([withC.id]);
  });

  it('hides conversations from non-members with the same 404 as a missing one', async () => {
    const a = await registerUser(t.baseUrl, 'hA');
    const b = await registerUser(t.baseUrl, 'hB');
    const outsider = await registerUser(t.baseUrl, 'hOut');
    const conv = (await openDirect(a, b)).body;
    const notMine = await call(outsider, 'GET', `/api/conversations/${conv.id}`);
    const missing = await call(outsider, 'GET', `/api/conversations/${randomUUID()}`);
    const objectId = await call(outsider, 'GET', '/api/conversations/507f1f77bcf86cd799439011');
    for (const res of [notMine, missing, objectId]) {
      expect(res.status).toBe(404);
      expect(asError(res).code).toBe(ErrorCode.CONVERSATION_NOT_FOUND);
    }
    expect(notMine.body).toEqual(missing.body);
    expect(
      (await call<Page<ConversationSummary>>(outsider, 'GET', '/api/conversations')).body.items,
    ).toEqual([]);
  });

  it('refuses malformed ids with VALIDATION_FAILED', async () => {
    const a = await registerUser(t.baseUrl, 'mal');
    const res = await call(a, 'GET', `/api/conversations/${'a'.repeat(65)}`);
    expect(res.status).toBe(400);
    expect(asError(res).code).toBe(ErrorCode.VALIDATION_FAILED);
  });
});
