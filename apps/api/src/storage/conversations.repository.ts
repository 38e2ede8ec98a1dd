import type { MemberRole } from '@chat/shared';
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
 * of a person goes through `findMember` first (in ConversationAccess, the one place that checks access).
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
  /**
   * The membership of `userId` in `conversationId`, active or former (check `leftAt`), or null when they never
   * were a member (or there is no such conversation).
   */
  abstract findMember(conversationId: string, userId: string): Promise<MemberRecord | null>;
  /** ACTIVE members (leftAt null) ordered by joinedAt, then userId. */
  abstract listMembers(conversationId: string): Promise<MemberRecord[]>;
  /** ACTIVE members of many conversations at once (for list pages), keyed by conversation id. */
  abstract listMembersOf(conversationIds: readonly string[]): Promise<Map<string, MemberRecord[]>>;
  /**
   * EVERY membership, active or former (check `leftAt`), of many conversations at once, keyed by conversation id
   * and ordered by joinedAt, then userId; conversations without any (or unknown ids) are absent. Serves the names
   * of people who appear in a history: those who left still wrote its older messages.
   */
  abstract listMembershipsOf(
    conversationIds: readonly string[],
  ): Promise<Map<string, MemberRecord[]>>;
  /**
   * The groups (never direct conversations) in which both users are ACTIVE members, most recent activity first
   * (ties by id, descending), at most `limit` of them. Empty for the same id twice or unknown ids.
   * @param limit 1..LIMITS.GROUPS_IN_COMMON_MAX
   */
  abstract listGroupsInCommon(
    userIdA: string,
    userIdB: string,
    limit: number,
  ): Promise<ConversationRecord[]>;
  /**
   * Ids of every user who shares at least one conversation with `userId` as active members on both sides
   * (presence audience), without `userId`.
   */
  abstract listContactIds(userId: string): Promise<string[]>;
  /**
   * Creates a group: `createdBy` becomes its first admin, every id of `memberIds` (distinct, existing, not the
   * creator: the service checks) a member, all in one atomic step.
   */
  abstract createGroup(input: {
    title: string;
    createdBy: string;
    memberIds: readonly string[];
  }): Promise<{ conversation: ConversationRecord; members: MemberRecord[] }>;
  /**
   * Changes a group's title and/or picture and sets updatedAt. @returns the conversation, or null when missing.
   */
  abstract updateGroup(
    conversationId: string,
    changes: { title?: string; avatarUrl?: string | null },
  ): Promise<ConversationRecord | null>;
  /**
   * Makes each user an active member (role member, joinedAt now, watermarks kept for a returning former member;
   * leftAt and historyUntilSeq cleared) unless already active, and sets updatedAt when anyone was added.
   * Concurrent adds of the same user: exactly one call returns them.
   * @returns the memberships this call created or re-activated (users already active are left out)
   */
  abstract addMembers(conversationId: string, userIds: readonly string[]): Promise<MemberRecord[]>;
  /**
   * Ends an active membership atomically: leftAt = now, historyUntilSeq = the conversation's lastSeq, role =
   * member; sets updatedAt. Concurrent removals of the same user: exactly one call gets the record.
   * @returns the membership as it is now, or null when the user was not an active member
   */
  abstract removeMember(conversationId: string, userId: string): Promise<MemberRecord | null>;
  /** Sets an ACTIVE member's role (updatedAt too). @returns the membership, or null when not an active member. */
  abstract setRole(
    conversationId: string,
    userId: string,
    role: MemberRole,
  ): Promise<MemberRecord | null>;
  /**
   * If the conversation has active members but no active admin, promotes the longest-standing active member
   * (earliest joinedAt, then lowest userId) and returns that membership; otherwise returns null. Safe to call
   * after every leave, removal or demotion; concurrent calls promote at most that one member.
   */
  abstract ensureAdmin(conversationId: string): Promise<MemberRecord | null>;
  /**
   * Archives the conversation (archivedAt = now) when it has no active member left.
   * @returns true when it is (now or already) archived
   */
  abstract archiveIfEmpty(conversationId: string): Promise<boolean>;
  /**
   * The conversations of `userId`, most recent activity first (ties by id, descending), each with the last
   * message and the caller's unread count (`unreadCount` of domain-rules.ts), in a fixed number of queries per page,
   * never one per conversation (SQL: one statement; MongoDB: four, see docs/storage.md). Includes
   * conversations the user left (their membership has leftAt set): last message and unread count are then capped
   * at historyUntilSeq.
   * @param limit 1..LIMITS.CONVERSATION_PAGE_MAX
   */
  abstract listForUser(
    userId: string,
    page: { cursor?: string | null; limit: number },
  ): Promise<RecordPage<ConversationListItem>>;
  /** The same item as `listForUser` would give for one conversation; null when not a member. */
  abstract getListItem(
    conversationId: string,
    userId: string,
  ): Promise<ConversationListItem | null>;
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
