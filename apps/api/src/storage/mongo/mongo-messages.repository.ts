import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, trusted, type Model } from 'mongoose';
import {
  MessagesRepository,
  type AppendMessageInput,
  type AppendMessageResult,
  type HistoryPageInput,
} from '../messages.repository.js';
import {
  AttachmentClaimError,
  RecordNotFoundError,
  SenderMembershipError,
} from '../storage.errors.js';
import type { MessageRecord } from '../storage.types.js';
import {
  claimFilter,
  claimUpdate,
  confirmClaims,
  handOverClaims,
  loadAttachmentsById,
  releaseClaims,
} from './mongo-attachments.repository.js';
import {
  INDEX,
  MODEL,
  MONGO_CONNECTION_NAME,
  type AttachmentDoc,
  type ConversationDoc,
  type MemberDoc,
  type MessageDoc,
} from './mongo.schemas.js';
import { activeMemberFilter } from './mongo-conversations.repository.js';
import {
  duplicateKeyIndex,
  isActiveMember,
  parseId,
  toMessageRecord,
  translateMongoError,
} from './mongo-support.js';

/**
 * The filter and sort of one history page (pure, unit-tested). With `after` the page travels upwards from it
 * (ascending); otherwise downwards from `before`, or from the newest message (descending, reversed by the
 * caller). Every shape is one range scan of the unique (conversationId, seq) index.
 */
export function historyQuery(
  conversationId: Types.ObjectId,
  page: HistoryPageInput,
): { filter: Record<string, unknown>; sort: { seq: 1 | -1 }; upwards: boolean } {
  const seq: Record<string, number> = {};
  if (page.before !== undefined) seq.$lt = page.before;
  // `before` and `untilSeq` both bound from above: the tighter one counts.
  if (page.untilSeq !== undefined)
    seq.$lt = Math.min(seq.$lt ?? Number.POSITIVE_INFINITY, page.untilSeq + 1);
  if (page.after !== undefined) seq.$gt = page.after;
  const upwards = page.after !== undefined;
  return {
    filter:
      Object.keys(seq).length > 0 ? { conversationId, seq: trusted(seq) } : { conversationId },
    sort: { seq: upwards ? 1 : -1 },
    upwards,
  };
}

/** The update that allocates the next seq of a conversation (step 2 of append; pure, cast-tested). */
export function allocateSeqUpdate(now: Date): Record<string, unknown> {
  return { $inc: { lastSeq: 1 }, $max: { lastActivityAt: now } };
}

/**
 * The filter of the seq allocation (step 2 of append; pure, cast-tested): the conversation, and with `activeSender`
 * only while that person is an active member, so the membership check and the allocation are one atomic step.
 */
export function allocateSeqFilter(
  conversationId: Types.ObjectId,
  activeSender: Types.ObjectId | null,
): Record<string, unknown> {
  return activeSender
    ? { _id: conversationId, ...activeMemberFilter(activeSender) }
    : { _id: conversationId };
}

type MemberState = Pick<MemberDoc, 'userId' | 'leftAt'>;

/** The sender's standing among `members` (null: no such conversation). */
function standing(members: readonly MemberState[] | null, senderId: Types.ObjectId) {
  const entry = members?.find((m) => m.userId.equals(senderId));
  if (!entry) return 'never';
  return isActiveMember(entry) ? 'active' : 'ended';
}

/** Hex user ids of the active members. */
function activeIds(members: readonly MemberState[]): string[] {
  return members.filter(isActiveMember).map((m) => m.userId.toHexString());
}

/** The update that raises the sender's watermarks to `seq` (step 4 of append; pure, cast-tested). */
export function senderWatermarksUpdate(seq: number): Record<string, unknown> {
  return { $max: { 'members.$.deliveredSeq': seq, 'members.$.readSeq': seq } };
}

/**
 * MessagesRepository on MongoDB (no multi-document transaction: a standalone mongod has none).
 *
 * append, in order:
 * 0. The members (ids and leftAt only): the sender's standing when `requireActiveSender` (SenderMembershipError
 *    before anything else, also for a resend) and the active ids returned as the fan-out audience.
 * 1. Resend check on the unique (conversationId, senderId, clientMessageId) index: a retry returns the stored
 *    message and changes nothing.
 * 2. Seq allocation: one `findOneAndUpdate` on the conversation (with `requireActiveSender`, only while the sender
 *    is an active member: the check and the allocation are one atomic step) with `$inc: { lastSeq: 1 }` and
 *    `$max: { lastActivityAt: now }`; single-document updates are atomic, so concurrent appends get distinct,
 *    increasing seqs, and `$max` keeps lastActivityAt from moving backwards when they finish out of order.
 * 3. Insert the message with that seq. If two identical sends raced past step 1, the loser's insert fails with
 *    E11000 on the client-id index; it returns the winner's message (`created: false`). The seq it allocated
 *    is then never used: a gap, which the protocol tolerates (clients order by seq and fill ranges; see
 *    docs/protocol.md). A crash between steps 2 and 3 leaves the same harmless gap. Until the next message,
 *    such a gap counts once in the other members' unread count (lastSeq - readSeq).
 * 4. Raise the sender's deliveredSeq and readSeq to the new seq with `$max` (one's own message is never
 *    unread).
 * Attachments (no transaction; see docs/storage.md "Attachment claims"): before step 2 the listed attachments
 * are claimed with one conditional updateMany (unsent, or in flight for this same send -> held by the
 * pre-generated message id, with a claim key and time). Fewer claimed than listed: the claims are released and
 * AttachmentClaimError thrown before any seq is allocated. Steps 2-3 failing (no conversation, lost race,
 * any error) release them too. After the insert, the claims are confirmed (key and time cleared). The message
 * document lists its attachment ids in order: that list, not the attachments' messageId, is what readers show,
 * so a claim left behind by a crash never shows anywhere; the unsent sweep settles it later
 * (MongoAttachmentsRepository.deleteUnsentOlderThan), and a retry of the same send takes it over at once.
 * Durability: the connection's write concern is `{ w: 'majority', j: true }` (mongo-storage.module.ts), so the
 * insert has reached the journal (of a majority, on a replica set) before append resolves and the ack is sent.
 */
@Injectable()
export class MongoMessagesRepository extends MessagesRepository {
  constructor(
    @InjectModel(MODEL.message, MONGO_CONNECTION_NAME) private readonly messages: Model<MessageDoc>,
    @InjectModel(MODEL.conversation, MONGO_CONNECTION_NAME)
    private readonly conversations: Model<ConversationDoc>,
    @InjectModel(MODEL.attachment, MONGO_CONNECTION_NAME)
    private readonly attachments: Model<AttachmentDoc>,
  ) {
    super();
  }

  /**
   * Idempotent append (see the class comment for the steps and their guarantees).
   * @throws RecordNotFoundError('conversation') when the conversation does not exist; RecordNotFoundError('user')
   *   when the sender id is malformed (checked before a seq is allocated); SenderMembershipError with
   *   `requireActiveSender` when the sender is not an active member (nothing is claimed or allocated).
   */
  async append(input: AppendMessageInput): Promise<AppendMessageResult> {
    const requireActive = input.requireActiveSender === true;
    const conversationId = parseId(input.conversationId);
    if (!conversationId) {
      if (requireActive) throw new SenderMembershipError('never', input.conversationId);
      throw new RecordNotFoundError('conversation', input.conversationId);
    }
    const senderId = parseId(input.senderId);
    if (!senderId) throw new RecordNotFoundError('user', input.senderId);
    const claims = claimList(input.attachmentIds);

    const members = await this.memberStates(conversationId);
    const before = standing(members, senderId);
    if (requireActive && before !== 'active')
      throw new SenderMembershipError(before, input.conversationId);
    const existing = await this.findByKey(conversationId, senderId, input.clientMessageId);
    if (existing) {
      return {
        message: await this.withAttachments(existing),
        created: false,
        activeMemberIds: activeIds(members ?? []),
      };
    }

    const messageId = new Types.ObjectId();
    if (claims.length > 0) await this.claim(conversationId, senderId, input, claims, messageId);

    let doc: MessageDoc;
    let activeMemberIds: string[];
    try {
      const allocated = await this.conversations
        .findOneAndUpdate(
          allocateSeqFilter(conversationId, requireActive ? senderId : null),
          allocateSeqUpdate(new Date()),
          {
            returnDocument: 'after',
            projection: { lastSeq: 1, lastActivityAt: 1, 'members.userId': 1, 'members.leftAt': 1 },
          },
        )
        .lean<
          Pick<ConversationDoc, '_id' | 'lastSeq' | 'lastActivityAt'> & { members: MemberState[] }
        >()
        .exec();
      if (!allocated) {
        // Removed (or the conversation deleted) between step 0 and here.
        const now = standing(await this.memberStates(conversationId), senderId);
        if (requireActive && now !== 'active')
          throw new SenderMembershipError(now, input.conversationId);
        throw new RecordNotFoundError('conversation', input.conversationId);
      }
      activeMemberIds = activeIds(allocated.members);

      doc = {
        _id: messageId,
        conversationId,
        seq: allocated.lastSeq,
        senderId,
        clientMessageId: input.clientMessageId,
        kind: input.kind,
        body: input.body,
        system: input.system ?? null,
        attachmentIds: claims.map((c) => c.id),
        // The conversation's activity time as this append left it: the message and the list agree on "when".
        createdAt: allocated.lastActivityAt,
      };
      await this.messages.insertOne(doc);
    } catch (error) {
      if (duplicateKeyIndex(error) === INDEX.clientMessageId) {
        const stored = await this.findByKey(conversationId, senderId, input.clientMessageId);
        if (stored) {
          // The winner of the race is the same send: claims we took over from it go back to its message.
          if (claims.length > 0) await this.handOver(messageId, stored);
          return {
            message: await this.withAttachments(stored),
            created: false,
            activeMemberIds: activeIds(members ?? []),
          };
        }
      }
      if (claims.length > 0) await this.release(messageId);
      throw translateMongoError(error);
    }

    if (claims.length > 0) {
      const { filter, update } = confirmClaims(messageId);
      await this.attachments.updateMany(filter, update).exec();
    }
    await this.conversations
      .updateOne(
        { _id: conversationId, 'members.userId': senderId },
        senderWatermarksUpdate(doc.seq),
      )
      .exec();
    return { message: await this.withAttachments(doc), created: true, activeMemberIds };
  }

  async listPage(
    conversationId: string,
    page: HistoryPageInput,
  ): Promise<{ items: MessageRecord[]; hasMore: boolean }> {
    const _id = parseId(conversationId);
    if (!_id) return { items: [], hasMore: false };
    const { filter, sort, upwards } = historyQuery(_id, page);
    const docs = await this.messages
      .find(filter)
      .sort(sort)
      .limit(page.limit + 1)
      .lean<MessageDoc[]>()
      .exec();
    const pageDocs = docs.slice(0, page.limit);
    const attached = await loadAttachmentsById(
      this.attachments,
      pageDocs.flatMap((doc) => doc.attachmentIds ?? []),
    );
    const items = pageDocs.map((doc) => toMessageRecord(doc, attached));
    if (!upwards) items.reverse();
    return { items, hasMore: docs.length > page.limit };
  }

  async findById(id: string): Promise<MessageRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const doc = await this.messages.findById(_id).lean<MessageDoc>().exec();
    return doc ? this.withAttachments(doc) : null;
  }

  async findByClientId(
    conversationId: string,
    senderId: string,
    clientMessageId: string,
  ): Promise<MessageRecord | null> {
    const cid = parseId(conversationId);
    const sid = parseId(senderId);
    if (!cid || !sid) return null;
    const doc = await this.findByKey(cid, sid, clientMessageId);
    return doc ? this.withAttachments(doc) : null;
  }

  /** The members' ids and leftAt (null when the conversation does not exist). */
  private async memberStates(conversationId: Types.ObjectId): Promise<MemberState[] | null> {
    const doc = await this.conversations
      .findById(conversationId, { _id: 0, 'members.userId': 1, 'members.leftAt': 1 })
      .lean<{ members: MemberState[] }>()
      .exec();
    return doc ? doc.members : null;
  }

  private async withAttachments(doc: MessageDoc): Promise<MessageRecord> {
    const ids = doc.attachmentIds ?? [];
    return toMessageRecord(
      doc,
      ids.length > 0 ? await loadAttachmentsById(this.attachments, ids) : undefined,
    );
  }

  /**
   * Claims every listed attachment for `messageId`, or none: a short count is released and explained.
   * @throws AttachmentClaimError (nothing is left claimed).
   */
  private async claim(
    conversationId: Types.ObjectId,
    senderId: Types.ObjectId,
    input: AppendMessageInput,
    claims: readonly { id: Types.ObjectId; hex: string }[],
    messageId: Types.ObjectId,
  ): Promise<void> {
    const claimKey = `${conversationId.toHexString()}:${senderId.toHexString()}:${input.clientMessageId}`;
    const ids = claims.map((c) => c.id);
    const result = await this.attachments
      .updateMany(
        claimFilter({ ids, conversationId, uploaderId: senderId, claimKey }),
        claimUpdate(messageId, claimKey, new Date()),
      )
      .exec();
    if (result.modifiedCount === claims.length) return;
    await this.release(messageId);
    const found = await this.attachments
      .find({ _id: trusted({ $in: ids }) }, { conversationId: 1, uploaderId: 1, messageId: 1 })
      .lean<Pick<AttachmentDoc, '_id' | 'conversationId' | 'uploaderId' | 'messageId'>[]>()
      .exec();
    const byId = new Map(found.map((doc) => [doc._id.toHexString(), doc]));
    for (const { hex } of claims) {
      const doc = byId.get(hex);
      if (!doc || !doc.conversationId.equals(conversationId) || !doc.uploaderId.equals(senderId)) {
        throw new AttachmentClaimError('not_found', hex);
      }
      if (doc.messageId !== null) throw new AttachmentClaimError('in_use', hex);
    }
    // Everything looks free now: a concurrent claim let go in between. Answer as taken, as it was.
    throw new AttachmentClaimError('in_use', claims[0]?.hex ?? '');
  }

  private async release(messageId: Types.ObjectId): Promise<void> {
    const { filter, update } = releaseClaims(messageId);
    await this.attachments.updateMany(filter, update).exec();
  }

  /**
   * A losing duplicate send may hold claims it took over from the winner (same send, in flight): those the
   * stored message lists go to it (confirmed), any others are released.
   */
  private async handOver(from: Types.ObjectId, stored: MessageDoc): Promise<void> {
    const { filter, update } = handOverClaims(from, stored);
    await this.attachments.updateMany(filter, update).exec();
    await this.release(from);
  }

  private findByKey(
    conversationId: Types.ObjectId,
    senderId: Types.ObjectId,
    clientMessageId: string,
  ): Promise<MessageDoc | null> {
    return this.messages
      .findOne({ conversationId, senderId, clientMessageId })
      .lean<MessageDoc>()
      .exec();
  }
}

/**
 * The attachment ids of an append, parsed, in the sender's order with repeats dropped (the first position
 * counts).
 * @throws AttachmentClaimError('not_found') for an id that cannot be one of ours (no query is made).
 */
function claimList(ids: readonly string[] | undefined): { id: Types.ObjectId; hex: string }[] {
  const out: { id: Types.ObjectId; hex: string }[] = [];
  const seen = new Set<string>();
  for (const raw of ids ?? []) {
    const id = parseId(raw);
    if (!id) throw new AttachmentClaimError('not_found', raw);
    const hex = id.toHexString();
    if (seen.has(hex)) continue;
    seen.add(hex);
    out.push({ id, hex });
  }
  return out;
}
