import type { MessageKind, SystemEvent } from '@chat/shared';
import type { MessageRecord } from './storage.types.js';

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
}

export interface AppendMessageResult {
  message: MessageRecord;
  /** False when (conversationId, senderId, clientMessageId) already existed: the stored message is returned. */
  created: boolean;
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
   * @throws RecordNotFoundError when the conversation does not exist.
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
  abstract findByClientId(
    conversationId: string,
    senderId: string,
    clientMessageId: string,
  ): Promise<MessageRecord | null>;
}
