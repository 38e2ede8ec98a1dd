import { Injectable } from '@nestjs/common';
import { type ConversationSummary, ErrorCode, LIMITS, type Page } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { isId } from '../common/ids.js';
import { RealtimePublisher } from '../realtime/realtime.publisher.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import type { ConversationListItem, MemberRecord, UserRecord } from '../storage/storage.types.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toConversationSummary } from './conversation.mapper.js';

/**
 * Conversations and the one membership check every REST route and socket event goes through
 * (`requireMember`). Idea from immich's `requireAccess`: check access first, then act.
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly users: UsersRepository,
    private readonly realtime: RealtimePublisher,
  ) {}

  /**
   * The membership of `userId` in `conversationId`.
   * @throws AppError CONVERSATION_NOT_FOUND (404) when the conversation does not exist or the user is not a
   *   member: the same answer for both, so ids of other people's conversations reveal nothing.
   */
  async requireMember(conversationId: string, userId: string): Promise<MemberRecord> {
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

  /** One conversation as the caller sees it. @throws AppError CONVERSATION_NOT_FOUND */
  async get(conversationId: string, callerId: string): Promise<ConversationSummary> {
    await this.requireMember(conversationId, callerId);
    const summary = await this.summaryFor(conversationId, callerId);
    if (!summary) throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
    return summary;
  }

  /** User ids of every member of a conversation (fan-out audience). */
  async memberIds(conversationId: string): Promise<string[]> {
    const members = await this.conversations.listMembers(conversationId);
    return members.map((m) => m.userId);
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
