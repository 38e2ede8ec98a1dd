import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import {
  type ConversationSummary,
  ErrorCode,
  type Message,
  type MessagePage,
  type SendMessagePayload,
} from '@chat/shared';
import { TypingService } from '../src/live-state/typing.service.js';
import { RealtimePublisher } from '../src/realtime/realtime.publisher.js';
import { asError, registerUser, type SignedIn } from './support/http.js';
import {
  type ClientSocket,
  connect,
  connectRefused,
  messageInbox,
  send,
} from './support/sockets.js';
import { callAs, directPair, useTestApp } from './support/suite.js';

const t = useTestApp();

const call = callAs(t);

/** Two people with a direct conversation. */
const pair = (prefix: string) => directPair(t, prefix);

function payload(
  conversationId: string,
  body: string,
  clientMessageId = randomUUID(),
): SendMessagePayload {
  return { conversationId, clientMessageId, body };
}

async function history(me: SignedIn, conversationId: string, query = ''): Promise<MessagePage> {
  const res = await call<MessagePage>(
    me,
    'GET',
    `/api/conversations/${conversationId}/messages${query}`,
  );
  expect(res.status).toBe(200);
  return res.body;
}

describe('socket handshake', () => {
  it('accepts a valid access token', async () => {
    const me = await registerUser(t.baseUrl, 'hs');
    const socket = await connect(t.baseUrl, me.accessToken);
    expect(socket.connected).toBe(true);
  });

  it('refuses a missing token with connect_error UNAUTHENTICATED', async () => {
    const refused = await connectRefused(t.baseUrl, undefined);
    expect(refused.message).toBe(ErrorCode.UNAUTHENTICATED);
    expect(refused.data).toEqual({ code: ErrorCode.UNAUTHENTICATED, message: expect.any(String) });
  });

  it('refuses a bad token (garbage, wrong key, non-string) with UNAUTHENTICATED', async () => {
    const me = await registerUser(t.baseUrl, 'hs');
    const wrongKey = new JwtService({ secret: 'not-the-server-secret-not-the-server' }).sign({
      sub: me.id,
      sid: 'x',
    });
    for (const token of ['garbage', wrongKey]) {
      const refused = await connectRefused(t.baseUrl, token);
      expect(refused.message).toBe(ErrorCode.UNAUTHENTICATED);
      expect(refused.data.code).toBe(ErrorCode.UNAUTHENTICATED);
    }
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const me = await registerUser(t.baseUrl, 'hs');
    const now = Math.floor(Date.now() / 1000);
    const expired = new JwtService({ secret: t.config.jwtSecret }).sign(
      { sub: me.id, sid: 's', iat: now - 100, exp: now - 1 },
      { algorithm: 'HS256' },
    );
    const refused = await connectRefused(t.baseUrl, expired);
    expect(refused.message).toBe(ErrorCode.TOKEN_EXPIRED);
    expect(refused.data.code).toBe(ErrorCode.TOKEN_EXPIRED);
  });
});

describe('message:send', () => {
  it('acks the stored message and delivers it to both devices of the sender and to the other member', async () => {
    const { a, b, conversation } = await pair('snd');
    const aPhone = await connect(t.baseUrl, a.accessToken);
    const aLaptop = await connect(t.baseUrl, a.accessToken);
    const bPhone = await connect(t.baseUrl, b.accessToken);
    const inboxes = [aPhone, aLaptop, bPhone].map(messageInbox);

    const ack = await send(aPhone, payload(conversation.id, '  hello there  '));
    expect(ack).toEqual({
      ok: true,
      data: {
        id: expect.any(String),
        conversationId: conversation.id,
        seq: 1,
        senderId: a.id,
        clientMessageId: expect.any(String),
        kind: 'text',
        body: 'hello there',
        system: null,
        attachments: [],
        createdAt: expect.any(String),
        replyTo: null,
        forwarded: false,
        reactions: [],
        editedAt: null,
        deletedAt: null,
        deletedBy: null,
        changeSeq: 0,
      },
    });
    if (!ack.ok) throw new Error('unreachable');
    for (const inbox of inboxes) expect(await inbox.next()).toEqual(ack.data);

    // And the reply travels the other way.
    const reply = await send(bPhone, payload(conversation.id, 'hi!'));
    if (!reply.ok) throw new Error(JSON.stringify(reply));
    expect(reply.data.seq).toBe(2);
    for (const inbox of inboxes) expect((await inbox.next()).id).toBe(reply.data.id);
    // The ack came after the message was stored: history has it.
    expect((await history(a, conversation.id)).items.map((m) => m.body)).toEqual([
      'hello there',
      'hi!',
    ]);
  });

  it('returns the stored message for a resend with the same client id, stores one and fans out once', async () => {
    const { a, b, conversation } = await pair('idem');
    const aSocket = await connect(t.baseUrl, a.accessToken);
    const bSocket = await connect(t.baseUrl, b.accessToken);
    const bInbox = messageInbox(bSocket);
    const first = payload(conversation.id, 'only once');

    const ack1 = await send(aSocket, first);
    const ack2 = await send(aSocket, first);
    // Also over REST: the same key answers 200 with the same message.
    const rest = await call<Message>(a, 'POST', `/api/conversations/${conversation.id}/messages`, {
      clientMessageId: first.clientMessageId,
      body: first.body,
    });
    if (!ack1.ok || !ack2.ok) throw new Error('send failed');
    expect(ack2.data).toEqual(ack1.data);
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual(ack1.data);

    // A later, different message is the very next event: no second copy of the first came in between.
    const sentinel = await send(aSocket, payload(conversation.id, 'sentinel'));
    if (!sentinel.ok) throw new Error('send failed');
    expect((await bInbox.next()).id).toBe(ack1.data.id);
    expect((await bInbox.next()).id).toBe(sentinel.data.id);
    expect((await history(b, conversation.id)).items.map((m) => m.body)).toEqual([
      'only once',
      'sentinel',
    ]);
  });

  it('refuses a non-member (socket and REST) with CONVERSATION_NOT_FOUND: nothing stored, nothing delivered', async () => {
    const { a, b, conversation } = await pair('intr');
    const intruder = await registerUser(t.baseUrl, 'intrX');
    const intruderSocket = await connect(t.baseUrl, intruder.accessToken);
    const bSocket = await connect(t.baseUrl, b.accessToken);
    const bInbox = messageInbox(bSocket);
    const intruderInbox = messageInbox(intruderSocket);

    const ack = await send(intruderSocket, payload(conversation.id, 'let me in'));
    expect(ack).toEqual({
      ok: false,
      error: { code: ErrorCode.CONVERSATION_NOT_FOUND, message: expect.any(String) },
    });
    const rest = await call(intruder, 'POST', `/api/conversations/${conversation.id}/messages`, {
      clientMessageId: randomUUID(),
      body: 'let me in',
    });
    expect(rest.status).toBe(404);
    expect(asError(rest).code).toBe(ErrorCode.CONVERSATION_NOT_FOUND);
    const read = await call(intruder, 'GET', `/api/conversations/${conversation.id}/messages`);
    expect(read.status).toBe(404);
    expect(asError(read).code).toBe(ErrorCode.CONVERSATION_NOT_FOUND);

    // Nothing was delivered: the first thing b receives is a's later message; the intruder receives nothing.
    const aSocket = await connect(t.baseUrl, a.accessToken);
    const sentinel = await send(aSocket, payload(conversation.id, 'members only'));
    if (!sentinel.ok) throw new Error('send failed');
    expect((await bInbox.next()).body).toBe('members only');
    expect((await history(a, conversation.id)).items.map((m) => m.body)).toEqual(['members only']);
    await expect(intruderInbox.next(200)).rejects.toThrow(/no message:new/);
  });

  it('answers malformed payloads with error acks and keeps the connection usable', async () => {
    const { a, conversation } = await pair('bad');
    const socket = await connect(t.baseUrl, a.accessToken);
    const emitRaw = (...args: unknown[]) =>
      (
        socket.timeout(5000) as unknown as {
          emitWithAck(event: string, ...a: unknown[]): Promise<unknown>;
        }
      ).emitWithAck('message:send', ...args);

    const cases: unknown[][] = [
      ['just a string'],
      [42],
      [null],
      [[payload(conversation.id, 'in an array')]],
      [{}],
      [{ ...payload(conversation.id, 'x'), clientMessageId: 'not-a-uuid' }],
      [{ ...payload(conversation.id, '   ') }],
      [{ ...payload(conversation.id, 'x'.repeat(4001)) }],
      [{ ...payload(conversation.id, 'x'), extra: { $gt: '' } }],
      [{ ...payload(conversation.id, 'x'), conversationId: { $ne: null } }],
      [],
    ];
    for (const args of cases) {
      const ack = (await emitRaw(...args)) as { ok: boolean; error?: { code: string } };
      expect(ack).toMatchObject({ ok: false, error: { code: ErrorCode.VALIDATION_FAILED } });
    }
    // Unknown conversation ids (well-formed) look like any conversation I am not in.
    const unknown = await send(socket, payload(randomUUID(), 'hello?'));
    expect(unknown).toMatchObject({ ok: false, error: { code: ErrorCode.CONVERSATION_NOT_FOUND } });

    // Without an ack callback: nothing crashes, the connection still works.
    const untyped = socket as unknown as { emit(event: string, ...args: unknown[]): void };
    untyped.emit('message:send', { nonsense: true });
    untyped.emit('message:send');
    const ok = await send(socket, payload(conversation.id, 'still here'));
    expect(ok.ok).toBe(true);
    expect(socket.connected).toBe(true);
    expect((await history(a, conversation.id)).items.map((m) => m.body)).toEqual(['still here']);
  });

  it('accepts a body of exactly 4000 characters', async () => {
    const { a, conversation } = await pair('max');
    const socket = await connect(t.baseUrl, a.accessToken);
    const ack = await send(socket, payload(conversation.id, 'y'.repeat(4000)));
    expect(ack.ok).toBe(true);
  });

  it('closes a connection that sends a frame larger than the socket limit', async () => {
    const { a, conversation } = await pair('huge');
    const socket: ClientSocket = await connect(t.baseUrl, a.accessToken);
    const closed = new Promise<string>((resolve) =>
      socket.once('disconnect', (reason) => resolve(reason)),
    );
    socket.emit('message:send', payload(conversation.id, 'z'.repeat(70 * 1024)), () => undefined);
    expect(await closed).toBe('transport close');
    expect((await history(a, conversation.id)).items).toEqual([]);
  });
});

describe('after the message is stored', () => {
  /**
   * Makes the publisher throw on `message:new` (only: presence events of a fresh connection may be published
   * meanwhile) until the returned spy is restored.
   */
  const breakMessageNew = () => {
    const publisher = t.app.get(RealtimePublisher);
    const original = publisher.toUsers.bind(publisher) as (...args: unknown[]) => void;
    return jest.spyOn(publisher, 'toUsers').mockImplementation(((...args: unknown[]) => {
      if (args[1] === 'message:new') throw new Error('fan-out broke');
      original(...args);
    }) as typeof publisher.toUsers);
  };

  // Once `append` succeeded the message is durable and resync carries it: a failure in the fan-out steps
  // (emitting, stopping typing) must not turn the send into an error the client would retry or show.
  it('acks the send even when fan-out throws (socket), and the message is in history', async () => {
    const { a, b, conversation } = await pair('fo');
    const socket = await connect(t.baseUrl, a.accessToken);
    const toUsers = breakMessageNew();
    try {
      const ack = await send(socket, payload(conversation.id, 'durable'));
      expect(toUsers).toHaveBeenCalledWith(expect.any(Array), 'message:new', expect.anything());
      expect(ack).toEqual({ ok: true, data: expect.objectContaining({ body: 'durable', seq: 1 }) });
    } finally {
      toUsers.mockRestore();
    }
    expect((await history(b, conversation.id)).items.map((m) => m.body)).toEqual(['durable']);
  });

  it('answers 201 even when emitting or stopping typing fails (REST)', async () => {
    const { a, b, conversation } = await pair('fr');
    const toUsers = breakMessageNew();
    try {
      const res = await call<Message>(a, 'POST', `/api/conversations/${conversation.id}/messages`, {
        clientMessageId: randomUUID(),
        body: 'first',
      });
      expect(toUsers).toHaveBeenCalledWith(expect.any(Array), 'message:new', expect.anything());
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ body: 'first', seq: 1 });
    } finally {
      toUsers.mockRestore();
    }
    const typing = jest.spyOn(t.app.get(TypingService), 'stopOnSend').mockImplementationOnce(() => {
      throw new Error('typing broke');
    });
    try {
      const res = await call<Message>(a, 'POST', `/api/conversations/${conversation.id}/messages`, {
        clientMessageId: randomUUID(),
        body: 'second',
      });
      expect(typing).toHaveBeenCalledTimes(1);
      expect(res.status).toBe(201);
    } finally {
      typing.mockRestore();
    }
    expect((await history(b, conversation.id)).items.map((m) => m.body)).toEqual([
      'first',
      'second',
    ]);
  });
});

describe('conversation:updated', () => {
  it('announces a new direct conversation to the other member, once, and not on re-opening', async () => {
    const a = await registerUser(t.baseUrl, 'annA');
    const b = await registerUser(t.baseUrl, 'annB');
    const bSocket = await connect(t.baseUrl, b.accessToken);
    const received: ConversationSummary[] = [];
    bSocket.on('conversation:updated', (c) => received.push(c));
    const first = new Promise<ConversationSummary>((resolve) =>
      bSocket.once('conversation:updated', resolve),
    );
    const opened = await call<ConversationSummary>(a, 'POST', '/api/conversations/direct', {
      userId: b.id,
    });
    expect(opened.status).toBe(201);
    const announced = await first;
    expect(announced.id).toBe(opened.body.id);
    expect(announced.members.map((m) => m.user.id).sort()).toEqual([a.id, b.id].sort());
    // Re-opening changes nothing and announces nothing; a message is the next thing b hears.
    await call(a, 'POST', '/api/conversations/direct', { userId: b.id });
    const inbox = messageInbox(bSocket);
    await call(a, 'POST', `/api/conversations/${opened.body.id}/messages`, {
      clientMessageId: randomUUID(),
      body: 'after',
    });
    expect((await inbox.next()).body).toBe('after');
    expect(received).toHaveLength(1);
  });
});

describe('history', () => {
  let a: SignedIn;
  let conversationId: string;
  beforeAll(async () => {
    const p = await pair('hist');
    a = p.a;
    conversationId = p.conversation.id;
    // Seven messages: seq 1..7, over REST (the twin of message:send).
    for (let i = 1; i <= 7; i += 1) {
      const res = await call<Message>(a, 'POST', `/api/conversations/${conversationId}/messages`, {
        clientMessageId: randomUUID(),
        body: `m${i}`,
      });
      expect(res.status).toBe(201);
      expect(res.body.seq).toBe(i);
    }
  });

  const seqs = (page: MessagePage) => page.items.map((m) => m.seq);

  it('gives the newest page in ascending order by default, and says whether more exist', async () => {
    const all = await history(a, conversationId);
    expect(seqs(all)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(all.hasMore).toBe(false);
    const newest = await history(a, conversationId, '?limit=3');
    expect(seqs(newest)).toEqual([5, 6, 7]);
    expect(newest.hasMore).toBe(true);
  });

  it('pages backwards with before', async () => {
    const page = await history(a, conversationId, '?before=5&limit=3');
    expect(seqs(page)).toEqual([2, 3, 4]);
    expect(page.hasMore).toBe(true);
    const last = await history(a, conversationId, '?before=2&limit=3');
    expect(seqs(last)).toEqual([1]);
    expect(last.hasMore).toBe(false);
    expect(seqs(await history(a, conversationId, '?before=1'))).toEqual([]);
  });

  it('catches up forwards with after', async () => {
    const page = await history(a, conversationId, '?after=2&limit=3');
    expect(seqs(page)).toEqual([3, 4, 5]);
    expect(page.hasMore).toBe(true);
    const rest = await history(a, conversationId, '?after=5&limit=3');
    expect(seqs(rest)).toEqual([6, 7]);
    expect(rest.hasMore).toBe(false);
    const none = await history(a, conversationId, '?after=7');
    expect(none).toEqual({ items: [], hasMore: false });
  });

  it('refuses limit 0, limit 101 and non-integers', async () => {
    for (const query of ['?limit=0', '?limit=101', '?before=abc', '?after=-1', '?limit=2.5']) {
      const res = await call(a, 'GET', `/api/conversations/${conversationId}/messages${query}`);
      expect(res.status).toBe(400);
      expect(asError(res).code).toBe(ErrorCode.VALIDATION_FAILED);
    }
    expect(seqs(await history(a, conversationId, '?limit=100'))).toHaveLength(7);
  });
});
