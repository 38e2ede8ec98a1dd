/**
 * Message actions end to end (real app, real HTTP, real socket.io-client): edits, deletions and reactions reach
 * every device of every active member live; a client offline during many changes catches up through the changes
 * feed and ends identical to the server's view; authorisation answers (403/404) change nothing; a deleted message's
 * attachment answers 404; retries change nothing; forwarding copies attachments.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  type ConversationSummary,
  ErrorCode,
  type Message,
  type MessageChangesPage,
  type MessagePage,
  type Page,
} from '@chat/shared';
import { replySnippet } from '../src/conversations/conversation.mapper.js';
import { asError, registerUser, type SignedIn } from './support/http.js';
import { type ClientSocket, connect, messageInbox } from './support/sockets.js';
import { callAs, directPair, useTestApp } from './support/suite.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const t = useTestApp();
const call = callAs(t);

const base = (conversationId: string) => `/api/conversations/${conversationId}`;

async function sendRest(
  me: SignedIn,
  conversationId: string,
  body: string,
  extra: { attachmentIds?: string[]; replyToId?: string } = {},
): Promise<Message> {
  const res = await call<Message>(me, 'POST', `${base(conversationId)}/messages`, {
    clientMessageId: randomUUID(),
    body,
    ...extra,
  });
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function historyOf(me: SignedIn, conversationId: string): Promise<Message[]> {
  const items: Message[] = [];
  let after = 0;
  for (;;) {
    const res = await call<MessagePage>(
      me,
      'GET',
      `${base(conversationId)}/messages?after=${after}&limit=100`,
    );
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    if (!res.body.hasMore || res.body.items.length === 0) return items;
    after = res.body.items[res.body.items.length - 1]!.seq;
  }
}

async function summaryOf(me: SignedIn, conversationId: string): Promise<ConversationSummary> {
  const res = await call<Page<ConversationSummary>>(me, 'GET', '/api/conversations?limit=100');
  const found = res.body.items.find((c) => c.id === conversationId);
  if (!found) throw new Error('conversation not in the list');
  return found;
}

async function createGroup(admin: SignedIn, others: SignedIn[]): Promise<ConversationSummary> {
  const res = await call<ConversationSummary>(admin, 'POST', '/api/conversations/group', {
    title: 'Team',
    memberIds: others.map((o) => o.id),
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** Collects `message:updated` events; `next()` takes them in order. */
function updates(socket: ClientSocket) {
  const queue: Message[] = [];
  const waiters: Array<(m: Message) => void> = [];
  socket.on('message:updated', (m) => {
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return {
    received: queue,
    next(timeoutMs = 5000): Promise<Message> {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message:updated in time')), timeoutMs);
        waiters.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
  };
}

const ack = <T>(socket: ClientSocket, event: string, payload: unknown) =>
  (
    socket.timeout(5000) as unknown as {
      emitWithAck(
        e: string,
        p: unknown,
      ): Promise<{ ok: boolean; data?: T; error?: { code: string } }>;
    }
  ).emitWithAck(event, payload);

const pdf = () =>
  Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
      `trailer << /Root 1 0 R >>\n%${randomUUID()}\n%%EOF\n`,
  );

async function attach(me: SignedIn, conversationId: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(pdf())], { type: 'application/pdf' }), 'notes.pdf');
  const res = await fetch(`${t.baseUrl}${base(conversationId)}/attachments`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${me.accessToken}` },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function download(me: SignedIn, url: string): Promise<number> {
  const res = await fetch(t.baseUrl + url, {
    headers: { authorization: `Bearer ${me.accessToken}` },
  });
  await res.arrayBuffer();
  return res.status;
}

async function filesOnDisk(): Promise<number> {
  const entries = await readdir(t.config.uploadDir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

describe('live changes', () => {
  it('sends edits, reactions and deletions to every device of every active member, the actor included', async () => {
    const { a, b, conversation } = await directPair(t, 'live');
    const [a1, a2, b1] = await Promise.all([
      connect(t.baseUrl, a.accessToken),
      connect(t.baseUrl, a.accessToken),
      connect(t.baseUrl, b.accessToken),
    ]);
    const inboxes = [a1, a2, b1].map(updates);
    const message = await sendRest(a, conversation.id, 'helo');
    const ref = { conversationId: conversation.id, messageId: message.id };

    const edited = await ack<Message>(a1, 'message:edit', { ...ref, body: 'hello' });
    expect(edited).toMatchObject({ ok: true, data: { body: 'hello', changeSeq: 1 } });
    expect(edited.data?.editedAt).toEqual(expect.any(String));
    for (const inbox of inboxes) expect(await inbox.next()).toEqual(edited.data);

    const reacted = await ack<Message>(b1, 'reaction:add', { ...ref, emoji: '👍🏽' });
    expect(reacted.data?.reactions).toEqual([{ emoji: '👍🏽', count: 1, userIds: [b.id] }]);
    for (const inbox of inboxes) expect(await inbox.next()).toEqual(reacted.data);

    const deleted = await ack<Message>(a2, 'message:delete', ref);
    expect(deleted.data).toMatchObject({
      id: message.id,
      seq: message.seq,
      senderId: a.id,
      createdAt: message.createdAt,
      body: '',
      reactions: [],
      attachments: [],
      deletedBy: 'author',
      changeSeq: 3,
    });
    for (const inbox of inboxes) expect(await inbox.next()).toEqual(deleted.data);
    // The list's preview follows the deletion.
    expect((await summaryOf(b, conversation.id)).lastMessage).toEqual(deleted.data);
    expect((await summaryOf(b, conversation.id)).changeSeq).toBe(3);
  });

  it('stops telling a removed group member, whose changes feed ends at their departure', async () => {
    const [ana, ben, cy] = await Promise.all([
      registerUser(t.baseUrl, 'gA'),
      registerUser(t.baseUrl, 'gB'),
      registerUser(t.baseUrl, 'gC'),
    ]);
    const group = await createGroup(ana, [ben, cy]);
    const message = await sendRest(ben, group.id, 'hi all');
    const ref = { conversationId: group.id, messageId: message.id };
    await call(
      cy,
      'PUT',
      `${base(group.id)}/messages/${message.id}/reactions/${encodeURIComponent('🎉')}`,
    );
    const removed = await call(ana, 'DELETE', `${base(group.id)}/members/${cy.id}`);
    expect(removed.status).toBe(200);
    const [anaSocket, cySocket] = await Promise.all([
      connect(t.baseUrl, ana.accessToken),
      connect(t.baseUrl, cy.accessToken),
    ]);
    const [anaInbox, cyInbox] = [updates(anaSocket), updates(cySocket)];
    const edited = await ack<Message>(await connect(t.baseUrl, ben.accessToken), 'message:edit', {
      ...ref,
      body: 'hi team',
    });
    expect(edited.ok).toBe(true);
    expect(await anaInbox.next()).toEqual(edited.data);
    // Cy is told nothing; a round trip after the edit proves the event would have arrived by now.
    await call(cy, 'GET', '/api/users/me');
    expect(cyInbox.received).toEqual([]);
    const cySummary = await summaryOf(cy, group.id);
    expect(cySummary.status).toBe('left');
    expect(cySummary.changeSeq).toBe(1);
    const cyFeed = await call<MessageChangesPage>(cy, 'GET', `${base(group.id)}/changes?after=0`);
    expect(cyFeed.body.items.map((m) => m.id)).toEqual([]);
    const anaFeed = await call<MessageChangesPage>(ana, 'GET', `${base(group.id)}/changes?after=0`);
    expect(anaFeed.body.items).toEqual([edited.data]);
    // Former members can do none of the actions.
    const refused = await call(
      cy,
      'PUT',
      `${base(group.id)}/messages/${message.id}/reactions/%F0%9F%91%8D`,
    );
    expect(refused.status).toBe(403);
    expect(asError(refused).code).toBe(ErrorCode.MEMBERSHIP_ENDED);
  });
});

describe('resync after being offline', () => {
  it('brings a client that missed 30 mixed changes to exactly the server view through the changes feed', async () => {
    const { a, b, conversation } = await directPair(t, 'sync');
    const sent: Message[] = [];
    for (let i = 1; i <= 10; i++)
      sent.push(await sendRest(i % 2 ? a : b, conversation.id, `m${i}`));
    const reply = await sendRest(b, conversation.id, 'answer', { replyToId: sent[0]!.id });
    expect(reply.replyTo).toEqual({
      messageId: sent[0]!.id,
      seq: sent[0]!.seq,
      senderId: a.id,
      snippet: 'm1',
      deleted: false,
    });

    // B's device: the summary's change value first, then history (so history is at least that current).
    const held = new Map<string, Message>();
    let changeCursor = (await summaryOf(b, conversation.id)).changeSeq;
    for (const m of await historyOf(b, conversation.id)) held.set(m.id, m);

    // B goes offline; 30 changes happen, by both people, over REST and sockets.
    const aSocket = await connect(t.baseUrl, a.accessToken);
    const emoji = ['👍', '❤️', '😂', '🎉', '👀'];
    for (let i = 0; i < 30; i++) {
      const m = sent[i % 10]!;
      const ref = { conversationId: conversation.id, messageId: m.id };
      const own = m.senderId === a.id ? a : b;
      const kind = i % 5;
      let res: { ok: boolean; error?: { code: string } } | { status: number };
      if (kind === 0) res = await ack(aSocket, 'reaction:add', { ...ref, emoji: emoji[i % 5] });
      else if (kind === 1)
        res = await call(own, 'PATCH', `${base(conversation.id)}/messages/${m.id}`, {
          body: `edit ${i}`,
        });
      else if (kind === 2)
        res = await call(
          b,
          'PUT',
          `${base(conversation.id)}/messages/${m.id}/reactions/${encodeURIComponent(emoji[(i + 1) % 5]!)}`,
        );
      else if (kind === 3)
        res = await ack(aSocket, 'reaction:remove', { ...ref, emoji: emoji[(i + 4) % 5] });
      else res = await call(own, 'DELETE', `${base(conversation.id)}/messages/${m.id}`);
      // Some land on tombstones (edits and reactions then answer MESSAGE_DELETED): that is part of the mix.
      if ('status' in res) expect([200, 409]).toContain(res.status);
      else expect(res.ok || res.error?.code === ErrorCode.MESSAGE_DELETED).toBe(true);
    }

    // Back online: the list says how far the change log went; the feed is walked from the held value.
    const summary = await summaryOf(b, conversation.id);
    expect(summary.changeSeq).toBeGreaterThan(changeCursor);
    let pages = 0;
    for (;;) {
      const res = await call<MessageChangesPage>(
        b,
        'GET',
        `${base(conversation.id)}/changes?after=${changeCursor}&limit=4`,
      );
      expect(res.status).toBe(200);
      pages += 1;
      for (const item of res.body.items) {
        expect(item.changeSeq).toBeGreaterThan(changeCursor);
        const mine = held.get(item.id);
        if (mine && mine.changeSeq < item.changeSeq) held.set(item.id, item);
        // Replies to it take the new quote (the client rule in docs/protocol.md).
        for (const [id, m] of held) {
          if (m.replyTo?.messageId !== item.id) continue;
          held.set(id, {
            ...m,
            replyTo: {
              ...m.replyTo,
              deleted: item.deletedAt !== null,
              snippet: item.deletedAt !== null ? '' : replySnippet(item.body),
            },
          });
        }
        changeCursor = item.changeSeq;
      }
      if (!res.body.hasMore) break;
    }
    expect(pages).toBeGreaterThan(1);
    expect(changeCursor).toBe(summary.changeSeq);
    const server = await historyOf(b, conversation.id);
    expect([...held.values()].sort((x, y) => x.seq - y.seq)).toEqual(server);
    // The mix really deleted, edited and reacted.
    expect(server.some((m) => m.deletedAt !== null)).toBe(true);
    expect(server.some((m) => m.editedAt !== null && m.deletedAt === null)).toBe(true);
    expect(server.some((m) => m.reactions.length > 0)).toBe(true);
  });
});

describe('who may do what', () => {
  it('refuses edits by non-authors, deletions of others by non-admins, and non-members, changing nothing', async () => {
    const { a, b, conversation } = await directPair(t, 'perm');
    const stranger = await registerUser(t.baseUrl, 'stranger');
    const message = await sendRest(a, conversation.id, 'mine');
    const path = `${base(conversation.id)}/messages/${message.id}`;

    const edit = await call(b, 'PATCH', path, { body: 'yours now' });
    expect(edit.status).toBe(403);
    expect(asError(edit).code).toBe(ErrorCode.NOT_MESSAGE_AUTHOR);
    const del = await call(b, 'DELETE', path);
    expect(del.status).toBe(403);
    expect(asError(del).code).toBe(ErrorCode.NOT_MESSAGE_AUTHOR);
    for (const [method, p, body] of [
      ['PATCH', path, { body: 'x' }],
      ['DELETE', path, undefined],
      ['PUT', `${path}/reactions/%F0%9F%91%8D`, undefined],
      ['DELETE', `${path}/reactions/%F0%9F%91%8D`, undefined],
      [
        'POST',
        `${path}/forward`,
        { targetConversationId: conversation.id, clientMessageId: randomUUID() },
      ],
      ['GET', `${base(conversation.id)}/changes?after=0`, undefined],
    ] as const) {
      const res = await call(stranger, method, p, body);
      expect(res.status).toBe(404);
      expect(asError(res).code).toBe(ErrorCode.CONVERSATION_NOT_FOUND);
    }
    // A message id of another conversation is not found here.
    const other = await directPair(t, 'perm2');
    const foreign = await sendRest(other.a, other.conversation.id, 'elsewhere');
    const wrong = await call(a, 'PATCH', `${base(conversation.id)}/messages/${foreign.id}`, {
      body: 'x',
    });
    expect(wrong.status).toBe(404);
    expect(asError(wrong).code).toBe(ErrorCode.MESSAGE_NOT_FOUND);
    const badReply = await call(a, 'POST', `${base(conversation.id)}/messages`, {
      clientMessageId: randomUUID(),
      body: 'reply',
      replyToId: foreign.id,
    });
    expect(badReply.status).toBe(404);
    expect(asError(badReply).code).toBe(ErrorCode.MESSAGE_NOT_FOUND);
    // Bad input.
    for (const emoji of ['a', '👍👍', '%20', 'x'.repeat(40)]) {
      const res = await call(a, 'PUT', `${path}/reactions/${emoji}`);
      expect(res.status).toBe(400);
      expect(asError(res).code).toBe(ErrorCode.VALIDATION_FAILED);
    }
    const empty = await call(a, 'PATCH', path, { body: '   ' });
    expect(empty.status).toBe(400);
    // Nothing changed anywhere.
    expect(await historyOf(a, conversation.id)).toEqual([message]);
    expect((await summaryOf(a, conversation.id)).changeSeq).toBe(0);
    expect((await historyOf(other.a, other.conversation.id)).map((m) => m.body)).toEqual([
      'elsewhere',
    ]);
  });

  it('lets a group admin delete anyone’s message, not a member; system messages take no action', async () => {
    const [admin, ben, cy] = await Promise.all([
      registerUser(t.baseUrl, 'adm'),
      registerUser(t.baseUrl, 'ben'),
      registerUser(t.baseUrl, 'cy'),
    ]);
    const group = await createGroup(admin, [ben, cy]);
    const message = await sendRest(ben, group.id, 'spam');
    const path = `${base(group.id)}/messages/${message.id}`;
    const byMember = await call(cy, 'DELETE', path);
    expect(byMember.status).toBe(403);
    expect(asError(byMember).code).toBe(ErrorCode.ADMIN_REQUIRED);
    const byAdmin = await call<Message>(admin, 'DELETE', path);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ deletedBy: 'admin', body: '', senderId: ben.id });
    const edit = await call(ben, 'PATCH', path, { body: 'back' });
    expect(edit.status).toBe(409);
    expect(asError(edit).code).toBe(ErrorCode.MESSAGE_DELETED);
    const [system] = await historyOf(admin, group.id);
    expect(system?.kind).toBe('system');
    for (const [method, p] of [
      ['DELETE', `${base(group.id)}/messages/${system!.id}`],
      ['PUT', `${base(group.id)}/messages/${system!.id}/reactions/%F0%9F%91%8D`],
    ] as const) {
      const res = await call(admin, method, p);
      expect(res.status).toBe(400);
      expect(asError(res).code).toBe(ErrorCode.MESSAGE_NOT_MODIFIABLE);
    }
  });
});

describe('retries and attachments', () => {
  it('changes nothing on a retried edit, reaction, removal or deletion, and tells nobody twice', async () => {
    const { a, b, conversation } = await directPair(t, 'retry');
    const message = await sendRest(a, conversation.id, 'one');
    const bSocket = await connect(t.baseUrl, b.accessToken);
    const inbox = updates(bSocket);
    const path = `${base(conversation.id)}/messages/${message.id}`;
    const steps: Array<[string, string, unknown?]> = [
      ['PATCH', path, { body: 'two' }],
      ['PUT', `${path}/reactions/%F0%9F%91%8D`],
      ['DELETE', `${path}/reactions/%F0%9F%91%8D`],
      ['DELETE', path],
    ];
    for (const [method, p, body] of steps) {
      const first = await call<Message>(a, method, p, body);
      const again = await call<Message>(a, method, p, body);
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(await inbox.next()).toEqual(first.body);
    }
    await call(b, 'GET', '/api/users/me');
    expect(inbox.received).toEqual([]);
    expect((await summaryOf(a, conversation.id)).changeSeq).toBe(4);
  });

  it('erases a deleted message’s attachments (download 404, file gone); a forward copies them first', async () => {
    const { a, b, conversation } = await directPair(t, 'files');
    const target = await directPair(t, 'fwd');
    const attachmentId = await attach(a, conversation.id);
    const message = await sendRest(a, conversation.id, 'see attached', {
      attachmentIds: [attachmentId],
    });
    const url = message.attachments[0]!.url;
    expect(await download(b, url)).toBe(200);

    // A (a member of both) forwards it into a group with the other pair: a copy with its own file.
    const group = await createGroup(a, [target.a]);
    const targetSocket = await connect(t.baseUrl, target.a.accessToken);
    const arrivals = messageInbox(targetSocket);
    const clientMessageId = randomUUID();
    const forwardPath = `${base(conversation.id)}/messages/${message.id}/forward`;
    const forwarded = await call<Message>(a, 'POST', forwardPath, {
      targetConversationId: group.id,
      clientMessageId,
    });
    expect(forwarded.status).toBe(201);
    expect(forwarded.body).toMatchObject({
      conversationId: group.id,
      senderId: a.id,
      body: 'see attached',
      forwarded: true,
    });
    expect(forwarded.body.attachments).toHaveLength(1);
    expect(forwarded.body.attachments[0]!.id).not.toBe(attachmentId);
    expect(await arrivals.next()).toEqual(forwarded.body);
    const filesBefore = await filesOnDisk();
    const retried = await call<Message>(a, 'POST', forwardPath, {
      targetConversationId: group.id,
      clientMessageId,
    });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(forwarded.body);
    expect(await filesOnDisk()).toBe(filesBefore);
    expect((await historyOf(a, group.id)).filter((m) => m.forwarded)).toHaveLength(1);
    // Forwarding into a conversation the caller is not in.
    const refused = await call(b, 'POST', forwardPath, {
      targetConversationId: group.id,
      clientMessageId: randomUUID(),
    });
    expect(refused.status).toBe(404);

    const deleted = await call<Message>(
      a,
      'DELETE',
      `${base(conversation.id)}/messages/${message.id}`,
    );
    expect(deleted.status).toBe(200);
    expect(deleted.body.attachments).toEqual([]);
    expect(await download(b, url)).toBe(404);
    expect(await download(a, url)).toBe(404);
    expect(await filesOnDisk()).toBe(filesBefore - 1);
    // The copy is untouched.
    expect(await download(target.a, forwarded.body.attachments[0]!.url)).toBe(200);
    // And a deleted message cannot be forwarded.
    const late = await call(a, 'POST', forwardPath, {
      targetConversationId: group.id,
      clientMessageId: randomUUID(),
    });
    expect(late.status).toBe(409);
    expect(asError(late).code).toBe(ErrorCode.MESSAGE_DELETED);
  });
});

describe('edit window (MESSAGE_EDIT_WINDOW_MINUTES)', () => {
  let windowed: TestApp;
  beforeAll(async () => {
    windowed = await startTestApp({ MESSAGE_EDIT_WINDOW_MINUTES: '5' });
  });
  afterAll(async () => {
    await windowed?.close();
  });

  it('lets the author edit within the window, not after it; the same body stays a harmless retry', async () => {
    const { a, conversation } = await directPair(windowed, 'win');
    const callW = callAs(windowed);
    const sent = await callW<Message>(a, 'POST', `${base(conversation.id)}/messages`, {
      clientMessageId: randomUUID(),
      body: 'draft',
    });
    const path = `${base(conversation.id)}/messages/${sent.body.id}`;
    const inTime = await callW<Message>(a, 'PATCH', path, { body: 'final' });
    expect(inTime.status).toBe(200);
    // The API runs in this process: move its clock 6 minutes on.
    const realNow = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow + 6 * 60_000);
    try {
      const late = await callW(a, 'PATCH', path, { body: 'too late' });
      expect(late.status).toBe(403);
      expect(asError(late).code).toBe(ErrorCode.EDIT_WINDOW_CLOSED);
      const retry = await callW<Message>(a, 'PATCH', path, { body: 'final' });
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(inTime.body);
      // Deleting has no window.
      expect((await callW(a, 'DELETE', path)).status).toBe(200);
    } finally {
      clock.mockRestore();
    }
  });
});
