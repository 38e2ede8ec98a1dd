import { and, asc, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import { uuidv7 } from './uuid-v7.js';
import { AttachmentsRepository, type CreateAttachmentInput } from '../attachments.repository.js';
import { RecordNotFoundError } from '../storage.errors.js';
import type { AttachmentRecord } from '../storage.types.js';
import { attachments } from './schema.js';
import type { SqlDb } from './sql-database.js';
import {
  PG_FOREIGN_KEY_VIOLATION,
  findPgError,
  isUuid,
  parseJsonValue,
  queryRows,
  toAttachmentFromJson,
  toAttachmentRecord,
  translateError,
  type AttachmentJson,
} from './sql-support.js';

/**
 * The attachments of many messages in one query (the `attachments_message_idx` partial index, in display
 * order), keyed by message id; messages without attachments are absent from the map.
 */
export async function loadAttachments(
  db: SqlDb,
  messageIds: readonly string[],
): Promise<Map<string, AttachmentRecord[]>> {
  const byMessage = new Map<string, AttachmentRecord[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .select()
    .from(attachments)
    .where(inArray(attachments.messageId, [...new Set(messageIds)]))
    .orderBy(asc(attachments.messageId), asc(attachments.position));
  for (const row of rows) {
    if (row.messageId === null) continue;
    const list = byMessage.get(row.messageId);
    if (list) list.push(toAttachmentRecord(row));
    else byMessage.set(row.messageId, [toAttachmentRecord(row)]);
  }
  return byMessage;
}

/**
 * AttachmentsRepository on SQL. Claiming (unsent -> sent with a message) is not here: it happens inside
 * MessagesRepository.append's transaction, so a message and its attachments are stored together or not at all.
 */
export class SqlAttachmentsRepository extends AttachmentsRepository {
  constructor(private readonly db: SqlDb) {
    super();
  }

  /**
   * Stores an unsent attachment (messageId null) with a new UUID v7 id.
   * @throws RecordNotFoundError('conversation') when the conversation or the uploader does not exist (or an id
   *   is malformed).
   */
  async create(input: CreateAttachmentInput): Promise<AttachmentRecord> {
    if (!isUuid(input.conversationId))
      throw new RecordNotFoundError('conversation', input.conversationId);
    if (!isUuid(input.uploaderId)) throw new RecordNotFoundError('user', input.uploaderId);
    try {
      const [row] = await this.db
        .insert(attachments)
        .values({
          id: uuidv7(),
          conversationId: input.conversationId,
          uploaderId: input.uploaderId,
          kind: input.kind,
          name: input.name,
          mimeType: input.mimeType,
          size: input.size,
          width: input.width,
          height: input.height,
          storageKey: input.storageKey,
          thumbnailKey: input.thumbnailKey,
        })
        .returning();
      if (!row) throw new Error('INSERT ... RETURNING gave no row');
      return toAttachmentRecord(row);
    } catch (error) {
      if (findPgError(error)?.code === PG_FOREIGN_KEY_VIOLATION) {
        throw new RecordNotFoundError(
          'conversation',
          `${input.conversationId} (or user ${input.uploaderId})`,
        );
      }
      throw translateError(error);
    }
  }

  async findById(id: string): Promise<AttachmentRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.select().from(attachments).where(eq(attachments.id, id));
    return row ? toAttachmentRecord(row) : null;
  }

  /** One conditional DELETE: unsent and this uploader's, or nothing (a claim racing it wins or loses whole). */
  async deleteUnsent(id: string, uploaderId: string): Promise<AttachmentRecord | null> {
    if (!isUuid(id) || !isUuid(uploaderId)) return null;
    const [row] = await this.db
      .delete(attachments)
      .where(
        and(
          eq(attachments.id, id),
          eq(attachments.uploaderId, uploaderId),
          isNull(attachments.messageId),
        ),
      )
      .returning();
    return row ? toAttachmentRecord(row) : null;
  }

  /**
   * Oldest first, from the partial `attachments_unsent_idx`. `FOR UPDATE SKIP LOCKED` lets several API
   * instances sweep at once without deleting the same rows twice or waiting for a claim in progress; the
   * DELETE re-checks `message_id IS NULL`, so a row claimed meanwhile stays.
   */
  async deleteUnsentOlderThan(cutoff: Date, limit: number): Promise<AttachmentRecord[]> {
    const count = Math.max(0, Math.trunc(limit));
    if (count === 0) return [];
    // MATERIALIZED: the victims are chosen once (an IN (subquery ... LIMIT) may be planned as a join that
    // re-runs it and deletes more than `limit` rows).
    const rows = await queryRows<{ row: unknown }>(
      this.db,
      sql`
      WITH victims AS MATERIALIZED (
        SELECT id FROM attachments
         WHERE message_id IS NULL AND created_at < ${cutoff.toISOString()}::timestamptz
         ORDER BY created_at
         LIMIT ${count}
           FOR UPDATE SKIP LOCKED
      )
      DELETE FROM attachments AS a USING victims
       WHERE a.id = victims.id AND a.message_id IS NULL
      RETURNING row_to_json(a) AS row`,
    );
    return rows
      .map((r) => toAttachmentFromJson(parseJsonValue<AttachmentJson>(r.row)!))
      .sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1));
  }

  /** `sum(size)` over the (uploader_id, created_at) index; bigint arrives as text and is read as a number. */
  async sumBytesSince(uploaderId: string, since: Date): Promise<number> {
    if (!isUuid(uploaderId)) return 0;
    const [row] = await this.db
      .select({ total: sql<string>`coalesce(sum(${attachments.size}), 0)::text` })
      .from(attachments)
      .where(and(eq(attachments.uploaderId, uploaderId), gte(attachments.createdAt, since)));
    return Number(row?.total ?? 0);
  }
}
