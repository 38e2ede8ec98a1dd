/**
 * Consent, blocks and presence privacy on the real app with real sockets (docs/privacy.md): a stranger's first
 * direct message is a request (no receipts, presence or typing of the recipient reach the sender before it is
 * accepted), declining and replying, blocks (opens, sends, group adds, presence, typing, receipts and profile
 * changes stop; group messages still flow), "who can add me to groups" and invitations, and the symmetric
 * "last seen: nobody".
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  type Ack,
  type BlockedUser,
  type ConversationSummary,
  ErrorCode,
  type Page,
  type PresenceState,
  type PrivacySettings,
} from '@chat/shared';
import { io } from 'socket.io-client';
import { asError, registerUser, type SignedIn } from './support/http.js';
import { type ClientSocket, connect, disconnectAll, eventInbox, send } from './support/sockets.js';
import { callAs, directPair, setAvatar, useTestApp } from './support/suite.js';

const GRACE_MS = 300;
const t = useTestApp({ PRESENCE_GRACE_MS: String(GRACE_MS) });
const call = callAs(t);
/** How long a test waits to prove an event did NOT come (events that do come arrive within tens of ms). */
const QUIET_MS = 600;

afterEach(() => disconnectAll());

async function open(me: SignedIn, other: SignedIn) {
  return call<ConversationSummary>(me, 'POST', '/api/conversations/direct', { userId: other.id });
}

async function summary(me: SignedIn, id: string) {
  return call<ConversationSummary>(me, 'GET', `/api/conversations/${id}`);
}

async function sendText(me: SignedIn, conversationId: string, body: string) {
  return call(me, 'POST', `/api/conversations/${conversationId}/messages`, {
    clientMessageId: randomUUID(),
    body,
  });
}

/** A group of `creator` with `others` added outright (each lets everyone add them first). */
async function groupWith(creator: SignedIn, title: string, others: SignedIn[]) {
  for (const p of others) await call(p, 'PATCH', '/api/users/me/privacy', { groupAdd: 'everyone' });
  const created = await call<ConversationSummary>(creator, 'POST', '/api/conversations/group', {
    title,
    memberIds: others.map((p) => p.id),
  });
  expect(created.status).toBe(201);
  return created.body;
}

function memberOf(c: ConversationSummary, userId: string) {
  const found = c.members.find((m) => m.user.id === userId);
  if (!found) throw new Error(`${userId} is not in ${c.id}`);
  return found;
}

/** Connects (listening before the handshake) and resolves with the socket and the snapshot it gets right after. */
function online(me: SignedIn): Promise<{ socket: ClientSocket; snapshot: PresenceState[] }> {
  const socket: ClientSocket = io(t.baseUrl, {
    auth: { token: me.accessToken },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no presence:snapshot')), 5000);
    socket.once('presence:snapshot', (snapshot) => {
      clearTimeout(timer);
      resolve({ socket, snapshot });
    });
    socket.once('connect_error', reject);
  });
}

const opened: ClientSocket[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.disconnect();
});

function typing(socket: ClientSocket, conversationId: string): Promise<Ack<null>> {
  return socket.timeout(5000).emitWithAck('typing:update', { conversationId, typing: true });
}

describe('message requests', () => {
  it("a stranger's first message is a request: the text arrives, but no receipts, presence or typing go back", async () => {
    const a = await registerUser(t.baseUrl, 'reqA');
    const b = await registerUser(t.baseUrl, 'reqB');
    const sa = await connect(t.baseUrl, a.accessToken);
    const aPresence = eventInbox(sa, 'presence:update');
    const aReceipts = eventInbox(sa, 'receipt:update');
    const aTyping = eventInbox(sa, 'typing:update');
    const aUpdates = eventInbox(sa, 'conversation:updated');

    const opened = await open(a, b);
    expect(opened.status).toBe(201);
    expect(opened.body.pending).toBe(false);
    expect(memberOf(opened.body, b.id).pending).toBe(true);
    const id = opened.body.id;
    await aUpdates.next(); // the new conversation, as a sees it

    const sb = await connect(t.baseUrl, b.accessToken);
    const bNews = eventInbox(sb, 'message:new');
    // b's list: the request, marked pending.
    const list = await call<Page<ConversationSummary>>(b, 'GET', '/api/conversations');
    expect(list.body.items.map((c) => [c.id, c.pending])).toEqual([[id, true]]);

    const ack = await send(sa, { conversationId: id, clientMessageId: randomUUID(), body: 'hi' });
    expect(ack.ok).toBe(true);
    expect(await bNews.next()).toMatchObject({ body: 'hi', senderId: a.id });

    // b reads it: their own devices hear it, a does not, and a's view keeps b's watermarks at 0.
    const bReceipts = eventInbox(sb, 'receipt:update');
    const read = await sb
      .timeout(5000)
      .emitWithAck('receipt:update', { conversationId: id, readSeq: 1 });
    expect(read).toMatchObject({ ok: true, data: { readSeq: 1 } });
    expect(await bReceipts.next()).toMatchObject({ userId: b.id, readSeq: 1 });
    expect(memberOf((await summary(a, id)).body, b.id)).toMatchObject({
      readSeq: 0,
      deliveredSeq: 0,
    });

    // Typing from a pending member is refused; nothing reaches a.
    const typed = await typing(sb, id);
    expect(typed).toMatchObject({ ok: false, error: { code: ErrorCode.REQUEST_PENDING } });
    await aReceipts.none(QUIET_MS);
    await aTyping.none(0);
    // b came online: a is not told (not contacts yet).
    await aPresence.none(0);
    const { snapshot: aSnapshot } = await online(a);
    expect(aSnapshot.map((s) => s.userId)).not.toContain(b.id);

    // Accepting: a sees b accepted with the real watermarks, and presence flows.
    const aSnapshots = eventInbox(sa, 'presence:snapshot');
    const accepted = await call<ConversationSummary>(b, 'POST', `/api/conversations/${id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.pending).toBe(false);
    const seen = await aUpdates.next();
    expect(memberOf(seen, b.id)).toMatchObject({ pending: false, readSeq: 1 });
    expect((await aSnapshots.next()).map((s) => s.userId)).toContain(b.id);
    const again = await call(b, 'POST', `/api/conversations/${id}/accept`);
    expect(asError(again).code).toBe(ErrorCode.NO_PENDING_REQUEST);
  });

  it('opening a conversation with someone I already share an accepted one with is no request', async () => {
    const a = await registerUser(t.baseUrl, 'grpA');
    const b = await registerUser(t.baseUrl, 'grpB');
    await call(b, 'PATCH', '/api/users/me/privacy', { groupAdd: 'everyone' });
    const group = await call<ConversationSummary>(a, 'POST', '/api/conversations/group', {
      title: 'Club',
      memberIds: [b.id],
    });
    expect(memberOf(group.body, b.id).pending).toBe(false);
    const opened = await open(b, a);
    expect(memberOf(opened.body, a.id).pending).toBe(false);
  });

  it('declining removes it for me only; a later message from them asks again; replying accepts', async () => {
    const a = await registerUser(t.baseUrl, 'decA');
    const b = await registerUser(t.baseUrl, 'decB');
    const id = (await open(a, b)).body.id;
    await sendText(a, id, 'first');
    const sb = await connect(t.baseUrl, b.accessToken);
    const bRemoved = eventInbox(sb, 'conversation:removed');
    const declined = await call(b, 'POST', `/api/conversations/${id}/decline`);
    expect(declined.status).toBe(204);
    expect(await bRemoved.next()).toEqual({ conversationId: id });
    expect((await summary(b, id)).status).toBe(404);
    expect(
      (await call<Page<ConversationSummary>>(b, 'GET', '/api/conversations')).body.items,
    ).toEqual([]);
    expect((await summary(a, id)).body.members.map((m) => m.user.id)).toEqual([a.id]);
    expect(asError(await call(b, 'POST', `/api/conversations/${id}/decline`)).code).toBe(
      ErrorCode.CONVERSATION_NOT_FOUND,
    );

    // a writes again: a new request for b.
    expect((await sendText(a, id, 'second')).status).toBe(201);
    const back = await summary(b, id);
    expect(back.body.pending).toBe(true);
    expect(back.body.lastMessage?.body).toBe('second');
    // The declined message is not news again: only the new one counts.
    expect(back.body.unreadCount).toBe(1);

    // b replies: that accepts.
    expect((await sendText(b, id, 'hello')).status).toBe(201);
    expect((await summary(b, id)).body.pending).toBe(false);
    expect(memberOf((await summary(a, id)).body, b.id).pending).toBe(false);
  });
});

describe('blocks', () => {
  it("masks the blocker's picture in the blocked person's shared conversations live, and shows it again on unblock", async () => {
    const { a, b, conversation } = await directPair(t, 'pic');
    const c = await registerUser(t.baseUrl, 'picC');
    const group = await groupWith(a, 'Pictures', [b, c]);
    await setAvatar(t, a);
    const aPicture = (member: { user: { id: string; avatarUrl: string | null } }[]) =>
      member.find((m) => m.user.id === a.id)?.user.avatarUrl;
    const bSocket = await connect(t.baseUrl, b.accessToken);
    const bUpdates = eventInbox(bSocket, 'conversation:updated');
    const cSocket = await connect(t.baseUrl, c.accessToken);
    const cUpdates = eventInbox(cSocket, 'conversation:updated');

    // a blocks b: b, the one blocked, loses a's picture in the open conversations without a reload: the direct
    // one first, then the group they share.
    expect((await call(a, 'PUT', `/api/blocks/${b.id}`)).status).toBe(200);
    const masked = [await bUpdates.next(), await bUpdates.next()];
    expect(masked.map((view) => view.id)).toEqual([conversation.id, group.id]);
    for (const view of masked) {
      expect(aPicture(view.members)).toBeNull();
      // The same view as a reload gives.
      expect(aPicture((await summary(b, view.id)).body.members)).toBeNull();
    }

    // Unblocked: the picture is back, live.
    expect((await call(a, 'DELETE', `/api/blocks/${b.id}`)).status).toBe(204);
    const shown = [await bUpdates.next(), await bUpdates.next()];
    expect(shown.map((view) => view.id)).toEqual([conversation.id, group.id]);
    for (const view of shown) expect(aPicture(view.members)).toEqual(expect.any(String));
    // Nobody else's view changed: the group's third member heard nothing of either.
    await cUpdates.none(QUIET_MS);
  });

  it('a block that declines a request tells its sender nothing more, in the groups the two share neither', async () => {
    const a = await registerUser(t.baseUrl, 'quietA');
    const b = await registerUser(t.baseUrl, 'quietB');
    const id = (await open(b, a)).body.id;
    await sendText(b, id, 'hi there');
    const group = await groupWith(a, 'Both in it', [b]);
    const aUpdates = eventInbox(await connect(t.baseUrl, a.accessToken), 'conversation:updated');
    const bUpdates = eventInbox(await connect(t.baseUrl, b.accessToken), 'conversation:updated');

    expect((await call(a, 'PUT', `/api/blocks/${b.id}`)).status).toBe(200);
    // The blocker's own view of the group changes at once.
    expect((await aUpdates.next()).id).toBe(group.id);
    // The sender sees what any decline shows (a left the request's member list), and nothing of the group.
    expect((await bUpdates.next()).id).toBe(id);
    await bUpdates.none(QUIET_MS);
  });

  it('blocking from a request declines it; the blocked person can neither open nor send, whoever blocked', async () => {
    const a = await registerUser(t.baseUrl, 'blkA');
    const b = await registerUser(t.baseUrl, 'blkB');
    const id = (await open(a, b)).body.id;
    await sendText(a, id, 'hey');
    const blocked = await call<BlockedUser>(b, 'PUT', `/api/blocks/${a.id}`);
    expect(blocked.status).toBe(200);
    expect(blocked.body.user.id).toBe(a.id);
    expect((await call(b, 'PUT', `/api/blocks/${a.id}`)).status).toBe(200); // idempotent
    expect((await summary(b, id)).status).toBe(404); // the request is gone
    const list = await call<BlockedUser[]>(b, 'GET', '/api/blocks');
    expect(list.body.map((x) => x.user.id)).toEqual([a.id]);

    for (const [who, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const reopened = await open(who, other);
      expect(reopened.status).toBe(403);
      expect(asError(reopened).code).toBe(ErrorCode.CONTACT_UNAVAILABLE);
    }
    const sent = await sendText(a, id, 'still there?');
    expect(sent.status).toBe(403);
    expect(asError(sent).code).toBe(ErrorCode.CONTACT_UNAVAILABLE);
    // A refusal never says who blocked whom: the same code and text both ways.
    expect(asError(sent).message).toBe(asError(await open(b, a)).message);

    expect(asError(await call(b, 'PUT', `/api/blocks/${b.id}`)).code).toBe(
      ErrorCode.VALIDATION_FAILED,
    );
    expect((await call(b, 'DELETE', `/api/blocks/${a.id}`)).status).toBe(204);
    expect((await call(b, 'DELETE', `/api/blocks/${a.id}`)).status).toBe(204);
    expect((await call<BlockedUser[]>(b, 'GET', '/api/blocks')).body).toEqual([]);
    expect((await sendText(a, id, 'hello again')).status).toBe(201);
  });

  it('stops presence, typing, receipts and profile changes both ways; group messages still reach both', async () => {
    const { a, b, conversation } = await directPair(t, 'blk2');
    const c = await registerUser(t.baseUrl, 'blk2C');
    const group = await groupWith(a, 'Shared', [b, c]);
    const sa = await connect(t.baseUrl, a.accessToken);
    const sb = await connect(t.baseUrl, b.accessToken);
    const sc = await connect(t.baseUrl, c.accessToken);
    const aSnapshots = eventInbox(sa, 'presence:snapshot');

    expect((await call(b, 'PUT', `/api/blocks/${a.id}`)).status).toBe(200);
    // a's fresh snapshot no longer holds b.
    expect((await aSnapshots.next()).map((s) => s.userId)).not.toContain(b.id);

    const aPresence = eventInbox(sa, 'presence:update');
    const aTyping = eventInbox(sa, 'typing:update');
    const aReceipts = eventInbox(sa, 'receipt:update');
    const aUsers = eventInbox(sa, 'user:updated');
    const aNews = eventInbox(sa, 'message:new');
    const bTyping = eventInbox(sb, 'typing:update');
    const bNews = eventInbox(sb, 'message:new');
    const cTyping = eventInbox(sc, 'typing:update');
    const cReceipts = eventInbox(sc, 'receipt:update');

    // The direct conversation is closed both ways.
    const refused = await send(sa, {
      conversationId: conversation.id,
      clientMessageId: randomUUID(),
      body: 'x',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: ErrorCode.CONTACT_UNAVAILABLE } });
    expect(asError(await sendText(b, conversation.id, 'y')).code).toBe(
      ErrorCode.CONTACT_UNAVAILABLE,
    );

    // In the group, messages flow both ways.
    expect((await sendText(b, group.id, 'from b')).status).toBe(201);
    expect(await aNews.next()).toMatchObject({ body: 'from b' });
    expect((await sendText(a, group.id, 'from a')).status).toBe(201);
    expect((await bNews.next()).body).toBe('from b');
    expect((await bNews.next()).body).toBe('from a');

    // Typing: c hears a, b does not; a does not hear b.
    expect(await typing(sa, group.id)).toMatchObject({ ok: true });
    expect(await cTyping.next()).toMatchObject({ userId: a.id, typing: true });
    expect(await typing(sb, group.id)).toMatchObject({ ok: true });
    expect(await cTyping.next()).toMatchObject({ userId: b.id, typing: true });
    // Receipts: b reads the group; c hears it, a does not; a's view of the group hides b's marks.
    const read = await sb.timeout(5000).emitWithAck('receipt:update', {
      conversationId: group.id,
      readSeq: 3,
    });
    expect(read.ok).toBe(true);
    expect(await cReceipts.next()).toMatchObject({ userId: b.id, readSeq: 3 });
    expect(memberOf((await summary(a, group.id)).body, b.id)).toMatchObject({ readSeq: 0 });
    expect(memberOf((await summary(c, group.id)).body, b.id)).toMatchObject({ readSeq: 3 });

    // Profile change of b: not told to a.
    await call(b, 'PATCH', '/api/users/me', { displayName: 'Bee' });
    // Presence: b going offline is not told to a.
    sb.disconnect();
    await aTyping.none(QUIET_MS);
    await bTyping.none(0);
    await aReceipts.none(0);
    await aUsers.none(0);
    await aPresence.none(GRACE_MS);
  });

  it('a blocked person cannot add me to a group, nor I them', async () => {
    const a = await registerUser(t.baseUrl, 'blk3A');
    const b = await registerUser(t.baseUrl, 'blk3B');
    await call(b, 'PATCH', '/api/users/me/privacy', { groupAdd: 'everyone' });
    await call(b, 'PUT', `/api/blocks/${a.id}`);
    const created = await call(a, 'POST', '/api/conversations/group', {
      title: 'No',
      memberIds: [b.id],
    });
    expect(created.status).toBe(403);
    expect(asError(created).code).toBe(ErrorCode.CONTACT_UNAVAILABLE);
    const c = await registerUser(t.baseUrl, 'blk3C');
    await call(c, 'PATCH', '/api/users/me/privacy', { groupAdd: 'everyone' });
    const group = (
      await call<ConversationSummary>(a, 'POST', '/api/conversations/group', {
        title: 'Yes',
        memberIds: [c.id],
      })
    ).body;
    const add = await call(a, 'POST', `/api/conversations/${group.id}/members`, {
      userIds: [b.id],
    });
    expect(asError(add).code).toBe(ErrorCode.CONTACT_UNAVAILABLE);
    const bGroup = (
      await call<ConversationSummary>(b, 'POST', '/api/conversations/group', {
        title: 'Mine',
        memberIds: [c.id],
      })
    ).body;
    const back = await call(b, 'POST', `/api/conversations/${bGroup.id}/members`, {
      userIds: [a.id],
    });
    expect(asError(back).code).toBe(ErrorCode.CONTACT_UNAVAILABLE);
  });
});

describe('who can add me to groups', () => {
  it('defaults to contacts: a stranger invites, a contact adds; nobody makes every add an invitation', async () => {
    const { a, b } = await directPair(t, 'gadd'); // a and b are contacts
    const stranger = await registerUser(t.baseUrl, 'gaddS');
    const settings = await call<PrivacySettings>(b, 'GET', '/api/users/me/privacy');
    expect(settings.body).toEqual({ lastSeen: 'contacts', groupAdd: 'contacts' });

    const sb = await connect(t.baseUrl, b.accessToken);
    const bUpdates = eventInbox(sb, 'conversation:updated');
    const invited = await call<ConversationSummary>(stranger, 'POST', '/api/conversations/group', {
      title: 'Invite',
      memberIds: [b.id],
    });
    expect(memberOf(invited.body, b.id).pending).toBe(true);
    expect(await bUpdates.next()).toMatchObject({ id: invited.body.id, pending: true });
    const added = await call<ConversationSummary>(a, 'POST', '/api/conversations/group', {
      title: 'Friends',
      memberIds: [b.id],
    });
    expect(memberOf(added.body, b.id).pending).toBe(false);

    const nobody = await call<PrivacySettings>(b, 'PATCH', '/api/users/me/privacy', {
      groupAdd: 'nobody',
    });
    expect(nobody.body).toEqual({ lastSeen: 'contacts', groupAdd: 'nobody' });
    const byFriend = await call<ConversationSummary>(a, 'POST', '/api/conversations/group', {
      title: 'Asked',
      memberIds: [b.id],
    });
    expect(memberOf(byFriend.body, b.id).pending).toBe(true);
    expect(asError(await call(b, 'PATCH', '/api/users/me/privacy', { groupAdd: 'all' })).code).toBe(
      ErrorCode.VALIDATION_FAILED,
    );

    // Declining an invitation: b is no member at all; accepting the other: b is in.
    expect((await call(b, 'POST', `/api/conversations/${invited.body.id}/decline`)).status).toBe(
      204,
    );
    expect((await summary(b, invited.body.id)).status).toBe(404);
    expect((await summary(stranger, invited.body.id)).body.members.map((m) => m.user.id)).toEqual([
      stranger.id,
    ]);
    const joined = await call<ConversationSummary>(
      b,
      'POST',
      `/api/conversations/${byFriend.body.id}/accept`,
    );
    expect(joined.body.pending).toBe(false);
    // An admin adding to an existing group follows the same setting.
    const later = await registerUser(t.baseUrl, 'gaddL');
    const grow = await call<ConversationSummary>(
      a,
      'POST',
      `/api/conversations/${added.body.id}/members`,
      {
        userIds: [later.id],
      },
    );
    expect(memberOf(grow.body, later.id).pending).toBe(true);
  });
});

describe('last seen', () => {
  it('"nobody" hides my last seen from my contacts and theirs from me; online still shows', async () => {
    const { a, b } = await directPair(t, 'seen');
    const hidden = await call<PrivacySettings>(a, 'PATCH', '/api/users/me/privacy', {
      lastSeen: 'nobody',
    });
    expect(hidden.body.lastSeen).toBe('nobody');

    const sa = await connect(t.baseUrl, a.accessToken);
    const aPresence = eventInbox(sa, 'presence:update');
    const sb = await connect(t.baseUrl, b.accessToken);
    const bPresence = eventInbox(sb, 'presence:update');
    expect(await aPresence.next()).toMatchObject({ userId: b.id, online: true });

    // b goes offline: a (who hides theirs) does not see b's last seen either.
    sb.disconnect();
    expect(await aPresence.next()).toEqual({ userId: b.id, online: false, lastSeenAt: null });
    // a goes offline: b is told, without a time.
    const sb2 = await connect(t.baseUrl, b.accessToken);
    const b2Presence = eventInbox(sb2, 'presence:update');
    sa.disconnect();
    expect(await b2Presence.next()).toEqual({ userId: a.id, online: false, lastSeenAt: null });
    void bPresence;
    // Snapshots agree: no times either way, while the stored time exists.
    const { snapshot: bSnapshot } = await online(b);
    expect(bSnapshot.find((s) => s.userId === a.id)).toEqual({
      userId: a.id,
      online: false,
      lastSeenAt: null,
    });

    // Back to "contacts": b sees a's time again.
    await call(a, 'PATCH', '/api/users/me/privacy', { lastSeen: 'contacts' });
    const { snapshot: again } = await online(b);
    expect(again.find((s) => s.userId === a.id)?.lastSeenAt).toEqual(expect.any(String));
  });
});
