import type { DeletedBy, MessageKind, SystemEvent } from '@chat/shared';
import type { MessageRecord, MessageSearchHitRecord, RecordPage } from './storage.types.js';

export interface AppendMessageInput {
  conversationId: string;
  senderId: string;
  clientMessageId: string;
  kind: MessageKind;
  body: string;
  /** For kind 'system'. */
  system?: SystemEvent | null;
  /**
   * Attachments to claim for this message, in display order: each must exist, belong to the conversation, have
   * been uploaded by the sender and be unsent. Claimed in the same atomic step as the insert.
   */
  attachmentIds?: readonly string[];
  /**
   * When true, the sender must be an ACTIVE member of the conversation, checked in the same atomic step as the
   * append (a person's send path then needs no separate membership read, and a removal cannot slip in between);
   * otherwise SenderMembershipError and nothing is stored, also for a resend. System messages leave it unset.
   */
  requireActiveSender?: boolean;
  /**
   * With `requireActiveSender`: the consent rules of a person's send: no block between the two people of a direct
   * conversation and the other person's account neither deactivated nor deleted, the sender has accepted the
   * conversation, and in a direct conversation the other person is an active member. Otherwise SendConsentError
   * and nothing is stored; a resend of a stored message is answered without the check. SQL checks them in the
   * append statement, against its snapshot (a block committed while the append waits for the conversation's row
   * lock is not seen by that append); MongoDB reads them just before the allocation, whose atomic filter keeps
   * only "the sender has accepted" (see the adapter).
   */
  requireConsent?: boolean;
  /**
   * The message this one replies to: it must be a message of the same conversation (checked by the append after
   * the membership and consent; otherwise ReplyTargetError and nothing is stored). An active member reads the
   * whole history, so any message of the conversation may be answered.
   */
  replyToId?: string | null;
  /** A forwarded copy (MessagesService.forward). */
  forwarded?: boolean;
  /**
   * User ids the message mentions (distinct). Each must be an ACTIVE member of the conversation, checked in the
   * same atomic step as the append; otherwise MentionMembershipError and nothing is stored. A resend returns the
   * stored message without checking them again.
   */
  mentions?: readonly string[];
  /** `@all`; who may send it is the service's rule (the repository stores it). */
  mentionsAll?: boolean;
}

/**
 * A message search on behalf of one person. Only messages that person may read are candidates: conversations they
 * are an active member of, and for a former member the messages with seq <= their historyUntilSeq. Text messages
 * only (system messages are not searched); an empty body (an erased or attachment-only message) never matches.
 */
export interface MessageSearchInput {
  userId: string;
  /** The words as typed (1..LIMITS.SEARCH_QUERY_MAX characters, trimmed). Web-search syntax (see docs/search.md). */
  query: string;
  conversationId?: string;
  senderId?: string;
  /** Only messages with at least one attachment. */
  hasAttachments?: boolean;
  /** createdAt >= from. */
  from?: Date;
  /** createdAt < to. */
  to?: Date;
  /** From the previous page's nextCursor. */
  cursor?: string | null;
  /** 1..LIMITS.SEARCH_PAGE_MAX */
  limit: number;
}

export interface AppendMessageResult {
  message: MessageRecord;
  /** False when (conversationId, senderId, clientMessageId) already existed: the stored message is returned. */
  created: boolean;
  /**
   * User ids of the conversation's ACTIVE members as the append saw them (the fan-out audience of `message:new`),
   * read in the same step, so the send path needs no member-list query of its own.
   */
  activeMemberIds: string[];
}

export interface HistoryPageInput {
  /** Messages with seq < before (the page just below it). */
  before?: number;
  /** Messages with seq > after (the page just above it). */
  after?: number;
  /** 1..LIMITS.HISTORY_PAGE_MAX */
  limit: number;
  /** Never return messages with seq > untilSeq (a former member's view ends at their departure). */
  untilSeq?: number;
}

/**
 * How a change request ended:
 * - `changed`: applied; the conversation's change counter was raised and the message stamped with it;
 * - `unchanged`: it would change nothing (same body, a reaction already there or already gone, already deleted):
 *   nothing written, the counter untouched;
 * - `deleted`: the message is a tombstone, so an edit or a reaction cannot apply (nothing written);
 * - `not_found`: no such message in that conversation;
 * - `reaction_limit`: adding the emoji would pass the distinct-emoji limit (nothing written).
 */
export type MessageChangeOutcome =
  'changed' | 'unchanged' | 'deleted' | 'not_found' | 'reaction_limit';

/** The result of a change: what happened and the message as it is now (null for `not_found`). */
export interface MessageChangeResult {
  outcome: MessageChangeOutcome;
  message: MessageRecord | null;
}

/** A deletion's result: also the FileStorage keys (files and thumbnails) of the attachment rows it removed. */
export interface MessageDeleteResult extends MessageChangeResult {
  removedFileKeys: string[];
}

/** A message of a conversation to change. */
export interface MessageTarget {
  conversationId: string;
  messageId: string;
}

export interface ChangesPageInput {
  /** Messages whose changeSeq > after. */
  after: number;
  /** 1..LIMITS.CHANGES_PAGE_MAX */
  limit: number;
  /** A former member's view: only changes with changeSeq <= untilChangeSeq ... */
  untilChangeSeq?: number;
  /** ... of messages with seq <= untilSeq. */
  untilSeq?: number;
}

/**
 * Port for messages. Sequence numbers are allocated atomically per conversation, strictly increasing.
 *
 * Changes (edit, delete, reactions) share one more counter per conversation, `changeSeq`: a change that changes
 * something raises it and stamps the message with the new value, atomically with the change itself. Values are
 * strictly increasing per conversation, and a reader of `listChanges` never sees a value while a lower one is
 * still to become visible (SQL: the counter's row lock is held until commit; MongoDB: an in-flight list, see the
 * adapter), so paging by `after` neither skips nor repeats a message. Rules (who may change what) are the
 * service's; the repository only makes each change atomic and conditional on the message's current state.
 */
export abstract class MessagesRepository {
  /**
   * Durably stores a message with the next sequence number of its conversation, raises the conversation's
   * lastSeq and lastActivityAt, and raises the sender's deliveredSeq and readSeq to the new seq (one's own
   * message is never unread). Idempotent on (conversationId, senderId, clientMessageId): a repeat returns the
   * stored message with `created: false` and changes nothing. Concurrent appends get distinct, increasing seqs.
   * @throws MentionMembershipError when a mentioned user is not an active member (nothing stored).
   * @throws RecordNotFoundError when the conversation does not exist; SenderMembershipError with
   *   `requireActiveSender` when the sender is not an active member (`never`: not a member, or no such
   *   conversation; `ended`: left or removed).
   */
  abstract append(input: AppendMessageInput): Promise<AppendMessageResult>;
  /**
   * One page of history in ascending seq order. Neither bound: the newest `limit` messages. `before`: the
   * `limit` messages just below it. `after`: the `limit` messages just above it. Both: between them, nearest to
   * `after` first. `hasMore` tells whether more exist beyond the page in the direction of travel. Each message
   * comes with its attachments (fetched in one batch per page, not per message).
   */
  abstract listPage(
    conversationId: string,
    page: HistoryPageInput,
  ): Promise<{ items: MessageRecord[]; hasMore: boolean }>;
  /**
   * One message by id (with its attachments), or null. Used to place an attachment's message in a former
   * member's readable history (seq <= historyUntilSeq). Added by the attachments feature.
   */
  abstract findById(id: string): Promise<MessageRecord | null>;
  /**
   * Full-text search (see MessageSearchInput for what is searched). Order: score descending, then createdAt
   * descending, then id descending, so equal scores come newest first; keyset pages (no repeats, no gaps while
   * nothing changes). A query with no searchable word finds nothing.
   * @throws InvalidCursorError for a cursor this method did not issue.
   */
  abstract search(input: MessageSearchInput): Promise<RecordPage<MessageSearchHitRecord>>;
  /**
   * Replaces the body of a text message that is not deleted, sets editedAt, raises the change counter.
   * @returns `changed`; `unchanged` when the body is already that (nothing written); `deleted`; `not_found`
   */
  abstract editBody(target: MessageTarget, body: string): Promise<MessageChangeResult>;
  /**
   * Turns the message into a tombstone in one atomic step: body '', deletedAt/deletedBy set, its reactions and its
   * attachment rows removed (their file keys returned, for the caller to delete from FileStorage), change counter
   * raised. Deleting a tombstone is `unchanged`.
   */
  abstract delete(target: MessageTarget, deletedBy: DeletedBy): Promise<MessageDeleteResult>;
  /**
   * Adds `userId`'s reaction `emoji` (set semantics: already there is `unchanged`). A new distinct emoji is refused
   * with `reaction_limit` when the message already has `maxDistinct` distinct emoji, checked atomically with the
   * insert (concurrent adds cannot pass the limit together).
   */
  abstract addReaction(
    target: MessageTarget,
    userId: string,
    emoji: string,
    maxDistinct: number,
  ): Promise<MessageChangeResult>;
  /** Removes `userId`'s reaction `emoji`; absent is `unchanged`. A tombstone is `deleted`. */
  abstract removeReaction(
    target: MessageTarget,
    userId: string,
    emoji: string,
  ): Promise<MessageChangeResult>;
  /**
   * The messages whose changeSeq is above `after` (and within the former-member bounds when given), ascending by
   * changeSeq, each with its attachments, reactions and reply target; `hasMore` when more follow.
   */
  abstract listChanges(
    conversationId: string,
    page: ChangesPageInput,
  ): Promise<{ items: MessageRecord[]; hasMore: boolean }>;
  abstract findByClientId(
    conversationId: string,
    senderId: string,
    clientMessageId: string,
  ): Promise<MessageRecord | null>;
}
