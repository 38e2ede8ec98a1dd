/**
 * Storage contract, the MessagesRepository port: sequence numbers, idempotent appends, history pages, system
 * messages. Declared by `describeStorageContract` (storage.contract.ts), which opens the adapter and hands over its
 * repositories and factories, so every adapter runs it.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { SEARCH_HIGHLIGHT_END, SEARCH_HIGHLIGHT_START, type SystemEvent } from '@chat/shared';
import {
  InvalidCursorError,
  MentionMembershipError,
  RecordNotFoundError,
  SenderMembershipError,
} from '../storage.errors.js';
import type { UserRecord } from '../storage.types.js';
import type { ConversationsRepository } from '../conversations.repository.js';
import type { MessagesRepository } from '../messages.repository.js';
import { pause, range, seqs, type ContractContext } from './contract-context.js';

/** Declares the messages contract against the adapter behind `ctx`. */
export function describeMessagesContract(ctx: ContractContext): void {
  const { makeUser, makeDirect, makeGroup, send, sendMany } = ctx;
  let conversations: ConversationsRepository;
  let messages: MessagesRepository;

  describe('messages', () => {
    beforeEach(() => {
      ({ conversations, messages } = ctx.repos());
    });

    const pair = async () => {
      const [alice, bob] = [await makeUser(), await makeUser()];
      return { alice, bob, conversation: await makeDirect(alice, bob) };
    };

    it('allocates 1, 2, 3 ... and moves the conversation with them', async () => {
      const { alice, bob, conversation } = await pair();
      const first = await send(conversation.id, alice, 'one');
      expect(first.created).toBe(true);
      expect(first.message).toEqual({
        id: expect.any(String),
        conversationId: conversation.id,
        seq: 1,
        senderId: alice.id,
        clientMessageId: expect.any(String),
        kind: 'text',
        body: 'one',
        system: null,
        attachments: [],
        mentions: [],
        mentionsAll: false,
        createdAt: expect.any(Date),
        replyTo: null,
        forwarded: false,
        reactions: [],
        editedAt: null,
        deletedAt: null,
        deletedBy: null,
        changeSeq: 0,
      });
      const second = await send(conversation.id, bob, 'two');
      const third = await send(conversation.id, alice, 'three');
      expect([first, second, third].map((r) => r.message.seq)).toEqual([1, 2, 3]);
      const after = await conversations.findById(conversation.id);
      expect(after).toMatchObject({ lastSeq: 3, lastActivityAt: third.message.createdAt });
      expect(third.message.createdAt.getTime()).toBeGreaterThanOrEqual(
        first.message.createdAt.getTime(),
      );
    });

    it('gives 50 concurrent appends the distinct seqs 1..50', async () => {
      const { alice, bob, conversation } = await pair();
      const results = await Promise.all(
        range(1, 50).map((i) => send(conversation.id, i % 2 ? alice : bob, `m${i}`)),
      );
      expect(results.every((r) => r.created)).toBe(true);
      expect(seqs(results.map((r) => r.message)).sort((x, y) => x - y)).toEqual(range(1, 50));
      expect((await conversations.findById(conversation.id))?.lastSeq).toBe(50);
      const history = await messages.listPage(conversation.id, { after: 0, limit: 100 });
      expect(seqs(history.items)).toEqual(range(1, 50));
      expect(new Set(history.items.map((m) => m.id)).size).toBe(50);
      // Each sender's own watermark ends exactly at their last message: concurrent raises never lower it.
      const lastOf = (u: UserRecord) =>
        Math.max(...history.items.filter((m) => m.senderId === u.id).map((m) => m.seq));
      expect((await conversations.findMember(conversation.id, alice.id))?.readSeq).toBe(
        lastOf(alice),
      );
      expect((await conversations.findMember(conversation.id, bob.id))?.readSeq).toBe(lastOf(bob));
    });

    it('lets a reader catching up with `after` during concurrent appends miss no message, and shows every acknowledged one', async () => {
      const { alice, bob, conversation } = await pair();
      const seen = new Set<number>();
      let cursor = 0;
      let appending = true;
      // A client that keeps asking for what follows the highest seq it holds, as the web app does.
      const catchUp = async () => {
        const page = await messages.listPage(conversation.id, { after: cursor, limit: 100 });
        for (const message of page.items) seen.add(message.seq);
        cursor = Math.max(cursor, ...page.items.map((m) => m.seq));
      };
      const reader = (async () => {
        while (appending) await catchUp();
      })();
      const results = await Promise.all(
        range(1, 30).map(async (i) => {
          const result = await send(conversation.id, i % 2 ? alice : bob, `m${i}`);
          // Once acknowledged, a message is readable by `after` (its seq and every one below it are).
          const page = await messages.listPage(conversation.id, {
            after: result.message.seq - 1,
            limit: 1,
          });
          expect(page.items.map((m) => m.id)).toEqual([result.message.id]);
          return result;
        }),
      );
      appending = false;
      await reader;
      await catchUp();
      expect([...seen].sort((x, y) => x - y)).toEqual(range(1, 30));
      expect(seqs(results.map((r) => r.message)).sort((x, y) => x - y)).toEqual(range(1, 30));
    });

    it('answers a resend with the stored message, without a new seq', async () => {
      const { alice, conversation } = await pair();
      const clientId = randomUUID();
      const original = await send(conversation.id, alice, 'hello', clientId);
      const resend = await send(conversation.id, alice, 'hello (edited on retry)', clientId);
      expect(resend).toEqual({
        message: original.message,
        created: false,
        activeMemberIds: expect.arrayContaining([alice.id]),
      });
      expect((await conversations.findById(conversation.id))?.lastSeq).toBe(1);
      expect(await messages.findByClientId(conversation.id, alice.id, clientId)).toEqual(
        original.message,
      );
      expect((await send(conversation.id, alice, 'next')).message.seq).toBe(2);
    });

    it('stores one message for ten concurrent sends with the same client id', async () => {
      const { alice, conversation } = await pair();
      const clientId = randomUUID();
      const results = await Promise.all(
        range(1, 10).map(() => send(conversation.id, alice, 'once', clientId)),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
      const history = await messages.listPage(conversation.id, { limit: 100 });
      expect(history.items).toHaveLength(1);
    });

    it('refuses each bad send among concurrent ones with its own error and stores every other', async () => {
      // Sent together, so an adapter that appends several messages in one step (SQL: group commit) has them in one
      // batch: one refusal must neither take the others down nor be mistaken for theirs.
      const { alice, bob, conversation } = await pair();
      const outsider = await makeUser();
      const base = {
        conversationId: conversation.id,
        kind: 'text' as const,
        requireActiveSender: true,
      };
      const outcomes = await Promise.allSettled(
        range(1, 24).map((i) => {
          const senderId = i % 2 ? alice.id : bob.id;
          const input = { ...base, senderId, clientMessageId: `c${i}`, body: `m${i}` };
          if (i === 5) return messages.append({ ...input, attachmentIds: [randomUUID()] });
          if (i === 11) return messages.append({ ...input, senderId: outsider.id });
          if (i === 17) return messages.append({ ...input, mentions: [outsider.id] });
          return messages.append(input);
        }),
      );
      const refused = outcomes.flatMap((o, i) =>
        o.status === 'rejected' ? [[i + 1, o.reason]] : [],
      );
      expect(refused.map(([i]) => i)).toEqual([5, 11, 17]);
      expect((refused[0]![1] as Error).name).toBe('AttachmentClaimError');
      expect(refused[1]![1]).toBeInstanceOf(SenderMembershipError);
      expect(refused[2]![1]).toBeInstanceOf(MentionMembershipError);
      const stored = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.message] : []));
      expect(stored.map((m) => m.body).sort()).toEqual(
        range(1, 24)
          .filter((i) => ![5, 11, 17].includes(i))
          .map((i) => `m${i}`)
          .sort(),
      );
      // No seq was burnt by the refusals: the 21 messages hold 1..21.
      const history = await messages.listPage(conversation.id, { after: 0, limit: 100 });
      expect(seqs(history.items)).toEqual(range(1, 21));
      expect((await conversations.findById(conversation.id))?.lastSeq).toBe(21);
    });

    it('stores any text verbatim (quotes, backslashes, SQL, emoji), client ids too', async () => {
      const { alice, conversation } = await pair();
      const body = `it's "quoted" \\ back\\slash \\' '); DROP TABLE messages; -- $1 E'\\x' 👋\nline`;
      const clientId = `client'id\\${randomUUID()}`;
      const stored = await send(conversation.id, alice, body, clientId);
      expect(stored.message).toMatchObject({ body, clientMessageId: clientId });
      const page = await messages.listPage(conversation.id, { limit: 5 });
      expect(page.items.map((m) => m.body)).toEqual([body]);
      expect((await send(conversation.id, alice, 'other', clientId)).created).toBe(false);
    });

    it('returns the active members as the audience, new message or resend', async () => {
      const [alice, bob, carol] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation } = await conversations.createGroup({
        title: 'audience',
        createdBy: alice.id,
        memberIds: [bob.id, carol.id],
      });
      const clientId = randomUUID();
      const first = await send(conversation.id, alice, 'hi', clientId);
      expect([...first.activeMemberIds].sort()).toEqual([alice.id, bob.id, carol.id].sort());
      await conversations.removeMember(conversation.id, carol.id);
      const again = await send(conversation.id, alice, 'hi', clientId);
      expect(again.created).toBe(false);
      expect([...again.activeMemberIds].sort()).toEqual([alice.id, bob.id].sort());
    });

    it('with requireActiveSender, refuses non-members and former members and stores nothing', async () => {
      const [alice, bob, carol, dave] = [
        await makeUser(),
        await makeUser(),
        await makeUser(),
        await makeUser(),
      ];
      const { conversation } = await conversations.createGroup({
        title: 'members only',
        createdBy: alice.id,
        memberIds: [bob.id, carol.id],
      });
      const strict = (sender: UserRecord, clientMessageId = randomUUID(), id = conversation.id) =>
        messages.append({
          conversationId: id,
          senderId: sender.id,
          clientMessageId,
          kind: 'text',
          body: 'x',
          requireActiveSender: true,
        });
      const ok = await strict(bob);
      expect(ok).toMatchObject({ created: true, message: { seq: 1 } });
      const carolsId = randomUUID();
      await strict(carol, carolsId);
      await conversations.removeMember(conversation.id, carol.id);
      await expect(strict(dave)).rejects.toMatchObject({ reason: 'never' });
      await expect(strict(carol)).rejects.toMatchObject({ reason: 'ended' });
      // Also for a resend of what they sent while a member.
      await expect(strict(carol, carolsId)).rejects.toBeInstanceOf(SenderMembershipError);
      await expect(strict(alice, randomUUID(), dave.id)).rejects.toMatchObject({
        reason: 'never',
      });
      await expect(strict(alice, randomUUID(), 'junk')).rejects.toMatchObject({
        reason: 'never',
      });
      expect((await conversations.findById(conversation.id))?.lastSeq).toBe(2);
    });

    it('scopes the client id to its sender and conversation', async () => {
      const { alice, bob, conversation } = await pair();
      const other = await makeDirect(alice, await makeUser());
      const clientId = randomUUID();
      const mine = await send(conversation.id, alice, 'a', clientId);
      const theirs = await send(conversation.id, bob, 'b', clientId);
      const elsewhere = await send(other.id, alice, 'c', clientId);
      expect([mine.created, theirs.created, elsewhere.created]).toEqual([true, true, true]);
      expect(new Set([mine, theirs, elsewhere].map((r) => r.message.id)).size).toBe(3);
      expect([mine.message.seq, theirs.message.seq, elsewhere.message.seq]).toEqual([1, 2, 1]);
      expect(await messages.findByClientId(conversation.id, bob.id, clientId)).toEqual(
        theirs.message,
      );
      expect(await messages.findByClientId(conversation.id, alice.id, randomUUID())).toBeNull();
      expect(await messages.findByClientId('junk', alice.id, clientId)).toBeNull();
    });

    it("raises the sender's watermarks, and only the sender's", async () => {
      const { alice, bob, conversation } = await pair();
      await sendMany(conversation.id, alice, 2);
      expect(await conversations.findMember(conversation.id, alice.id)).toMatchObject({
        deliveredSeq: 2,
        readSeq: 2,
      });
      expect(await conversations.findMember(conversation.id, bob.id)).toMatchObject({
        deliveredSeq: 0,
        readSeq: 0,
      });
      await send(conversation.id, bob);
      expect(await conversations.findMember(conversation.id, bob.id)).toMatchObject({
        readSeq: 3,
      });
      expect(await conversations.findMember(conversation.id, alice.id)).toMatchObject({
        readSeq: 2,
      });
    });

    it('refuses to append to a conversation that does not exist', async () => {
      const alice = await makeUser();
      await expect(send(alice.id, alice)).rejects.toBeInstanceOf(RecordNotFoundError);
      await expect(send('junk', alice)).rejects.toBeInstanceOf(RecordNotFoundError);
    });

    describe('listPage', () => {
      let conversationId: string;
      const page = (input: { before?: number; after?: number; limit: number }) =>
        messages
          .listPage(conversationId, input)
          .then((p) => ({ seqs: seqs(p.items), hasMore: p.hasMore }));

      beforeEach(async () => {
        const { alice, conversation } = await pair();
        conversationId = conversation.id;
        await sendMany(conversationId, alice, 10);
      });

      it('gives the newest messages, ascending, when no bound is given', async () => {
        expect(await page({ limit: 3 })).toEqual({ seqs: [8, 9, 10], hasMore: true });
        expect(await page({ limit: 1 })).toEqual({ seqs: [10], hasMore: true });
        expect(await page({ limit: 9 })).toEqual({ seqs: range(2, 10), hasMore: true });
        expect(await page({ limit: 10 })).toEqual({ seqs: range(1, 10), hasMore: false });
        expect(await page({ limit: 11 })).toEqual({ seqs: range(1, 10), hasMore: false });
      });

      it('pages downwards with before', async () => {
        expect(await page({ before: 8, limit: 3 })).toEqual({ seqs: [5, 6, 7], hasMore: true });
        expect(await page({ before: 5, limit: 3 })).toEqual({ seqs: [2, 3, 4], hasMore: true });
        expect(await page({ before: 4, limit: 3 })).toEqual({ seqs: [1, 2, 3], hasMore: false });
        expect(await page({ before: 3, limit: 3 })).toEqual({ seqs: [1, 2], hasMore: false });
        expect(await page({ before: 2, limit: 1 })).toEqual({ seqs: [1], hasMore: false });
        expect(await page({ before: 1, limit: 5 })).toEqual({ seqs: [], hasMore: false });
        expect(await page({ before: 100, limit: 2 })).toEqual({ seqs: [9, 10], hasMore: true });
      });

      it('pages upwards with after', async () => {
        expect(await page({ after: 0, limit: 3 })).toEqual({ seqs: [1, 2, 3], hasMore: true });
        expect(await page({ after: 6, limit: 3 })).toEqual({ seqs: [7, 8, 9], hasMore: true });
        expect(await page({ after: 7, limit: 3 })).toEqual({ seqs: [8, 9, 10], hasMore: false });
        expect(await page({ after: 9, limit: 1 })).toEqual({ seqs: [10], hasMore: false });
        expect(await page({ after: 10, limit: 5 })).toEqual({ seqs: [], hasMore: false });
      });

      it('fills a gap between after and before, nearest to after first', async () => {
        expect(await page({ after: 2, before: 9, limit: 3 })).toEqual({
          seqs: [3, 4, 5],
          hasMore: true,
        });
        expect(await page({ after: 2, before: 6, limit: 3 })).toEqual({
          seqs: [3, 4, 5],
          hasMore: false,
        });
        expect(await page({ after: 2, before: 6, limit: 10 })).toEqual({
          seqs: [3, 4, 5],
          hasMore: false,
        });
        expect(await page({ after: 5, before: 6, limit: 3 })).toEqual({
          seqs: [],
          hasMore: false,
        });
      });

      it('pages an empty or unknown conversation as empty', async () => {
        const { conversation } = await pair();
        for (const input of [{ limit: 5 }, { before: 3, limit: 5 }, { after: 0, limit: 5 }]) {
          expect(await messages.listPage(conversation.id, input)).toEqual({
            items: [],
            hasMore: false,
          });
        }
        expect(await messages.listPage('junk', { limit: 5 })).toEqual({
          items: [],
          hasMore: false,
        });
      });

      it('returns full message records in seq order', async () => {
        const { items } = await messages.listPage(conversationId, { after: 0, limit: 2 });
        expect(items.map((m) => m.body)).toEqual(['m1', 'm2']);
        expect(items[0]).toMatchObject({
          conversationId,
          seq: 1,
          kind: 'text',
          createdAt: expect.any(Date),
        });
      });
    });
  });

  describe('system messages', () => {
    it('round-trips the system event exactly, in every read', async () => {
      const { conversations, messages } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben]);
      const events: SystemEvent[] = [
        { type: 'group_created', actorId: ana.id, title: 'Team "Ünïcødé" 🧗', memberIds: [ben.id] },
        { type: 'admin_granted', actorId: null, userId: ben.id },
        { type: 'members_added', actorId: ana.id, userIds: [] },
      ];
      const stored = [];
      for (const system of events) {
        const { message } = await messages.append({
          conversationId: conversation.id,
          senderId: ana.id,
          clientMessageId: `system-${stored.length}`,
          kind: 'system',
          body: 'fallback text',
          system,
        });
        expect(message).toMatchObject({ kind: 'system', body: 'fallback text', attachments: [] });
        expect(message.system).toEqual(system);
        stored.push(message);
      }
      expect((await messages.listPage(conversation.id, { limit: 10 })).items).toEqual(stored);
      expect(await messages.findByClientId(conversation.id, ana.id, 'system-1')).toEqual(stored[1]);
      expect(await messages.findById(stored[0]!.id)).toEqual(stored[0]);
      expect((await conversations.getListItem(conversation.id, ben.id))?.lastMessage).toEqual(
        stored[2],
      );
      // A text message carries no event.
      expect((await send(conversation.id, ben)).message.system).toBeNull();
    });

    it('finds a message by id, or null', async () => {
      const { messages } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const conversation = await makeDirect(ana, ben);
      const { message } = await send(conversation.id, ana);
      expect(await messages.findById(message.id)).toEqual(message);
      expect(await messages.findById(conversation.id)).toBeNull();
      expect(await messages.findById('junk')).toBeNull();
    });
  });

  describe('mentions', () => {
    beforeEach(() => {
      ({ conversations, messages } = ctx.repos());
    });

    it('stores mentioned user ids and @all next to the text, and reads them back', async () => {
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben, cy]);
      const { message } = await messages.append({
        conversationId: conversation.id,
        senderId: ana.id,
        clientMessageId: randomUUID(),
        kind: 'text',
        body: `hi @${ben.username} and @${cy.username}`,
        mentions: [ben.id, cy.id, ben.id],
        requireActiveSender: true,
      });
      expect([...message.mentions].sort()).toEqual([ben.id, cy.id].sort());
      expect(message.mentionsAll).toBe(false);
      const all = await messages.append({
        conversationId: conversation.id,
        senderId: ana.id,
        clientMessageId: randomUUID(),
        kind: 'text',
        body: '@all lunch',
        mentionsAll: true,
      });
      expect(all.message).toMatchObject({ mentions: [], mentionsAll: true });
      const page = await messages.listPage(conversation.id, { limit: 10 });
      expect(page.items.map((m) => m.mentionsAll)).toEqual([false, true]);
      expect(await messages.findById(message.id)).toEqual(message);
    });

    it('refuses a mention of someone who is not an active member, storing nothing', async () => {
      const [ana, ben, cy, dan] = [
        await makeUser(),
        await makeUser(),
        await makeUser(),
        await makeUser(),
      ];
      const { conversation } = await makeGroup(ana, [ben, cy]);
      await conversations.removeMember(conversation.id, cy.id);
      for (const stranger of [dan.id, cy.id, 'not-an-id']) {
        await expect(
          messages.append({
            conversationId: conversation.id,
            senderId: ana.id,
            clientMessageId: randomUUID(),
            kind: 'text',
            body: 'hey',
            mentions: [ben.id, stranger],
            requireActiveSender: true,
          }),
        ).rejects.toBeInstanceOf(MentionMembershipError);
      }
      expect((await conversations.findById(conversation.id))?.lastSeq).toBe(0);
      expect((await messages.listPage(conversation.id, { limit: 10 })).items).toEqual([]);
    });

    it('counts unread mentions of the member from the read watermark, never their own', async () => {
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben, cy]);
      const post = (from: typeof ana, mentions: string[] = [], mentionsAll = false) =>
        messages.append({
          conversationId: conversation.id,
          senderId: from.id,
          clientMessageId: randomUUID(),
          kind: 'text',
          body: 'text',
          mentions,
          mentionsAll,
        });
      await post(ana, [ben.id]); // 1: ben
      await post(cy); // 2: nobody
      await post(ana, [], true); // 3: everyone
      await post(cy, [ana.id]); // 4: ana
      expect(await conversations.getListItem(conversation.id, ben.id)).toMatchObject({
        unreadCount: 4,
        unreadMentionCount: 2,
      });
      // ana's own @all (3) raised her read watermark past it; only 4 is unread for her.
      expect(await conversations.getListItem(conversation.id, ana.id)).toMatchObject({
        unreadCount: 1,
        unreadMentionCount: 1,
      });
      const counts = await conversations.unreadMentionCounts(conversation.id);
      expect(counts.get(ben.id)).toBe(2);
      expect(counts.get(ana.id)).toBe(1);
      expect(counts.get(cy.id) ?? 0).toBe(0);
      // Mentioning oneself never counts, and sending reads everything before it.
      await post(ben, [ben.id]);
      expect((await conversations.getListItem(conversation.id, ben.id))?.unreadMentionCount).toBe(
        0,
      );
    });

    it('unread mention count follows readSeq and stops at a former member departure', async () => {
      const [ana, ben] = [await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben]);
      const mention = () =>
        messages.append({
          conversationId: conversation.id,
          senderId: ana.id,
          clientMessageId: randomUUID(),
          kind: 'text',
          body: 'ping',
          mentions: [ben.id],
        });
      for (let i = 0; i < 3; i++) await mention();
      expect((await conversations.getListItem(conversation.id, ben.id))?.unreadMentionCount).toBe(
        3,
      );
      expect((await conversations.unreadMentionCounts(conversation.id)).get(ben.id)).toBe(3);
      const page = await conversations.listForUser(ben.id, { limit: 10 });
      expect(page.items[0]?.unreadMentionCount).toBe(3);
      await conversations.advanceWatermarks(conversation.id, ben.id, { readSeq: 2 });
      expect((await conversations.getListItem(conversation.id, ben.id))?.unreadMentionCount).toBe(
        1,
      );
      await conversations.removeMember(conversation.id, ben.id);
      // Mentions after the departure cannot even be stored (ben is no longer active); the count stays 1.
      await expect(mention()).rejects.toBeInstanceOf(MentionMembershipError);
      expect((await conversations.getListItem(conversation.id, ben.id))?.unreadMentionCount).toBe(
        1,
      );
    });
  });

  describe('search', () => {
    beforeEach(() => {
      ({ conversations, messages } = ctx.repos());
    });

    const find = (
      userId: string,
      query: string,
      extra: Partial<Parameters<MessagesRepository['search']>[0]> = {},
    ) => messages.search({ userId, query, limit: 50, ...extra });
    const bodies = (page: { items: { message: { body: string } }[] }) =>
      page.items.map((hit) => hit.message.body);

    it('matches every word, ignoring case and accents, and marks the matches in the snippet', async () => {
      const [ana, ben] = [await makeUser(), await makeUser()];
      const conversation = await makeDirect(ana, ben);
      await send(conversation.id, ana, 'Le Café de Zürich ouvre demain <b>&amp;</b>');
      await send(conversation.id, ben, 'cafe only');
      await send(conversation.id, ben, 'nothing here');
      const page = await find(ben.id, 'cafe zurich');
      expect(bodies(page)).toEqual(['Le Café de Zürich ouvre demain <b>&amp;</b>']);
      const snippet = page.items[0]?.snippet ?? '';
      // A short message is shown whole, markup-looking text included, as typed.
      expect(snippet).toBe(
        `Le ${SEARCH_HIGHLIGHT_START}Café${SEARCH_HIGHLIGHT_END} de ${SEARCH_HIGHLIGHT_START}Zürich${SEARCH_HIGHLIGHT_END} ouvre demain <b>&amp;</b>`,
      );
      expect(snippet).toContain(`${SEARCH_HIGHLIGHT_START}Café${SEARCH_HIGHLIGHT_END}`);
      expect(snippet).toContain(`${SEARCH_HIGHLIGHT_START}Zürich${SEARCH_HIGHLIGHT_END}`);
      expect(bodies(await find(ana.id, 'CAFÉ')).sort()).toEqual(
        ['Le Café de Zürich ouvre demain <b>&amp;</b>', 'cafe only'].sort(),
      );
      expect(bodies(await find(ana.id, 'absent words'))).toEqual([]);
      expect(bodies(await find(ana.id, '!!!'))).toEqual([]);
    });

    it('finds nothing the caller may not read: other conversations, system messages, a former member later messages', async () => {
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation: group } = await makeGroup(ana, [ben, cy]);
      const theirs = await makeDirect(ana, cy);
      await send(group.id, ana, 'secret plan before');
      await send(theirs.id, ana, 'secret plan private');
      await messages.append({
        conversationId: group.id,
        senderId: ana.id,
        clientMessageId: randomUUID(),
        kind: 'system',
        body: 'secret plan system',
        system: { type: 'group_renamed', actorId: ana.id, title: 'x' },
      });
      await conversations.removeMember(group.id, ben.id);
      await send(group.id, ana, 'secret plan after');
      expect(bodies(await find(ben.id, 'secret plan'))).toEqual(['secret plan before']);
      expect(bodies(await find(cy.id, 'secret plan')).sort()).toEqual(
        ['secret plan after', 'secret plan before', 'secret plan private'].sort(),
      );
      // A conversation filter does not widen what may be read.
      expect(bodies(await find(ben.id, 'secret', { conversationId: theirs.id }))).toEqual([]);
      expect(bodies(await find(ben.id, 'secret', { conversationId: 'junk' }))).toEqual([]);
    });

    it('matches the last word as a prefix while it is being typed', async () => {
      const [ana, ben] = [await makeUser(), await makeUser()];
      const conversation = await makeDirect(ana, ben);
      await send(conversation.id, ana, 'deployment finished');
      await send(conversation.id, ana, 'deploy tomorrow');
      expect(bodies(await find(ben.id, 'deplo')).sort()).toEqual(
        ['deploy tomorrow', 'deployment finished'].sort(),
      );
      expect(bodies(await find(ben.id, 'deployment fin'))).toEqual(['deployment finished']);
    });

    it('orders equal relevance newest first and pages through every hit once', async () => {
      const [ana, ben] = [await makeUser(), await makeUser()];
      const conversation = await makeDirect(ana, ben);
      const sent: string[] = [];
      for (let i = 0; i < 23; i++) {
        const { message } = await send(conversation.id, i % 2 ? ana : ben, `release notes ${i}`);
        sent.push(message.id);
        if (i % 5 === 0) await pause();
      }
      await send(conversation.id, ana, 'unrelated');
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 10; guard++) {
        const page = await find(ana.id, 'release notes', { limit: 5, cursor });
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((hit) => hit.message.id));
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
      expect(new Set(seen).size).toBe(seen.length);
      // Same words, same length: equal scores, so newest (highest seq) first.
      expect(seen).toEqual([...sent].reverse());
      await expect(find(ana.id, 'release', { cursor: 'bogus' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });

    it('ranks a better match above a newer weaker one', async () => {
      const [ana, ben] = [await makeUser(), await makeUser()];
      const conversation = await makeDirect(ana, ben);
      await send(conversation.id, ana, 'budget budget budget review');
      await send(
        conversation.id,
        ana,
        'the budget is in a long message about many other unrelated things today',
      );
      const page = await find(ben.id, 'budget');
      expect(bodies(page)[0]).toBe('budget budget budget review');
      expect(page.items[0]!.score).toBeGreaterThan(page.items[1]!.score);
    });

    it('filters by conversation, sender, attachments and time', async () => {
      const { attachments } = ctx.repos();
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const one = await makeDirect(ana, ben);
      const { conversation: two } = await makeGroup(ana, [ben, cy]);
      await send(one.id, ana, 'report alpha');
      await pause(5);
      const middle = new Date();
      await pause(5);
      await send(two.id, cy, 'report beta');
      const file = await attachments.create({
        conversationId: two.id,
        uploaderId: ben.id,
        kind: 'file',
        name: 'r.pdf',
        mimeType: 'application/pdf',
        size: 10,
        width: null,
        height: null,
        storageKey: randomUUID(),
        thumbnailKey: null,
      });
      await messages.append({
        conversationId: two.id,
        senderId: ben.id,
        clientMessageId: randomUUID(),
        kind: 'text',
        body: 'report gamma',
        attachmentIds: [file.id],
      });
      expect(bodies(await find(ben.id, 'report', { conversationId: one.id }))).toEqual([
        'report alpha',
      ]);
      expect(bodies(await find(ben.id, 'report', { senderId: cy.id }))).toEqual(['report beta']);
      const withFile = await find(ben.id, 'report', { hasAttachments: true });
      expect(bodies(withFile)).toEqual(['report gamma']);
      expect(withFile.items[0]?.message.attachments.map((a) => a.id)).toEqual([file.id]);
      expect(bodies(await find(ben.id, 'report', { to: middle }))).toEqual(['report alpha']);
      expect(bodies(await find(ben.id, 'report', { from: middle })).sort()).toEqual([
        'report beta',
        'report gamma',
      ]);
    });
  });
}
