import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import {
  MessagesRepository,
  type AppendMessageInput,
  type AppendMessageResult,
  type HistoryPageInput,
} from '../messages.repository.js';
import { RecordNotFoundError } from '../storage.errors.js';
import type { MessageRecord } from '../storage.types.js';
import { conversationMembers, conversations, messages } from './schema.js';
import type { SqlDb } from './sql-database.js';
import { isUuid, toMessageRecord, translateError } from './sql-support.js';

/** Thrown inside the append transaction to roll back a seq allocation made for a send that lost a race. */
class DuplicateSend extends Error {}

/**
 * MessagesRepository on SQL.
 *
 * Sequence allocation is `UPDATE conversations SET last_seq = last_seq + 1 ... RETURNING last_seq` inside the
 * transaction that inserts the message: the row lock serialises appends per conversation (appends to different
 * conversations do not wait for each other), and a failed insert rolls the allocation back, so seqs have no gaps
 * in practice. `last_activity_at` takes `greatest(previous, clock_timestamp())`, read after the lock is held, so
 * it never moves backwards even when transactions commit out of start order (`now()` is the transaction's start).
 */
export class SqlMessagesRepository extends MessagesRepository {
  constructor(private readonly db: SqlDb) {
    super();
  }

  /**
   * Idempotent append. A resend is answered from the unique (conversation, sender, client id) index before any
   * lock is taken; two identical sends racing both miss that check, and the loser's INSERT ... ON CONFLICT DO
   * NOTHING inserts nothing (it runs after the winner committed, because both hold the conversation's row
   * lock in turn), so it rolls back its allocation and returns the winner's message: no seq is burnt.
   * @throws RecordNotFoundError('conversation') when the conversation does not exist; RecordNotFoundError('user')
   *   for a sender id that cannot exist. (Membership is the service's check, made before calling this.)
   */
  async append(input: AppendMessageInput): Promise<AppendMessageResult> {
    if (!isUuid(input.conversationId))
      throw new RecordNotFoundError('conversation', input.conversationId);
    if (!isUuid(input.senderId)) throw new RecordNotFoundError('user', input.senderId);
    const existing = await this.findByClientId(
      input.conversationId,
      input.senderId,
      input.clientMessageId,
    );
    if (existing) return { message: existing, created: false };

    try {
      const message = await this.db.transaction(async (tx) => {
        const [allocated] = await tx
          .update(conversations)
          .set({
            lastSeq: sql`${conversations.lastSeq} + 1`,
            lastActivityAt: sql`greatest(${conversations.lastActivityAt}, clock_timestamp())`,
          })
          .where(eq(conversations.id, input.conversationId))
          .returning({ seq: conversations.lastSeq, at: conversations.lastActivityAt });
        if (!allocated) throw new RecordNotFoundError('conversation', input.conversationId);

        const [row] = await tx
          .insert(messages)
          .values({
            id: uuidv7(),
            conversationId: input.conversationId,
            seq: allocated.seq,
            senderId: input.senderId,
            clientMessageId: input.clientMessageId,
            kind: input.kind,
            body: input.body,
            createdAt: allocated.at,
          })
          .onConflictDoNothing({
            target: [messages.conversationId, messages.senderId, messages.clientMessageId],
          })
          .returning();
        if (!row) throw new DuplicateSend();

        // One's own message is never unread, and the sending device obviously has it.
        await tx
          .update(conversationMembers)
          .set({
            deliveredSeq: sql`greatest(${conversationMembers.deliveredSeq}, ${row.seq}::integer)`,
            readSeq: sql`greatest(${conversationMembers.readSeq}, ${row.seq}::integer)`,
          })
          .where(
            and(
              eq(conversationMembers.conversationId, input.conversationId),
              eq(conversationMembers.userId, input.senderId),
            ),
          );
        return toMessageRecord(row);
      });
      return { message, created: true };
    } catch (error) {
      if (error instanceof DuplicateSend) {
        const stored = await this.findByClientId(
          input.conversationId,
          input.senderId,
          input.clientMessageId,
        );
        if (stored) return { message: stored, created: false };
      }
      throw translateError(error);
    }
  }

  /** Keyset on (conversation_id, seq): every shape of page is one range scan of the unique index. */
  async listPage(
    conversationId: string,
    page: HistoryPageInput,
  ): Promise<{ items: MessageRecord[]; hasMore: boolean }> {
    if (!isUuid(conversationId)) return { items: [], hasMore: false };
    const conditions: SQL[] = [eq(messages.conversationId, conversationId)];
    if (page.before !== undefined) conditions.push(lt(messages.seq, page.before));
    if (page.after !== undefined) conditions.push(gt(messages.seq, page.after));
    // With `after` the page travels upwards from it; otherwise downwards from `before` (or from the newest).
    const upwards = page.after !== undefined;
    const rows = await this.db
      .select()
      .from(messages)
      .where(and(...conditions))
      .orderBy(upwards ? asc(messages.seq) : desc(messages.seq))
      .limit(page.limit + 1);
    const items = rows.slice(0, page.limit).map(toMessageRecord);
    if (!upwards) items.reverse();
    return { items, hasMore: rows.length > page.limit };
  }

  async findByClientId(
    conversationId: string,
    senderId: string,
    clientMessageId: string,
  ): Promise<MessageRecord | null> {
    if (!isUuid(conversationId) || !isUuid(senderId)) return null;
    const [row] = await this.db
      .select()
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversationId),
          eq(messages.senderId, senderId),
          eq(messages.clientMessageId, clientMessageId),
        ),
      );
    return row ? toMessageRecord(row) : null;
  }
}
