/**
 * Storage contract, the AttachmentsRepository port: records, the claim made by MessagesRepository.append (all or
 * nothing, with the reason when refused), reads that carry attachments, the unsent sweep and the quota sum.
 */
import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { CreateAttachmentInput } from '../attachments.repository.js';
import { AttachmentClaimError } from '../storage.errors.js';
import type { AttachmentRecord, ConversationRecord, UserRecord } from '../storage.types.js';
import { pause, range, type ContractContext } from './contract-context.js';

export function describeAttachmentsContract(ctx: ContractContext): void {
  const { makeUser, makeDirect, send } = ctx;
  let counter = 0;

  const upload = (
    conversation: ConversationRecord,
    uploader: UserRecord,
    overrides: Partial<CreateAttachmentInput> = {},
  ) => {
    counter += 1;
    return ctx.repos().attachments.create({
      conversationId: conversation.id,
      uploaderId: uploader.id,
      kind: 'file',
      name: `file-${counter}.pdf`,
      mimeType: 'application/pdf',
      size: 1000 + counter,
      width: null,
      height: null,
      storageKey: `key-${counter}-${randomUUID()}`,
      thumbnailKey: null,
      ...overrides,
    });
  };

  const sendWith = (
    conversation: ConversationRecord,
    sender: UserRecord,
    attachmentIds: readonly string[],
    clientMessageId = randomUUID(),
  ) =>
    ctx.repos().messages.append({
      conversationId: conversation.id,
      senderId: sender.id,
      clientMessageId,
      kind: 'text',
      body: '',
      attachmentIds,
    });

  /** Expects a refused claim, and that nothing was stored by it. */
  const expectRefused = async (
    attempt: Promise<unknown>,
    conversation: ConversationRecord,
    reason: 'not_found' | 'in_use',
    attachmentId: string,
  ) => {
    const before = await ctx.repos().conversations.findById(conversation.id);
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AttachmentClaimError);
    expect(error).toMatchObject({ reason, attachmentId });
    const after = await ctx.repos().conversations.findById(conversation.id);
    expect(after?.lastSeq).toBe(before?.lastSeq);
  };

  const pair = async () => {
    const [ana, ben] = [await makeUser(), await makeUser()];
    return { ana, ben, conversation: await makeDirect(ana, ben) };
  };

  describe('attachments', () => {
    it('creates an unsent attachment and finds it by id', async () => {
      const { attachments } = ctx.repos();
      const { ana, conversation } = await pair();
      const image = await upload(conversation, ana, {
        kind: 'image',
        name: 'photo.webp',
        mimeType: 'image/webp',
        size: 3_000_000_000, // beyond 32 bits: sizes are not ints
        width: 1024,
        height: 768,
        thumbnailKey: 'thumb-1',
      });
      expect(image).toEqual({
        id: expect.any(String),
        conversationId: conversation.id,
        uploaderId: ana.id,
        messageId: null,
        kind: 'image',
        name: 'photo.webp',
        mimeType: 'image/webp',
        size: 3_000_000_000,
        width: 1024,
        height: 768,
        storageKey: expect.any(String),
        thumbnailKey: 'thumb-1',
        createdAt: expect.any(Date),
      });
      expect(await attachments.findById(image.id)).toEqual(image);
      expect(await attachments.findById(conversation.id)).toBeNull();
      expect(await attachments.findById('junk')).toBeNull();
    });

    it('claims attachments with the message, in the order given, and returns them in every read', async () => {
      const { attachments, messages, conversations } = ctx.repos();
      const { ana, ben, conversation } = await pair();
      const [first, second, third] = [
        await upload(conversation, ana),
        await upload(conversation, ana),
        await upload(conversation, ana),
      ];
      const ids = [third.id, first.id, second.id];
      const { message, created } = await sendWith(conversation, ana, ids);
      expect(created).toBe(true);
      expect(message.attachments.map((a) => a.id)).toEqual(ids);
      for (const a of message.attachments) expect(a.messageId).toBe(message.id);
      expect(await attachments.findById(first.id)).toEqual({ ...first, messageId: message.id });

      const page = await messages.listPage(conversation.id, { limit: 10 });
      expect(page.items).toEqual([message]);
      expect(await messages.findById(message.id)).toEqual(message);
      expect(
        await messages.findByClientId(conversation.id, ana.id, message.clientMessageId),
      ).toEqual(message);
      expect((await conversations.getListItem(conversation.id, ben.id))?.lastMessage).toEqual(
        message,
      );
      const [listed] = (await conversations.listForUser(ben.id, { limit: 5 })).items;
      expect(listed?.lastMessage?.attachments.map((a) => a.id)).toEqual(ids);
    });

    it('batches attachments across a page of several messages', async () => {
      const { messages } = ctx.repos();
      const { ana, ben, conversation } = await pair();
      const expected: string[][] = [];
      for (let i = 0; i < 4; i++) {
        const mine = [
          await upload(conversation, i % 2 ? ben : ana),
          await upload(conversation, i % 2 ? ben : ana),
        ];
        const ids = i === 2 ? [] : mine.map((a) => a.id);
        await sendWith(conversation, i % 2 ? ben : ana, ids);
        expected.push(ids);
      }
      const page = await messages.listPage(conversation.id, { after: 0, limit: 10 });
      expect(page.items.map((m) => m.attachments.map((a) => a.id))).toEqual(expected);
    });

    it("refuses unknown, foreign-conversation and other uploaders' attachments as not_found, storing nothing", async () => {
      const { attachments, messages } = ctx.repos();
      const { ana, ben, conversation } = await pair();
      const other = await makeDirect(ana, await makeUser());
      const mine = await upload(conversation, ana);
      const elsewhere = await upload(other, ana);
      const bens = await upload(conversation, ben);

      await expectRefused(
        sendWith(conversation, ana, [mine.id, ana.id]),
        conversation,
        'not_found',
        ana.id,
      );
      await expectRefused(
        sendWith(conversation, ana, [mine.id, 'junk']),
        conversation,
        'not_found',
        'junk',
      );
      await expectRefused(
        sendWith(conversation, ana, [mine.id, elsewhere.id]),
        conversation,
        'not_found',
        elsewhere.id,
      );
      await expectRefused(
        sendWith(conversation, ana, [bens.id, mine.id]),
        conversation,
        'not_found',
        bens.id,
      );

      expect((await messages.listPage(conversation.id, { limit: 10 })).items).toEqual([]);
      for (const a of [mine, elsewhere, bens]) {
        expect((await attachments.findById(a.id))?.messageId).toBeNull();
      }
      // Still claimable afterwards.
      const { message } = await sendWith(conversation, ana, [mine.id]);
      expect(message.seq).toBe(1);
      expect(message.attachments.map((a) => a.id)).toEqual([mine.id]);
    });

    it('refuses an attachment already sent as in_use, storing nothing', async () => {
      const { attachments } = ctx.repos();
      const { ana, conversation } = await pair();
      const [used, fresh] = [await upload(conversation, ana), await upload(conversation, ana)];
      const { message } = await sendWith(conversation, ana, [used.id]);
      await expectRefused(
        sendWith(conversation, ana, [fresh.id, used.id]),
        conversation,
        'in_use',
        used.id,
      );
      expect((await attachments.findById(fresh.id))?.messageId).toBeNull();
      expect((await attachments.findById(used.id))?.messageId).toBe(message.id);
    });

    it('answers a resend with the stored message and claims nothing new', async () => {
      const { attachments, conversations } = ctx.repos();
      const { ana, conversation } = await pair();
      const [a, b] = [await upload(conversation, ana), await upload(conversation, ana)];
      const clientId = randomUUID();
      const original = await sendWith(conversation, ana, [a.id], clientId);
      const resend = await sendWith(conversation, ana, [a.id, b.id], clientId);
      expect(resend).toEqual({
        message: original.message,
        created: false,
        activeMemberIds: original.activeMemberIds,
      });
      expect((await attachments.findById(b.id))?.messageId).toBeNull();
      expect((await conversations.findById(conversation.id))?.lastSeq).toBe(1);
    });

    it('lets exactly one of two messages racing for one attachment have it', async () => {
      const { conversations } = ctx.repos();
      const { ana, conversation } = await pair();
      const contested = await upload(conversation, ana);
      const results = await Promise.allSettled(
        range(1, 4).map(() => sendWith(conversation, ana, [contested.id])),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(3);
      for (const r of lost) {
        expect((r as PromiseRejectedResult).reason).toMatchObject({ reason: 'in_use' });
      }
      expect((await conversations.findById(conversation.id))?.lastSeq).toBe(1);
    });

    it('deletes an unsent attachment for its uploader only', async () => {
      const { attachments } = ctx.repos();
      const { ana, ben, conversation } = await pair();
      const [unsent, sent] = [await upload(conversation, ana), await upload(conversation, ana)];
      await sendWith(conversation, ana, [sent.id]);
      expect(await attachments.deleteUnsent(unsent.id, ben.id)).toBeNull();
      expect(await attachments.deleteUnsent(sent.id, ana.id)).toBeNull();
      expect(await attachments.deleteUnsent('junk', ana.id)).toBeNull();
      expect(await attachments.deleteUnsent(unsent.id, ana.id)).toEqual(unsent);
      expect(await attachments.findById(unsent.id)).toBeNull();
      expect(await attachments.deleteUnsent(unsent.id, ana.id)).toBeNull();
      expect((await attachments.findById(sent.id))?.messageId).not.toBeNull();
    });

    it('sweeps unsent attachments older than the cutoff, oldest first, up to the limit', async () => {
      const { attachments } = ctx.repos();
      const { ana, ben, conversation } = await pair();
      const old: AttachmentRecord[] = [];
      for (let i = 0; i < 3; i++) {
        old.push(await upload(conversation, i === 1 ? ben : ana));
        await pause();
      }
      const sent = await upload(conversation, ana);
      await sendWith(conversation, ana, [sent.id]);
      await pause();
      const cutoff = new Date();
      await pause();
      const young = await upload(conversation, ana);

      expect(await attachments.deleteUnsentOlderThan(new Date(0), 10)).toEqual([]);
      const firstBatch = await attachments.deleteUnsentOlderThan(cutoff, 2);
      expect(firstBatch.map((a) => a.id)).toEqual([old[0]!.id, old[1]!.id]);
      const secondBatch = await attachments.deleteUnsentOlderThan(cutoff, 2);
      expect(secondBatch).toEqual([old[2]]);
      expect(await attachments.deleteUnsentOlderThan(cutoff, 2)).toEqual([]);
      expect(await attachments.findById(sent.id)).not.toBeNull();
      expect(await attachments.findById(young.id)).toEqual(young);
    });

    it("sums an uploader's bytes since a time, sent or not", async () => {
      const { attachments } = ctx.repos();
      const { ana, ben, conversation } = await pair();
      const before = await upload(conversation, ana, { size: 7 });
      await pause();
      const since = new Date();
      await pause();
      const a = await upload(conversation, ana, { size: 100 });
      await upload(conversation, ana, { size: 2_500_000_000 });
      await upload(conversation, ben, { size: 999 });
      await sendWith(conversation, ana, [a.id]);
      expect(await attachments.sumBytesSince(ana.id, since)).toBe(2_500_000_100);
      expect(await attachments.sumBytesSince(ana.id, before.createdAt)).toBe(2_500_000_107);
      expect(await attachments.sumBytesSince(ana.id, new Date(Date.now() + 60_000))).toBe(0);
      expect(await attachments.sumBytesSince('junk', since)).toBe(0);
    });

    it('keeps text sends without attachments unchanged', async () => {
      const { ana, conversation } = await pair();
      const { message } = await send(conversation.id, ana, 'plain');
      expect(message.attachments).toEqual([]);
    });
  });
}
