/**
 * Live state with real sockets on the real app: offline delivery through resync, idempotent resends, presence
 * (tabs, grace period, lastSeenAt, contacts only), typing (audience, throttle, stop on send), receipts
 * (watermarks, unread counts, groups, never backwards, REST twin) and cutting sockets of revoked sessions and
 * expired tokens.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import {
  type Ack,
  type ConversationSummary,
  ErrorCode,
  type ErrorPayload,
  type MessagePage,
  type Page,
  type PresenceState,
  type ReceiptEvent,
  type ReceiptRequest,
  type ServerToClientEvents,
  type TypingEvent,
} from '@chat/shared';
import { io } from 'socket.io-client';
import { ConversationsRepository } from '../src/storage/conversations.repository.js';
import { http, registerUser, type SignedIn } from './support/http.js';
import {
  type ClientSocket,
  connect,
  connectRefused,
  messageInbox,
  send,
} from './support/sockets.js';
import { acceptRequest, callAs, directPair, useTestApp } from './support/suite.js';

/**
 * Short grace so the offline path is tested in about a second (the default is 5 s), yet long enough that the
 * "reload does not flap" test's reconnect (GRACE_MS / 3 after the disconnect) lands inside it on a loaded 2-core CI
 * machine, where PGlite work in this same process can hold the event loop for a few hundred milliseconds.
 */
const GRACE_MS = 1000;

const t = useTestApp({ PRESENCE_GRACE_MS: String(GRACE_MS) });

const call = callAs(t);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Queues one server event of a socket from the moment it is called, so tests take events in order (`next`) and
 * prove that nothing came (`none`, which waits the given time).
 */
function inbox<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E) {
  type Payload = Parameters<ServerToClientEvents[E]>[0];
  const queue: Payload[] = [];
  const waiters: Array<(p: Payload) => void> = [];
  const listener = (payload: Payload) => {
    const waiter = waiters.shift();
    if (waiter) waiter(payload);
    else queue.push(payload);
  };
  (socket as unknown as { on(e: string, l: (p: Payload) => void): void }).on(event, listener);
  return {
    next(timeoutMs = 5000): Promise<Payload> {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${event} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push((p) => {
          clearTimeout(timer);
          resolve(p);
        });
      });
    },
    async none(waitMs: number): Promise<void> {
      await sleep(waitMs);
      expect(queue).toEqual([]);
    },
  };
}

const mine: ClientSocket[] = [];
afterEach(() => {
  for (const s of mine.splice(0)) s.disconnect();
});

/** Connects (listening before the handshake) and returns the socket with the snapshot it got right after. */
function connectWithSnapshot(
  me: SignedIn,
): Promise<{ socket: ClientSocket; snapshot: PresenceState[] }> {
  const socket: ClientSocket = io(t.baseUrl, {
    auth: { token: me.accessToken },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  mine.push(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no presence:snapshot')), 5000);
    socket.once('presence:snapshot', (snapshot) => {
      clearTimeout(timer);
      resolve({ socket, snapshot });
    });
    socket.once('connect_error', reject);
  });
}

async function openDirect(a: SignedIn, b: SignedIn): Promise<ConversationSummary> {
  const res = await call<ConversationSummary>(a, 'POST', '/api/conversations/direct', {
    userId: b.id,
  });
  expect([200, 201]).toContain(res.status);
  return res.body;
}

const pair = (prefix: string) => directPair(t, prefix);

/** A group made through the storage port (the groups REST API is another module's). */
async function group(title: string, creator: SignedIn, others: SignedIn[]): Promise<string> {
  const repo = t.app.get(ConversationsRepository);
  const { conversation } = await repo.createGroup({
    title,
    createdBy: creator.id,
    memberIds: others.map((o) => o.id),
  });
  return conversation.id;
}

async function sendOk(socket: ClientSocket, conversationId: string, body: string) {
  const ack = await send(socket, { conversationId, clientMessageId: randomUUID(), body });
  if (!ack.ok) throw new Error(`send failed: ${JSON.stringify(ack.error)}`);
  return ack.data;
}

async function unreadOf(me: SignedIn, conversationId: string): Promise<number> {
  const res = await call<ConversationSummary>(me, 'GET', `/api/conversations/${conversationId}`);
  expect(res.status).toBe(200);
  return res.body.unreadCount;
}

function receipt(socket: ClientSocket, payload: ReceiptRequest & { conversationId: string }) {
  return socket.timeout(5000).emitWithAck('receipt:update', payload) as Promise<Ack<ReceiptEvent>>;
}

function typing(socket: ClientSocket, conversationId: string, on: boolean) {
  return socket
    .timeout(5000)
    .emitWithAck('typing:update', { conversationId, typing: on }) as Promise<Ack<null>>;
}

describe('offline delivery', () => {
  it('a message sent while the recipient is offline reaches them on connect through the resync fetch', async () => {
    const { a, b, conversation } = await pair('off');
    const sa = await connect(t.baseUrl, a.accessToken);
    const first = await sendOk(sa, conversation.id, 'are you there?');
    const second = await sendOk(sa, conversation.id, 'call me when you are back');

    // B was never connected. On connect they list conversations, see lastSeq ahead of what they hold (0) and
    // fetch everything after it.
    await connect(t.baseUrl, b.accessToken);
    const list = await call<Page<ConversationSummary>>(b, 'GET', '/api/conversations');
    const summary = list.body.items.find((c) => c.id === conversation.id);
    expect(summary).toMatchObject({ lastSeq: second.seq, unreadCount: 2 });
    const page = await call<MessagePage>(
      b,
      'GET',
      `/api/conversations/${conversation.id}/messages?after=0`,
    );
    expect(page.body.items.map((m) => m.id)).toEqual([first.id, second.id]);
    expect(page.body.hasMore).toBe(false);
  });

  it('stores one message for the same clientMessageId sent three times, and fans it out once', async () => {
    const { a, b, conversation } = await pair('idem');
    const sa = await connect(t.baseUrl, a.accessToken);
    const sb = await connect(t.baseUrl, b.accessToken);
    const inboxB = messageInbox(sb);
    const clientMessageId = randomUUID();
    const acks = await Promise.all(
      [1, 2, 3].map(() =>
        send(sa, { conversationId: conversation.id, clientMessageId, body: 'once' }),
      ),
    );
    const ids = acks.map((ack) => (ack.ok ? ack.data.id : 'failed'));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).not.toBe('failed');
    expect((await inboxB.next()).id).toBe(ids[0]);
    await expect(inboxB.next(500)).rejects.toThrow();
    const page = await call<MessagePage>(
      a,
      'GET',
      `/api/conversations/${conversation.id}/messages`,
    );
    expect(page.body.items.filter((m) => m.clientMessageId === clientMessageId)).toHaveLength(1);
  });
});

describe('presence', () => {
  it('two tabs are one presence: online with the first, offline only after both closed and the grace period', async () => {
    const { a, b } = await pair('pres');
    const stranger = await registerUser(t.baseUrl, 'presX');
    const sb = await connect(t.baseUrl, b.accessToken);
    const sx = await connect(t.baseUrl, stranger.accessToken);
    const atB = inbox(sb, 'presence:update');
    const atStranger = inbox(sx, 'presence:update');

    const tab1 = await connect(t.baseUrl, a.accessToken);
    expect(await atB.next()).toEqual({ userId: a.id, online: true, lastSeenAt: null });
    const tab2 = await connect(t.baseUrl, a.accessToken);
    tab1.disconnect();
    await atB.none(GRACE_MS + 300); // the second tab keeps A online: no event at all

    const closedAt = Date.now();
    tab2.disconnect();
    const offline = await atB.next(GRACE_MS + 3000);
    const announcedAfter = Date.now() - closedAt;
    expect(offline).toEqual({ userId: a.id, online: false, lastSeenAt: expect.any(String) });
    expect(announcedAfter).toBeGreaterThanOrEqual(GRACE_MS - 50);
    const lastSeen = Date.parse(offline.lastSeenAt ?? '');
    expect(Math.abs(lastSeen - closedAt)).toBeLessThan(1000);

    // The stranger shares no conversation with A: told nothing.
    await atStranger.none(0);

    // A snapshot on (re)connect carries the stored lastSeenAt.
    sb.disconnect();
    const again = await connectWithSnapshot(b);
    expect(again.snapshot).toEqual([
      { userId: a.id, online: false, lastSeenAt: offline.lastSeenAt },
    ]);
  });

  it('a reload within the grace period does not flap', async () => {
    const { a, b } = await pair('flap');
    const sb = await connect(t.baseUrl, b.accessToken);
    const atB = inbox(sb, 'presence:update');
    const tab = await connect(t.baseUrl, a.accessToken);
    expect((await atB.next()).online).toBe(true);
    tab.disconnect();
    await sleep(GRACE_MS / 3);
    await connect(t.baseUrl, a.accessToken);
    await atB.none(GRACE_MS + 300);
  });

  it('sends a fresh snapshot to both people when an accepted request makes them contacts', async () => {
    const a = await registerUser(t.baseUrl, 'newA');
    const b = await registerUser(t.baseUrl, 'newB');
    const { socket: sa, snapshot } = await connectWithSnapshot(a);
    expect(snapshot).toEqual([]);
    await connect(t.baseUrl, b.accessToken);
    const opened = await openDirect(b, a);
    const fresh = new Promise<PresenceState[]>((resolve) => sa.once('presence:snapshot', resolve));
    await acceptRequest(t, a, opened.id);
    expect(await fresh).toEqual([{ userId: b.id, online: true, lastSeenAt: null }]);
  });

  it('sends a snapshot of contacts only, right after connecting', async () => {
    const { a, b } = await pair('snap');
    const stranger = await registerUser(t.baseUrl, 'snapX');
    await connect(t.baseUrl, stranger.accessToken);
    await connect(t.baseUrl, b.accessToken);
    const { snapshot } = await connectWithSnapshot(a);
    expect(snapshot).toEqual([{ userId: b.id, online: true, lastSeenAt: null }]);
  });
});

describe('typing', () => {
  it('reaches only the other active members, is throttled, and stops when the typist sends', async () => {
    const a = await registerUser(t.baseUrl, 'tyA');
    const b = await registerUser(t.baseUrl, 'tyB');
    const c = await registerUser(t.baseUrl, 'tyC');
    const outsider = await registerUser(t.baseUrl, 'tyX');
    const conversationId = await group('typists', a, [b, c]);
    const [sa1, sa2, sb, sc, sx] = await Promise.all([
      connect(t.baseUrl, a.accessToken),
      connect(t.baseUrl, a.accessToken),
      connect(t.baseUrl, b.accessToken),
      connect(t.baseUrl, c.accessToken),
      connect(t.baseUrl, outsider.accessToken),
    ]);
    const atA2 = inbox(sa2, 'typing:update');
    const atB = inbox(sb, 'typing:update');
    const atC = inbox(sc, 'typing:update');
    const atX = inbox(sx, 'typing:update');

    // A flood of ten "typing" in a row is forwarded once.
    const acks = await Promise.all(
      Array.from({ length: 10 }, () => typing(sa1, conversationId, true)),
    );
    expect(acks.every((ack) => ack.ok)).toBe(true);
    const expected: TypingEvent = { conversationId, userId: a.id, typing: true, expiresInMs: 6000 };
    expect(await atB.next()).toEqual(expected);
    expect(await atC.next()).toEqual(expected);
    await atB.none(300);
    await atA2.none(0); // the typist's other tab is not told
    await atX.none(0);

    // Sending stops it for everyone at once.
    await sendOk(sa1, conversationId, 'done typing');
    expect(await atB.next()).toEqual({ ...expected, typing: false });
    expect(await atC.next()).toEqual({ ...expected, typing: false });

    // A stop for someone who is not typing is dropped.
    expect((await typing(sa1, conversationId, false)).ok).toBe(true);
    await atB.none(200);
  });

  it('refuses outsiders and malformed payloads; nothing is forwarded', async () => {
    const { b, conversation } = await pair('tyN');
    const outsider = await registerUser(t.baseUrl, 'tyO');
    const sb = await connect(t.baseUrl, b.accessToken);
    const atB = inbox(sb, 'typing:update');
    const so = await connect(t.baseUrl, outsider.accessToken);
    const refused = await typing(so, conversation.id, true);
    expect(refused).toEqual({
      ok: false,
      error: { code: ErrorCode.CONVERSATION_NOT_FOUND, message: expect.any(String) },
    });
    const malformed = (await so.timeout(5000).emitWithAck('typing:update', {
      conversationId: conversation.id,
      typing: 'yes',
    } as never)) as Ack<null>;
    expect(malformed.ok ? null : malformed.error.code).toBe(ErrorCode.VALIDATION_FAILED);
    await atB.none(200);
  });
});

describe('receipts', () => {
  it('raise watermarks (never backwards, capped at lastSeq), fan out to both sides and set unread counts', async () => {
    const { a, b, conversation } = await pair('rc');
    const sa = await connect(t.baseUrl, a.accessToken);
    const sb1 = await connect(t.baseUrl, b.accessToken);
    const sb2 = await connect(t.baseUrl, b.accessToken);
    const atA = inbox(sa, 'receipt:update');
    const atB2 = inbox(sb2, 'receipt:update');
    for (const body of ['one', 'two', 'three']) await sendOk(sa, conversation.id, body);
    expect(await unreadOf(b, conversation.id)).toBe(3);

    // Delivered to a device of B.
    const delivered = await receipt(sb1, { conversationId: conversation.id, deliveredSeq: 3 });
    const deliveredEvent = {
      conversationId: conversation.id,
      userId: b.id,
      deliveredSeq: 3,
      readSeq: 0,
    };
    expect(delivered).toEqual({ ok: true, data: deliveredEvent });
    expect(await atA.next()).toEqual(deliveredEvent);
    expect(await atB2.next()).toEqual(deliveredEvent);
    expect(await unreadOf(b, conversation.id)).toBe(3);

    // Read up to 2: the other tab of B hears it (its badge clears), A sees it.
    const read = await receipt(sb1, { conversationId: conversation.id, readSeq: 2 });
    const readEvent = { ...deliveredEvent, readSeq: 2 };
    expect(read).toEqual({ ok: true, data: readEvent });
    expect(await atA.next()).toEqual(readEvent);
    expect(await atB2.next()).toEqual(readEvent);
    expect(await unreadOf(b, conversation.id)).toBe(1);

    // Backwards: acked with the unchanged marks, nothing fanned out.
    expect(
      await receipt(sb1, { conversationId: conversation.id, readSeq: 1, deliveredSeq: 0 }),
    ).toEqual({
      ok: true,
      data: readEvent,
    });
    await atA.none(200);

    // Beyond lastSeq: capped. Through the REST twin.
    const rest = await call<ReceiptEvent>(
      b,
      'POST',
      `/api/conversations/${conversation.id}/receipts`,
      {
        readSeq: 999,
      } satisfies ReceiptRequest,
    );
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({ ...deliveredEvent, readSeq: 3 });
    expect(await atA.next()).toEqual({ ...deliveredEvent, readSeq: 3 });
    expect(await unreadOf(b, conversation.id)).toBe(0);

    // The sender's own marks follow their sends (the server raises them on append).
    const summary = await call<ConversationSummary>(
      a,
      'GET',
      `/api/conversations/${conversation.id}`,
    );
    expect(summary.body.members.find((m) => m.user.id === a.id)).toMatchObject({
      deliveredSeq: 3,
      readSeq: 3,
    });
  });

  it("in a group: every member sees each reader's marks; unread counts are per member", async () => {
    const a = await registerUser(t.baseUrl, 'grA');
    const b = await registerUser(t.baseUrl, 'grB');
    const c = await registerUser(t.baseUrl, 'grC');
    const conversationId = await group('readers', a, [b, c]);
    const [sa, sb, sc] = await Promise.all([
      connect(t.baseUrl, a.accessToken),
      connect(t.baseUrl, b.accessToken),
      connect(t.baseUrl, c.accessToken),
    ]);
    const atA = inbox(sa, 'receipt:update');
    const atC = inbox(sc, 'receipt:update');
    await sendOk(sa, conversationId, 'hello all');
    const last = await sendOk(sa, conversationId, 'anyone?');

    expect((await receipt(sb, { conversationId, readSeq: last.seq })).ok).toBe(true);
    const event = { conversationId, userId: b.id, deliveredSeq: last.seq, readSeq: last.seq };
    expect(await atA.next()).toEqual(event);
    expect(await atC.next()).toEqual(event);
    expect(await unreadOf(b, conversationId)).toBe(0);
    expect(await unreadOf(c, conversationId)).toBe(2);

    // "Seen by": the summary's member marks.
    const summary = await call<ConversationSummary>(
      a,
      'GET',
      `/api/conversations/${conversationId}`,
    );
    const seenBy = summary.body.members.filter((m) => m.user.id !== a.id && m.readSeq >= last.seq);
    expect(seenBy.map((m) => m.user.id)).toEqual([b.id]);
  });

  it('refuses non-members and malformed marks', async () => {
    const { conversation } = await pair('rcN');
    const outsider = await registerUser(t.baseUrl, 'rcO');
    const so = await connect(t.baseUrl, outsider.accessToken);
    const refused = await receipt(so, { conversationId: conversation.id, readSeq: 1 });
    expect(refused.ok ? null : refused.error.code).toBe(ErrorCode.CONVERSATION_NOT_FOUND);
    const rest = await call(outsider, 'POST', `/api/conversations/${conversation.id}/receipts`, {
      readSeq: 1,
    });
    expect(rest.status).toBe(404);
    for (const bad of [{ readSeq: -1 }, { readSeq: 1.5 }, { readSeq: '2' }, { extra: 1 }]) {
      const res = await call(
        outsider,
        'POST',
        `/api/conversations/${conversation.id}/receipts`,
        bad,
      );
      expect(res.status).toBe(400);
    }
  });
});

describe('cutting live sockets', () => {
  function cutNotice(socket: ClientSocket): Promise<{ error: ErrorPayload; reason: string }> {
    return new Promise((resolve, reject) => {
      let error: ErrorPayload | null = null;
      const timer = setTimeout(() => reject(new Error('socket was not cut')), 5000);
      socket.once('session:expired', (e) => (error = e));
      socket.once('disconnect', (reason) => {
        clearTimeout(timer);
        if (error) resolve({ error, reason });
        else reject(new Error(`disconnected (${reason}) without session:expired`));
      });
    });
  }

  it('logout cuts the sockets of that session with SESSION_REVOKED, not those of another session', async () => {
    const me = await registerUser(t.baseUrl, 'cut');
    const login = await http<{ accessToken: string }>(t.baseUrl, 'POST', '/api/auth/login', {
      username: me.username,
      password: me.password,
    });
    const other = await connect(t.baseUrl, login.body.accessToken);
    const socket = await connect(t.baseUrl, me.accessToken);
    const cut = cutNotice(socket);
    const out = await http(t.baseUrl, 'POST', '/api/auth/logout', undefined, {
      refreshToken: me.refreshToken,
    });
    expect(out.status).toBe(204);
    expect(await cut).toEqual({
      error: { code: ErrorCode.SESSION_REVOKED, message: expect.any(String) },
      reason: 'io server disconnect',
    });
    expect(other.connected).toBe(true);

    // The access token is still a valid JWT, but its session is gone: the handshake itself is refused, so the
    // socket never connects and never joins a room.
    expect(await connectRefused(t.baseUrl, me.accessToken)).toEqual({
      message: ErrorCode.SESSION_REVOKED,
      data: { code: ErrorCode.SESSION_REVOKED, message: expect.any(String) },
    });
  });

  /** An access token of `me`'s user and session (or the given claims) that expires in `seconds`. */
  async function tokenFor(
    me: SignedIn,
    seconds: number,
    claims: { sub?: string; sid?: string } = {},
  ) {
    const jwt = new JwtService({ secret: t.config.jwtSecret });
    const own = jwt.decode<{ sub: string; sid: string }>(me.accessToken);
    const now = Math.floor(Date.now() / 1000);
    return jwt.signAsync(
      { sub: claims.sub ?? own.sub, sid: claims.sid ?? own.sid, iat: now, exp: now + seconds },
      { algorithm: 'HS256' },
    );
  }

  const renew = (socket: ClientSocket, token: unknown) =>
    socket.timeout(5000).emitWithAck('session:renew', { token } as { token: string });

  it('session:renew with a fresh token of the same session keeps the socket past its first expiry', async () => {
    const me = await registerUser(t.baseUrl, 'ren');
    const socket = await connect(t.baseUrl, await tokenFor(me, 2));
    const expired = inbox(socket, 'session:expired');
    const fresh = await tokenFor(me, 60);
    const ack = await renew(socket, fresh);
    expect(ack).toEqual({ ok: true, data: { expiresAt: expect.any(String) } });
    if (!ack.ok) return;
    expect(Date.parse(ack.data.expiresAt)).toBeGreaterThan(Date.now() + 50_000);
    // Past the first token's expiry (2 s) with margin: still connected, nothing said.
    await expired.none(3000);
    expect(socket.connected).toBe(true);
  });

  it('session:renew refuses a token of another user or session, or a bad one, and changes nothing', async () => {
    const me = await registerUser(t.baseUrl, 'rnx');
    const other = await registerUser(t.baseUrl, 'rny');
    const secondSession = await http<{ accessToken: string }>(
      t.baseUrl,
      'POST',
      '/api/auth/login',
      {
        username: me.username,
        password: me.password,
      },
    );
    const socket = await connect(t.baseUrl, await tokenFor(me, 2));
    const cut = cutNotice(socket);
    const startedAt = Date.now();
    const refusals = [
      await renew(socket, other.accessToken),
      await renew(socket, secondSession.body.accessToken),
      await renew(socket, 'garbage'),
      await renew(socket, 42),
    ];
    expect(refusals.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual([
      ErrorCode.UNAUTHENTICATED,
      ErrorCode.UNAUTHENTICATED,
      ErrorCode.UNAUTHENTICATED,
      ErrorCode.VALIDATION_FAILED,
    ]);
    // The socket's own expiry did not move: it is cut on time.
    expect((await cut).error.code).toBe(ErrorCode.TOKEN_EXPIRED);
    expect(Date.now() - startedAt).toBeLessThan(3500);
  });

  it('cuts a socket when its access token expires, with TOKEN_EXPIRED', async () => {
    const me = await registerUser(t.baseUrl, 'exp');
    const jwt = new JwtService({ secret: t.config.jwtSecret });
    const claims = jwt.decode<{ sub: string; sid: string }>(me.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await jwt.signAsync(
      { sub: claims.sub, sid: claims.sid, iat: now, exp: now + 2 },
      { algorithm: 'HS256' },
    );
    const socket = await connect(t.baseUrl, shortLived);
    const startedAt = Date.now();
    const cut = await cutNotice(socket);
    expect(cut).toEqual({
      error: { code: ErrorCode.TOKEN_EXPIRED, message: expect.any(String) },
      reason: 'io server disconnect',
    });
    expect(Date.now() - startedAt).toBeLessThan(3500);
  });
});
