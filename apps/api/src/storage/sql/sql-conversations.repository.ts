import { and, asc, desc, eq, getTableColumns, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { v7 as uuidv7 } from 'uuid';
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
import { conversationMembers, conversations, messages } from './schema.js';
import type { SqlDb } from './sql-database.js';
import {
  PG_FOREIGN_KEY_VIOLATION,
  findPgError,
  isUuid,
  toConversationRecord,
  toMemberRecord,
  toMessageRecord,
  translateError,
} from './sql-support.js';

type ListCursor = { t: string; id: string };
const isListCursor = (value: unknown): value is ListCursor =>
  hasStringFields(value, ['t', 'id']) && isUuid(value.id) && !Number.isNaN(Date.parse(value.t));

const memberOrder = [asc(conversationMembers.joinedAt), asc(conversationMembers.userId)];

/**
 * ConversationsRepository on SQL.
 *
 * The list page is one statement: the caller's member rows joined to their conversations, with a LATERAL
 * subquery taking each conversation's newest message from the (conversation_id, seq) index, sorted by
 * (last_activity_at desc, id desc) and cut with a keyset condition on that same pair.
 */
export class SqlConversationsRepository extends ConversationsRepository {
  constructor(private readonly db: SqlDb) {
    super();
  }

  /**
   * INSERT ... ON CONFLICT (direct_key) DO NOTHING, then read: a concurrent caller for the same pair waits on
   * the unique index until the winner commits (conversation and both members in one transaction), then finds
   * its row. Ids are compared lower-cased so the key does not depend on how they were spelled.
   * @throws Error when both ids are the same; RecordNotFoundError('user') when either user does not exist.
   */
  async findOrCreateDirect(
    userIdA: string,
    userIdB: string,
    createdBy: string,
  ): Promise<FindOrCreateDirectResult> {
    const a = userIdA.toLowerCase();
    const b = userIdB.toLowerCase();
    if (a === b) throw new Error('a direct conversation needs two different users');
    for (const id of [a, b, createdBy]) if (!isUuid(id)) throw new RecordNotFoundError('user', id);
    const [low, high] = a < b ? [a, b] : [b, a];
    const directKey = `${low}:${high}`;

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
        throw new RecordNotFoundError('user', `${a} or ${b}`);
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
      .where(eq(conversationMembers.conversationId, conversationId))
      .orderBy(...memberOrder);
    return rows.map(toMemberRecord);
  }

  /** One query for all ids; conversations without members (or unknown ids) are absent from the map. */
  async listMembersOf(conversationIds: readonly string[]): Promise<Map<string, MemberRecord[]>> {
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

  async listContactIds(userId: string): Promise<string[]> {
    if (!isUuid(userId)) return [];
    const other = alias(conversationMembers, 'other');
    const rows = await this.db
      .selectDistinct({ userId: other.userId })
      .from(conversationMembers)
      .innerJoin(other, eq(other.conversationId, conversationMembers.conversationId))
      .where(and(eq(conversationMembers.userId, userId), ne(other.userId, userId)));
    return rows.map((row) => row.userId);
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
        sql`(${conversations.lastActivityAt}, ${conversations.id}) < (${after.t}::timestamptz, ${after.id}::uuid)`,
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
              t: last.conversation.lastActivityAt.toISOString(),
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

  /**
   * `least(requested, last_seq)` caps each mark at the conversation's last seq, `greatest(current, ...)` keeps it
   * from moving backwards; both in the UPDATE itself, so concurrent advances cannot lower a mark either.
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
        : sql`greatest(${column}, least(${clampSeq(requested)}::integer, ${conversations.lastSeq}))`;
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
    const lastMessage = this.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, conversations.id))
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
          createdAt: lastMessage.createdAt,
        },
        unreadCount:
          sql<number>`greatest(${conversations.lastSeq} - ${conversationMembers.readSeq}, 0)`.mapWith(
            Number,
          ),
      })
      .from(conversationMembers)
      .innerJoin(conversations, eq(conversations.id, conversationMembers.conversationId))
      .leftJoinLateral(lastMessage, sql`true`)
      .where(where)
      .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
      .limit(limit);
    return rows.map((row) => ({
      conversation: toConversationRecord(row.conversation),
      membership: toMemberRecord(row.membership),
      lastMessage: row.lastMessage ? toMessageRecord(row.lastMessage) : null,
      unreadCount: row.unreadCount,
    }));
  }
}

/** Largest value of a PostgreSQL `integer` (the type of seqs and watermarks). */
const MAX_INTEGER = 2_147_483_647;

function clampSeq(value: number): number {
  return Math.min(Math.max(Math.trunc(value), 0), MAX_INTEGER);
}

function compareMembers(x: MemberRecord, y: MemberRecord): number {
  return (
    x.joinedAt.getTime() - y.joinedAt.getTime() ||
    (x.userId < y.userId ? -1 : x.userId > y.userId ? 1 : 0)
  );
}
