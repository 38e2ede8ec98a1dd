import type { MemberRole } from '@chat/shared';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, trusted, type Model } from 'mongoose';
import {
  ConversationsRepository,
  type FindOrCreateDirectResult,
} from '../conversations.repository.js';
import { decodeCursor, encodeCursor, hasStringFields } from '../cursor.js';
import { adminSuccessor, directPair, unreadCount } from '../domain-rules.js';
import { RecordNotFoundError } from '../storage.errors.js';
import type {
  ConversationListItem,
  ConversationRecord,
  MemberRecord,
  RecordPage,
} from '../storage.types.js';
import {
  GAP_KIND,
  INDEX,
  MODEL,
  MONGO_CONNECTION_NAME,
  type AttachmentDoc,
  type ConversationDoc,
  type MemberDoc,
  type MessageDoc,
  type UserDoc,
} from './mongo.schemas.js';
import { loadAttachmentsById } from './mongo-attachments.repository.js';
import {
  duplicateKeyIndex,
  isActiveMember,
  parseId,
  parseIds,
  toConversationRecord,
  toMemberRecord,
  toMemberRecords,
  loadReplyTargets,
  toMessageRecord,
  translated,
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

/** The caller's ACTIVE membership, as a filter on `members` (leftAt null). */
export function activeMemberFilter(userId: Types.ObjectId): Record<string, unknown> {
  return { members: trusted({ $elemMatch: { userId, leftAt: null } }) };
}

/**
 * The caller's FORMER memberships that left at or before `until` (all of them when null), as a filter.
 */
export function formerMemberFilter(
  userId: Types.ObjectId,
  until: Date | null,
): Record<string, unknown> {
  return {
    members: trusted({
      $elemMatch: { userId, leftAt: until ? { $ne: null, $lte: until } : { $ne: null } },
    }),
  };
}

/**
 * Pipeline update that ends `userId`'s active membership: leftAt now, historyUntilSeq the document's own
 * lastSeq (read and written in the same atomic document update, so no append can slip in between), role
 * member; and sets updatedAt. Used with the filter `activeMemberFilter(userId)` (pure, cast-tested).
 */
export function removeMemberPipeline(userId: Types.ObjectId, now: Date): Record<string, unknown>[] {
  return [
    {
      $set: {
        members: {
          $map: {
            input: '$members',
            as: 'm',
            in: {
              $cond: [
                {
                  $and: [{ $eq: ['$$m.userId', userId] }, { $eq: ['$$m.leftAt', null] }],
                },
                {
                  $mergeObjects: [
                    '$$m',
                    {
                      leftAt: now,
                      historyUntilSeq: '$lastSeq',
                      historyUntilChangeSeq: { $ifNull: ['$changeSeq', 0] },
                      role: 'member',
                    },
                  ],
                },
                '$$m',
              ],
            },
          },
        },
        updatedAt: now,
      },
    },
  ];
}

/** A member entry of a new or returning member (the sub-document shape, defaults spelled out). */
function newMember(userId: Types.ObjectId, role: MemberRole, joinedAt: Date): MemberDoc {
  return {
    userId,
    role,
    joinedAt,
    deliveredSeq: 0,
    readSeq: 0,
    leftAt: null,
    historyUntilSeq: null,
    historyUntilChangeSeq: null,
  };
}

/**
 * The filter that fetches the last message of each listed conversation at once: exact (conversationId, seq)
 * keys of the unique (conversationId, seq) index, gap documents left out (pure, cast-tested).
 */
export function lastMessagesFilter(
  keys: { conversationId: Types.ObjectId; seq: number }[],
): Record<string, unknown> {
  return {
    $or: keys.map((key) => ({ conversationId: key.conversationId, seq: key.seq })),
    kind: trusted({ $ne: GAP_KIND }),
  };
}

/** A conversation as the list reads it: the caller's membership only (the `$elemMatch` projection). */
type ListDoc = Omit<ConversationDoc, 'members'> & { members?: MemberDoc[] };

/** Where a list document sits in its owner's list: leftAt for a former member, else lastActivityAt. */
function listKey(doc: ListDoc): Date {
  return doc.members?.[0]?.leftAt ?? doc.lastActivityAt;
}

/** Descending (key, id) order of the list. */
function compareListDocs(a: ListDoc, b: ListDoc): number {
  const byTime = listKey(b).getTime() - listKey(a).getTime();
  if (byTime !== 0) return byTime;
  const x = a._id.toHexString();
  const y = b._id.toHexString();
  return x < y ? 1 : x > y ? -1 : 0;
}

/** Every field of a conversation but the members, plus the caller's own entry. */
function listProjection(userId: Types.ObjectId): Record<string, unknown> {
  return {
    type: 1,
    title: 1,
    directKey: 1,
    createdBy: 1,
    avatarUrl: 1,
    lastSeq: 1,
    lastActivityAt: 1,
    createdAt: 1,
    updatedAt: 1,
    archivedAt: 1,
    members: { $elemMatch: { userId } },
  };
}

/**
 * ConversationsRepository on MongoDB. Members are embedded in their conversation (see mongo.schemas.ts for why),
 * so creating a direct conversation with its two members is one atomic insert, and a membership is read with
 * the conversation's `lastSeq` in one document.
 *
 * The list page, whatever its size: (1) the caller's ACTIVE conversations in list order, walked on the
 * multikey index (members.userId, lastActivityAt desc, _id desc) with a keyset condition and only the caller's
 * membership projected; (2) the conversations they LEFT, sorted here by leftAt (a former member's view froze
 * then; few per person, and no index can sort by one array element's field); the two are merged by (key, id);
 * (3) the last visible message of every conversation on the page (seq = lastSeq, or historyUntilSeq for a
 * former member), fetched at once as exact keys of the unique (conversationId, seq) index; (4) their
 * attachments by id.
 *
 * Membership changes are single conditional document updates (the member's state in the filter, `$elemMatch`
 * and arrayFilters), so of two concurrent identical changes exactly one matches.
 */
@Injectable()
export class MongoConversationsRepository extends ConversationsRepository {
  constructor(
    @InjectModel(MODEL.conversation, MONGO_CONNECTION_NAME)
    private readonly conversations: Model<ConversationDoc>,
    @InjectModel(MODEL.message, MONGO_CONNECTION_NAME) private readonly messages: Model<MessageDoc>,
    @InjectModel(MODEL.user, MONGO_CONNECTION_NAME) private readonly users: Model<UserDoc>,
    @InjectModel(MODEL.attachment, MONGO_CONNECTION_NAME)
    private readonly attachments: Model<AttachmentDoc>,
  ) {
    super();
  }

  /**
   * Find, else insert (conversation and both members in one document); a concurrent caller for the same pair
   * loses on the unique directKey index (E11000) and then reads the winner's document. The pair and its key come
   * from `directPair` (domain-rules.ts), as in every adapter.
   * @throws Error when both ids are the same; RecordNotFoundError('user') when a user does not exist (checked
   *   before inserting: MongoDB has no foreign keys).
   */
  async findOrCreateDirect(
    userIdA: string,
    userIdB: string,
    createdBy: string,
  ): Promise<FindOrCreateDirectResult> {
    const { low: a, high: b, key: directKey } = directPair(userIdA, userIdB);
    const ids = [a, b, createdBy.toLowerCase()];
    const [idA, idB, creator] = ids.map((id) => {
      const parsed = parseId(id);
      if (!parsed) throw new RecordNotFoundError('user', id);
      return parsed;
    }) as [Types.ObjectId, Types.ObjectId, Types.ObjectId];

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
      avatarUrl: null,
      lastSeq: 0,
      committedSeq: 0,
      changeSeq: 0,
      changesInFlight: [],
      lastActivityAt: now,
      createdAt: now,
      updatedAt: now,
      archivedAt: null,
      members: [low, high].map((userId) => newMember(userId, 'member', now)),
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

  /** One query for all ids; unknown ids (and conversations without active members) are absent from the map. */
  async listMembersOf(conversationIds: readonly string[]): Promise<Map<string, MemberRecord[]>> {
    const ids = parseIds([...new Set(conversationIds)]);
    const byConversation = new Map<string, MemberRecord[]>();
    if (ids.length === 0) return byConversation;
    const docs = await this.conversations
      .find({ _id: trusted({ $in: ids }) }, { _id: 1, members: 1 })
      .lean<Pick<ConversationDoc, '_id' | 'members'>[]>()
      .exec();
    for (const doc of docs) {
      const active = toMemberRecords(doc);
      if (active.length > 0) byConversation.set(doc._id.toHexString(), active);
    }
    return byConversation;
  }

  /** One indexed query (members.userId) returning only the member entries' ids and states; deduplicated here. */
  async listContactIds(userId: string): Promise<string[]> {
    const uid = parseId(userId);
    if (!uid) return [];
    const docs = await this.conversations
      .find(activeMemberFilter(uid), { _id: 0, 'members.userId': 1, 'members.leftAt': 1 })
      .lean<{ members: Pick<MemberDoc, 'userId' | 'leftAt'>[] }[]>()
      .exec();
    const self = uid.toHexString();
    const contacts = new Set<string>();
    for (const doc of docs) {
      for (const member of doc.members) {
        const id = member.userId.toHexString();
        if (id !== self && isActiveMember(member)) contacts.add(id);
      }
    }
    return [...contacts];
  }

  /**
   * One insert: the group with every member embedded (creator admin), joinedAt = creation time.
   * @throws RecordNotFoundError('user') when an id is malformed or names no user (checked first: no foreign
   *   keys in MongoDB).
   */
  async createGroup(input: {
    title: string;
    createdBy: string;
    memberIds: readonly string[];
  }): Promise<{ conversation: ConversationRecord; members: MemberRecord[] }> {
    const ids = [...new Set([input.createdBy, ...input.memberIds].map((id) => id.toLowerCase()))];
    const parsed = ids.map((id) => {
      const oid = parseId(id);
      if (!oid) throw new RecordNotFoundError('user', id);
      return oid;
    });
    const known = await this.users.countDocuments({ _id: trusted({ $in: parsed }) }).exec();
    if (known !== parsed.length) throw new RecordNotFoundError('user', ids.join(','));
    const now = new Date();
    const [creator] = parsed as [Types.ObjectId, ...Types.ObjectId[]];
    const doc: ConversationDoc = {
      _id: new Types.ObjectId(),
      type: 'group',
      title: input.title,
      directKey: null,
      createdBy: creator,
      avatarUrl: null,
      lastSeq: 0,
      committedSeq: 0,
      changeSeq: 0,
      changesInFlight: [],
      lastActivityAt: now,
      createdAt: now,
      updatedAt: now,
      archivedAt: null,
      members: parsed.map((userId, i) => newMember(userId, i === 0 ? 'admin' : 'member', now)),
    };
    await translated(() => this.conversations.insertOne(doc));
    return { conversation: toConversationRecord(doc), members: toMemberRecords(doc) };
  }

  /** Groups only (a direct conversation reads as missing). Nothing to change: the conversation as stored. */
  async updateGroup(
    conversationId: string,
    changes: { title?: string; avatarUrl?: string | null },
  ): Promise<ConversationRecord | null> {
    const _id = parseId(conversationId);
    if (!_id) return null;
    const set: Record<string, unknown> = {};
    if (changes.title !== undefined) set.title = changes.title;
    if (changes.avatarUrl !== undefined) set.avatarUrl = changes.avatarUrl;
    if (Object.keys(set).length === 0) {
      const doc = await this.conversations
        .findOne({ _id, type: 'group' }, { members: 0 })
        .lean<ConversationDoc>()
        .exec();
      return doc ? toConversationRecord(doc) : null;
    }
    const doc = await this.conversations
      .findOneAndUpdate(
        { _id, type: 'group' },
        { $set: { ...set, updatedAt: new Date() } },
        { returnDocument: 'after', projection: { members: 0 } },
      )
      .lean<ConversationDoc>()
      .exec();
    return doc ? toConversationRecord(doc) : null;
  }

  /**
   * Per user, one conditional update: a former member's entry is reactivated where its `leftAt` is still set
   * (arrayFilters), a new user is pushed where no entry with their id exists yet. Either condition fails for a
   * concurrent add that already did it, so exactly one call returns the user. The common case (nobody in the
   * list was ever a member) is one `$push` of all of them, conditional on none being present.
   * @throws RecordNotFoundError('user') for an id that is malformed or names no user.
   */
  async addMembers(conversationId: string, userIds: readonly string[]): Promise<MemberRecord[]> {
    const _id = parseId(conversationId);
    const hexes = [...new Set(userIds.map((id) => id.toLowerCase()))];
    if (!_id || hexes.length === 0) return [];
    const ids = hexes.map((id) => {
      const oid = parseId(id);
      if (!oid) throw new RecordNotFoundError('user', id);
      return oid;
    });
    const current = await this.conversations
      .findById(_id, { 'members.userId': 1, 'members.leftAt': 1 })
      .lean<{ _id: Types.ObjectId; members: Pick<MemberDoc, 'userId' | 'leftAt'>[] }>()
      .exec();
    if (!current) return [];
    const state = new Map(current.members.map((m) => [m.userId.toHexString(), m]));
    const fresh = ids.filter((id) => !state.has(id.toHexString()));
    const former = ids.filter((id) => {
      const entry = state.get(id.toHexString());
      return entry !== undefined && !isActiveMember(entry);
    });
    if (fresh.length > 0) {
      const known = await this.users.countDocuments({ _id: trusted({ $in: fresh }) }).exec();
      if (known !== fresh.length) throw new RecordNotFoundError('user', hexes.join(','));
    }

    const added: Types.ObjectId[] = [];
    const now = new Date();
    if (fresh.length > 0) {
      const all = await this.conversations
        .updateOne(
          { _id, 'members.userId': trusted({ $nin: fresh }) },
          {
            $push: { members: { $each: fresh.map((id) => newMember(id, 'member', now)) } },
            $set: { updatedAt: now },
          },
        )
        .exec();
      if (all.modifiedCount === 1) added.push(...fresh);
      // Someone added one of them meanwhile: one by one, each conditional on its own absence.
      else former.push(...fresh);
    }
    for (const userId of former) {
      const reactivated = await this.conversations
        .updateOne(
          { _id, members: trusted({ $elemMatch: { userId, leftAt: { $ne: null } } }) },
          {
            $set: {
              'members.$[m].leftAt': null,
              'members.$[m].historyUntilSeq': null,
              'members.$[m].historyUntilChangeSeq': null,
              'members.$[m].role': 'member',
              'members.$[m].joinedAt': now,
              updatedAt: now,
            },
          },
          { arrayFilters: [{ 'm.userId': userId }] },
        )
        .exec();
      if (reactivated.modifiedCount === 1) {
        added.push(userId);
        continue;
      }
      const pushed = await this.conversations
        .updateOne(
          { _id, 'members.userId': trusted({ $ne: userId }) },
          { $push: { members: newMember(userId, 'member', now) }, $set: { updatedAt: now } },
        )
        .exec();
      if (pushed.modifiedCount === 1) added.push(userId);
    }
    if (added.length === 0) return [];
    const after = await this.conversations
      .findById(_id, { _id: 1, members: 1 })
      .lean<Pick<ConversationDoc, '_id' | 'members'>>()
      .exec();
    const wanted = new Set(added.map((id) => id.toHexString()));
    return after ? toMemberRecords(after).filter((m) => wanted.has(m.userId)) : [];
  }

  /** One pipeline update conditional on the membership being active (see removeMemberPipeline). */
  async removeMember(conversationId: string, userId: string): Promise<MemberRecord | null> {
    const _id = parseId(conversationId);
    const uid = parseId(userId);
    if (!_id || !uid) return null;
    const doc = await this.conversations
      .findOneAndUpdate(
        { _id, ...activeMemberFilter(uid) },
        removeMemberPipeline(uid, new Date()),
        {
          returnDocument: 'after',
          projection: { _id: 1, members: { $elemMatch: { userId: uid } } },
          updatePipeline: true,
        },
      )
      .lean<Pick<ConversationDoc, '_id' | 'members'>>()
      .exec();
    const member = doc?.members[0];
    return doc && member ? toMemberRecord(doc._id, member) : null;
  }

  /** Conditional on the membership being active; updatedAt moves only when the role really changes. */
  async setRole(
    conversationId: string,
    userId: string,
    role: MemberRole,
  ): Promise<MemberRecord | null> {
    const _id = parseId(conversationId);
    const uid = parseId(userId);
    if (!_id || !uid) return null;
    const doc = await this.conversations
      .findOneAndUpdate(
        {
          _id,
          members: trusted({ $elemMatch: { userId: uid, leftAt: null, role: { $ne: role } } }),
        },
        { $set: { 'members.$.role': role, updatedAt: new Date() } },
        {
          returnDocument: 'after',
          projection: { _id: 1, members: { $elemMatch: { userId: uid } } },
        },
      )
      .lean<Pick<ConversationDoc, '_id' | 'members'>>()
      .exec();
    const member = doc?.members[0];
    if (doc && member) return toMemberRecord(doc._id, member);
    const unchanged = await this.findMember(conversationId, userId);
    return unchanged && unchanged.leftAt === null ? unchanged : null;
  }

  /**
   * Reads the members, picks with `adminSuccessor` (domain-rules.ts), and promotes them with one update conditional on
   * "no active admin" and "still active" ($nor + $elemMatch, arrayFilters): of concurrent calls one matches,
   * the others find an admin on their re-read and return null. A pick that left meanwhile is re-picked (a few
   * rounds at most).
   */
  async ensureAdmin(conversationId: string): Promise<MemberRecord | null> {
    const _id = parseId(conversationId);
    if (!_id) return null;
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = await this.conversations
        .findById(_id, { _id: 1, members: 1 })
        .lean<Pick<ConversationDoc, '_id' | 'members'>>()
        .exec();
      if (!doc) return null;
      const successor = adminSuccessor(toMemberRecords(doc));
      if (!successor) return null;
      const pick = new Types.ObjectId(successor.userId);
      const now = new Date();
      const updated = await this.conversations
        .findOneAndUpdate(
          {
            _id,
            $nor: [{ members: trusted({ $elemMatch: { role: 'admin', leftAt: null } }) }],
            ...activeMemberFilter(pick),
          },
          { $set: { 'members.$[p].role': 'admin', updatedAt: now } },
          {
            arrayFilters: [{ 'p.userId': pick }],
            returnDocument: 'after',
            projection: { _id: 1, members: { $elemMatch: { userId: pick } } },
          },
        )
        .lean<Pick<ConversationDoc, '_id' | 'members'>>()
        .exec();
      const member = updated?.members[0];
      if (updated && member) return toMemberRecord(updated._id, member);
    }
    return null;
  }

  /** One update conditional on "no active member" (and not yet archived); then true when archived at all. */
  async archiveIfEmpty(conversationId: string): Promise<boolean> {
    const _id = parseId(conversationId);
    if (!_id) return false;
    const result = await this.conversations
      .updateOne(
        { _id, archivedAt: null, $nor: [{ members: trusted({ $elemMatch: { leftAt: null } }) }] },
        { $set: { archivedAt: new Date() } },
      )
      .exec();
    if (result.modifiedCount === 1) return true;
    const doc = await this.conversations
      .findById(_id, { archivedAt: 1 })
      .lean<Pick<ConversationDoc, '_id' | 'archivedAt'>>()
      .exec();
    return doc?.archivedAt != null;
  }

  /**
   * See the class comment for the queries.
   * @throws InvalidCursorError for a cursor this method did not issue.
   */
  async listForUser(
    userId: string,
    page: { cursor?: string | null; limit: number },
  ): Promise<RecordPage<ConversationListItem>> {
    const uid = parseId(userId);
    if (!uid) return { items: [], nextCursor: null };
    const after = page.cursor ? decodeCursor(page.cursor, isListCursor) : null;
    const keyset = page.cursor ? listKeysetFilter(page.cursor) : {};
    const [active, former] = await Promise.all([
      this.conversations
        .find({ ...activeMemberFilter(uid), ...keyset }, listProjection(uid))
        .sort({ lastActivityAt: -1, _id: -1 })
        .limit(page.limit + 1)
        .lean<ListDoc[]>()
        .exec(),
      this.conversations
        .find(formerMemberFilter(uid, after ? new Date(after.t) : null), listProjection(uid))
        .lean<ListDoc[]>()
        .exec(),
    ]);
    const afterDoc = after
      ? ({
          _id: new Types.ObjectId(after.id.toLowerCase()),
          lastActivityAt: new Date(after.t),
        } as ListDoc)
      : null;
    const merged = [
      ...active,
      ...former.filter((doc) => !afterDoc || compareListDocs(afterDoc, doc) < 0),
    ]
      .sort(compareListDocs)
      .slice(0, page.limit + 1);
    const pageDocs = merged.slice(0, page.limit);
    const items = await this.toListItems(pageDocs);
    const last = pageDocs.at(-1);
    return {
      items,
      nextCursor:
        merged.length > page.limit && last
          ? encodeCursor({ t: listKey(last).toISOString(), id: last._id.toHexString() })
          : null,
    };
  }

  async getListItem(conversationId: string, userId: string): Promise<ConversationListItem | null> {
    const _id = parseId(conversationId);
    const uid = parseId(userId);
    if (!_id || !uid) return null;
    const doc = await this.conversations
      .findOne({ _id, 'members.userId': uid }, listProjection(uid))
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
    // A former member's marks stop at what they may read.
    const ceiling = Math.min(current.lastSeq, member.historyUntilSeq ?? current.lastSeq);
    const cap = (requested: number | undefined) =>
      requested === undefined ? undefined : Math.min(Math.trunc(requested), ceiling);
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

  /**
   * Attaches last visible messages (one batched query, plus their attachments in one more) and unread counts
   * to list documents, keeping their order. A former member sees up to historyUntilSeq.
   */
  private async toListItems(docs: ListDoc[]): Promise<ConversationListItem[]> {
    const visibleSeq = (doc: ListDoc) =>
      Math.min(doc.lastSeq, doc.members?.[0]?.historyUntilSeq ?? doc.lastSeq);
    const keys = docs
      .filter((doc) => visibleSeq(doc) > 0)
      .map((doc) => ({ conversationId: doc._id, seq: visibleSeq(doc) }));
    const lastMessages = new Map<string, MessageDoc>();
    if (keys.length > 0) {
      const found = await this.messages.find(lastMessagesFilter(keys)).lean<MessageDoc[]>().exec();
      for (const message of found) lastMessages.set(message.conversationId.toHexString(), message);
    }
    // A seq that holds no message (a gap document, or an append still on its way; see
    // MongoMessagesRepository): only then, look below it. Rare by construction, so the page stays at its fixed
    // number of queries in practice.
    const misses = keys.filter((key) => !lastMessages.has(key.conversationId.toHexString()));
    const fallbacks = await Promise.all(
      misses.map((key) =>
        this.messages
          .findOne({
            conversationId: key.conversationId,
            seq: trusted({ $lt: key.seq }),
            kind: trusted({ $ne: GAP_KIND }),
          })
          .sort({ seq: -1 })
          .lean<MessageDoc>()
          .exec(),
      ),
    );
    for (const message of fallbacks) {
      if (message) lastMessages.set(message.conversationId.toHexString(), message);
    }
    const [attached, replyTargets] = await Promise.all([
      loadAttachmentsById(
        this.attachments,
        [...lastMessages.values()].flatMap((m) => m.attachmentIds ?? []),
      ),
      loadReplyTargets(this.messages, [...lastMessages.values()]),
    ]);
    const items: ConversationListItem[] = [];
    for (const doc of docs) {
      const member = doc.members?.[0];
      // The filter matched this member, so the projection holds it; a missing one means a concurrent change.
      if (!member) continue;
      const conversation = toConversationRecord({ ...doc, members: [] });
      const membership = toMemberRecord(doc._id, member);
      const lastMessage = lastMessages.get(conversation.id);
      items.push({
        conversation,
        membership,
        lastMessage: lastMessage ? toMessageRecord(lastMessage, attached, replyTargets) : null,
        unreadCount: unreadCount(conversation.lastSeq, membership),
      });
    }
    return items;
  }
}
