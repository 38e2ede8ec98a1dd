import { Injectable } from '@nestjs/common';
import { type ConversationSummary, ErrorCode, LIMITS, type Page } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { DomainEvents } from '../events/domain-events.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { MessagesRepository } from '../storage/messages.repository.js';
import { unreadCount } from '../storage/domain-rules.js';
import type { ConversationListItem, UserRecord } from '../storage/storage.types.js';
import { UsersRepository } from '../storage/users.repository.js';
import { ConversationAccess } from './conversation-access.js';
import { toConversationSummary } from './conversation.mapper.js';

/**
 * Conversation queries: open a direct conversation, the caller's list, one conversation as the caller sees it,
 * the fan-out audience and the per-member views after a change. Access checks live in ConversationAccess;
 * announcing changes is the fan-out listener's job (it listens to `conversation.changed`).
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly users: UsersRepository,
    private readonly messages: MessagesRepository,
    private readonly access: ConversationAccess,
    private readonly events: DomainEvents,
  ) {}

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
      await this.events.publish('conversation.changed', {
        conversationId,
        formerIds: [],
        systemMessages: [],
      });
      await this.events.publish('contacts.changed', {
        userIds: result.members.map((m) => m.userId),
      });
    }
    const conversation = await this.summaryFor(conversationId, callerId);
    if (!conversation)
      throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
    return { conversation, created: result.created };
  }

  /**
   * The caller's conversations, latest activity first, in a fixed number of queries whatever the page size: the
   * page with last messages and unread counts (ConversationsRepository.listForUser: one SQL statement, four MongoDB
   * queries), then the members of all its conversations and their user records (one query each).
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
   * One conversation as the caller sees it (a former member gets it with status 'left', no member list, and the
   * people of their history as `formerMembers`).
   * @throws AppError CONVERSATION_NOT_FOUND when the caller never was a member
   */
  async get(conversationId: string, callerId: string): Promise<ConversationSummary> {
    await this.access.requireRead(conversationId, callerId);
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
   * Every view of a conversation after a change: the conversation as each ACTIVE member sees it, and as each of
   * `formerIds` (former members whose view changed, e.g. the person just removed) sees it. Active members are
   * summarised from one read of the conversation, its memberships (former ones too), their users and its newest message (four
   * queries whatever their number); each former member costs one list-item query (usually there is one).
   * @returns the active member ids (the audience of the change's system messages) and the views by user id
   */
  async viewsAfterChange(
    conversationId: string,
    formerIds: readonly string[] = [],
  ): Promise<{ activeMemberIds: string[]; summaries: Map<string, ConversationSummary> }> {
    const summaries = new Map<string, ConversationSummary>();
    const [conversation, memberships, newest] = await Promise.all([
      this.conversations.findById(conversationId),
      this.conversations.listMembershipsOf([conversationId]),
      this.messages.listPage(conversationId, { limit: 1 }),
    ]);
    const everyone = memberships.get(conversationId) ?? [];
    const members = everyone.filter((m) => m.leftAt === null);
    const activeMemberIds = members.map((m) => m.userId);
    if (!conversation) return { activeMemberIds, summaries };
    const users = await this.users.findManyByIds(everyone.map((m) => m.userId));
    const usersById = new Map<string, UserRecord>(users.map((u) => [u.id, u]));
    const lastMessage = newest.items[newest.items.length - 1] ?? null;
    for (const membership of members) {
      const item: ConversationListItem = {
        conversation,
        membership,
        lastMessage,
        unreadCount: unreadCount(conversation.lastSeq, membership),
      };
      summaries.set(membership.userId, toConversationSummary(item, everyone, usersById));
    }
    for (const userId of new Set(formerIds)) {
      if (summaries.has(userId)) continue; // re-added concurrently: active again
      const summary = await this.summaryFor(conversationId, userId);
      if (summary) summaries.set(userId, summary);
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
    // Former members too: their names stay known to those who can read their messages.
    const membersByConversation = await this.conversations.listMembershipsOf(
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
