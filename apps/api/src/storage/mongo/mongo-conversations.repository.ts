import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, trusted, type Model } from 'mongoose';
import {
  ConversationsRepository,
  type FindOrCreateDirectResult,
} from '../conversations.repository.js';
import { decodeCursor, encodeCursor, hasStringFields } from '../cursor.js';
import { RecordNotFoundError } from '../storage.errors.js';
import type {
  ConversationListItem,
  ConversationRecord,
  MemberRecord,
  RecordPage,
} from '../storage.types.js';
import {
  INDEX,
  MODEL,
  MONGO_CONNECTION_NAME,
  type ConversationDoc,
  type MemberDoc,
  type MessageDoc,
  type UserDoc,
} from './mongo.schemas.js';
import {
  directKeyOf,
  duplicateKeyIndex,
  parseId,
  parseIds,
  toConversationRecord,
  toMemberRecord,
  toMemberRecords,
  toMessageRecord,
  translateMongoError,
} from './mongo-support.js';

/** List cursor: the last item's lastActivityAt (ISO 8601) and id (same shape as the SQL adapter's). */
type ListCursor = { t: string; id: string };
const isListCursor = (value: unknown): value is ListCursor =>
  hasStringFields(value, ['t', 'id']) &&
  parseId(value.id) !== null &&
  !Number.isNaN(Date.parse(value.t));

/**
 * The keyset condition "strictly after the cursor in (lastActivityAt desc, _id desc) order". The redundant
 * `$lte` on lastActivityAt gives the planner a tight range on the index's second field; the `$or` then cuts the
 * ties (pure, unit-tested).
 * @throws InvalidCursorError for a cursor the list did not issue.
 */
export function listKeysetFilter(cursor: string): Record<string, unknown> {
  const after = decodeCursor(cursor, isListCursor);
  const at = new Date(after.t);
  const id = new Types.ObjectId(after.id.toLowerCase());
  return {
    lastActivityAt: trusted({ $lte: at }),
    $or: [
      { lastActivityAt: trusted({ $lt: at }) },
      { lastActivityAt: at, _id: trusted({ $lt: id }) },
    ],
  };
}

/**
 * The filter that fetches the last message of each listed conversation at once: exact (conversationId, seq)
 * keys of the unique (conversationId, seq) index (pure, cast-tested).
 */
export function lastMessagesFilter(
  keys: { conversationId: Types.ObjectId; seq: number }[],
): Record<string, unknown> {
  return { $or: keys.map((key) => ({ conversationId: key.conversationId, seq: key.seq })) };
}

/** A conversation as the list reads it: the caller's membership only (the `$elemMatch` projection). */
type ListDoc = Omit<ConversationDoc, 'members'> & { members?: MemberDoc[] };

/**
 * ConversationsRepository on MongoDB. Members are embedded in their conversation (see mongo.schemas.ts for why),
 * so creating a direct conversation with its two members is one atomic insert, and a membership is read with
 * the conversation's `lastSeq` in one document.
 *
 * The list page is two queries, whatever its size: (1) the caller's conversations in list order, walked on the
 * multikey index (members.userId, lastActivityAt desc, _id desc) with a keyset condition and only the caller's
 * membership projected; (2) the last message of every conversation on the page, fetched at once as exact
 * (conversationId, seq = lastSeq) keys of the unique (conversationId, seq) index.
 */
@Injectable()
export class MongoConversationsRepository extends ConversationsRepository {
  constructor(
    @InjectModel(MODEL.conversation, MONGO_CONNECTION_NAME)
    private readonly conversations: Model<ConversationDoc>,
    @InjectModel(MODEL.message, MONGO_CONNECTION_NAME) private readonly messages: Model<MessageDoc>,
    @InjectModel(MODEL.user, MONGO_CONNECTION_NAME) private readonly users: Model<UserDoc>,
  ) {
    super();
  }

  /**
   * Find, else insert (conversation and both members in one document); a concurrent caller for the same pair
   * loses on the unique directKey index (E11000) and then reads the winner's document. Ids are compared
   * lower-cased so the key does not depend on how they were spelled.
   * @throws Error when both ids are the same; RecordNotFoundError('user') when a user does not exist (checked
   *   before inserting: MongoDB has no foreign keys).
   */
  async findOrCreateDirect(
    userIdA: string,
    userIdB: string,
    createdBy: string,
  ): Promise<FindOrCreateDirectResult> {
    const a = userIdA.toLowerCase();
    const b = userIdB.toLowerCase();
    if (a === b) throw new Error('a direct conversation needs two different users');
    const ids = [a, b, createdBy.toLowerCase()];
    const [idA, idB, creator] = ids.map((id) => {
      const parsed = parseId(id);
      if (!parsed) throw new RecordNotFoundError('user', id);
      return parsed;
    }) as [Types.ObjectId, Types.ObjectId, Types.ObjectId];
    const directKey = directKeyOf(a, b);

    const existing = await this.findDirect(directKey);
    if (existing) return existing;

    const distinct = [...new Set(ids)];
    const known = await this.users
      .countDocuments({ _id: trusted({ $in: parseIds(distinct) }) })
      .exec();
    if (known !== distinct.length) throw new RecordNotFoundError('user', `${a} or ${b}`);

    const now = new Date();
    const [low, high] = a < b ? [idA, idB] : [idB, idA];
    const doc: ConversationDoc = {
      _id: new Types.ObjectId(),
      type: 'direct',
      title: null,
      directKey,
      createdBy: creator,
      lastSeq: 0,
      lastActivityAt: now,
      createdAt: now,
      members: [low, high].map((userId) => ({
        userId,
        role: 'member' as const,
        joinedAt: now,
        deliveredSeq: 0,
        readSeq: 0,
      })),
    };
    try {
      await this.conversations.insertOne(doc);
    } catch (error) {
      if (duplicateKeyIndex(error) === INDEX.directKey) {
        const winner = await this.findDirect(directKey);
        if (winner) return winner;
        throw new Error(`direct conversation ${directKey} vanished right after a conflict`, {
          cause: error,
        });
      }
      throw translateMongoError(error);
    }
    return {
      conversation: toConversationRecord(doc),
      members: toMemberRecords(doc),
      created: true,
    };
  }

  async findById(id: string): Promise<ConversationRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const doc = await this.conversations
      .findById(_id, { members: 0 })
      .lean<ConversationDoc>()
      .exec();
    return doc ? toConversationRecord(doc) : null;
  }

  async findMember(conversationId: string, userId: string): Promise<MemberRecord | null> {
    const _id = parseId(conversationId);
    const uid = parseId(userId);
    if (!_id || !uid) return null;
    const doc = await this.conversations
      .findOne({ _id, 'members.userId': uid }, { _id: 1, members: { $elemMatch: { userId: uid } } })
      .lean<Pick<ConversationDoc, '_id' | 'members'>>()
      .exec();
    const member = doc?.members[0];
    return doc && member ? toMemberRecord(doc._id, member) : null;
  }

  async listMembers(conversationId: string): Promise<MemberRecord[]> {
    const _id = parseId(conversationId);
    if (!_id) return [];
    const doc = await this.conversations
      .findById(_id, { _id: 1, members: 1 })
      .lean<Pick<ConversationDoc, '_id' | 'members'>>()
      .exec();
    return doc ? toMemberRecords(doc) : [];
  }

  /** One query for all ids; unknown ids (and conversations without members) are absent from the map. */
  async listMembersOf(conversationIds: readonly string[]): Promise<Map<string, MemberRecord[]>> {
    const ids = parseIds([...new Set(conversationIds)]);
    const byConversation = new Map<string, MemberRecord[]>();
    if (ids.length === 0) return byConversation;
    const docs = await this.conversations
      .find({ _id: trusted({ $in: ids }) }, { _id: 1, members: 1 })
      .lean<Pick<ConversationDoc, '_id' | 'members'>[]>()
      .exec();
    for (const doc of docs) {
      if (doc.members.length > 0) byConversation.set(doc._id.toHexString(), toMemberRecords(doc));
    }
    return byConversation;
  }

  /** One indexed query (members.userId) returning only the member ids, deduplicated here. */
  async listContactIds(userId: string): Promise<string[]> {
    const uid = parseId(userId);
    if (!uid) return [];
    const docs = await this.conversations
      .find({ 'members.userId': uid }, { _id: 0, 'members.userId': 1 })
      .lean<{ members: Pick<MemberDoc, 'userId'>[] }[]>()
      .exec();
    const self = uid.toHexString();
    const contacts = new Set<string>();
    for (const doc of docs) {
      for (const member of doc.members) {
        const id = member.userId.toHexString();
        if (id !== self) contacts.add(id);
      }
    }
    return [...contacts];
  }

  /**
   * Two queries per page (see the class comment).
   * @throws InvalidCursorError for a cursor this method did not issue.
   */
  async listForUser(
    userId: string,
    page: { cursor?: string | null; limit: number },
  ): Promise<RecordPage<ConversationListItem>> {
    const uid = parseId(userId);
    if (!uid) return { items: [], nextCursor: null };
    const keyset = page.cursor ? listKeysetFilter(page.cursor) : {};
    const docs = await this.conversations
      .find(
        { 'members.userId': uid, ...keyset },
        {
          type: 1,
          title: 1,
          directKey: 1,
          createdBy: 1,
          lastSeq: 1,
          lastActivityAt: 1,
          createdAt: 1,
          members: { $elemMatch: { userId: uid } },
        },
      )
      .sort({ lastActivityAt: -1, _id: -1 })
      .limit(page.limit + 1)
      .lean<ListDoc[]>()
      .exec();
    const items = await this.toListItems(docs.slice(0, page.limit));
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        docs.length > page.limit && last
          ? encodeCursor({
              t: last.conversation.lastActivityAt.toISOString(),
              id: last.conversation.id,
            })
          : null,
    };
  }

  async getListItem(conversationId: string, userId: string): Promise<ConversationListItem | null> {
    const _id = parseId(conversationId);
    const uid = parseId(userId);
    if (!_id || !uid) return null;
    const doc = await this.conversations
      .findOne(
        { _id, 'members.userId': uid },
        {
          type: 1,
          title: 1,
          directKey: 1,
          createdBy: 1,
          lastSeq: 1,
          lastActivityAt: 1,
          createdAt: 1,
          members: { $elemMatch: { userId: uid } },
        },
      )
      .lean<ListDoc>()
      .exec();
    if (!doc) return null;
    const [item] = await this.toListItems([doc]);
    return item ?? null;
  }

  /**
   * Caps each requested mark at the conversation's lastSeq (read in the same document as the membership) and
   * raises it with `$max`, so a mark never moves backwards, even under concurrent advances. lastSeq only grows,
   * so capping at the value just read can only under-raise, never pass the real lastSeq.
   */
  async advanceWatermarks(
    conversationId: string,
    userId: string,
    marks: { deliveredSeq?: number; readSeq?: number },
  ): Promise<MemberRecord | null> {
    const _id = parseId(conversationId);
    const uid = parseId(userId);
    if (!_id || !uid) return null;
    const current = await this.conversations
      .findOne(
        { _id, 'members.userId': uid },
        { lastSeq: 1, members: { $elemMatch: { userId: uid } } },
      )
      .lean<Pick<ConversationDoc, '_id' | 'lastSeq' | 'members'>>()
      .exec();
    const member = current?.members[0];
    if (!current || !member) return null;

    const raise: Record<string, number> = {};
    const cap = (requested: number | undefined) =>
      requested === undefined ? undefined : Math.min(Math.trunc(requested), current.lastSeq);
    const delivered = cap(marks.deliveredSeq);
    const read = cap(marks.readSeq);
    if (delivered !== undefined && delivered > member.deliveredSeq)
      raise['members.$.deliveredSeq'] = delivered;
    if (read !== undefined && read > member.readSeq) raise['members.$.readSeq'] = read;
    if (Object.keys(raise).length === 0) return toMemberRecord(current._id, member);

    const updated = await this.conversations
      .findOneAndUpdate(
        { _id, 'members.userId': uid },
        { $max: raise },
        {
          returnDocument: 'after',
          projection: { _id: 1, members: { $elemMatch: { userId: uid } } },
        },
      )
      .lean<Pick<ConversationDoc, '_id' | 'members'>>()
      .exec();
    const after = updated?.members[0];
    return updated && after ? toMemberRecord(updated._id, after) : null;
  }

  /** Reads the direct conversation with this key, as findOrCreateDirect answers when it already exists. */
  private async findDirect(directKey: string): Promise<FindOrCreateDirectResult | null> {
    // `type` in the filter lets the planner use the partial unique index (its filter must be implied).
    const doc = await this.conversations
      .findOne({ directKey, type: 'direct' })
      .lean<ConversationDoc>()
      .exec();
    if (!doc) return null;
    return {
      conversation: toConversationRecord(doc),
      members: toMemberRecords(doc),
      created: false,
    };
  }

  /** Attaches last messages (one batched query) and unread counts to list documents, keeping their order. */
  private async toListItems(docs: ListDoc[]): Promise<ConversationListItem[]> {
    const keys = docs
      .filter((doc) => doc.lastSeq > 0)
      .map((doc) => ({ conversationId: doc._id, seq: doc.lastSeq }));
    const lastMessages = new Map<string, MessageDoc>();
    if (keys.length > 0) {
      const found = await this.messages.find(lastMessagesFilter(keys)).lean<MessageDoc[]>().exec();
      for (const message of found) lastMessages.set(message.conversationId.toHexString(), message);
    }
    // A seq whose insert never happened (a crash between allocation and insert, or a lost idempotency race,
    // see MongoMessagesRepository.append) leaves no message at lastSeq: only then, look below it. Rare by
    // construction, so the page stays at two queries in practice.
    const misses = keys.filter((key) => !lastMessages.has(key.conversationId.toHexString()));
    const fallbacks = await Promise.all(
      misses.map((key) =>
        this.messages
          .findOne({ conversationId: key.conversationId, seq: trusted({ $lt: key.seq }) })
          .sort({ seq: -1 })
          .lean<MessageDoc>()
          .exec(),
      ),
    );
    for (const message of fallbacks) {
      if (message) lastMessages.set(message.conversationId.toHexString(), message);
    }
    const items: ConversationListItem[] = [];
    for (const doc of docs) {
      const member = doc.members?.[0];
      // The filter matched this member, so the projection holds it; a missing one means a concurrent removal.
      if (!member) continue;
      const conversation = toConversationRecord({ ...doc, members: [] });
      const lastMessage = lastMessages.get(conversation.id);
      items.push({
        conversation,
        membership: toMemberRecord(doc._id, member),
        lastMessage: lastMessage ? toMessageRecord(lastMessage) : null,
        unreadCount: Math.max(doc.lastSeq - member.readSeq, 0),
      });
    }
    return items;
  }
}
