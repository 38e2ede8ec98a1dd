import { asc, inArray, type InferSelectModel } from 'drizzle-orm';
import type { MessageRecord, ReactionRecord, ReplyTargetRecord } from '../storage.types.js';
import { messageReactions, messages } from './schema.js';
import { loadAttachments } from './sql-attachments.repository.js';
import type { SqlDb } from './sql-database.js';
import { toMessageRecord } from './sql-support.js';

/** A row of the messages table as drizzle reads it. */
export type MessageRow = InferSelectModel<typeof messages>;

/**
 * The reactions of many messages in one query (the primary key's (message_id, emoji, user_id) order is not the
 * display order, so rows are sorted by time): message id -> one entry per emoji, earliest emoji first, each with
 * its users earliest first. Messages without reactions are absent.
 */
export async function loadReactions(
  db: SqlDb,
  messageIds: readonly string[],
): Promise<Map<string, ReactionRecord[]>> {
  const byMessage = new Map<string, ReactionRecord[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .select({
      messageId: messageReactions.messageId,
      emoji: messageReactions.emoji,
      userId: messageReactions.userId,
    })
    .from(messageReactions)
    .where(inArray(messageReactions.messageId, [...new Set(messageIds)]))
    .orderBy(
      asc(messageReactions.createdAt),
      asc(messageReactions.emoji),
      asc(messageReactions.userId),
    );
  for (const row of rows) {
    let list = byMessage.get(row.messageId);
    if (!list) byMessage.set(row.messageId, (list = []));
    const entry = list.find((r) => r.emoji === row.emoji);
    if (entry) entry.userIds.push(row.userId);
    else list.push({ emoji: row.emoji, userIds: [row.userId] });
  }
  return byMessage;
}

/** The messages replied to by `rows`, in one query: id -> what a quote needs. */
async function loadReplyTargets(
  db: SqlDb,
  rows: readonly MessageRow[],
): Promise<Map<string, ReplyTargetRecord>> {
  const ids = [...new Set(rows.flatMap((row) => (row.replyToId ? [row.replyToId] : [])))];
  const targets = new Map<string, ReplyTargetRecord>();
  if (ids.length === 0) return targets;
  const found = await db
    .select({
      id: messages.id,
      seq: messages.seq,
      senderId: messages.senderId,
      body: messages.body,
      deletedAt: messages.deletedAt,
    })
    .from(messages)
    .where(inArray(messages.id, ids));
  for (const t of found) {
    targets.set(t.id, {
      id: t.id,
      seq: t.seq,
      senderId: t.senderId,
      body: t.deletedAt ? '' : t.body,
      deleted: t.deletedAt !== null,
    });
  }
  return targets;
}

/**
 * Message rows -> MessageRecords with their attachments, reactions and reply targets: three batch queries for
 * any number of rows (none when the list is empty), in the rows' order.
 */
export async function toMessageRecords(
  db: SqlDb,
  rows: readonly MessageRow[],
): Promise<MessageRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [attached, reactions, replies] = await Promise.all([
    loadAttachments(db, ids),
    loadReactions(db, ids),
    loadReplyTargets(db, rows),
  ]);
  return rows.map((row) =>
    toMessageRecord(row, {
      attachments: attached.get(row.id) ?? [],
      reactions: reactions.get(row.id) ?? [],
      replyTo: row.replyToId ? (replies.get(row.replyToId) ?? null) : null,
    }),
  );
}
