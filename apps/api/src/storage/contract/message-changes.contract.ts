/**
 * Storage contract, the MessagesRepository port's changes: edits, deletions, reactions, the per-conversation
 * change counter and the changes feed, replies and forwarded copies. Declared by `describeStorageContract`
 * (storage.contract.ts) with the messages section, so every adapter runs it.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { AttachmentsRepository } from '../attachments.repository.js';
import type { ConversationsRepository } from '../conversations.repository.js';
import type { MessagesRepository, MessageTarget } from '../messages.repository.js';
import type { ConversationRecord, MessageRecord, UserRecord } from '../storage.types.js';
import { pause, range, type ContractContext } from './contract-context.js';

/** Declares the message-changes contract against the adapter behind `ctx`. */
export function describeMessageChangesContract(ctx: ContractContext): void {
  const { makeUser, makeDirect, makeGroup, send } = ctx;
  let conversations: ConversationsRepository;
  let messages: MessagesRepository;
  let attachments: AttachmentsRepository;

  describe('message changes', () => {
    beforeEach(() => {
      ({ conversations, messages, attachments } = ctx.repos());
    });

    const pair = async () => {
      const [alice, bob] = [await makeUser(), await makeUser()];
      return { alice, bob, conversation: await makeDirect(alice, bob) };
    };
    const target = (m: MessageRecord): MessageTarget => ({
      conversationId: m.conversationId,
      messageId: m.id,
    });
    /** Every page of the changes feed after `after`, walked with `limit`. */
    const walkChanges = async (conversationId: string, after: number, limit: number) => {
      const items: MessageRecord[] = [];
      let cursor = after;
      for (let guard = 0; guard < 1000; guard++) {
        const page = await messages.listChanges(conversationId, { after: cursor, limit });
        items.push(...page.items);
        if (page.items.length > 0) cursor = page.items[page.items.length - 1]!.changeSeq;
        if (!page.hasMore) return { items, cursor };
      }
      throw new Error('listChanges never ended');
    };
    const upload = (conversation: ConversationRecord, uploader: UserRecord) =>
      attachments.create({
        conversationId: conversation.id,
        uploaderId: uploader.id,
        kind: 'image',
        name: 'photo.webp',
        mimeType: 'image/webp',
        size: 1234,
        width: 10,
        height: 10,
        storageKey: `key-${randomUUID()}`,
        thumbnailKey: `thumb-${randomUUID()}`,
      });

    it('edits the body, stamps the message with the raised change counter, and ignores a repeat', async () => {
      const { alice, conversation } = await pair();
      const { message } = await send(conversation.id, alice, 'helo');
      const edited = await messages.editBody(target(message), 'hello');
      expect(edited.outcome).toBe('changed');
      expect(edited.message).toMatchObject({
        id: message.id,
        seq: message.seq,
        body: 'hello',
        changeSeq: 1,
        editedAt: expect.any(Date),
        deletedAt: null,
      });
      expect((await conversations.findById(conversation.id))?.changeSeq).toBe(1);
      const again = await messages.editBody(target(message), 'hello');
      expect(again.outcome).toBe('unchanged');
      expect(again.message).toEqual(edited.message);
      expect((await conversations.findById(conversation.id))?.changeSeq).toBe(1);
      // History shows the same view.
      const page = await messages.listPage(conversation.id, { after: 0, limit: 10 });
      expect(page.items[0]).toEqual(edited.message);
    });

    it('answers not_found for a message of another conversation or an unknown id, and changes nothing', async () => {
      const { alice, bob, conversation } = await pair();
      const other = await makeDirect(alice, await makeUser());
      const { message } = await send(conversation.id, bob, 'x');
      const wrong = { conversationId: other.id, messageId: message.id };
      expect((await messages.editBody(wrong, 'y')).outcome).toBe('not_found');
      expect((await messages.delete(wrong, 'author')).outcome).toBe('not_found');
      expect((await messages.addReaction(wrong, alice.id, '👍', 20)).outcome).toBe('not_found');
      expect((await messages.removeReaction(wrong, alice.id, '👍')).outcome).toBe('not_found');
      const junk = { conversationId: conversation.id, messageId: 'junk' };
      expect((await messages.editBody(junk, 'y')).outcome).toBe('not_found');
      expect((await conversations.findById(other.id))?.changeSeq).toBe(0);
      expect(await messages.findById(message.id)).toEqual(message);
    });

    it('deletes: erases body, reactions and attachment rows, keeps seq, sender and times; a repeat is unchanged', async () => {
      const { alice, bob, conversation } = await pair();
      const files = [await upload(conversation, alice), await upload(conversation, alice)];
      const { message } = await messages.append({
        conversationId: conversation.id,
        senderId: alice.id,
        clientMessageId: randomUUID(),
        kind: 'text',
        body: 'secret',
        attachmentIds: files.map((f) => f.id),
      });
      await messages.addReaction(target(message), bob.id, '👍', 20);
      const deleted = await messages.delete(target(message), 'author');
      expect(deleted.outcome).toBe('changed');
      expect(deleted.message).toMatchObject({
        id: message.id,
        seq: message.seq,
        senderId: alice.id,
        createdAt: message.createdAt,
        body: '',
        attachments: [],
        reactions: [],
        deletedAt: expect.any(Date),
        deletedBy: 'author',
        changeSeq: 2,
      });
      expect([...deleted.removedFileKeys].sort()).toEqual(
        files.flatMap((f) => [f.storageKey, f.thumbnailKey!]).sort(),
      );
      for (const f of files) expect(await attachments.findById(f.id)).toBeNull();
      const again = await messages.delete(target(message), 'admin');
      expect(again.outcome).toBe('unchanged');
      expect(again.removedFileKeys).toEqual([]);
      expect(again.message?.deletedBy).toBe('author');
      // A tombstone takes no edit and no reaction.
      expect((await messages.editBody(target(message), 'back')).outcome).toBe('deleted');
      expect((await messages.addReaction(target(message), bob.id, '🎉', 20)).outcome).toBe(
        'deleted',
      );
      expect((await conversations.findById(conversation.id))?.changeSeq).toBe(2);
      // The list's preview is the tombstone.
      expect((await conversations.getListItem(conversation.id, bob.id))?.lastMessage).toEqual(
        deleted.message,
      );
    });

    it('keeps reactions as a set: a repeat, even ten at once, is one reaction', async () => {
      const { alice, bob, conversation } = await pair();
      const { message } = await send(conversation.id, alice, 'hi');
      const results = await Promise.all(
        range(1, 10).map(() => messages.addReaction(target(message), bob.id, '👍', 20)),
      );
      expect(results.filter((r) => r.outcome === 'changed')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'unchanged')).toHaveLength(9);
      // Times are stored to the millisecond: pauses make "earliest first" well defined.
      await pause();
      await messages.addReaction(target(message), alice.id, '👍', 20);
      await pause();
      const withHeart = await messages.addReaction(target(message), alice.id, '❤️', 20);
      expect(withHeart.message?.reactions).toEqual([
        { emoji: '👍', userIds: [bob.id, alice.id] },
        { emoji: '❤️', userIds: [alice.id] },
      ]);
      const removed = await messages.removeReaction(target(message), bob.id, '👍');
      expect(removed.outcome).toBe('changed');
      expect(removed.message?.reactions).toEqual([
        { emoji: '👍', userIds: [alice.id] },
        { emoji: '❤️', userIds: [alice.id] },
      ]);
      expect((await messages.removeReaction(target(message), bob.id, '👍')).outcome).toBe(
        'unchanged',
      );
      const last = await messages.removeReaction(target(message), alice.id, '❤️');
      expect(last.message?.reactions).toEqual([{ emoji: '👍', userIds: [alice.id] }]);
      expect((await conversations.findById(conversation.id))?.changeSeq).toBe(5);
    });

    it('lets no more than the limit of distinct emoji in, even when 25 arrive at once', async () => {
      const { conversation, members } = await (async () => {
        const creator = await makeUser();
        const others = await Promise.all(range(1, 4).map(() => makeUser()));
        return makeGroup(creator, others);
      })();
      const sender = { id: members[0]!.userId } as UserRecord;
      const { message } = await send(conversation.id, sender, 'react');
      const emoji = range(0, 24).map((i) => String.fromCodePoint(0x1f600 + i));
      const results = await Promise.all(
        emoji.map((e, i) =>
          messages.addReaction(target(message), members[i % members.length]!.userId, e, 20),
        ),
      );
      expect(results.filter((r) => r.outcome === 'changed')).toHaveLength(20);
      expect(results.filter((r) => r.outcome === 'reaction_limit')).toHaveLength(5);
      const stored = await messages.findById(message.id);
      expect(stored?.reactions).toHaveLength(20);
      // An emoji already there still takes more people.
      const existing = stored!.reactions[0]!.emoji;
      const more = members.find((m) => !stored!.reactions[0]!.userIds.includes(m.userId))!;
      expect((await messages.addReaction(target(message), more.userId, existing, 20)).outcome).toBe(
        'changed',
      );
    });

    it('gives concurrent changes distinct, increasing change values and pages them without gaps or repeats', async () => {
      const { alice, bob, conversation } = await pair();
      const sent = await Promise.all(range(1, 8).map((i) => send(conversation.id, alice, `m${i}`)));
      const targets = sent.map((r) => target(r.message));
      const ops = range(1, 40).map((i) => {
        const t = targets[i % targets.length]!;
        if (i % 3 === 0) return messages.editBody(t, `edit ${i}`);
        if (i % 3 === 1) return messages.addReaction(t, i % 2 ? alice.id : bob.id, '👍', 20);
        return messages.addReaction(t, bob.id, String.fromCodePoint(0x1f600 + i), 20);
      });
      const results = await Promise.all(ops);
      const changed = results.filter((r) => r.outcome === 'changed');
      const counter = (await conversations.findById(conversation.id))!.changeSeq;
      expect(changed.length).toBeGreaterThan(0);
      expect(counter).toBe(changed.length);
      // Each message holds its latest change value; those are distinct.
      const finals = await Promise.all(sent.map((r) => messages.findById(r.message.id)));
      const values = finals.map((m) => m!.changeSeq).filter((v) => v > 0);
      expect(new Set(values).size).toBe(values.length);
      expect(Math.max(...values)).toBe(counter);
      for (const limit of [1, 3, 100]) {
        const { items, cursor } = await walkChanges(conversation.id, 0, limit);
        expect(items.map((m) => m.changeSeq)).toEqual([...values].sort((a, b) => a - b));
        expect(new Set(items.map((m) => m.id)).size).toBe(items.length);
        expect(cursor).toBe(counter);
      }
      // After a cursor, only what changed since.
      const mid = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const tail = await walkChanges(conversation.id, mid, 2);
      expect(tail.items.every((m) => m.changeSeq > mid)).toBe(true);
      expect(await messages.listChanges(conversation.id, { after: counter, limit: 5 })).toEqual({
        items: [],
        hasMore: false,
      });
    });

    it('lets a reader paging changes during concurrent changes end with the final state of every message', async () => {
      const { alice, bob, conversation } = await pair();
      const sent = await Promise.all(range(1, 5).map((i) => send(conversation.id, bob, `m${i}`)));
      const held = new Map<string, MessageRecord>();
      let cursor = 0;
      let writing = true;
      const reader = (async () => {
        while (writing) {
          const page = await messages.listChanges(conversation.id, { after: cursor, limit: 3 });
          for (const m of page.items) {
            // Never backwards, never a repeat of a value already passed.
            expect(m.changeSeq).toBeGreaterThan(cursor);
            held.set(m.id, m);
            cursor = m.changeSeq;
          }
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      await Promise.all(
        range(1, 30).map((i) =>
          i % 2
            ? messages.editBody(target(sent[i % 5]!.message), `v${i}`)
            : messages.addReaction(
                target(sent[i % 5]!.message),
                alice.id,
                String.fromCodePoint(0x1f600 + i),
                20,
              ),
        ),
      );
      writing = false;
      await reader;
      const rest = await walkChanges(conversation.id, cursor, 3);
      for (const m of rest.items) held.set(m.id, m);
      for (const { message } of sent) {
        expect(held.get(message.id)).toEqual(await messages.findById(message.id));
      }
    });

    it("bounds a former member's changes at their departure", async () => {
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben, cy]);
      const { message } = await send(conversation.id, ana, 'before');
      await messages.editBody(target(message), 'edited before');
      const left = await conversations.removeMember(conversation.id, ben.id);
      expect(left).toMatchObject({ historyUntilChangeSeq: 1 });
      await messages.addReaction(target(message), cy.id, '👍', 20);
      expect((await conversations.findMember(conversation.id, ben.id))?.historyUntilChangeSeq).toBe(
        1,
      );
      const page = await messages.listChanges(conversation.id, {
        after: 0,
        limit: 10,
        untilChangeSeq: left!.historyUntilChangeSeq!,
        untilSeq: left!.historyUntilSeq!,
      });
      expect(page.items.map((m) => m.id)).toEqual([]);
      // (the only changed message moved to value 2, after the departure)
      const all = await messages.listChanges(conversation.id, { after: 0, limit: 10 });
      expect(all.items.map((m) => m.changeSeq)).toEqual([2]);
      // Re-added: active again, no bound.
      await conversations.addMembers(conversation.id, [ben.id]);
      expect(
        (await conversations.findMember(conversation.id, ben.id))?.historyUntilChangeSeq,
      ).toBeNull();
    });

    it('stores a reply with its target, whose quote follows an edit and a deletion of the target', async () => {
      const { alice, bob, conversation } = await pair();
      const { message: original } = await send(conversation.id, alice, 'question?');
      const { message: reply } = await messages.append({
        conversationId: conversation.id,
        senderId: bob.id,
        clientMessageId: randomUUID(),
        kind: 'text',
        body: 'answer',
        replyToId: original.id,
      });
      expect(reply.replyTo).toEqual({
        id: original.id,
        seq: original.seq,
        senderId: alice.id,
        body: 'question?',
        deleted: false,
      });
      await messages.editBody(target(original), 'question, edited?');
      expect((await messages.findById(reply.id))?.replyTo?.body).toBe('question, edited?');
      await messages.delete(target(original), 'author');
      const page = await messages.listPage(conversation.id, { after: 0, limit: 10 });
      expect(page.items[1]?.replyTo).toEqual({
        id: original.id,
        seq: original.seq,
        senderId: alice.id,
        body: '',
        deleted: true,
      });
      expect(
        (await conversations.getListItem(conversation.id, alice.id))?.lastMessage?.replyTo,
      ).toEqual(page.items[1]?.replyTo);
    });

    it('refuses a reply to no message of the conversation, storing nothing', async () => {
      const { alice, bob, conversation } = await pair();
      const elsewhere = await makeDirect(alice, await makeUser());
      const { message: foreign } = await send(elsewhere.id, alice, 'not here');
      const reply = (replyToId: string) =>
        messages.append({
          conversationId: conversation.id,
          senderId: bob.id,
          clientMessageId: randomUUID(),
          kind: 'text',
          body: 'answer',
          replyToId,
        });
      for (const replyToId of [foreign.id, conversation.id, 'not-an-id']) {
        await expect(reply(replyToId)).rejects.toEqual(
          expect.objectContaining({ name: 'ReplyTargetError', messageId: replyToId }),
        );
      }
      expect((await conversations.findById(conversation.id))?.lastSeq).toBe(0);
    });

    it('marks a forwarded copy, in every read', async () => {
      const { alice, conversation } = await pair();
      const { message } = await messages.append({
        conversationId: conversation.id,
        senderId: alice.id,
        clientMessageId: randomUUID(),
        kind: 'text',
        body: 'fwd',
        forwarded: true,
      });
      expect(message.forwarded).toBe(true);
      expect((await messages.findById(message.id))?.forwarded).toBe(true);
      expect((await send(conversation.id, alice, 'plain')).message.forwarded).toBe(false);
    });
  });
}
