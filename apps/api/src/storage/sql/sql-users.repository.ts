import type { GroupAddPolicy, LastSeenVisibility } from '@chat/shared';
import { and, eq, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from './uuid-v7.js';
import { decodeCursor, encodeCursor, hasStringFields } from '../cursor.js';
import type { RecordPage, UserRecord } from '../storage.types.js';
import {
  UsersRepository,
  type CreateUserInput,
  type SearchUsersInput,
  DELETED_DISPLAY_NAME,
  deletedUsername,
} from '../users.repository.js';
import { users } from './schema.js';
import type { SqlDb } from './sql-database.js';
import { escapeLike, isUuid, toUserRecord, translated } from './sql-support.js';

/** The search order key: lower-cased username compared byte-wise (the unique index's expression). */
const usernameKey = sql<string>`(lower(${users.username}) COLLATE "C")`;

type SearchCursor = { u: string; id: string };
const isSearchCursor = (value: unknown): value is SearchCursor =>
  hasStringFields(value, ['u', 'id']) && isUuid(value.id);

/**
 * UsersRepository on SQL (PGlite or PostgreSQL). Case-insensitive uniqueness comes from the unique index on
 * `lower(username)`; a clash surfaces as UniqueViolationError('username').
 */
export class SqlUsersRepository extends UsersRepository {
  constructor(private readonly db: SqlDb) {
    super();
  }

  /** @throws UniqueViolationError('username') when the name is taken in any letter case. */
  async create(input: CreateUserInput): Promise<UserRecord> {
    const [row] = await translated(() =>
      this.db
        .insert(users)
        .values({
          id: uuidv7(),
          username: input.username,
          displayName: input.displayName,
          passwordHash: input.passwordHash,
        })
        .returning(),
    );
    if (!row) throw new Error('INSERT ... RETURNING gave no row');
    return toUserRecord(row);
  }

  async findById(id: string): Promise<UserRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row ? toUserRecord(row) : null;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const [row] = await this.db
      .select()
      .from(users)
      .where(sql`${usernameKey} = lower(${username})`);
    return row ? toUserRecord(row) : null;
  }

  async findManyByIds(ids: readonly string[]): Promise<UserRecord[]> {
    const wanted = [...new Set(ids)].filter(isUuid);
    if (wanted.length === 0) return [];
    const rows = await this.db.select().from(users).where(inArray(users.id, wanted));
    return rows.map(toUserRecord);
  }

  /**
   * Prefix match on the username or on any space-separated word of the display name, case-insensitive; LIKE
   * wildcards in the query match literally. Ordered by (lower(username), id); keyset cursor over that key.
   * Username prefixes are served by the unique index (byte-order collation); display-name words are checked
   * row by row, which is fine for a directory of this size (a trigram GIN index is the next step if not).
   * @throws InvalidCursorError for a cursor this method did not issue.
   */
  async search(input: SearchUsersInput): Promise<RecordPage<UserRecord>> {
    const conditions: SQL[] = [];
    const query = input.query.trim().toLowerCase();
    if (query !== '') {
      const prefix = `${escapeLike(query)}%`;
      conditions.push(
        sql`(${usernameKey} LIKE ${prefix} ESCAPE '\\' OR (' ' || lower(${users.displayName})) LIKE ${`% ${prefix}`} ESCAPE '\\')`,
      );
    }
    conditions.push(isNull(users.deletedAt));
    if ((input.scope ?? 'directory') === 'directory') conditions.push(isNull(users.deactivatedAt));
    if (input.excludeUserId !== undefined && isUuid(input.excludeUserId)) {
      conditions.push(ne(users.id, input.excludeUserId));
    }
    if (input.cursor) {
      const after = decodeCursor(input.cursor, isSearchCursor);
      conditions.push(sql`(${usernameKey}, ${users.id}) > (${after.u}, ${after.id}::uuid)`);
    }
    const rows = await this.db
      .select({ user: users, key: usernameKey })
      .from(users)
      .where(and(...conditions))
      .orderBy(usernameKey, users.id)
      .limit(input.limit + 1);
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => toUserRecord(row.user)),
      nextCursor:
        rows.length > input.limit && last ? encodeCursor({ u: last.key, id: last.user.id }) : null,
    };
  }

  /**
   * Sets the given fields (an omitted field is left alone; `avatarUrl: null` clears the picture) and updatedAt.
   * Nothing to change: the user as stored. @returns null when there is no such user.
   */
  async updateProfile(
    id: string,
    changes: { displayName?: string; avatarUrl?: string | null },
  ): Promise<UserRecord | null> {
    if (!isUuid(id)) return null;
    const set: Partial<typeof users.$inferInsert> = {};
    if (changes.displayName !== undefined) set.displayName = changes.displayName;
    if (changes.avatarUrl !== undefined) set.avatarUrl = changes.avatarUrl;
    if (Object.keys(set).length === 0) return this.findById(id);
    const [row] = await this.db
      .update(users)
      .set({ ...set, updatedAt: sql`now()` })
      .where(eq(users.id, id))
      .returning();
    return row ? toUserRecord(row) : null;
  }

  /**
   * Never moves lastSeenAt backwards (`greatest`), so two API instances closing the person's last sockets at
   * nearly the same time cannot leave the older time behind. Does not touch updatedAt (presence is no profile
   * change).
   */
  async updatePrivacy(
    id: string,
    changes: { lastSeenVisibility?: LastSeenVisibility; groupAddPolicy?: GroupAddPolicy },
  ): Promise<UserRecord | null> {
    if (!isUuid(id)) return null;
    const set: Partial<typeof users.$inferInsert> = {};
    if (changes.lastSeenVisibility !== undefined)
      set.lastSeenVisibility = changes.lastSeenVisibility;
    if (changes.groupAddPolicy !== undefined) set.groupAddPolicy = changes.groupAddPolicy;
    if (Object.keys(set).length === 0) return this.findById(id);
    const [row] = await this.db
      .update(users)
      .set({ ...set, updatedAt: sql`clock_timestamp()` })
      .where(eq(users.id, id))
      .returning();
    return row ? toUserRecord(row) : null;
  }

  async setLastSeen(id: string, at: Date): Promise<void> {
    if (!isUuid(id)) return;
    await this.db
      .update(users)
      .set({ lastSeenAt: sql`greatest(${users.lastSeenAt}, ${at.toISOString()}::timestamptz)` })
      .where(eq(users.id, id));
  }

  /** One conditional UPDATE: a deleted account is never switched back on; an earlier deactivation time is kept. */
  async setDeactivated(id: string, at: Date | null): Promise<UserRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db
      .update(users)
      .set({
        deactivatedAt:
          at === null
            ? null
            : sql`coalesce(${users.deactivatedAt}, ${at.toISOString()}::timestamptz)`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(users.id, id), isNull(users.deletedAt)))
      .returning();
    return row ? toUserRecord(row) : null;
  }

  /** One UPDATE (atomic); deleting again keeps the first deletion time. */
  async markDeleted(id: string, at: Date): Promise<UserRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db
      .update(users)
      .set({
        username: deletedUsername(id),
        displayName: DELETED_DISPLAY_NAME,
        passwordHash: '!',
        avatarUrl: null,
        deactivatedAt: null,
        deletedAt: sql`coalesce(${users.deletedAt}, ${at.toISOString()}::timestamptz)`,
        updatedAt: sql`now()`,
      })
      .where(eq(users.id, id))
      .returning();
    return row ? toUserRecord(row) : null;
  }
}
