import type { MemberRole, NotificationLevel } from '@chat/shared';
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  inArray,
  isNull,
  ne,
  sql,
  type SQL,
} from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { uuidv7 } from './uuid-v7.js';
import {
  ConversationsRepository,
  type DirectOptions,
  type FindOrCreateDirectResult,
} from '../conversations.repository.js';
import { decodeCursor, encodeCursor, hasStringFields } from '../cursor.js';
import { adminSuccessor, compareMembers, directPair, unreadCount } from '../domain-rules.js';
import { MemberLimitError, RecordNotFoundError } from '../storage.errors.js';
import type {
  ConversationListItem,
  ConversationRecord,
  MemberRecord,
  RecordPage,
} from '../storage.types.js';
import { conversationMembers, conversations, messages } from './schema.js';
import type { SqlDatabase, SqlDb } from './sql-database.js';
import {
  PG_FOREIGN_KEY_VIOLATION,
  findPgError,
  isUuid,
  queryRows,
  toConversationRecord,
  toMemberRecord,
  translateError,
} from './sql-support.js';
import { toMessageRecords } from './sql-message-views.js';

type ListCursor = { t: string; id: string };
const isListCursor = (value: unknown): value is ListCursor =>
  hasStringFields(value, ['t', 'id']) && isUuid(value.id) && !Number.isNaN(Date.parse(value.t));

const memberOrder = [asc(conversationMembers.joinedAt), asc(conversationMembers.userId)];
const isActive = isNull(conversationMembers.leftAt);

/**
 * Where a membership sits in its owner's list: the conversation's last activity while active, the moment they
 * left for a former member (their view of the conversation froze then, so it neither climbs with later
 * activity nor tells them the group is still busy). The keyset cursor is over (this, conversation id).
 */
const listSortKey = sql<Date>`coalesce(${conversationMembers.leftAt}, ${conversations.lastActivityAt})`;

/**
 * ConversationsRepository on SQL.
 *
 * Memberships are rows of `conversation_members`; leaving or being removed keeps the row (left_at,
 * history_until_seq set), so findMember answers for former members and re-adding reactivates the same row
 * (watermarks raised to last_seq, never lowered). "Active" is `left_at IS NULL`, served by a partial index.
 *
 * Membership changes (addMembers, removeMember, setRole, ensureAdmin, archiveIfEmpty) run in a transaction that
 * first locks the conversation row (`FOR NO KEY UPDATE`, the lock an append's `last_seq` update takes too), so
 * changes to one conversation's membership happen one at a time and see each other's results, and a removal
 * reads a last_seq no in-flight append is still raising. Each change is also a conditional statement (ON
 * CONFLICT ... WHERE left_at IS NOT NULL, WHERE left_at IS NULL), so the outcome would stay right without the
 * lock. Lock order everywhere: conversation row, then member rows (as append), so no deadlock.
 *
 * The list page is one statement: the caller's member rows joined to their conversations, with a LATERAL
 * subquery taking each conversation's newest visible message (capped at history_until_seq for a former member)
 * from the (conversation_id, seq) index and that message's attachments as a JSON array, sorted by
 * (coalesce(left_at, last_activity_at) desc, id desc) and cut with a keyset condition on that same pair.
 */
export class SqlConversationsRepository extends ConversationsRepository {
  constructor(
    private readonly db: SqlDb,
    private readonly changeLock: SqlDatabase['changeLock'],
  ) {
    super();
  }

  /** The database's change lock under `conversation-change:<id>` (SqlDatabase.changeLock: advisory on PostgreSQL). */
  withChangeLock<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    return this.changeLock(`conversation-change:${conversationId.toLowerCase()}`, task);
  }

  /**
   * INSERT ... ON CONFLICT (direct_key) DO NOTHING, then read: a concurrent caller for the same pair waits on
   * the unique index until the winner commits (conversation and both members in one transaction), then finds
   * its row. The pair and its key come from `directPair` (domain-rules.ts), as in every adapter.
   * @throws Error when both ids are the same; RecordNotFoundError('user') when either user does not exist.
   */
  async findOrCreateDirect(
    userIdA: string,
    userIdB: string,
    createdBy: string,
    options: DirectOptions = {},
  ): Promise<FindOrCreateDirectResult> {
    const { low, high, key: directKey } = directPair(userIdA, userIdB);
    const pendingUserId = options.pendingUserId?.toLowerCase();
    for (const id of [low, high, createdBy]) {
      if (!isUuid(id)) throw new RecordNotFoundError('user', id);
    }

    let created: { conversation: ConversationRecord; members: MemberRecord[] } | null;
    try {
      created = await this.db.transaction(async (tx) => {
        const [conversation] = await tx
          .insert(conversations)
          .values({ id: uuidv7(), type: 'direct', directKey, createdBy })
          .onConflictDoNothing({ target: conversations.directKey })
          .returning();
        if (!conversation) return null;
        const members = await tx
          .insert(conversationMembers)
          .values(
            [low, high].map((userId) => ({
              conversationId: conversation.id,
              userId,
              role: 'member' as const,
              joinedAt: conversation.createdAt,
              pending: userId === pendingUserId,
            })),
          )
          .returning();
        return {
          conversation: toConversationRecord(conversation),
          members: members.map(toMemberRecord).sort(compareMembers),
        };
      });
    } catch (error) {
      if (findPgError(error)?.code === PG_FOREIGN_KEY_VIOLATION) {
        throw new RecordNotFoundError('user', `${low} or ${high}`);
      }
      throw translateError(error);
    }
    if (created) return { ...created, created: true };

    const [existing] = await this.db
      .select()
      .from(conversations)
      .where(eq(conversations.directKey, directKey));
    if (!existing)
      throw new Error(`direct conversation ${directKey} vanished right after a conflict`);
    return {
      conversation: toConversationRecord(existing),
      members: await this.listMembers(existing.id),
      created: false,
    };
  }

  async findById(id: string): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.select().from(conversations).where(eq(conversations.id, id));
    return row ? toConversationRecord(row) : null;
  }

  async findDirectBetween(userIdA: string, userIdB: string): Promise<ConversationRecord | null> {
    if (!isUuid(userIdA) || !isUuid(userIdB) || userIdA.toLowerCase() === userIdB.toLowerCase()) {
      return null;
    }
    const { key } = directPair(userIdA, userIdB);
    const [row] = await this.db
      .select()
      .from(conversations)
      .where(eq(conversations.directKey, key));
    return row ? toConversationRecord(row) : null;
  }

  async findMember(conversationId: string, userId: string): Promise<MemberRecord | null> {
    if (!isUuid(conversationId) || !isUuid(userId)) return null;
    const [row] = await this.db
      .select()
      .from(conversationMembers)
      .where(
        and(
          eq(conversationMembers.conversationId, conversationId),
          eq(conversationMembers.userId, userId),
        ),
      );
    return row ? toMemberRecord(row) : null;
  }

  async listMembers(conversationId: string): Promise<MemberRecord[]> {
    if (!isUuid(conversationId)) return [];
    const rows = await this.db
      .select()
      .from(conversationMembers)
      .where(and(eq(conversationMembers.conversationId, conversationId), isActive))
      .orderBy(...memberOrder);
    return rows.map(toMemberRecord);
  }

  /** One query for all ids; conversations without active members (or unknown ids) are absent from the map. */
  async listMembersOf(conversationIds: readonly string[]): Promise<Map<string, MemberRecord[]>> {
    const ids = [...new Set(conversationIds)].filter(isUuid);
    const byConversation = new Map<string, MemberRecord[]>();
    if (ids.length === 0) return byConversation;
    const rows = await this.db
      .select()
      .from(conversationMembers)
      .where(and(inArray(conversationMembers.conversationId, ids), isActive))
      .orderBy(asc(conversationMembers.conversationId), ...memberOrder);
    for (const row of rows) {
      const list = byConversation.get(row.conversationId);
      if (list) list.push(toMemberRecord(row));
      else byConversation.set(row.conversationId, [toMemberRecord(row)]);
    }
    return byConversation;
  }

  /** One query for all ids, former memberships included. */
  async listMembershipsOf(
    conversationIds: readonly string[],
  ): Promise<Map<string, MemberRecord[]>> {
    const ids = [...new Set(conversationIds)].filter(isUuid);
    const byConversation = new Map<string, MemberRecord[]>();
    if (ids.length === 0) return byConversation;
    const rows = await this.db
      .select()
      .from(conversationMembers)
      .where(inArray(conversationMembers.conversationId, ids))
      .orderBy(asc(conversationMembers.conversationId), ...memberOrder);
    for (const row of rows) {
      const list = byConversation.get(row.conversationId);
      if (list) list.push(toMemberRecord(row));
      else byConversation.set(row.conversationId, [toMemberRecord(row)]);
    }
    return byConversation;
  }

  /**
   * One query: the first user's active memberships (index on (user_id, conversation_id)) joined to the second
   * user's active membership of the same conversation (primary key), and to the conversation for type and order.
   */
  async listGroupsInCommon(
    userIdA: string,
    userIdB: string,
    limit: number,
  ): Promise<ConversationRecord[]> {
    if (!isUuid(userIdA) || !isUuid(userIdB) || userIdA.toLowerCase() === userIdB.toLowerCase()) {
      return [];
    }
    const other = alias(conversationMembers, 'other');
    const rows = await this.db
      .select(getTableColumns(conversations))
      .from(conversationMembers)
      .innerJoin(other, eq(other.conversationId, conversationMembers.conversationId))
      .innerJoin(conversations, eq(conversations.id, conversationMembers.conversationId))
      .where(
        and(
          eq(conversationMembers.userId, userIdA),
          isActive,
          eq(other.userId, userIdB),
          isNull(other.leftAt),
          eq(conversations.type, 'group'),
        ),
      )
      .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
      .limit(limit);
    return rows.map(toConversationRecord);
  }

  async listContactIds(userId: string): Promise<string[]> {
    if (!isUuid(userId)) return [];
    const other = alias(conversationMembers, 'other');
    const rows = await this.db
      .selectDistinct({ userId: other.userId })
      .from(conversationMembers)
      .innerJoin(other, eq(other.conversationId, conversationMembers.conversationId))
      .where(
        and(
          eq(conversationMembers.userId, userId),
          isActive,
          eq(conversationMembers.pending, false),
          ne(other.userId, userId),
          isNull(other.leftAt),
          eq(other.pending, false),
        ),
      );
    return rows.map((row) => row.userId);
  }

  /**
   * One transaction: the conversation, then every member (creator as admin, the others as members), all with
   * joinedAt = the conversation's creation time. Members come back in the port's order (joinedAt, userId).
   * @throws RecordNotFoundError('user') when an id names no user (foreign key) or is malformed.
   */
  async createGroup(input: {
    title: string;
    createdBy: string;
    memberIds: readonly string[];
    pendingIds?: readonly string[];
  }): Promise<{ conversation: ConversationRecord; members: MemberRecord[] }> {
    const ids = [input.createdBy, ...input.memberIds].map((id) => id.toLowerCase());
    const pending = new Set((input.pendingIds ?? []).map((id) => id.toLowerCase()));
    for (const id of ids) if (!isUuid(id)) throw new RecordNotFoundError('user', id);
    const [creator, ...others] = ids as [string, ...string[]];
    try {
      return await this.db.transaction(async (tx) => {
        const [conversation] = await tx
          .insert(conversations)
          .values({ id: uuidv7(), type: 'group', title: input.title, createdBy: creator })
          .returning();
        if (!conversation) throw new Error('INSERT ... RETURNING gave no row');
        const rows = await tx
          .insert(conversationMembers)
          .values(
            [creator, ...others.filter((id) => id !== creator)].map((userId) => ({
              conversationId: conversation.id,
              userId,
              role: userId === creator ? ('admin' as const) : ('member' as const),
              joinedAt: conversation.createdAt,
              pending: userId !== creator && pending.has(userId),
            })),
          )
          .onConflictDoNothing()
          .returning();
        return {
          conversation: toConversationRecord(conversation),
          members: rows.map(toMemberRecord).sort(compareMembers),
        };
      });
    } catch (error) {
      if (findPgError(error)?.code === PG_FOREIGN_KEY_VIOLATION) {
        throw new RecordNotFoundError('user', ids.join(','));
      }
      throw translateError(error);
    }
  }

  /**
   * Groups only: a direct conversation is answered as missing (null), so it can never get a title or picture.
   * Nothing to change: the conversation as stored, updatedAt untouched.
   */
  async updateGroup(
    conversationId: string,
    changes: { title?: string; avatarUrl?: string | null },
  ): Promise<ConversationRecord | null> {
    if (!isUuid(conversationId)) return null;
    const set: Partial<typeof conversations.$inferInsert> = {};
    if (changes.title !== undefined) set.title = changes.title;
    if (changes.avatarUrl !== undefined) set.avatarUrl = changes.avatarUrl;
    const isGroup = and(eq(conversations.id, conversationId), eq(conversations.type, 'group'));
    if (Object.keys(set).length === 0) {
      const [row] = await this.db.select().from(conversations).where(isGroup);
      return row ? toConversationRecord(row) : null;
    }
    const [row] = await this.db
      .update(conversations)
      .set({ ...set, updatedAt: sql`clock_timestamp()` })
      .where(isGroup)
      .returning();
    return row ? toConversationRecord(row) : null;
  }

  /**
   * `INSERT ... ON CONFLICT (conversation_id, user_id) DO UPDATE ... WHERE left_at IS NOT NULL`: a new user gets
   * a row, a former member's row is reactivated (role member, joinedAt now, watermarks raised to last_seq), an
   * active member is left alone and not returned. Of concurrent adds of one user, the later waits on the first (row lock,
   * then the conflict re-checks the committed row) and returns nothing for them.
   * @returns the created or reactivated memberships, in the port's member order; [] for an unknown
   *   conversation or when everyone was already active.
   * @throws RecordNotFoundError('user') for an id that names no user.
   */
  async addMembers(
    conversationId: string,
    userIds: readonly string[],
    options: { maxActive?: number; pendingIds?: readonly string[] } = {},
  ): Promise<MemberRecord[]> {
    const ids = [...new Set(userIds.map((id) => id.toLowerCase()))];
    const pending = new Set((options.pendingIds ?? []).map((id) => id.toLowerCase()));
    if (!isUuid(conversationId) || ids.length === 0) return [];
    for (const id of ids) if (!isUuid(id)) throw new RecordNotFoundError('user', id);
    try {
      return await this.db.transaction(async (tx) => {
        const conversation = await this.lockConversation(tx, conversationId);
        if (!conversation) return [];
        if (options.maxActive !== undefined) {
          // Under the conversation row lock, and read by a statement that started after it was granted (READ
          // COMMITTED: a fresh snapshot per statement), so no concurrent add can be missing from this count.
          const active = await tx
            .select({ userId: conversationMembers.userId })
            .from(conversationMembers)
            .where(
              and(
                eq(conversationMembers.conversationId, conversationId),
                isNull(conversationMembers.leftAt),
              ),
            );
          const activeIds = new Set(active.map((m) => m.userId));
          const joining = ids.filter((id) => !activeIds.has(id)).length;
          if (activeIds.size + joining > options.maxActive) {
            throw new MemberLimitError(conversationId, options.maxActive);
          }
        }
        const rows = await tx
          .insert(conversationMembers)
          .values(
            ids.map((userId) => ({
              conversationId,
              userId,
              role: 'member' as const,
              joinedAt: sql`clock_timestamp()`,
              // Caught up on arrival (the lock keeps last_seq still): the history is not news to them.
              deliveredSeq: conversation.lastSeq,
              readSeq: conversation.lastSeq,
              pending: pending.has(userId),
            })),
          )
          .onConflictDoUpdate({
            target: [conversationMembers.conversationId, conversationMembers.userId],
            set: {
              role: 'member',
              joinedAt: sql`excluded.joined_at`,
              deliveredSeq: sql`greatest(${conversationMembers.deliveredSeq}, excluded.delivered_seq)`,
              readSeq: sql`greatest(${conversationMembers.readSeq}, excluded.read_seq)`,
              leftAt: null,
              historyUntilSeq: null,
              pending: sql`excluded.pending`,
              historyUntilChangeSeq: null,
            },
            setWhere: sql`${conversationMembers.leftAt} IS NOT NULL`,
          })
          .returning();
        if (rows.length > 0) await this.touch(tx, conversationId);
        return rows.map(toMemberRecord).sort(compareMembers);
      });
    } catch (error) {
      if (error instanceof MemberLimitError) throw error;
      if (findPgError(error)?.code === PG_FOREIGN_KEY_VIOLATION) {
        throw new RecordNotFoundError('user', ids.join(','));
      }
      throw translateError(error);
    }
  }

  /**
   * `UPDATE ... SET pending = false WHERE left_at IS NULL RETURNING (old pending)`: one statement, so of
   * concurrent accepts exactly one sees the row still pending.
   */
  async acceptMembership(
    conversationId: string,
    userId: string,
  ): Promise<{ member: MemberRecord; accepted: boolean } | null> {
    if (!isUuid(conversationId) || !isUuid(userId)) return null;
    const where = and(
      eq(conversationMembers.conversationId, conversationId),
      eq(conversationMembers.userId, userId.toLowerCase()),
      isActive,
    );
    const [row] = await this.db
      .update(conversationMembers)
      .set({ pending: false })
      .where(and(where, eq(conversationMembers.pending, true)))
      .returning();
    if (row) return { member: toMemberRecord(row), accepted: true };
    const [current] = await this.db.select().from(conversationMembers).where(where);
    return current ? { member: toMemberRecord(current), accepted: false } : null;
  }

  /**
   * `DELETE ... WHERE left_at IS NULL AND pending` under the conversation lock (the order every membership change
   * takes), then updatedAt: of concurrent declines one deletes the row.
   */
  async deletePendingMember(conversationId: string, userId: string): Promise<boolean> {
    if (!isUuid(conversationId) || !isUuid(userId)) return false;
    return this.db.transaction(async (tx) => {
      if (!(await this.lockConversation(tx, conversationId))) return false;
      const rows = await tx
        .delete(conversationMembers)
        .where(
          and(
            eq(conversationMembers.conversationId, conversationId),
            eq(conversationMembers.userId, userId.toLowerCase()),
            isActive,
            eq(conversationMembers.pending, true),
          ),
        )
        .returning({ userId: conversationMembers.userId });
      if (rows.length === 0) return false;
      await this.touch(tx, conversationId);
      return true;
    });
  }

  /**
   * `UPDATE ... WHERE left_at IS NULL`, with history_until_seq taken from the locked conversation row: of
   * concurrent removals only the first matches. An admin who leaves stops being one (role member); call
   * ensureAdmin after.
   */
  async removeMember(conversationId: string, userId: string): Promise<MemberRecord | null> {
    if (!isUuid(conversationId) || !isUuid(userId)) return null;
    return this.db.transaction(async (tx) => {
      const conversation = await this.lockConversation(tx, conversationId);
      if (!conversation) return null;
      const [row] = await tx
        .update(conversationMembers)
        .set({
          leftAt: sql`clock_timestamp()`,
          historyUntilSeq: conversation.lastSeq,
          historyUntilChangeSeq: conversation.changeSeq,
          role: 'member',
        })
        .where(
          and(
            eq(conversationMembers.conversationId, conversationId),
            eq(conversationMembers.userId, userId.toLowerCase()),
            isActive,
          ),
        )
        .returning();
      if (!row) return null;
      await this.touch(tx, conversationId);
      return toMemberRecord(row);
    });
  }

  /** Conditional on the membership being active; updatedAt moves only when the role really changed. */
  async setRole(
    conversationId: string,
    userId: string,
    role: MemberRole,
  ): Promise<MemberRecord | null> {
    if (!isUuid(conversationId) || !isUuid(userId)) return null;
    return this.db.transaction(async (tx) => {
      if (!(await this.lockConversation(tx, conversationId))) return null;
      const where = and(
        eq(conversationMembers.conversationId, conversationId),
        eq(conversationMembers.userId, userId.toLowerCase()),
        isActive,
      );
      const [current] = await tx.select().from(conversationMembers).where(where);
      if (!current) return null;
      if (current.role === role) return toMemberRecord(current);
      const [row] = await tx.update(conversationMembers).set({ role }).where(where).returning();
      if (!row) return null;
      await this.touch(tx, conversationId);
      return toMemberRecord(row);
    });
  }

  /**
   * Under the conversation lock: reads the active members and promotes the one `adminSuccessor` (domain-rules.ts)
   * picks when no active admin is left. Concurrent calls run one after the other; the second sees the first's
   * admin and returns null.
   */
  async ensureAdmin(conversationId: string): Promise<MemberRecord | null> {
    if (!isUuid(conversationId)) return null;
    return this.db.transaction(async (tx) => {
      if (!(await this.lockConversation(tx, conversationId))) return null;
      const active = and(eq(conversationMembers.conversationId, conversationId), isActive);
      const members = await tx.select().from(conversationMembers).where(active);
      const successor = adminSuccessor(members.map(toMemberRecord));
      if (!successor) return null;
      const [row] = await tx
        .update(conversationMembers)
        .set({ role: 'admin' })
        .where(and(active, eq(conversationMembers.userId, successor.userId)))
        .returning();
      if (!row) return null;
      await this.touch(tx, conversationId);
      return toMemberRecord(row);
    });
  }

  /** Under the conversation lock, so a concurrent addMembers either lands first (no archive) or waits. */
  async archiveIfEmpty(conversationId: string): Promise<boolean> {
    if (!isUuid(conversationId)) return false;
    return this.db.transaction(async (tx) => {
      if (!(await this.lockConversation(tx, conversationId))) return false;
      const [row] = await tx
        .update(conversations)
        .set({ archivedAt: sql`coalesce(${conversations.archivedAt}, clock_timestamp())` })
        .where(
          and(
            eq(conversations.id, conversationId),
            sql`NOT EXISTS (SELECT 1 FROM ${conversationMembers} WHERE ${conversationMembers.conversationId} = ${conversationId}::uuid AND ${conversationMembers.leftAt} IS NULL)`,
          ),
        )
        .returning({ archivedAt: conversations.archivedAt });
      return row !== undefined;
    });
  }

  /**
   * One statement per page (see the class comment).
   * @throws InvalidCursorError for a cursor this method did not issue.
   */
  async listForUser(
    userId: string,
    page: { cursor?: string | null; limit: number },
  ): Promise<RecordPage<ConversationListItem>> {
    if (!isUuid(userId)) return { items: [], nextCursor: null };
    const conditions: SQL[] = [eq(conversationMembers.userId, userId)];
    if (page.cursor) {
      const after = decodeCursor(page.cursor, isListCursor);
      conditions.push(
        sql`(${listSortKey}, ${conversations.id}) < (${after.t}::timestamptz, ${after.id}::uuid)`,
      );
    }
    const items = await this.selectListItems(and(...conditions) as SQL, page.limit + 1);
    const pageItems = items.slice(0, page.limit);
    const last = pageItems.at(-1);
    return {
      items: pageItems,
      nextCursor:
        items.length > page.limit && last
          ? encodeCursor({
              t: (last.membership.leftAt ?? last.conversation.lastActivityAt).toISOString(),
              id: last.conversation.id,
            })
          : null,
    };
  }

  async getListItem(conversationId: string, userId: string): Promise<ConversationListItem | null> {
    if (!isUuid(conversationId) || !isUuid(userId)) return null;
    const [item] = await this.selectListItems(
      and(
        eq(conversationMembers.userId, userId),
        eq(conversationMembers.conversationId, conversationId),
      ) as SQL,
      1,
    );
    return item ?? null;
  }

  /** One grouped count over the unread seqs of every active member (see selectListItems' unreadMentions). */
  async unreadMentionCounts(conversationId: string): Promise<Map<string, number>> {
    if (!isUuid(conversationId)) return new Map();
    const rows = await queryRows<{ user_id: string; n: number }>(
      this.db,
      sql`SELECT cm.user_id, count(*)::integer AS n
            FROM conversation_members AS cm
            JOIN conversations AS c ON c.id = cm.conversation_id
            JOIN messages AS um ON um.conversation_id = cm.conversation_id
                               AND um.seq > cm.read_seq AND um.seq <= c.last_seq
           WHERE cm.conversation_id = ${conversationId}::uuid AND cm.left_at IS NULL
             AND um.sender_id <> cm.user_id
             AND (um.mentions_all OR cm.user_id = ANY(um.mentions))
           GROUP BY cm.user_id`,
    );
    return new Map(rows.map((row) => [row.user_id, Number(row.n)]));
  }

  async setNotificationLevel(
    conversationId: string,
    userId: string,
    level: NotificationLevel,
  ): Promise<MemberRecord | null> {
    if (!isUuid(conversationId) || !isUuid(userId)) return null;
    const [row] = await this.db
      .update(conversationMembers)
      .set({ notificationLevel: level })
      .where(
        and(
          eq(conversationMembers.conversationId, conversationId),
          eq(conversationMembers.userId, userId),
        ),
      )
      .returning();
    return row ? toMemberRecord(row) : null;
  }

  /**
   * `least(requested, last_seq)` caps each mark at the conversation's last seq (a former member's at their
   * history_until_seq), `greatest(current, ...)` keeps it from moving backwards; both in the UPDATE itself, so
   * concurrent advances cannot lower a mark either.
   */
  async advanceWatermarks(
    conversationId: string,
    userId: string,
    marks: { deliveredSeq?: number; readSeq?: number },
  ): Promise<MemberRecord | null> {
    if (!isUuid(conversationId) || !isUuid(userId)) return null;
    // Out-of-range input must not become a SQL error: anything not a finite number leaves the mark as it is,
    // and the value is clamped into the integer column's range before the SQL caps it at last_seq.
    const raise = (column: AnyPgColumn, requested: number | undefined) =>
      requested === undefined || !Number.isFinite(requested)
        ? sql`${column}`
        : sql`greatest(${column}, least(${clampSeq(requested)}::integer, ${conversations.lastSeq}, ${conversationMembers.historyUntilSeq}))`;
    const [row] = await this.db
      .update(conversationMembers)
      .set({
        deliveredSeq: raise(conversationMembers.deliveredSeq, marks.deliveredSeq),
        readSeq: raise(conversationMembers.readSeq, marks.readSeq),
      })
      .from(conversations)
      .where(
        and(
          eq(conversations.id, conversationMembers.conversationId),
          eq(conversationMembers.conversationId, conversationId),
          eq(conversationMembers.userId, userId),
        ),
      )
      .returning(getTableColumns(conversationMembers));
    return row ? toMemberRecord(row) : null;
  }

  private async selectListItems(where: SQL, limit: number): Promise<ConversationListItem[]> {
    // A former member sees messages up to history_until_seq only (`least` ignores its NULL for active members).
    const lastMessage = this.db
      .select()
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversations.id),
          sql`${messages.seq} <= least(${conversations.lastSeq}, ${conversationMembers.historyUntilSeq})`,
        ),
      )
      .orderBy(desc(messages.seq))
      .limit(1)
      .as('last_message');
    const rows = await this.db
      .select({
        conversation: conversations,
        membership: conversationMembers,
        lastMessage: {
          id: lastMessage.id,
          conversationId: lastMessage.conversationId,
          seq: lastMessage.seq,
          senderId: lastMessage.senderId,
          clientMessageId: lastMessage.clientMessageId,
          kind: lastMessage.kind,
          body: lastMessage.body,
          system: lastMessage.system,
          mentions: lastMessage.mentions,
          mentionsAll: lastMessage.mentionsAll,
          createdAt: lastMessage.createdAt,
          replyToId: lastMessage.replyToId,
          forwarded: lastMessage.forwarded,
          editedAt: lastMessage.editedAt,
          deletedAt: lastMessage.deletedAt,
          deletedBy: lastMessage.deletedBy,
          changeSeq: lastMessage.changeSeq,
        },
        // Unread messages from others that mention the member (by id or @all): a range scan of the unread seqs on
        // messages_conversation_seq_uq, usually a handful of rows.
        unreadMentions: sql<number>`(SELECT count(*)::integer FROM messages AS um
            WHERE um.conversation_id = ${conversations.id}
              AND um.seq > ${conversationMembers.readSeq}
              AND um.seq <= least(${conversations.lastSeq}, ${conversationMembers.historyUntilSeq})
              AND um.sender_id <> ${conversationMembers.userId}
              AND (um.mentions_all OR ${conversationMembers.userId} = ANY(um.mentions)))`,
      })
      .from(conversationMembers)
      .innerJoin(conversations, eq(conversations.id, conversationMembers.conversationId))
      .leftJoinLateral(lastMessage, sql`true`)
      .where(where)
      .orderBy(desc(listSortKey), desc(conversations.id))
      .limit(limit);
    // The last messages' attachments, reactions and reply quotes: three batch queries for the whole page.
    const lastMessages = await toMessageRecords(
      this.db,
      rows.flatMap((row) => (row.lastMessage ? [row.lastMessage] : [])),
    );
    const lastById = new Map(lastMessages.map((m) => [m.id, m]));
    return rows.map((row) => {
      const membership = toMemberRecord(row.membership);
      return {
        conversation: toConversationRecord(row.conversation),
        membership,
        lastMessage: row.lastMessage ? (lastById.get(row.lastMessage.id) ?? null) : null,
        unreadCount: unreadCount(row.conversation.lastSeq, membership),
        unreadMentionCount: Number(row.unreadMentions ?? 0),
      };
    });
  }

  /**
   * Locks the conversation row for a membership change (see the class comment) and returns what the change
   * needs from it, or null when there is no such conversation.
   */
  private async lockConversation(
    tx: SqlDb,
    conversationId: string,
  ): Promise<{ lastSeq: number; changeSeq: number; type: ConversationRecord['type'] } | null> {
    const [row] = await tx
      .select({
        lastSeq: conversations.lastSeq,
        changeSeq: conversations.changeSeq,
        type: conversations.type,
      })
      .from(conversations)
      .where(eq(conversations.id, conversationId))
      .for('no key update');
    return row ?? null;
  }

  private async touch(tx: SqlDb, conversationId: string): Promise<void> {
    await tx
      .update(conversations)
      .set({ updatedAt: sql`clock_timestamp()` })
      .where(eq(conversations.id, conversationId));
  }
}

/** Largest value of a PostgreSQL `integer` (the type of seqs and watermarks). */
const MAX_INTEGER = 2_147_483_647;

function clampSeq(value: number): number {
  return Math.min(Math.max(Math.trunc(value), 0), MAX_INTEGER);
}
