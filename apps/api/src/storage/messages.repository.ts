import type { MessageKind, SystemEvent } from '@chat/shared';
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
 * Port for messages. Sequence numbers are allocated atomically per conversation, strictly increasing.
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
  abstract findByClientId(
    conversationId: string,
    senderId: string,
    clientMessageId: string,
  ): Promise<MessageRecord | null>;
}
