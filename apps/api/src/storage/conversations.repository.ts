import type {
  ConversationListItem,
  ConversationRecord,
  MemberRecord,
  RecordPage,
} from './storage.types.js';

export interface FindOrCreateDirectResult {
  conversation: ConversationRecord;
  members: MemberRecord[];
  /** False when the pair already had a direct conversation (returned as it is). */
  created: boolean;
}

/**
 * Port for conversations and their members. Membership is the unit of access: every read or write on behalf
 * of a person goes through `findMember` first (done once, in ConversationsService.requireMember).
 */
export abstract class ConversationsRepository {
  /**
   * Returns the one direct conversation between two different users, creating it (with both as members)
   * when missing. Idempotent even under concurrency: two simultaneous calls for the same pair, in either order,
   * return the same conversation.
   */
  abstract findOrCreateDirect(
    userIdA: string,
    userIdB: string,
    createdBy: string,
  ): Promise<FindOrCreateDirectResult>;
  abstract findById(id: string): Promise<ConversationRecord | null>;
  /** The membership of `userId` in `conversationId`, or null when not a member (or no such conversation). */
  abstract findMember(conversationId: string, userId: string): Promise<MemberRecord | null>;
  /** Members ordered by joinedAt, then userId. */
  abstract listMembers(conversationId: string): Promise<MemberRecord[]>;
  /** Members of many conversations at once (for list pages), keyed by conversation id. */
  abstract listMembersOf(conversationIds: readonly string[]): Promise<Map<string, MemberRecord[]>>;
  /** Ids of every user who shares at least one conversation with `userId` (presence audience), without `userId`. */
  abstract listContactIds(userId: string): Promise<string[]>;
  /**
   * The conversations of `userId`, most recent activity first (ties by id, descending), each with the last
   * message and the caller's unread count, in one query per page (no query per conversation).
   * @param limit 1..LIMITS.CONVERSATION_PAGE_MAX
   */
  abstract listForUser(
    userId: string,
    page: { cursor?: string | null; limit: number },
  ): Promise<RecordPage<ConversationListItem>>;
  /** The same item as `listForUser` would give for one conversation; null when not a member. */
  abstract getListItem(conversationId: string, userId: string): Promise<ConversationListItem | null>;
  /**
   * Raises the member's watermarks to at least the given values (never lowers them, never past lastSeq).
   * @returns the membership after the update, or null when not a member.
   */
  abstract advanceWatermarks(
    conversationId: string,
    userId: string,
    marks: { deliveredSeq?: number; readSeq?: number },
  ): Promise<MemberRecord | null>;
}
