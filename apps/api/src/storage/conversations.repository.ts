import type { MemberRole, NotificationLevel } from '@chat/shared';
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

/** How a new direct conversation is created. */
export interface DirectOptions {
  /** When the conversation is created, this member (one of the pair) is pending: a message request. */
  pendingUserId?: string;
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
    options?: DirectOptions,
  ): Promise<FindOrCreateDirectResult>;
  abstract findById(id: string): Promise<ConversationRecord | null>;
  /** The direct conversation of the pair, if there is one (never creates it). */
  abstract findDirectBetween(userIdA: string, userIdB: string): Promise<ConversationRecord | null>;
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
   * Ids of every user who shares at least one conversation with `userId` as active, accepted (not pending) members
   * on both sides: the person's contacts (presence audience, "people I have a conversation with"), without
   * `userId`. Blocks are not considered here (the services filter them).
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
    /** Those of memberIds who are invited (pending) rather than added. */
    pendingIds?: readonly string[];
  }): Promise<{ conversation: ConversationRecord; members: MemberRecord[] }>;
  /**
   * Changes a group's title and/or picture and sets updatedAt. @returns the conversation, or null when missing.
   */
  abstract updateGroup(
    conversationId: string,
    changes: { title?: string; avatarUrl?: string | null },
  ): Promise<ConversationRecord | null>;
  /**
   * Makes each user an active member (role member, joinedAt now; leftAt and historyUntilSeq cleared) unless already
   * active, and sets updatedAt when anyone was added. A member arrives caught up: both receipt watermarks start
   * at the conversation's lastSeq (a returning former member keeps theirs where higher), so the history before
   * their arrival is not counted unread and senders' receipts of it do not go back to "not read". An adapter
   * that cannot read lastSeq in the same atomic step as the add may use a lower value read before it.
   * Concurrent adds of the same user: exactly one call returns them.
   * @param options.maxActive when given, the add is refused as a whole if the conversation would then have more
   *   active members than this; decided in the same atomic step as the add, so concurrent adds (any process) can
   *   never pass the limit together
   * @param options.pendingIds those of the users who come in pending (invited); the others come in accepted
   * @returns the memberships this call created or re-activated (users already active are left out)
   * @throws MemberLimitError when `maxActive` would be passed (nobody added)
   */
  abstract addMembers(
    conversationId: string,
    userIds: readonly string[],
    options?: { maxActive?: number; pendingIds?: readonly string[] },
  ): Promise<MemberRecord[]>;
  /**
   * Runs `task` while holding the conversation's change lock, exclusive across every API process that shares the
   * database: group changes (check, membership change, system message, fan-out) of one conversation run one at a
   * time, so its timeline's order is the order of the changes. Independent of the row locks of single statements
   * (a message append never waits for it). Not re-entrant: a task must not take the same lock again.
   * @returns what `task` returns; its rejection is passed on (the lock is released either way)
   * @throws ChangeLockTimeoutError when the lock was not obtained within CHANGE_LOCK_WAIT_MS
   */
  abstract withChangeLock<T>(conversationId: string, task: () => Promise<T>): Promise<T>;
  /**
   * Accepts a pending membership (pending = false), atomically: of concurrent accepts one gets `accepted: true`.
   * @returns the membership and whether this call accepted it; null when the user is not an active member
   */
  abstract acceptMembership(
    conversationId: string,
    userId: string,
  ): Promise<{ member: MemberRecord; accepted: boolean } | null>;
  /**
   * Declines: deletes the membership row when it is active AND pending (conditional, atomic), so the person never
   * was a member (no read access, not listed); sets updatedAt. @returns true when this call deleted it
   */
  abstract deletePendingMember(conversationId: string, userId: string): Promise<boolean>;
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
   * never one per conversation (SQL: one statement; MongoDB: five, see docs/storage.md). Includes
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
   * The unread mention count (as ConversationListItem.unreadMentionCount) of every ACTIVE member of a conversation,
   * in one query; members with none may be left out of the map.
   */
  abstract unreadMentionCounts(conversationId: string): Promise<Map<string, number>>;
  /**
   * Sets the member's notification level (active or former member alike; it only concerns their own devices).
   * @returns the membership after the update, or null when not a member.
   */
  abstract setNotificationLevel(
    conversationId: string,
    userId: string,
    level: NotificationLevel,
  ): Promise<MemberRecord | null>;
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
