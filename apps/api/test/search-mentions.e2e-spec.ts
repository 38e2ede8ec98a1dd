/**
 * Message search, jumping to a message, mentions and notification levels over the real app (REST and real
 * sockets, the run's storage adapter): search never shows another person's conversations, a former member's
 * results end at their departure, mentions are validated against active members and counted from the read
 * watermark, `@all` is for group admins, and a notification level set on one device reaches the others live.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  type ConversationSummary,
  ErrorCode,
  type Message,
  type MessageSearchHit,
  type MessageWindow,
  type Page,
  SEARCH_HIGHLIGHT_END,
  SEARCH_HIGHLIGHT_START,
  type SendMessageBody,
} from '@chat/shared';
import { asError, registerUser, type SignedIn } from './support/http.js';
import { connect } from './support/sockets.js';
import { callAs, directPair, useTestApp } from './support/suite.js';

const t = useTestApp();
const call = callAs(t);

async function group(admin: SignedIn, others: readonly SignedIn[]): Promise<ConversationSummary> {
  const res = await call<ConversationSummary>(admin, 'POST', '/api/conversations/group', {
    title: 'Crew',
    memberIds: others.map((o) => o.id),
  });
  expect(res.status).toBe(201);
  return res.body;
}

function post(
  me: SignedIn,
  conversationId: string,
  body: string,
  extra: Partial<SendMessageBody> = {},
) {
  return call<Message>(me, 'POST', `/api/conversations/${conversationId}/messages`, {
    clientMessageId: randomUUID(),
    body,
    ...extra,
  } satisfies SendMessageBody);
}

async function search(me: SignedIn, query: string): Promise<Page<MessageSearchHit>> {
  const res = await call<Page<MessageSearchHit>>(me, 'GET', `/api/search/messages?${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

const bodies = (page: Page<MessageSearchHit>) => page.items.map((hit) => hit.message.body);

describe('message search', () => {
  it('finds only what the caller may read, with sender and marked snippet, in keyset pages', async () => {
    const { a: ana, b: ben, conversation: direct } = await directPair(t, 'srch');
    const cy = await registerUser(t.baseUrl, 'srchC');
    const crew = await group(ana, [ben, cy]);
    const theirs = await call<ConversationSummary>(ana, 'POST', '/api/conversations/direct', {
      userId: cy.id,
    });
    expect((await post(ana, direct.id, 'Quarterly Café planning')).status).toBe(201);
    expect((await post(ana, theirs.body.id, 'quarterly cafe secret')).status).toBe(201);
    expect((await post(cy, crew.id, 'quarterly café before')).status).toBe(201);
    // ben leaves: what comes after is not his to find.
    expect((await call(ben, 'POST', `/api/conversations/${crew.id}/leave`)).status).toBeLessThan(
      300,
    );
    expect((await post(cy, crew.id, 'quarterly cafe after')).status).toBe(201);

    const page = await search(ben, `q=${encodeURIComponent('quarterly cafe')}`);
    expect(bodies(page).sort()).toEqual(
      ['Quarterly Café planning', 'quarterly café before'].sort(),
    );
    const planning = page.items.find((hit) => hit.message.conversationId === direct.id)!;
    expect(planning.sender).toMatchObject({ id: ana.id, username: ana.username });
    expect(planning.snippet).toContain(`${SEARCH_HIGHLIGHT_START}Café${SEARCH_HIGHLIGHT_END}`);
    // Naming another person's conversation does not open it.
    expect(bodies(await search(ben, `q=quarterly&conversationId=${theirs.body.id}`))).toEqual([]);

    // Pages: limit 1 walks the two hits once each.
    const first = await search(ben, 'q=quarterly&limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = await search(ben, `q=quarterly&limit=1&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.items[0]!.message.id).not.toBe(first.items[0]!.message.id);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses bad input with 400 and never a 500', async () => {
    const { a: ana } = await directPair(t, 'srchbad');
    for (const query of [
      '',
      'q=',
      'q=%20%20',
      `q=${'x'.repeat(201)}`,
      'q=a&limit=51',
      'q=a&limit=0',
      'q=a&hasFile=maybe',
      'q=a&from=yesterday',
      'q=a&conversationId=../x',
      'q=a&cursor=not-a-cursor',
      'q=a&extra=1',
    ]) {
      const res = await call(ana, 'GET', `/api/search/messages?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(asError(res).code).toBe(ErrorCode.VALIDATION_FAILED);
    }
    expect(
      (await call({ ...ana, accessToken: 'x' }, 'GET', '/api/search/messages?q=a')).status,
    ).toBe(401);
  });
});

describe('history around a seq', () => {
  it('returns the messages before and after, up to a former member departure', async () => {
    const { a: ana, b: ben, conversation } = await directPair(t, 'around');
    for (let i = 1; i <= 9; i++) await post(i % 2 ? ana : ben, conversation.id, `m${i}`);
    const res = await call<MessageWindow>(
      ben,
      'GET',
      `/api/conversations/${conversation.id}/messages/around?seq=5&limit=2`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((m) => m.seq)).toEqual([4, 5, 6, 7]);
    expect(res.body).toMatchObject({ hasMoreBefore: true, hasMoreAfter: true });
    const edge = await call<MessageWindow>(
      ben,
      'GET',
      `/api/conversations/${conversation.id}/messages/around?seq=1&limit=3`,
    );
    expect(edge.body.items.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(edge.body).toMatchObject({ hasMoreBefore: false, hasMoreAfter: true });
    const stranger = await registerUser(t.baseUrl, 'aroundX');
    const refused = await call(
      stranger,
      'GET',
      `/api/conversations/${conversation.id}/messages/around?seq=5`,
    );
    expect(refused.status).toBe(404);
    const bad = await call(ben, 'GET', `/api/conversations/${conversation.id}/messages/around`);
    expect(bad.status).toBe(400);
  });
});

describe('mentions', () => {
  it('stores mentions of active members, refuses others, and counts unread mentions until read', async () => {
    const [ana, ben, cy, dan] = await Promise.all(
      ['menA', 'menB', 'menC', 'menD'].map((n) => registerUser(t.baseUrl, n)),
    );
    const crew = await group(ana!, [ben!, cy!]);
    const ok = await post(ana!, crew.id, `hi @${ben!.username}`, { mentions: [ben!.id] });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ mentions: [ben!.id], mentionsAll: false });

    const outsider = await post(ana!, crew.id, 'hi', { mentions: [dan!.id] });
    expect(outsider.status).toBe(400);
    expect(asError(outsider).code).toBe(ErrorCode.MENTION_NOT_MEMBER);

    // @all: admins of groups only.
    const notAdmin = await post(cy!, crew.id, '@all hello', { mentionsAll: true });
    expect(notAdmin.status).toBe(403);
    expect(asError(notAdmin).code).toBe(ErrorCode.ADMIN_REQUIRED);
    expect((await post(ana!, crew.id, '@all standup', { mentionsAll: true })).status).toBe(201);
    const { conversation: direct } = await directPair(t, 'menAll');
    const inDirect = await call({ ...ana! }, 'POST', `/api/conversations/${direct.id}/messages`, {
      clientMessageId: randomUUID(),
      body: 'x',
      mentionsAll: true,
    });
    expect(inDirect.status).toBe(404); // ana is not in that pair's conversation: no existence leak

    const seen = await call<ConversationSummary>(ben!, 'GET', `/api/conversations/${crew.id}`);
    expect(seen.body).toMatchObject({ unreadMentionCount: 2, notificationLevel: 'all' });
    const cyView = await call<ConversationSummary>(cy!, 'GET', `/api/conversations/${crew.id}`);
    expect(cyView.body.unreadMentionCount).toBe(1); // @all only
    const read = await call(ben!, 'POST', `/api/conversations/${crew.id}/receipts`, {
      readSeq: seen.body.lastSeq,
    });
    expect(read.status).toBeLessThan(300);
    const after = await call<ConversationSummary>(ben!, 'GET', `/api/conversations/${crew.id}`);
    expect(after.body.unreadMentionCount).toBe(0);
  });
});

describe('notification level', () => {
  it('is stored per member and reaches every device of that member live, and nobody else', async () => {
    const { a: ana, b: ben, conversation } = await directPair(t, 'lvl');
    const [phone, laptop, other] = await Promise.all([
      connect(t.baseUrl, ben.accessToken),
      connect(t.baseUrl, ben.accessToken),
      connect(t.baseUrl, ana.accessToken),
    ]);
    const heard = (socket: typeof phone) =>
      new Promise<ConversationSummary>((resolve) => socket.once('conversation:updated', resolve));
    const onPhone = heard(phone);
    const onLaptop = heard(laptop);
    let anaHeard = false;
    other.on('conversation:updated', () => {
      anaHeard = true;
    });
    const res = await call<ConversationSummary>(
      ben,
      'PUT',
      `/api/conversations/${conversation.id}/notification-level`,
      { level: 'mentions' },
    );
    expect(res.status).toBe(200);
    expect(res.body.notificationLevel).toBe('mentions');
    expect((await onPhone).notificationLevel).toBe('mentions');
    expect((await onLaptop).notificationLevel).toBe('mentions');
    const list = await call<Page<ConversationSummary>>(ben, 'GET', '/api/conversations');
    expect(list.body.items.find((c) => c.id === conversation.id)?.notificationLevel).toBe(
      'mentions',
    );
    // ana's own level is untouched, and she was not told.
    const anaView = await call<ConversationSummary>(
      ana,
      'GET',
      `/api/conversations/${conversation.id}`,
    );
    expect(anaView.body.notificationLevel).toBe('all');
    expect(anaHeard).toBe(false);

    const bad = await call(ben, 'PUT', `/api/conversations/${conversation.id}/notification-level`, {
      level: 'loud',
    });
    expect(bad.status).toBe(400);
    const stranger = await registerUser(t.baseUrl, 'lvlX');
    const refused = await call(
      stranger,
      'PUT',
      `/api/conversations/${conversation.id}/notification-level`,
      { level: 'none' },
    );
    expect(refused.status).toBe(404);
  });
});
