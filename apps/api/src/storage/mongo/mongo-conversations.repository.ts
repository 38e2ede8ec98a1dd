import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MemberRole, NotificationLevel } from '@chat/shared';
import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, trusted, type Model } from 'mongoose';
import {
  ConversationsRepository,
  type DirectOptions,
  type FindOrCreateDirectResult,
} from '../conversations.repository.js';
import { decodeCursor, encodeCursor, hasStringFields } from '../cursor.js';
import { KeyedMutex } from '../../common/keyed-mutex.js';
import {
  adminSuccessor,
  CHANGE_LOCK_WAIT_MS,
  compareMembers,
  directPair,
  unreadCount,
} from '../domain-rules.js';
import {
  ChangeLockTimeoutError,
  MemberLimitError,
  RecordNotFoundError,
} from '../storage.errors.js';
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

/** Collection of change-lock leases (withChangeLock): `{ _id: conversation id hex, owner, expiresAt }`. */
const CHANGE_LOCKS_COLLECTION = 'conversation_locks';
/**
 * How long a change-lock lease lasts without renewal, in milliseconds. The holder renews it every third of this
 * while its task runs, so only a holder that died (or lost MongoDB for that long) lets it lapse; then the next
 * process may take it. Long against clock differences between API hosts (seconds at worst with NTP).
 */
const CHANGE_LOCK_LEASE_MS = 30_000;

interface ChangeLockDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
}

/**
 * The `$expr` guard of a conditional add: the conversation has at most `max` active members (leftAt null) now, so
 * after adding `adding` more it will have at most max + adding. Evaluated by the server on the document it updates,
 * in the same atomic single-document write.
 */
function activeAtMost(max: number): Record<string, unknown> {
  // trusted: the connection's sanitizeFilter would otherwise wrap the operator object in $eq.
  return {
    $expr: trusted({
      $lte: [
        {
          $size: {
            $filter: {
              input: '$members',
              cond: { $eq: [{ $ifNull: ['$$this.leftAt', null] }, null] },
            },
          },
        },
        max,
      ],
    }),
  };
}

/**
 * A member entry of a new or returning member (the sub-document shape, defaults spelled out).
 * @param caughtUpTo both receipt watermarks: the conversation's lastSeq when they arrive (0 for a new conversation)
 */
function newMember(
  userId: Types.ObjectId,
  role: MemberRole,
  joinedAt: Date,
  pending = false,
  caughtUpTo = 0,
): MemberDoc {
  return {
    userId,
    role,
    joinedAt,
    deliveredSeq: caughtUpTo,
    readSeq: caughtUpTo,
    leftAt: null,
    historyUntilSeq: null,
    pending,
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

/** One member's unread range in one conversation: seqs in (`readSeq`, `untilSeq`]. */
export interface UnreadRange {
  conversationId: Types.ObjectId;
  userId: Types.ObjectId;
  readSeq: number;
  untilSeq: number;
}

/**
 * The filter of the messages that could count as unread mentions for any of `ranges` (pure, cast-tested): per
 * range, a seq range on the unique (conversationId, seq) index, text messages of others that mention the member
 * or everyone. Empty ranges are left out; null when none is left (nothing to count).
 */
export function unreadMentionsFilter(
  ranges: readonly UnreadRange[],
): Record<string, unknown> | null {
  const branches = ranges
    .filter((r) => r.untilSeq > r.readSeq)
    .map((r) => ({
      conversationId: r.conversationId,
      seq: trusted({ $gt: r.readSeq, $lte: r.untilSeq }),
      senderId: trusted({ $ne: r.userId }),
      $or: [{ mentionsAll: true }, { mentions: r.userId }],
    }));
  if (branches.length === 0) return null;
  return { kind: 'text', $or: branches };
}

/** How many messages of `found` count for each range, keyed `conversationId:userId` (hex; pure). */
export function countUnreadMentions(
  ranges: readonly UnreadRange[],
  found: readonly Pick<
    MessageDoc,
    'conversationId' | 'seq' | 'senderId' | 'mentions' | 'mentionsAll'
  >[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of ranges) {
    let n = 0;
    for (const m of found) {
      if (!m.conversationId.equals(r.conversationId) || m.senderId.equals(r.userId)) continue;
      if (m.seq <= r.readSeq || m.seq > r.untilSeq) continue;
      if (m.mentionsAll === true || (m.mentions ?? []).some((id) => id.equals(r.userId))) n += 1;
    }
    counts.set(`${r.conversationId.toHexString()}:${r.userId.toHexString()}`, n);
  }
  return counts;
}

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

  private readonly logger = new Logger(MongoConversationsRepository.name);
  private readonly lockQueue = new KeyedMutex();
  private lockIndex: Promise<unknown> | null = null;

  /**
   * A lease in the `conversation_locks` collection (MongoDB has no advisory locks, and a standalone server no
   * multi-document transactions): taking it is one atomic upsert that matches only an expired lease of the
   * conversation; when an unexpired one exists, the upsert's insert collides on `_id` (E11000) and this caller
   * retries with backoff (5 ms doubling to 200 ms) until CHANGE_LOCK_WAIT_MS. The holder renews the lease every
   * CHANGE_LOCK_LEASE_MS / 3 and deletes it (only if still its own: `owner`) when the task settles; a crashed
   * holder's lease lapses after CHANGE_LOCK_LEASE_MS. A TTL index removes lapsed leases left behind. Writes are
   * journaled majority writes (the connection's write concern). Waiters of this process queue in memory first.
   * UNTESTED here (no mongod on the development machine): reviewed by reasoning only.
   */
  withChangeLock<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    const key = conversationId.toLowerCase();
    return this.lockQueue.run(key, async () => {
      const locks = this.conversations.db.collection<ChangeLockDoc>(CHANGE_LOCKS_COLLECTION);
      this.lockIndex ??= locks
        .createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'change_lock_ttl' })
        .catch((error: unknown) => {
          this.lockIndex = null;
          throw error;
        });
      await this.lockIndex;
      const owner = randomUUID();
      const deadline = Date.now() + CHANGE_LOCK_WAIT_MS;
      for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
        const now = new Date();
        try {
          await locks.updateOne(
            { _id: key, expiresAt: { $lte: now } },
            { $set: { owner, expiresAt: new Date(now.getTime() + CHANGE_LOCK_LEASE_MS) } },
            { upsert: true },
          );
          break;
        } catch (error) {
          if (duplicateKeyIndex(error) === null) throw error;
          if (Date.now() + delay > deadline) throw new ChangeLockTimeoutError(conversationId);
          await sleep(delay);
        }
      }
      const renew = setInterval(() => {
        locks
          .updateOne(
            { _id: key, owner },
            { $set: { expiresAt: new Date(Date.now() + CHANGE_LOCK_LEASE_MS) } },
          )
          .catch((error: unknown) =>
            this.logger.warn(`change lock renewal failed: ${String(error)}`),
          );
      }, CHANGE_LOCK_LEASE_MS / 3);
      renew.unref();
      try {
        return await task();
      } finally {
        clearInterval(renew);
        await locks
          .deleteOne({ _id: key, owner })
          .catch((error: unknown) =>
            this.logger.warn(`change lock release failed: ${String(error)}`),
          );
      }
    });
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
    options: DirectOptions = {},
  ): Promise<FindOrCreateDirectResult> {
    const { low: a, high: b, key: directKey } = directPair(userIdA, userIdB);
    const pendingUserId = options.pendingUserId?.toLowerCase();
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
      members: [low, high].map((userId) =>
        newMember(userId, 'member', now, userId.toHexString() === pendingUserId),
      ),
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

  /** One lookup on the unique directKey index (the pair key of `directPair`), members left out. */
  async findDirectBetween(userIdA: string, userIdB: string): Promise<ConversationRecord | null> {
    if (!parseId(userIdA) || !parseId(userIdB) || userIdA.toLowerCase() === userIdB.toLowerCase()) {
      return null;
    }
    const { key } = directPair(userIdA, userIdB);
    const doc = await this.conversations
      .findOne({ directKey: key, type: 'direct' }, { members: 0 })
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

  /** One query for all ids; the embedded member entries, former ones included, in the port's order. */
  async listMembershipsOf(
    conversationIds: readonly string[],
  ): Promise<Map<string, MemberRecord[]>> {
    const ids = parseIds([...new Set(conversationIds)]);
    const byConversation = new Map<string, MemberRecord[]>();
    if (ids.length === 0) return byConversation;
    const docs = await this.conversations
      .find({ _id: trusted({ $in: ids }) }, { _id: 1, members: 1 })
      .lean<Pick<ConversationDoc, '_id' | 'members'>[]>()
      .exec();
    for (const doc of docs) {
      const all = doc.members.map((member) => toMemberRecord(doc._id, member)).sort(compareMembers);
      if (all.length > 0) byConversation.set(doc._id.toHexString(), all);
    }
    return byConversation;
  }

  /**
   * One query: groups whose embedded members hold an active entry for each user (two `$elemMatch` under `$all`,
   * so each condition applies to one entry). The multikey index on (`members.userId`, lastActivityAt, _id)
   * serves the first user's entries in the wanted order; the second condition filters them. Not run against a
   * mongod here (none can be installed): written to the documented `$all`/`$elemMatch` semantics.
   */
  async listGroupsInCommon(
    userIdA: string,
    userIdB: string,
    limit: number,
  ): Promise<ConversationRecord[]> {
    const a = parseId(userIdA);
    const b = parseId(userIdB);
    if (!a || !b || a.equals(b)) return [];
    const docs = await this.conversations
      .find(
        {
          type: 'group',
          members: trusted({
            $all: [
              { $elemMatch: { userId: a, leftAt: null } },
              { $elemMatch: { userId: b, leftAt: null } },
            ],
          }),
        },
        { members: 0 },
      )
      .sort({ lastActivityAt: -1, _id: -1 })
      .limit(limit)
      .lean<ConversationDoc[]>()
      .exec();
    return docs.map(toConversationRecord);
  }

  /**
   * One indexed query (members.userId) for the conversations where the caller is active and accepted (`pending`
   * false or absent: `$ne: true`), returning only the member entries' ids and states; the other side's state is
   * checked and the ids deduplicated here.
   */
  async listContactIds(userId: string): Promise<string[]> {
    const uid = parseId(userId);
    if (!uid) return [];
    const docs = await this.conversations
      .find(
        { members: trusted({ $elemMatch: { userId: uid, leftAt: null, pending: { $ne: true } } }) },
        { _id: 0, 'members.userId': 1, 'members.leftAt': 1, 'members.pending': 1 },
      )
      .lean<{ members: Pick<MemberDoc, 'userId' | 'leftAt' | 'pending'>[] }[]>()
      .exec();
    const self = uid.toHexString();
    const contacts = new Set<string>();
    for (const doc of docs) {
      for (const member of doc.members) {
        const id = member.userId.toHexString();
        if (id !== self && isActiveMember(member) && member.pending !== true) contacts.add(id);
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
    pendingIds?: readonly string[];
  }): Promise<{ conversation: ConversationRecord; members: MemberRecord[] }> {
    const ids = [...new Set([input.createdBy, ...input.memberIds].map((id) => id.toLowerCase()))];
    const pending = new Set((input.pendingIds ?? []).map((id) => id.toLowerCase()));
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
      members: parsed.map((userId, i) =>
        newMember(
          userId,
          i === 0 ? 'admin' : 'member',
          now,
          i > 0 && pending.has(userId.toHexString()),
        ),
      ),
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
  async addMembers(
    conversationId: string,
    userIds: readonly string[],
    options: { maxActive?: number; pendingIds?: readonly string[] } = {},
  ): Promise<MemberRecord[]> {
    const _id = parseId(conversationId);
    const hexes = [...new Set(userIds.map((id) => id.toLowerCase()))];
    const pending = new Set((options.pendingIds ?? []).map((id) => id.toLowerCase()));
    const isPending = (id: Types.ObjectId) => pending.has(id.toHexString());
    if (!_id || hexes.length === 0) return [];
    const ids = hexes.map((id) => {
      const oid = parseId(id);
      if (!oid) throw new RecordNotFoundError('user', id);
      return oid;
    });
    const current = await this.conversations
      .findById(_id, { lastSeq: 1, 'members.userId': 1, 'members.leftAt': 1 })
      .lean<{
        _id: Types.ObjectId;
        lastSeq: number;
        members: Pick<MemberDoc, 'userId' | 'leftAt'>[];
      }>()
      .exec();
    if (!current) return [];
    // Newcomers arrive caught up on the history (receipt watermarks at lastSeq). Read before the writes below, so
    // it can only be lower than lastSeq at the moment of the add: a message appended in between counts as unread.
    const caughtUpTo = current.lastSeq;
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
    const { maxActive } = options;
    const activeNow = current.members.filter(isActiveMember).length;
    // Whole-or-nothing refusal from the read above; every write below also carries the limit in its own filter
    // (activeAtMost), so even adds racing outside a change lock can never pass it (they may then add part).
    if (maxActive !== undefined && activeNow + fresh.length + former.length > maxActive) {
      throw new MemberLimitError(conversationId, maxActive);
    }
    let toAdd = fresh.length + former.length;
    const limitGuard = (): Record<string, unknown> =>
      maxActive === undefined ? {} : activeAtMost(maxActive - toAdd);

    const added: Types.ObjectId[] = [];
    const now = new Date();
    if (fresh.length > 0) {
      const all = await this.conversations
        .updateOne(
          { _id, 'members.userId': trusted({ $nin: fresh }), ...limitGuard() },
          {
            $push: {
              members: {
                $each: fresh.map((id) => newMember(id, 'member', now, isPending(id), caughtUpTo)),
              },
            },
            $set: { updatedAt: now },
          },
        )
        .exec();
      if (all.modifiedCount === 1) {
        added.push(...fresh);
        toAdd -= fresh.length;
      }
      // Someone added one of them meanwhile (or the limit moved): one by one, each conditional on its own absence.
      else former.push(...fresh);
    }
    for (const userId of former) {
      toAdd = Math.max(toAdd, 1);
      const reactivated = await this.conversations
        .updateOne(
          {
            _id,
            members: trusted({ $elemMatch: { userId, leftAt: { $ne: null } } }),
            ...limitGuard(),
          },
          {
            $set: {
              'members.$[m].leftAt': null,
              'members.$[m].historyUntilSeq': null,
              'members.$[m].historyUntilChangeSeq': null,
              'members.$[m].role': 'member',
              'members.$[m].joinedAt': now,
              'members.$[m].pending': isPending(userId),
              updatedAt: now,
            },
            // Watermarks never move backwards: a returning member keeps theirs when they are ahead.
            $max: { 'members.$[m].deliveredSeq': caughtUpTo, 'members.$[m].readSeq': caughtUpTo },
          },
          { arrayFilters: [{ 'm.userId': userId }] },
        )
        .exec();
      if (reactivated.modifiedCount === 1) {
        added.push(userId);
        toAdd -= 1;
        continue;
      }
      const pushed = await this.conversations
        .updateOne(
          { _id, 'members.userId': trusted({ $ne: userId }), ...limitGuard() },
          {
            $push: { members: newMember(userId, 'member', now, isPending(userId), caughtUpTo) },
            $set: { updatedAt: now },
          },
        )
        .exec();
      if (pushed.modifiedCount === 1) {
        added.push(userId);
        toAdd -= 1;
      } else if (maxActive !== undefined && (await this.activeCount(_id)) + 1 > maxActive) {
        throw new MemberLimitError(conversationId, maxActive);
      }
    }
    if (added.length === 0) return [];
    const after = await this.conversations
      .findById(_id, { _id: 1, members: 1 })
      .lean<Pick<ConversationDoc, '_id' | 'members'>>()
      .exec();
    const wanted = new Set(added.map((id) => id.toHexString()));
    return after ? toMemberRecords(after).filter((m) => wanted.has(m.userId)) : [];
  }

  private async activeCount(_id: Types.ObjectId): Promise<number> {
    const doc = await this.conversations
      .findById(_id, { 'members.leftAt': 1 })
      .lean<{ members: Pick<MemberDoc, 'leftAt'>[] }>()
      .exec();
    return doc ? doc.members.filter(isActiveMember).length : 0;
  }

  /**
   * One conditional update: `pending` cleared on the caller's entry where it is active and pending
   * (`$elemMatch` + positional `$`), so of concurrent accepts exactly one modifies the document; otherwise the
   * membership is read as it is. Untested here (no mongod on this machine).
   */
  async acceptMembership(
    conversationId: string,
    userId: string,
  ): Promise<{ member: MemberRecord; accepted: boolean } | null> {
    const _id = parseId(conversationId);
    const uid = parseId(userId);
    if (!_id || !uid) return null;
    const doc = await this.conversations
      .findOneAndUpdate(
        { _id, members: trusted({ $elemMatch: { userId: uid, leftAt: null, pending: true } }) },
        { $set: { 'members.$.pending': false } },
        {
          returnDocument: 'after',
          projection: { _id: 1, members: { $elemMatch: { userId: uid } } },
        },
      )
      .lean<Pick<ConversationDoc, '_id' | 'members'>>()
      .exec();
    const accepted = doc?.members[0];
    if (doc && accepted) return { member: toMemberRecord(doc._id, accepted), accepted: true };
    const member = await this.findMember(conversationId, userId);
    return member && member.leftAt === null ? { member, accepted: false } : null;
  }

  /**
   * One conditional `$pull` of the caller's entry where it is active and pending (the filter's `$elemMatch`
   * makes the update a no-op for anyone else), with updatedAt; modifiedCount says whether this call declined.
   * Untested here (no mongod on this machine).
   */
  async deletePendingMember(conversationId: string, userId: string): Promise<boolean> {
    const _id = parseId(conversationId);
    const uid = parseId(userId);
    if (!_id || !uid) return false;
    const result = await this.conversations
      .updateOne(
        { _id, members: trusted({ $elemMatch: { userId: uid, leftAt: null, pending: true } }) },
        {
          $pull: { members: { userId: uid, leftAt: null, pending: true } },
          $set: { updatedAt: new Date() },
        },
      )
      .exec();
    return result.modifiedCount === 1;
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

  /**
   * Unread mention counts of every active member: one read of the conversation's members, one query for the
   * mentioning messages in their unread ranges (only messages that mention someone are fetched, and only the
   * fields counted).
   */
  async unreadMentionCounts(conversationId: string): Promise<Map<string, number>> {
    const _id = parseId(conversationId);
    if (!_id) return new Map();
    const doc = await this.conversations
      .findById(_id, { lastSeq: 1, members: 1 })
      .lean<Pick<ConversationDoc, '_id' | 'lastSeq' | 'members'>>()
      .exec();
    if (!doc) return new Map();
    const ranges = doc.members.filter(isActiveMember).map((m) => ({
      conversationId: _id,
      userId: m.userId,
      readSeq: m.readSeq,
      untilSeq: doc.lastSeq,
    }));
    const counts = await this.mentionCounts(ranges);
    return new Map([...counts].map(([key, n]) => [key.split(':')[1] ?? '', n]));
  }

  /** One positional update of the member's level ($ on the matched member; atomic on the document). */
  async setNotificationLevel(
    conversationId: string,
    userId: string,
    level: NotificationLevel,
  ): Promise<MemberRecord | null> {
    const _id = parseId(conversationId);
    const uid = parseId(userId);
    if (!_id || !uid) return null;
    const updated = await this.conversations
      .findOneAndUpdate(
        { _id, 'members.userId': uid },
        { $set: { 'members.$.notificationLevel': level } },
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

  /** Counts per `conversationId:userId` for `ranges` (see unreadMentionsFilter), in one query. */
  private async mentionCounts(ranges: readonly UnreadRange[]): Promise<Map<string, number>> {
    const filter = unreadMentionsFilter(ranges);
    if (!filter) return new Map();
    const found = await this.messages
      .find(filter, { _id: 0, conversationId: 1, seq: 1, senderId: 1, mentions: 1, mentionsAll: 1 })
      .lean<
        Pick<MessageDoc, 'conversationId' | 'seq' | 'senderId' | 'mentions' | 'mentionsAll'>[]
      >()
      .exec();
    return countUnreadMentions(ranges, found);
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
    const ranges: UnreadRange[] = [];
    for (const doc of docs) {
      const member = doc.members?.[0];
      if (member)
        ranges.push({
          conversationId: doc._id,
          userId: member.userId,
          readSeq: member.readSeq,
          untilSeq: visibleSeq(doc),
        });
    }
    const mentionCounts = await this.mentionCounts(ranges);
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
        unreadMentionCount: mentionCounts.get(`${conversation.id}:${membership.userId}`) ?? 0,
      });
    }
    return items;
  }
}
