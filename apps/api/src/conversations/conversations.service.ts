import { Injectable } from '@nestjs/common';
import { type ConversationSummary, ErrorCode, LIMITS, type Page } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { isId } from '../common/ids.js';
import { ContactsEvents } from '../realtime/contacts-events.js';
import { RealtimePublisher } from '../realtime/realtime.publisher.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { MessagesRepository } from '../storage/messages.repository.js';
import type {
  ConversationListItem,
  ConversationRecord,
  MemberRecord,
  UserRecord,
} from '../storage/storage.types.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toConversationSummary } from './conversation.mapper.js';

/**
 * Conversations and the access checks every REST route and socket event goes through, in one place:
 * `requireMember` (active member: acting), `requireReader` (active or former: reading history up to the
 * departure), `requireAdmin` (active admin of a group: managing). Idea from immich's `requireAccess`: check
 * access first, then act.
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly users: UsersRepository,
    private readonly realtime: RealtimePublisher,
    private readonly messages: MessagesRepository,
    private readonly contacts: ContactsEvents,
  ) {}

  /**
   * The ACTIVE membership of `userId` in `conversationId`: the check for everything that acts (send, typing,
   * receipts, member lists, leaving).
   * @throws AppError CONVERSATION_NOT_FOUND (404) when the conversation does not exist or the user never was a
   *   member: the same answer for both, so ids of other people's conversations reveal nothing;
   *   MEMBERSHIP_ENDED (403) when they left or were removed (the conversation is read-only for them)
   */
  async requireMember(conversationId: string, userId: string): Promise<MemberRecord> {
    const member = await this.findMembership(conversationId, userId);
    if (member.leftAt !== null) {
      throw new AppError(
        ErrorCode.MEMBERSHIP_ENDED,
        'You are no longer a member of this conversation.',
      );
    }
    return member;
  }

  /**
   * Read access: an active member reads everything; a former member reads the history up to their departure
   * (docs/protocol.md, "Groups").
   * @returns the membership and `untilSeq`: undefined for an active member, else the last seq they may read
   * @throws AppError CONVERSATION_NOT_FOUND (404) when the user never was a member
   */
  async requireReader(
    conversationId: string,
    userId: string,
  ): Promise<{ member: MemberRecord; untilSeq: number | undefined }> {
    const member = await this.findMembership(conversationId, userId);
    if (member.leftAt === null) return { member, untilSeq: undefined };
    return { member, untilSeq: member.historyUntilSeq ?? 0 };
  }

  /**
   * An active admin of a group: the check for renaming and managing members.
   * @returns the conversation and the caller's membership
   * @throws AppError CONVERSATION_NOT_FOUND / MEMBERSHIP_ENDED as requireMember; NOT_A_GROUP (400) for a direct
   *   conversation; ADMIN_REQUIRED (403) for a member who is not an admin
   */
  async requireAdmin(
    conversationId: string,
    userId: string,
  ): Promise<{ conversation: ConversationRecord; member: MemberRecord }> {
    const { conversation, member } = await this.requireGroupMember(conversationId, userId);
    if (member.role !== 'admin') {
      throw new AppError(ErrorCode.ADMIN_REQUIRED, 'Only group admins can do that.');
    }
    return { conversation, member };
  }

  /**
   * An active member of a group (leaving is for any member, but only of groups).
   * @throws AppError as requireMember; NOT_A_GROUP (400) for a direct conversation
   */
  async requireGroupMember(
    conversationId: string,
    userId: string,
  ): Promise<{ conversation: ConversationRecord; member: MemberRecord }> {
    const member = await this.requireMember(conversationId, userId);
    const conversation = await this.conversations.findById(conversationId);
    if (!conversation)
      throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
    if (conversation.type !== 'group') {
      throw new AppError(ErrorCode.NOT_A_GROUP, 'Only group conversations allow that.');
    }
    return { conversation, member };
  }

  /** Active or former membership. @throws AppError CONVERSATION_NOT_FOUND when never a member */
  private async findMembership(conversationId: string, userId: string): Promise<MemberRecord> {
    const member = isId(conversationId)
      ? await this.conversations.findMember(conversationId, userId)
      : null;
    if (!member) throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
    return member;
  }

  /**
   * Opens (finds or creates) the direct conversation between the caller and another person. Idempotent, also
   * under concurrency (the repository guarantees one conversation per pair). A new conversation is announced to
   * both members with `conversation:updated`.
   * @returns the summary as the caller sees it, and whether it was created (201) or already existed (200)
   * @throws AppError CANNOT_MESSAGE_SELF (400), USER_NOT_FOUND (404)
   */
  async openDirect(
    callerId: string,
    otherUserId: string,
  ): Promise<{ conversation: ConversationSummary; created: boolean }> {
    if (callerId === otherUserId) {
      throw new AppError(ErrorCode.CANNOT_MESSAGE_SELF, 'Pick someone else to talk to.');
    }
    const other = await this.users.findById(otherUserId);
    if (!other) throw new AppError(ErrorCode.USER_NOT_FOUND, 'User not found.');
    const result = await this.conversations.findOrCreateDirect(callerId, otherUserId, callerId);
    const conversationId = result.conversation.id;
    if (result.created) {
      for (const member of result.members) {
        const summary = await this.summaryFor(conversationId, member.userId);
        if (summary) this.realtime.toUsers([member.userId], 'conversation:updated', summary);
      }
      this.contacts.changed(result.members.map((m) => m.userId));
    }
    const conversation = await this.summaryFor(conversationId, callerId);
    if (!conversation)
      throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
    return { conversation, created: result.created };
  }

  /**
   * The caller's conversations, latest activity first. Three queries per page whatever its size: the page
   * (with last messages and unread counts), the members of all its conversations, and their user records.
   * @param limit 1..LIMITS.CONVERSATION_PAGE_MAX, default LIMITS.CONVERSATION_PAGE_DEFAULT
   */
  async list(
    callerId: string,
    page: { cursor?: string; limit?: number },
  ): Promise<Page<ConversationSummary>> {
    const result = await this.conversations.listForUser(callerId, {
      cursor: page.cursor ?? null,
      limit: page.limit ?? LIMITS.CONVERSATION_PAGE_DEFAULT,
    });
    return { items: await this.summarize(result.items), nextCursor: result.nextCursor };
  }

  /**
   * One conversation as the caller sees it (a former member gets it with status 'left' and no member list).
   * @throws AppError CONVERSATION_NOT_FOUND when the caller never was a member
   */
  async get(conversationId: string, callerId: string): Promise<ConversationSummary> {
    await this.requireReader(conversationId, callerId);
    const summary = await this.summaryFor(conversationId, callerId);
    if (!summary) throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
    return summary;
  }

  /**
   * User ids of every ACTIVE member of a conversation (fan-out audience): read at each fan-out, so someone who
   * left or was removed stops receiving the conversation's events at once, whatever rooms their sockets are in.
   */
  async memberIds(conversationId: string): Promise<string[]> {
    const members = await this.conversations.listMembers(conversationId);
    return members.map((m) => m.userId);
  }

  /**
   * Sends `conversation:updated` after a change to every ACTIVE member and to `formerIds` (former members whose
   * view changed, e.g. the person just removed), each with the conversation as they see it. Active members are
   * summarised from one read of the conversation, its active members, their users and its newest message (four
   * queries whatever their number); each former member costs one list-item query (usually there is one).
   * @returns the active member ids (the audience for the change's `message:new`) and the summaries sent, keyed
   *   by user id (so a caller can answer with its own)
   */
  async publishUpdated(
    conversationId: string,
    formerIds: readonly string[] = [],
  ): Promise<{ activeMemberIds: string[]; summaries: Map<string, ConversationSummary> }> {
    const summaries = new Map<string, ConversationSummary>();
    const [conversation, members, newest] = await Promise.all([
      this.conversations.findById(conversationId),
      this.conversations.listMembers(conversationId),
      this.messages.listPage(conversationId, { limit: 1 }),
    ]);
    const activeMemberIds = members.map((m) => m.userId);
    if (!conversation) return { activeMemberIds, summaries };
    const users = await this.users.findManyByIds(activeMemberIds);
    const usersById = new Map<string, UserRecord>(users.map((u) => [u.id, u]));
    const lastMessage = newest.items[newest.items.length - 1] ?? null;
    for (const membership of members) {
      const item: ConversationListItem = {
        conversation,
        membership,
        lastMessage,
        // ConversationListItem.unreadCount's definition for an active member.
        unreadCount: Math.max(conversation.lastSeq - membership.readSeq, 0),
      };
      summaries.set(membership.userId, toConversationSummary(item, members, usersById));
    }
    for (const userId of new Set(formerIds)) {
      if (summaries.has(userId)) continue; // re-added concurrently: active again
      const summary = await this.summaryFor(conversationId, userId);
      if (summary) summaries.set(userId, summary);
    }
    for (const [userId, summary] of summaries) {
      this.realtime.toUsers([userId], 'conversation:updated', summary);
    }
    return { activeMemberIds, summaries };
  }

  private async summaryFor(
    conversationId: string,
    userId: string,
  ): Promise<ConversationSummary | null> {
    const item = await this.conversations.getListItem(conversationId, userId);
    if (!item) return null;
    const [summary] = await this.summarize([item]);
    return summary ?? null;
  }

  private async summarize(items: readonly ConversationListItem[]): Promise<ConversationSummary[]> {
    if (items.length === 0) return [];
    const membersByConversation = await this.conversations.listMembersOf(
      items.map((i) => i.conversation.id),
    );
    const userIds = new Set<string>();
    for (const members of membersByConversation.values())
      for (const m of members) userIds.add(m.userId);
    const users = await this.users.findManyByIds([...userIds]);
    const usersById = new Map<string, UserRecord>(users.map((u) => [u.id, u]));
    return items.map((item) =>
      toConversationSummary(item, membersByConversation.get(item.conversation.id) ?? [], usersById),
    );
  }
}
