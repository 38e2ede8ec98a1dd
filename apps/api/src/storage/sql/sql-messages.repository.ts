import {
  SEARCH_HIGHLIGHT_END,
  SEARCH_HIGHLIGHT_START,
  type DeletedBy,
  type SystemEvent,
} from '@chat/shared';
import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, ne, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from './uuid-v7.js';
import {
  MessagesRepository,
  type AppendMessageInput,
  type AppendMessageResult,
  type ChangesPageInput,
  type HistoryPageInput,
  type MessageSearchInput,
  type MessageChangeOutcome,
  type MessageChangeResult,
  type MessageDeleteResult,
  type MessageTarget,
} from '../messages.repository.js';
import {
  AttachmentClaimError,
  MentionMembershipError,
  RecordNotFoundError,
  ReplyTargetError,
  SendConsentError,
  SenderMembershipError,
} from '../storage.errors.js';
import type {
  MessageRecord,
  MessageSearchHitRecord,
  RecordPage,
  ReplyTargetRecord,
} from '../storage.types.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { splitSearchQuery } from '../search-text.js';
import {
  attachments,
  conversationMembers,
  conversations,
  messageReactions,
  messages,
} from './schema.js';
import { toMessageRecords, type MessageRow } from './sql-message-views.js';
import type { PreparedRunner, PreparedValue, SqlDb } from './sql-database.js';
import { GroupCommitQueue, type GroupCommitOptions } from './group-commit.js';
import {
  findPgError,
  isUuid,
  parseJsonValue,
  queryRows,
  toAttachmentFromJson,
  toMessageRecord,
  translateError,
  type AttachmentJson,
} from './sql-support.js';

/** What the append statement returns: the new or the stored message, the sender's standing and the audience. */
interface AppendOutcomeRow extends Record<string, unknown> {
  allocated: number;
  /** Attachments this append claimed (json array, in position order). */
  claimed: unknown;
  /** `row_to_json` of a messages row (snake_case keys); drivers hand json over parsed or as text. */
  inserted: unknown;
  existing: unknown;
  /** 'active', 'ended' (left or removed) or 'never' (no membership row). */
  membership: 'active' | 'ended' | 'never';
  /** json array of the active members' user ids. */
  audience: unknown;
  /** Every mentioned user is an active member. */
  mentions_ok: boolean;
  /** With requireConsent: 'ok', or why the send may not go ahead yet (see SendConsentError). */
  consent: SendConsentError['reason'] | 'ok';
  /** `row_to_json` of the message replied to when it is one of this conversation (else null). */
  reply: unknown;
}

/** The `reply` column of the append statement. */
interface ReplyJson {
  id: string;
  seq: number;
  sender_id: string;
  body: string;
  deleted: boolean;
}

/**
 * The append functions: chat_append_message_v7 appends one message (migration 0008_append_function), and
 * chat_append_messages_v8 a batch of them as a set (migration 0009_append_batch_function). The migrations document
 * their steps, parameters and results. A new version of a function gets a new name in a new migration, so API
 * processes of two versions can share one database during a rolling update; the prepared statements are named
 * after the functions they call (names of their own kind, per connection).
 */
const APPEND_FUNCTION_NAME = 'chat_append_message_v7';
const APPEND_BATCH_FUNCTION_NAME = 'chat_append_messages_v8';

/** Parameter types of an append, in order (see migration 0008; a batch's elements hold the same, as JSON). */
export const APPEND_PARAMETER_TYPES = [
  'uuid',
  'uuid',
  'text',
  'uuid',
  'text',
  'text',
  'text',
  'boolean',
  'text',
  'integer',
  'text',
  'integer',
  'boolean',
  'uuid',
  'boolean',
  'boolean',
] as const;

/** One append: chat_append_message_v7 called once. */
export const APPEND_STATEMENT = `SELECT * FROM ${APPEND_FUNCTION_NAME}(${APPEND_PARAMETER_TYPES.map((type, i) => `$${i + 1}::${type}`).join(', ')})`;

/**
 * Appends a batch of messages: $1 is a JSON array with one element per message, in arrival order, itself the
 * array of that message's parameters (APPEND_PARAMETER_TYPES). chat_append_messages_v8 locks the batch's
 * conversations in id order, then checks, stores and numbers the messages as a set, with the outcomes that
 * appending them one by one in that order would have; it returns one row a message, in order.
 *
 * A batch of one runs APPEND_STATEMENT instead: the set statement's plan is larger, and for a single message cost
 * PostgreSQL about 1.6 CPU ms against 1.1 (bench/group-commit.bench.ts); from a few messages a batch on, the set
 * statement is the cheaper (docs/performance.md, "The append of a batch as a set").
 */
export const APPEND_BATCH_STATEMENT = `SELECT * FROM ${APPEND_BATCH_FUNCTION_NAME}($1::jsonb)`;

/**
 * How appends are grouped into batches (GroupCommitQueue), per process: one batch at a time, of at most 64. While a
 * batch runs, the appends that arrive wait and leave together in the next one, so batching starts with the second
 * concurrent append (a batch of 10 costs PostgreSQL about half the CPU a message of appends run one by one).
 *
 * One at a time on a PostgreSQL server too, not two. Two batches in flight often shared a conversation, so the
 * second waited for the first's row lock while holding its own. Run in turns with two at a time (load benchmark,
 * docs/performance.md, "One append batch at a time"): PostgreSQL's CPU a message 20% lower at 1,000 and 2,000
 * msg/s, the machine 6 to 10 points less busy, and 2,500 msg/s kept up (p99 279 ms) where two at a time fell behind.
 * (An earlier round had found one at a time falling behind at 1,500 msg/s; that was with batches of at most 32 and
 * the append as one statement of CTEs, which cost twice as much a message.) PGlite runs one statement at a time
 * anyway. At most 64 a batch: a batch holds its conversations' row locks until it commits (64 appends: 12 to 14 ms
 * of PostgreSQL's time with the set append). Up to 256 did not drain the queue left by a stall any sooner
 * (docs/performance.md, "Where the rest of the tail comes from"). Several API processes have a queue each.
 */
export const APPEND_BATCHING: GroupCommitOptions = { maxInFlight: 1, maxBatch: 64 };

/**
 * `text` with each lone UTF-16 surrogate half replaced by U+FFFD, as the drivers' UTF-8 encoding of a text
 * parameter turns it. An append's client message id and body pass through it before they are sent either way: in a
 * batch's JSON a lone half would be written as a `\ud800` escape, which jsonb refuses (22P02), failing the whole
 * batch over one message. The other strings of an append are UUIDs, arrays of them, the kind and the system event's
 * JSON (well formed: JSON.stringify escapes), so a batch is stringified without a replacer, on JSON.stringify's
 * fast path.
 */
function wellFormed(text: string): string {
  return text.replace(/\p{Cs}/gu, '\uFFFD');
}

/**
 * SQLSTATE division_by_zero: the append function raises it to abort the whole statement (its implicit
 * transaction rolls back) when it allocated a seq but inserted nothing, or claimed fewer attachments than listed.
 * Nothing else in the function divides, so this code means "the guard fired".
 */
const PG_DIVISION_BY_ZERO = '22012';

/**
 * SQLSTATE the append function raises when the sender must be an active member and was removed while the append
 * waited for the conversation's row lock (the removal held it): the statement rolls back, nothing is stored.
 */
const PG_SENDER_LEFT = 'RL001';

/** The nil UUID (RFC 9562, 5.9): no message has it. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

interface MessageJson {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  client_message_id: string;
  kind: MessageRecord['kind'];
  body: string;
  /** jsonb inside json: an object (or null), never text. */
  system: SystemEvent | null;
  mentions: string[] | null;
  mentions_all: boolean | null;
  /** ISO 8601 with offset, as row_to_json writes timestamptz. */
  created_at: string;
  reply_to_id: string | null;
  forwarded: boolean;
  edited_at: string | null;
  deleted_at: string | null;
  deleted_by: MessageRow['deletedBy'];
  change_seq: number;
}

/** `row_to_json` of a messages row -> the row as drizzle reads it. */
function rowFromJson(row: MessageJson): MessageRow {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    senderId: row.sender_id,
    clientMessageId: row.client_message_id,
    kind: row.kind,
    body: row.body,
    system: row.system ?? null,
    mentions: row.mentions ?? [],
    mentionsAll: row.mentions_all ?? false,
    createdAt: new Date(row.created_at),
    replyToId: row.reply_to_id ?? null,
    forwarded: row.forwarded === true,
    editedAt: row.edited_at ? new Date(row.edited_at) : null,
    deletedAt: row.deleted_at ? new Date(row.deleted_at) : null,
    deletedBy: row.deleted_by ?? null,
    changeSeq: row.change_seq ?? 0,
  };
}

/**
 * The attachment ids of an append, in the sender's order with repeats dropped (a repeat cannot be claimed
 * twice; the first position counts).
 * @throws AttachmentClaimError('not_found') for an id that cannot be one of ours (no query is made).
 */
function claimList(ids: readonly string[] | undefined): string[] {
  const list = [...new Set((ids ?? []).map((id) => id.toLowerCase()))];
  const malformed = list.find((id) => !isUuid(id));
  if (malformed !== undefined) throw new AttachmentClaimError('not_found', malformed);
  return list;
}

/**
 * MessagesRepository on SQL.
 *
 * Sequence allocation is `UPDATE conversations SET last_seq = last_seq + 1 ... RETURNING last_seq` in the
 * statement that inserts the message: the row lock serialises appends per conversation (appends to different
 * conversations do not wait for each other), and a failed insert rolls the allocation back, so seqs have no gaps
 * in practice. `last_activity_at` takes `greatest(previous, clock_timestamp())`, read after the lock is held, so
 * it never moves backwards even when transactions commit out of start order (`now()` is the transaction's start).
 *
 * Attachments are claimed by the same statement (`UPDATE attachments SET message_id = <new>, position = <index>
 * WHERE id = ANY(ids) AND conversation_id AND uploader_id match AND message_id IS NULL`): if it claims fewer
 * rows than were listed, the statement is rolled back (no message, no seq, nothing claimed) and
 * AttachmentClaimError says which id failed and why. A claim racing another claim of the same attachment waits
 * on its row lock and then finds it taken.
 */
export class SqlMessagesRepository extends MessagesRepository {
  private readonly appends: GroupCommitQueue<readonly PreparedValue[], AppendOutcomeRow>;

  /**
   * @param db the drizzle handle
   * @param prepared runs the batch statement as a prepared statement (SqlDatabase.prepared)
   * @param batching how appends are grouped (APPEND_BATCHING unless a test wants otherwise)
   */
  constructor(
    private readonly db: SqlDb,
    private readonly prepared: PreparedRunner,
    batching: GroupCommitOptions = APPEND_BATCHING,
  ) {
    super();
    this.appends = new GroupCommitQueue((batch) => this.appendBatch(batch), batching);
  }

  /**
   * Runs one batch of appends' parameters: a lone append as APPEND_STATEMENT, several as APPEND_BATCH_STATEMENT
   * (both prepared). @returns one outcome row per append, in order
   * @throws the statement's error: then nothing of the batch was stored (GroupCommitQueue splits it)
   */
  private async appendBatch(
    batch: readonly (readonly PreparedValue[])[],
  ): Promise<AppendOutcomeRow[]> {
    if (batch.length === 1) {
      return this.prepared<AppendOutcomeRow>(APPEND_FUNCTION_NAME, APPEND_STATEMENT, batch[0]!);
    }
    return this.prepared<AppendOutcomeRow>(APPEND_BATCH_FUNCTION_NAME, APPEND_BATCH_STATEMENT, [
      JSON.stringify(batch),
    ]);
  }

  /**
   * Idempotent append in ONE statement and one round trip, outside any explicit transaction: PostgreSQL runs a
   * lone statement atomically (its implicit transaction), so BEGIN and COMMIT would only add two round trips. The
   * statement calls the append function (migration 0008_append_function), prepared once per connection.
   * Measured with the load benchmark (docs/performance.md): the former BEGIN + statement + COMMIT, plus the
   * service's membership read before it and member-list read after it, were five round trips per send.
   * Group commit: appends that arrive while earlier ones are still running leave together, as one batch
   * statement (APPEND_BATCH_STATEMENT: the batch's conversations locked in id order, then its messages checked,
   * numbered and stored as a set, in one transaction), so under load a round trip, the statements and a commit
   * carry several messages (GroupCommitQueue, APPEND_BATCHING). A batch is all or nothing; when it fails, it is
   * split in halves down to the append at fault, and each gets its own outcome, so the refusals below stay per
   * message.
   * The steps of one append (each only when the message needs it; migration 0008 has the SQL). A batch makes the
   * same checks in the same order, with the outcomes of its messages appended one by one (migration 0009), but
   * reads them once it holds its conversations' locks, so its second membership check has nothing to find:
   * - the sender's membership row, if any; with `requireActiveSender`, nothing more unless it is active.
   * - a resend: the message stored for (conversation, sender, client id), if any, is returned as it is.
   * - with `requireConsent`: whether the send may go ahead: no block between the pair of a direct conversation
   *   either way, the other person's account is neither deactivated nor deleted, the sender has accepted, the
   *   other person is an active member. Otherwise nothing is allocated and the service takes its slower path
   *   (MessagesService.appendWithConsent).
   * - the message replied to (looked up by its primary key alone, so the plan cannot scan the conversation
   *   instead), required to be one of this conversation; it is the quote.
   * - every mentioned person is an active member.
   * - `UPDATE conversations SET last_seq = last_seq + 1 ... RETURNING`, which takes the conversation's row lock
   *   and gives the new seq; then the message with that seq, `ON CONFLICT (conversation, sender, client id) DO
   *   NOTHING`; then the listed attachments (see the class comment); then, under the lock and in a new snapshot,
   *   the sender's deliveredSeq/readSeq raised to the new seq, which with `requireActiveSender` also checks again
   *   that the sender is active (a removal that held the lock while this append waited for it: the statement
   *   rolls back and SenderMembershipError('ended') is thrown), and the active member ids as they are then (the
   *   fan-out audience: a member removed meanwhile is not in it).
   * - the guard: division_by_zero, aborting the statement, when a seq was allocated but nothing inserted (two
   *   identical sends raced past the resend check: the second waited on the row lock, then its insert hit the
   *   winner's committed row) or fewer attachments were claimed than listed. The abort un-allocates the seq and
   *   undoes the claims; the error is then read for what it means: the winner's message, or which attachment
   *   failed.
   * A resend claims nothing: it returns the stored message with the attachments it was stored with.
   * @throws RecordNotFoundError('conversation') when the conversation does not exist; RecordNotFoundError('user')
   *   for a sender id that cannot exist; SenderMembershipError with `requireActiveSender` (checked first, also for
   *   a resend).
   * @throws AttachmentClaimError when a listed attachment is unknown, of another conversation or uploader
   *   ('not_found') or already sent ('in_use'); nothing is stored then.
   * @throws SendConsentError with `requireConsent` (after the membership check); ReplyTargetError when `replyToId`
   *   names no message of the conversation; MentionMembershipError. Nothing is stored then either.
   */
  async append(input: AppendMessageInput): Promise<AppendMessageResult> {
    const { conversationId, senderId, clientMessageId } = input;
    const requireActive = input.requireActiveSender === true;
    const requireConsent = requireActive && input.requireConsent === true;
    if (!isUuid(conversationId)) {
      if (requireActive) throw new SenderMembershipError('never', conversationId);
      throw new RecordNotFoundError('conversation', conversationId);
    }
    if (!isUuid(senderId)) throw new RecordNotFoundError('user', senderId);
    const claims = claimList(input.attachmentIds);
    // A PostgreSQL array literal: every element was checked to be a UUID, so nothing needs quoting.
    const claimArray = `{${claims.join(',')}}`;
    const mentions = [...new Set((input.mentions ?? []).map((id) => id.toLowerCase()))];
    const notUuid = mentions.find((id) => !isUuid(id));
    if (notUuid !== undefined) throw new MentionMembershipError(notUuid);
    const messageId = uuidv7();

    let outcome: AppendOutcomeRow | undefined;
    try {
      outcome = await this.appends.submit([
        conversationId,
        senderId,
        wellFormed(clientMessageId),
        messageId,
        input.kind,
        wellFormed(input.body),
        systemJson(input.system),
        requireActive,
        claimArray,
        claims.length,
        `{${mentions.join(',')}}`,
        mentions.length,
        input.mentionsAll === true,
        // An id that is not a UUID names no message: the nil UUID matches none, so the statement refuses it
        // (after the membership check, like any other unknown target).
        input.replyToId ? (isUuid(input.replyToId) ? input.replyToId : NIL_UUID) : null,
        input.forwarded === true,
        requireConsent,
      ]);
    } catch (error) {
      const code = findPgError(error)?.code;
      if (code === PG_DIVISION_BY_ZERO) return this.afterGuard(input, claims, requireActive);
      if (code === PG_SENDER_LEFT) throw new SenderMembershipError('ended', conversationId);
      throw translateError(error);
    }
    if (!outcome) throw new Error('append statement returned no row');
    const membership = outcome.membership ?? 'never';
    if (requireActive && membership !== 'active')
      throw new SenderMembershipError(membership, conversationId);
    const activeMemberIds = parseJsonValue<string[]>(outcome.audience) ?? [];
    const existingFirst = parseJsonValue<MessageJson>(outcome.existing);
    const reply = parseJsonValue<ReplyJson>(outcome.reply);
    if (!existingFirst && outcome.allocated === 0) {
      // Refused before allocating, in the order the service documents: consent, reply target, mentions.
      if (outcome.consent !== 'ok') throw new SendConsentError(outcome.consent, conversationId);
      if (input.replyToId && !reply) throw new ReplyTargetError(input.replyToId);
      if (!outcome.mentions_ok) throw await this.mentionFailure(input.conversationId, mentions);
    }
    const inserted = parseJsonValue<MessageJson>(outcome.inserted);
    if (inserted) {
      const claimed = (parseJsonValue<AttachmentJson[]>(outcome.claimed) ?? []).map(
        toAttachmentFromJson,
      );
      const row = rowFromJson(inserted);
      // A new message has no reactions; a reply's quote came with the statement.
      const replyTo: ReplyTargetRecord | null = reply
        ? {
            id: reply.id,
            seq: reply.seq,
            senderId: reply.sender_id,
            body: reply.body,
            deleted: reply.deleted,
          }
        : null;
      return {
        message: toMessageRecord(row, { attachments: claimed, replyTo }),
        created: true,
        activeMemberIds,
      };
    }
    const existing = parseJsonValue<MessageJson>(outcome.existing);
    if (existing) {
      const [message] = await toMessageRecords(this.db, [rowFromJson(existing)]);
      return { message: message!, created: false, activeMemberIds };
    }
    throw new RecordNotFoundError('conversation', conversationId);
  }

  /**
   * After the append's guard aborted it (nothing stored): the same send won a race (return its message), else an
   * attachment could not be claimed (say which and why).
   */
  private async afterGuard(
    input: AppendMessageInput,
    claims: readonly string[],
    requireActive: boolean,
  ): Promise<AppendMessageResult> {
    const stored = await this.findByClientId(
      input.conversationId,
      input.senderId,
      input.clientMessageId,
    );
    if (stored) {
      const members = await this.db
        .select({ userId: conversationMembers.userId, leftAt: conversationMembers.leftAt })
        .from(conversationMembers)
        .where(eq(conversationMembers.conversationId, input.conversationId));
      const sender = members.find((m) => m.userId === input.senderId.toLowerCase());
      if (requireActive && (!sender || sender.leftAt !== null))
        throw new SenderMembershipError(sender ? 'ended' : 'never', input.conversationId);
      const activeMemberIds = members.filter((m) => m.leftAt === null).map((m) => m.userId);
      return { message: stored, created: false, activeMemberIds };
    }
    if (claims.length > 0) throw await this.claimFailure(input, claims);
    throw new Error('append aborted by its guard without a stored message or a claim to blame');
  }

  /**
   * Keyset on (conversation_id, seq): every shape of page is one range scan of the unique index; `untilSeq` is
   * one more bound on it. The page's attachments come in one more query (see loadAttachments).
   */
  async listPage(
    conversationId: string,
    page: HistoryPageInput,
  ): Promise<{ items: MessageRecord[]; hasMore: boolean }> {
    if (!isUuid(conversationId)) return { items: [], hasMore: false };
    const conditions: SQL[] = [eq(messages.conversationId, conversationId)];
    if (page.before !== undefined) conditions.push(lt(messages.seq, page.before));
    if (page.after !== undefined) conditions.push(gt(messages.seq, page.after));
    if (page.untilSeq !== undefined) conditions.push(lte(messages.seq, page.untilSeq));
    // With `after` the page travels upwards from it; otherwise downwards from `before` (or from the newest).
    const upwards = page.after !== undefined;
    const rows = await this.db
      .select()
      .from(messages)
      .where(and(...conditions))
      .orderBy(upwards ? asc(messages.seq) : desc(messages.seq))
      .limit(page.limit + 1);
    const items = await toMessageRecords(this.db, rows.slice(0, page.limit));
    if (!upwards) items.reverse();
    return { items, hasMore: rows.length > page.limit };
  }

  async findById(id: string): Promise<MessageRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.select().from(messages).where(eq(messages.id, id));
    if (!row) return null;
    const [message] = await toMessageRecords(this.db, [row]);
    return message ?? null;
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
    if (!row) return null;
    const [message] = await toMessageRecords(this.db, [row]);
    return message ?? null;
  }

  /**
   * One change in one transaction: `UPDATE conversations SET change_seq = change_seq + 1 ... RETURNING` first,
   * which takes the conversation's row lock (the lock an append's last_seq update takes too, so the lock order is
   * the append's: conversation row, then message rows) and holds it until commit. So every change of a
   * conversation is serialised behind that lock: read-then-write steps inside `apply` (the distinct-emoji count)
   * are race-free, and change values become visible in increasing order (a higher value is allocated only after
   * the lower one committed or rolled back). `apply` answers what happened; anything but `changed` rolls back,
   * so the counter is not raised by a change that changes nothing.
   */
  private async runChange(
    target: MessageTarget,
    apply: (tx: SqlDb, changeSeq: number) => Promise<MessageChangeOutcome>,
  ): Promise<MessageChangeOutcome> {
    if (!isUuid(target.conversationId) || !isUuid(target.messageId)) return 'not_found';
    try {
      await this.db.transaction(async (tx) => {
        const [allocated] = await tx
          .update(conversations)
          .set({ changeSeq: sql`${conversations.changeSeq} + 1` })
          .where(eq(conversations.id, target.conversationId))
          .returning({ changeSeq: conversations.changeSeq });
        if (!allocated) throw new NoChange('not_found');
        const outcome = await apply(tx, allocated.changeSeq);
        if (outcome !== 'changed') throw new NoChange(outcome);
      });
      return 'changed';
    } catch (error) {
      if (error instanceof NoChange) return error.outcome;
      throw translateError(error);
    }
  }

  /** The message's state inside a change (under the conversation's lock), or null when it is not there. */
  private async stateOf(tx: SqlDb, target: MessageTarget): Promise<{ deleted: boolean } | null> {
    const [row] = await tx
      .select({ deletedAt: messages.deletedAt })
      .from(messages)
      .where(
        and(eq(messages.id, target.messageId), eq(messages.conversationId, target.conversationId)),
      );
    return row ? { deleted: row.deletedAt !== null } : null;
  }

  private async result(
    target: MessageTarget,
    outcome: MessageChangeOutcome,
  ): Promise<MessageChangeResult> {
    if (outcome === 'not_found') return { outcome, message: null };
    const message = await this.findById(target.messageId);
    if (!message || message.conversationId !== target.conversationId.toLowerCase()) {
      return { outcome: 'not_found', message: null };
    }
    return { outcome, message };
  }

  /** Conditional UPDATE (text, not deleted, another body) under the change lock; see runChange. */
  async editBody(target: MessageTarget, body: string): Promise<MessageChangeResult> {
    const outcome = await this.runChange(target, async (tx, changeSeq) => {
      const updated = await tx
        .update(messages)
        .set({ body, editedAt: sql`clock_timestamp()`, changeSeq })
        .where(
          and(
            eq(messages.id, target.messageId),
            eq(messages.conversationId, target.conversationId),
            eq(messages.kind, 'text'),
            isNull(messages.deletedAt),
            ne(messages.body, body),
          ),
        )
        .returning({ id: messages.id });
      if (updated.length > 0) return 'changed';
      const state = await this.stateOf(tx, target);
      return !state ? 'not_found' : state.deleted ? 'deleted' : 'unchanged';
    });
    return this.result(target, outcome);
  }

  /**
   * In one transaction under the change lock: the tombstone (conditional on not being deleted yet), its
   * reactions deleted, its attachment rows deleted (their file keys returned; the caller deletes the files after
   * the commit, so a rollback never loses a file that is still referenced).
   */
  async delete(target: MessageTarget, deletedBy: DeletedBy): Promise<MessageDeleteResult> {
    const removedFileKeys: string[] = [];
    const outcome = await this.runChange(target, async (tx, changeSeq) => {
      const updated = await tx
        .update(messages)
        .set({ body: '', deletedAt: sql`clock_timestamp()`, deletedBy, changeSeq })
        .where(
          and(
            eq(messages.id, target.messageId),
            eq(messages.conversationId, target.conversationId),
            isNull(messages.deletedAt),
          ),
        )
        .returning({ id: messages.id });
      if (updated.length === 0) {
        return (await this.stateOf(tx, target)) ? 'unchanged' : 'not_found';
      }
      await tx.delete(messageReactions).where(eq(messageReactions.messageId, target.messageId));
      const files = await tx
        .delete(attachments)
        .where(eq(attachments.messageId, target.messageId))
        .returning({ storageKey: attachments.storageKey, thumbnailKey: attachments.thumbnailKey });
      for (const f of files) {
        removedFileKeys.push(f.storageKey);
        if (f.thumbnailKey) removedFileKeys.push(f.thumbnailKey);
      }
      return 'changed';
    });
    const result = await this.result(target, outcome);
    return { ...result, removedFileKeys: outcome === 'changed' ? removedFileKeys : [] };
  }

  /**
   * Under the change lock (every change of the conversation waits for it), so reading the message's emoji and
   * then inserting cannot let two concurrent adds pass `maxDistinct` together; the primary key makes the insert
   * set-like besides.
   */
  async addReaction(
    target: MessageTarget,
    userId: string,
    emoji: string,
    maxDistinct: number,
  ): Promise<MessageChangeResult> {
    if (!isUuid(userId)) return { outcome: 'not_found', message: null };
    const user = userId.toLowerCase();
    const outcome = await this.runChange(target, async (tx, changeSeq) => {
      const state = await this.stateOf(tx, target);
      if (!state) return 'not_found';
      if (state.deleted) return 'deleted';
      const present = await tx
        .select({ emoji: messageReactions.emoji, userId: messageReactions.userId })
        .from(messageReactions)
        .where(eq(messageReactions.messageId, target.messageId));
      if (present.some((r) => r.emoji === emoji && r.userId === user)) return 'unchanged';
      const distinct = new Set(present.map((r) => r.emoji));
      if (!distinct.has(emoji) && distinct.size >= maxDistinct) return 'reaction_limit';
      await tx
        .insert(messageReactions)
        .values({
          messageId: target.messageId,
          emoji,
          userId: user,
          createdAt: sql`clock_timestamp()`,
        })
        .onConflictDoNothing();
      await this.stamp(tx, target, changeSeq);
      return 'changed';
    });
    return this.result(target, outcome);
  }

  async removeReaction(
    target: MessageTarget,
    userId: string,
    emoji: string,
  ): Promise<MessageChangeResult> {
    if (!isUuid(userId)) return { outcome: 'not_found', message: null };
    const outcome = await this.runChange(target, async (tx, changeSeq) => {
      const state = await this.stateOf(tx, target);
      if (!state) return 'not_found';
      if (state.deleted) return 'deleted';
      const removed = await tx
        .delete(messageReactions)
        .where(
          and(
            eq(messageReactions.messageId, target.messageId),
            eq(messageReactions.emoji, emoji),
            eq(messageReactions.userId, userId.toLowerCase()),
          ),
        )
        .returning({ emoji: messageReactions.emoji });
      if (removed.length === 0) return 'unchanged';
      await this.stamp(tx, target, changeSeq);
      return 'changed';
    });
    return this.result(target, outcome);
  }

  private async stamp(tx: SqlDb, target: MessageTarget, changeSeq: number): Promise<void> {
    await tx.update(messages).set({ changeSeq }).where(eq(messages.id, target.messageId));
  }

  /** A range scan of the partial unique index (conversation_id, change_seq) WHERE change_seq > 0. */
  async listChanges(
    conversationId: string,
    page: ChangesPageInput,
  ): Promise<{ items: MessageRecord[]; hasMore: boolean }> {
    if (!isUuid(conversationId)) return { items: [], hasMore: false };
    const conditions: SQL[] = [
      eq(messages.conversationId, conversationId),
      gt(messages.changeSeq, Math.max(0, page.after)),
    ];
    if (page.untilChangeSeq !== undefined)
      conditions.push(lte(messages.changeSeq, page.untilChangeSeq));
    if (page.untilSeq !== undefined) conditions.push(lte(messages.seq, page.untilSeq));
    const rows = await this.db
      .select()
      .from(messages)
      .where(and(...conditions))
      .orderBy(asc(messages.changeSeq))
      .limit(page.limit + 1);
    const items = await toMessageRecords(this.db, rows.slice(0, page.limit));
    return { items, hasMore: rows.length > page.limit };
  }

  /**
   * Full-text search over the generated `search_vector` column (GIN index `messages_search_idx`, text-search
   * configuration `relay_search`: `simple` with accents folded; docs/search.md). One statement:
   * - the query is `websearch_to_tsquery` of the typed words, ANDed with `to_tsquery('<last word>':*)` when the
   *   query ends in a bare word (splitSearchQuery), so results come while typing;
   * - candidates are joined to the caller's memberships (active: everything; former: seq <= history_until_seq);
   * - order: `score` = round(ts_rank * 1000) descending (coarse on purpose, so near-equal relevance falls back to
   *   recency), then created_at and id descending; the keyset cursor carries all three (integers and an
   *   ISO time compare exactly, unlike a float rank);
   * - ts_headline runs in an outer query over the page only (it re-parses the text, the costly part), on the
   *   text with the highlight marks removed, so a message cannot fake a highlight.
   * @throws InvalidCursorError for a foreign cursor.
   */
  async search(input: MessageSearchInput): Promise<RecordPage<MessageSearchHitRecord>> {
    if (!isUuid(input.userId)) return { items: [], nextCursor: null };
    if (input.conversationId !== undefined && !isUuid(input.conversationId))
      return { items: [], nextCursor: null };
    if (input.senderId !== undefined && !isUuid(input.senderId))
      return { items: [], nextCursor: null };
    const { words, prefix } = splitSearchQuery(input.query);
    if (words === '' && prefix === null) return { items: [], nextCursor: null };
    const cfg = sql.raw(`'${SEARCH_CONFIG}'::regconfig`);
    const web = sql`websearch_to_tsquery(${cfg}, ${words})`;
    // The prefix is letters and digits only (splitSearchQuery), so quoting it as a tsquery literal is safe.
    const pre = prefix === null ? null : sql`to_tsquery(${cfg}, ${`'${prefix}':*`})`;
    const tsquery = pre === null ? web : words === '' ? pre : sql`(${web} && ${pre})`;
    const filters: SQL[] = [];
    if (input.conversationId !== undefined)
      filters.push(sql`AND m.conversation_id = ${input.conversationId}::uuid`);
    if (input.senderId !== undefined) filters.push(sql`AND m.sender_id = ${input.senderId}::uuid`);
    if (input.hasAttachments === true)
      filters.push(sql`AND EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id)`);
    if (input.from !== undefined)
      filters.push(sql`AND m.created_at >= ${input.from.toISOString()}::timestamptz`);
    if (input.to !== undefined)
      filters.push(sql`AND m.created_at < ${input.to.toISOString()}::timestamptz`);
    let keyset = sql``;
    if (input.cursor) {
      const after = decodeCursor(input.cursor, isSearchCursor);
      keyset = sql`WHERE (score, created_at, id) < (${after.s}::integer, ${after.t}::timestamptz, ${after.id}::uuid)`;
    }
    const rows = await queryRows<SearchRow>(
      this.db,
      sql`
      WITH q AS (SELECT ${tsquery} AS query),
      hits AS (
        SELECT m.id, m.created_at,
               round(ts_rank(m.search_vector, q.query) * 1000)::integer AS score
          FROM q, conversation_members cm
          JOIN messages m ON m.conversation_id = cm.conversation_id
         WHERE cm.user_id = ${input.userId}::uuid
           AND m.search_vector @@ q.query
           AND (cm.history_until_seq IS NULL OR m.seq <= cm.history_until_seq)
           ${sql.join(filters, sql` `)}
      ), page AS (
        SELECT * FROM hits ${keyset}
         ORDER BY score DESC, created_at DESC, id DESC
         LIMIT ${input.limit + 1}
      )
      SELECT json_build_object('id', m.id, 'conversation_id', m.conversation_id, 'seq', m.seq,
               'sender_id', m.sender_id, 'client_message_id', m.client_message_id, 'kind', m.kind,
               'body', m.body, 'system', m.system, 'mentions', m.mentions, 'mentions_all', m.mentions_all,
               'created_at', m.created_at, 'reply_to_id', m.reply_to_id, 'forwarded', m.forwarded,
               'edited_at', m.edited_at, 'deleted_at', m.deleted_at, 'deleted_by', m.deleted_by,
               'change_seq', m.change_seq) AS message,
             page.score,
             ts_headline(${cfg}, translate(m.body, ${HEADLINE_FROM}, ${HEADLINE_TO}), q.query,
                         CASE WHEN length(m.body) <= ${SNIPPET_WHOLE_MAX}::integer
                              THEN ${HEADLINE_WHOLE} ELSE ${HEADLINE_FRAGMENTS} END) AS snippet
        FROM page JOIN messages m ON m.id = page.id, q
       ORDER BY page.score DESC, page.created_at DESC, page.id DESC`,
    );
    const pageRows = rows.slice(0, input.limit);
    const parsed = pageRows.map((row) => ({
      json: parseJsonValue<MessageJson>(row.message) as MessageJson,
      score: Number(row.score),
      snippet: restoreHeadlineText(row.snippet),
    }));
    // Attachments, reactions and reply quotes of the page in batch reads, as for history.
    const records = await toMessageRecords(
      this.db,
      parsed.map((p) => rowFromJson(p.json)),
    );
    const items = parsed.map((p, i) => ({
      message: records[i]!,
      snippet: p.snippet,
      score: p.score,
    }));
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > input.limit && last
          ? encodeCursor({
              s: last.score,
              t: last.message.createdAt.toISOString(),
              id: last.message.id,
            })
          : null,
    };
  }

  /** Which mentioned id made the append refuse (read after it stored nothing). */
  private async mentionFailure(
    conversationId: string,
    mentions: readonly string[],
  ): Promise<MentionMembershipError> {
    const rows = await this.db
      .select({ userId: conversationMembers.userId })
      .from(conversationMembers)
      .where(
        and(
          eq(conversationMembers.conversationId, conversationId),
          inArray(conversationMembers.userId, [...mentions]),
          isNull(conversationMembers.leftAt),
        ),
      );
    const active = new Set(rows.map((row) => row.userId));
    return new MentionMembershipError(mentions.find((id) => !active.has(id)) ?? mentions[0] ?? '');
  }

  /**
   * Why a claim fell short, read after the append was rolled back (so none of the listed attachments is ours):
   * the first listed id, in the sender's order, that is unknown, of another conversation or uploader
   * ('not_found'), or already sent with a message ('in_use').
   */
  private async claimFailure(
    input: AppendMessageInput,
    claims: readonly string[],
  ): Promise<AttachmentClaimError> {
    const rows = await this.db
      .select({
        id: attachments.id,
        conversationId: attachments.conversationId,
        uploaderId: attachments.uploaderId,
        messageId: attachments.messageId,
      })
      .from(attachments)
      .where(inArray(attachments.id, [...claims]));
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of claims) {
      const row = byId.get(id);
      if (
        !row ||
        row.conversationId !== input.conversationId.toLowerCase() ||
        row.uploaderId !== input.senderId.toLowerCase()
      ) {
        return new AttachmentClaimError('not_found', id);
      }
      if (row.messageId !== null) return new AttachmentClaimError('in_use', id);
    }
    // Every listed attachment is claimable now: a claim that raced ours was rolled back meanwhile; "in use" was
    // still the truth when the append ran.
    return new AttachmentClaimError('in_use', claims[0] ?? '');
  }
}

/** The text-search configuration made by migration 0007 (`simple` with unaccent; docs/search.md). */
const SEARCH_CONFIG = 'relay_search';
/**
 * ts_headline's parser takes `<...>` for HTML tags and `&...;` for entities, and leaves them out of the headline:
 * right for HTML documents, wrong for chat text (`<b>` typed in a message must show). So `<`, `>` and `&` are
 * swapped for private-use stand-ins before ts_headline (they then read as spaces between words, as the
 * tsvector's parse of the raw text makes them separators too) and swapped back after (restoreHeadlineText). The
 * highlight marks themselves are removed from the text (translate drops "from" characters that have no "to"), so a
 * message cannot fake a highlight.
 */
const STAND_INS = { '<': '\uE002', '>': '\uE003', '&': '\uE004' } as const;
const HEADLINE_FROM = `<>&${SEARCH_HIGHLIGHT_START}${SEARCH_HIGHLIGHT_END}`;
const HEADLINE_TO = `${STAND_INS['<']}${STAND_INS['>']}${STAND_INS['&']}`;

/** Puts back the characters HEADLINE_FROM swapped out. */
function restoreHeadlineText(snippet: string): string {
  return snippet
    .replaceAll(STAND_INS['<'], '<')
    .replaceAll(STAND_INS['>'], '>')
    .replaceAll(STAND_INS['&'], '&');
}

/** Messages up to this many characters are shown whole in the snippet (most chat messages). */
const SNIPPET_WHOLE_MAX = 240;
/** ts_headline options for a short message: the whole text, every match marked. */
const HEADLINE_WHOLE = `StartSel=${SEARCH_HIGHLIGHT_START}, StopSel=${SEARCH_HIGHLIGHT_END}, HighlightAll=true`;
/** ts_headline options for a long message: up to two fragments of 15 to 35 words around the matches. */
const HEADLINE_FRAGMENTS = `StartSel=${SEARCH_HIGHLIGHT_START}, StopSel=${SEARCH_HIGHLIGHT_END}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`;

interface SearchRow extends Record<string, unknown> {
  message: unknown;
  score: number | string;
  snippet: string;
}

/** The search keyset: score, createdAt (ISO) and id of the last hit of a page. */
function isSearchCursor(value: unknown): value is { s: number; t: string; id: string } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.s === 'number' &&
    Number.isInteger(v.s) &&
    typeof v.t === 'string' &&
    !Number.isNaN(Date.parse(v.t)) &&
    typeof v.id === 'string' &&
    isUuid(v.id)
  );
}

/** Rolls a change's transaction back, carrying what happened instead. */
class NoChange extends Error {
  constructor(readonly outcome: Exclude<MessageChangeOutcome, 'changed'>) {
    super(outcome);
  }
}

/** The `system` column's value: JSON text for jsonb, or SQL NULL. */
function systemJson(system: SystemEvent | null | undefined): string | null {
  return system ? JSON.stringify(system) : null;
}
