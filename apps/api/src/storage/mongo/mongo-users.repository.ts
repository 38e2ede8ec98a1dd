import type { GroupAddPolicy, LastSeenVisibility } from '@chat/shared';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, trusted, type Model } from 'mongoose';
import { decodeCursor, encodeCursor, hasStringFields } from '../cursor.js';
import type { RecordPage, UserRecord } from '../storage.types.js';
import {
  UsersRepository,
  type CreateUserInput,
  type SearchUsersInput,
  DELETED_DISPLAY_NAME,
  deletedUsername,
} from '../users.repository.js';
import { displayNameKeys, MODEL, MONGO_CONNECTION_NAME, type UserDoc } from './mongo.schemas.js';
import { escapeRegex, parseId, parseIds, toUserRecord, translated } from './mongo-support.js';

/** Search cursor: the last item's lower-cased username and id (same shape as the SQL adapter's). */
type SearchCursor = { u: string; id: string };
const isSearchCursor = (value: unknown): value is SearchCursor =>
  hasStringFields(value, ['u', 'id']) && parseId(value.id) !== null;

/**
 * Builds the MongoDB filter of one search page (pure, so it is unit-tested without a server).
 * Username prefix: an anchored, case-sensitive regex on `usernameLower`, which MongoDB serves as an index range
 * scan. Display-name words: the same anchored regex on `displayNameKeys` (the name from each word start on; see
 * displayNameKeys), which is the SQL adapter's `(' ' || lower(display_name)) LIKE '% q%'` rule exactly and is
 * served by the multikey index `users_display_name_keys_idx`. Both `$or` branches use an index, so MongoDB can
 * answer with an OR of two index range scans (the results are then sorted by usernameLower in memory; with a
 * one- or two-letter query that can be many users, which the page limit does not bound).
 * @throws InvalidCursorError for a cursor this adapter did not issue.
 */
export function buildUserSearchFilter(input: SearchUsersInput): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  const query = input.query.trim().toLowerCase();
  if (query !== '') {
    const escaped = escapeRegex(query);
    and.push({
      $or: [
        { usernameLower: new RegExp(`^${escaped}`) },
        { displayNameKeys: new RegExp(`^${escaped}`) },
      ],
    });
  }
  // `{ field: null }` also matches documents written before the field existed.
  and.push({ deletedAt: null });
  if ((input.scope ?? 'directory') === 'directory') and.push({ deactivatedAt: null });
  const excluded = input.excludeUserId === undefined ? null : parseId(input.excludeUserId);
  if (excluded) and.push({ _id: trusted({ $ne: excluded }) });
  if (input.cursor) {
    const after = decodeCursor(input.cursor, isSearchCursor);
    const afterId = new Types.ObjectId(after.id.toLowerCase());
    and.push({
      $or: [
        { usernameLower: trusted({ $gt: after.u }) },
        { usernameLower: after.u, _id: trusted({ $gt: afterId }) },
      ],
    });
  }
  return and.length === 0 ? {} : { $and: and };
}

/**
 * UsersRepository on MongoDB. Case-insensitive uniqueness comes from the unique index on `usernameLower`
 * (a normalised copy of the username, as the SQL adapter's `lower(username)` index); a clash surfaces as
 * UniqueViolationError('username').
 */
@Injectable()
export class MongoUsersRepository extends UsersRepository {
  constructor(
    @InjectModel(MODEL.user, MONGO_CONNECTION_NAME) private readonly users: Model<UserDoc>,
  ) {
    super();
  }

  /** @throws UniqueViolationError('username') when the name is taken in any letter case. */
  async create(input: CreateUserInput): Promise<UserRecord> {
    const now = new Date();
    const doc: UserDoc = {
      _id: new Types.ObjectId(),
      username: input.username,
      usernameLower: input.username.toLowerCase(),
      displayName: input.displayName,
      displayNameKeys: displayNameKeys(input.displayName),
      passwordHash: input.passwordHash,
      avatarUrl: null,
      lastSeenAt: null,
      lastSeenVisibility: 'contacts',
      groupAddPolicy: 'contacts',
      deactivatedAt: null,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await translated(() => this.users.insertOne(doc));
    return toUserRecord(doc);
  }

  async findById(id: string): Promise<UserRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const doc = await this.users.findById(_id).lean<UserDoc>().exec();
    return doc ? toUserRecord(doc) : null;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const doc = await this.users
      .findOne({ usernameLower: username.toLowerCase() })
      .lean<UserDoc>()
      .exec();
    return doc ? toUserRecord(doc) : null;
  }

  async findManyByIds(ids: readonly string[]): Promise<UserRecord[]> {
    const wanted = parseIds([...new Set(ids)]);
    if (wanted.length === 0) return [];
    const docs = await this.users
      .find({ _id: trusted({ $in: wanted }) })
      .lean<UserDoc[]>()
      .exec();
    return docs.map(toUserRecord);
  }

  /**
   * Prefix match on the username or on any space-separated word of the display name, case-insensitive; regex
   * metacharacters in the query match literally. Ordered by (usernameLower, _id); keyset cursor over that key.
   * @throws InvalidCursorError for a cursor this method did not issue.
   */
  async search(input: SearchUsersInput): Promise<RecordPage<UserRecord>> {
    const docs = await this.users
      .find(buildUserSearchFilter(input))
      .sort({ usernameLower: 1, _id: 1 })
      .limit(input.limit + 1)
      .lean<UserDoc[]>()
      .exec();
    const page = docs.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page.map(toUserRecord),
      nextCursor:
        docs.length > input.limit && last
          ? encodeCursor({ u: last.usernameLower, id: last._id.toHexString() })
          : null,
    };
  }

  /**
   * Sets the given fields (omitted ones are left alone; `avatarUrl: null` clears the picture) and updatedAt.
   * Nothing to change: the user as stored. @returns null when there is no such user.
   */
  async updateProfile(
    id: string,
    changes: { displayName?: string; avatarUrl?: string | null },
  ): Promise<UserRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const set: Record<string, unknown> = {};
    if (changes.displayName !== undefined) {
      set.displayName = changes.displayName;
      set.displayNameKeys = displayNameKeys(changes.displayName);
    }
    if (changes.avatarUrl !== undefined) set.avatarUrl = changes.avatarUrl;
    if (Object.keys(set).length === 0) return this.findById(id);
    const doc = await this.users
      .findOneAndUpdate(
        { _id },
        { $set: { ...set, updatedAt: new Date() } },
        { returnDocument: 'after' },
      )
      .lean<UserDoc>()
      .exec();
    return doc ? toUserRecord(doc) : null;
  }

  /** `$max`: never moves lastSeenAt backwards (a null field counts as lower than any date). */
  /** One findOneAndUpdate of the given fields (and updatedAt); nothing to change: the user as stored. */
  async updatePrivacy(
    id: string,
    changes: { lastSeenVisibility?: LastSeenVisibility; groupAddPolicy?: GroupAddPolicy },
  ): Promise<UserRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const set: Record<string, unknown> = {};
    if (changes.lastSeenVisibility !== undefined)
      set.lastSeenVisibility = changes.lastSeenVisibility;
    if (changes.groupAddPolicy !== undefined) set.groupAddPolicy = changes.groupAddPolicy;
    if (Object.keys(set).length === 0) return this.findById(id);
    const doc = await this.users
      .findOneAndUpdate(
        { _id },
        { $set: { ...set, updatedAt: new Date() } },
        { returnDocument: 'after' },
      )
      .lean<UserDoc>()
      .exec();
    return doc ? toUserRecord(doc) : null;
  }

  async setLastSeen(id: string, at: Date): Promise<void> {
    const _id = parseId(id);
    if (!_id) return;
    await this.users.updateOne({ _id }, { $max: { lastSeenAt: at } }).exec();
  }

  /**
   * One conditional findOneAndUpdate (atomic on the document); a deleted account never matches. A deactivation
   * keeps an earlier time: an update pipeline's `$ifNull` (MongoDB 4.2+), the SQL adapter's coalesce.
   */
  async setDeactivated(id: string, at: Date | null): Promise<UserRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const now = new Date();
    const set =
      at === null
        ? { deactivatedAt: null, updatedAt: now }
        : { deactivatedAt: { $ifNull: ['$deactivatedAt', at] }, updatedAt: now };
    const doc = await this.users
      .findOneAndUpdate({ _id, deletedAt: null }, [{ $set: set }], {
        returnDocument: 'after',
        updatePipeline: true,
      })
      .lean<UserDoc>()
      .exec();
    return doc ? toUserRecord(doc) : null;
  }

  /**
   * One findOneAndUpdate (atomic on the document) with an update pipeline, so a second deletion keeps the first
   * time (`$ifNull`). The placeholder username keeps the unique index satisfied (it embeds the id).
   */
  async markDeleted(id: string, at: Date): Promise<UserRecord | null> {
    const _id = parseId(id);
    if (!_id) return null;
    const username = deletedUsername(_id.toHexString());
    const doc = await this.users
      .findOneAndUpdate(
        { _id },
        [
          {
            $set: {
              username,
              usernameLower: username.toLowerCase(),
              displayName: DELETED_DISPLAY_NAME,
              displayNameKeys: displayNameKeys(DELETED_DISPLAY_NAME),
              passwordHash: '!',
              avatarUrl: null,
              deactivatedAt: null,
              deletedAt: { $ifNull: ['$deletedAt', at] },
              updatedAt: new Date(),
            },
          },
        ],
        { returnDocument: 'after', updatePipeline: true },
      )
      .lean<UserDoc>()
      .exec();
    return doc ? toUserRecord(doc) : null;
  }
}
