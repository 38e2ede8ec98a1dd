import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, trusted, type Model } from 'mongoose';
import {
  MessagesRepository,
  type AppendMessageInput,
  type AppendMessageResult,
  type HistoryPageInput,
} from '../messages.repository.js';
import { RecordNotFoundError } from '../storage.errors.js';
import type { MessageRecord } from '../storage.types.js';
import {
  INDEX,
  MODEL,
  MONGO_CONNECTION_NAME,
  type ConversationDoc,
  type MessageDoc,
} from './mongo.schemas.js';
import {
  duplicateKeyIndex,
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

/** The update that raises the sender's watermarks to `seq` (step 4 of append; pure, cast-tested). */
export function senderWatermarksUpdate(seq: number): Record<string, unknown> {
  return { $max: { 'members.$.deliveredSeq': seq, 'members.$.readSeq': seq } };
}

/**
 * MessagesRepository on MongoDB (no multi-document transaction: a standalone mongod has none).
 *
 * append, in order:
 * 1. Resend check on the unique (conversationId, senderId, clientMessageId) index: a retry returns the stored
 *    message and changes nothing.
 * 2. Seq allocation: one `findOneAndUpdate` on the conversation with `$inc: { lastSeq: 1 }` and
 *    `$max: { lastActivityAt: now }`; single-document updates are atomic, so concurrent appends get distinct,
 *    increasing seqs, and `$max` keeps lastActivityAt from moving backwards when they finish out of order.
 * 3. Insert the message with that seq. If two identical sends raced past step 1, the loser's insert fails with
 *    E11000 on the client-id index; it returns the winner's message (`created: false`). The seq it allocated
 *    is then never used: a gap, which the protocol tolerates (clients order by seq and fill ranges; see
 *    docs/protocol.md). A crash between steps 2 and 3 leaves the same harmless gap. Until the next message,
 *    such a gap counts once in the other members' unread count (lastSeq - readSeq).
 * 4. Raise the sender's deliveredSeq and readSeq to the new seq with `$max` (one's own message is never
 *    unread).
 * Durability: the connection's write concern is `{ w: 'majority', j: true }` (mongo-storage.module.ts), so the
 * insert has reached the journal (of a majority, on a replica set) before append resolves and the ack is sent.
 */
@Injectable()
export class MongoMessagesRepository extends MessagesRepository {
  constructor(
    @InjectModel(MODEL.message, MONGO_CONNECTION_NAME) private readonly messages: Model<MessageDoc>,
    @InjectModel(MODEL.conversation, MONGO_CONNECTION_NAME)
    private readonly conversations: Model<ConversationDoc>,
  ) {
    super();
  }

  /**
   * Idempotent append (see the class comment for the steps and their guarantees).
   * @throws RecordNotFoundError('conversation') when the conversation does not exist; RecordNotFoundError('user')
   *   when the sender id is malformed (checked before a seq is allocated).
   */
  async append(input: AppendMessageInput): Promise<AppendMessageResult> {
    const conversationId = parseId(input.conversationId);
    if (!conversationId) throw new RecordNotFoundError('conversation', input.conversationId);
    const senderId = parseId(input.senderId);
    if (!senderId) throw new RecordNotFoundError('user', input.senderId);

    const existing = await this.findByKey(conversationId, senderId, input.clientMessageId);
    if (existing) return { message: toMessageRecord(existing), created: false };

    const allocated = await this.conversations
      .findOneAndUpdate({ _id: conversationId }, allocateSeqUpdate(new Date()), {
        returnDocument: 'after',
        projection: { lastSeq: 1, lastActivityAt: 1 },
      })
      .lean<Pick<ConversationDoc, '_id' | 'lastSeq' | 'lastActivityAt'>>()
      .exec();
    if (!allocated) throw new RecordNotFoundError('conversation', input.conversationId);

    const doc: MessageDoc = {
      _id: new Types.ObjectId(),
      conversationId,
      seq: allocated.lastSeq,
      senderId,
      clientMessageId: input.clientMessageId,
      kind: input.kind,
      body: input.body,
      // The conversation's activity time as this append left it: the message and the list agree on "when".
      createdAt: allocated.lastActivityAt,
    };
    try {
      await this.messages.insertOne(doc);
    } catch (error) {
      if (duplicateKeyIndex(error) === INDEX.clientMessageId) {
        const stored = await this.findByKey(conversationId, senderId, input.clientMessageId);
        if (stored) return { message: toMessageRecord(stored), created: false };
      }
      throw translateMongoError(error);
    }

    await this.conversations
      .updateOne(
        { _id: conversationId, 'members.userId': senderId },
        senderWatermarksUpdate(doc.seq),
      )
      .exec();
    return { message: toMessageRecord(doc), created: true };
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
    const items = docs.slice(0, page.limit).map(toMessageRecord);
    if (!upwards) items.reverse();
    return { items, hasMore: docs.length > page.limit };
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
    return doc ? toMessageRecord(doc) : null;
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
