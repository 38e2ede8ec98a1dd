import { Injectable } from '@nestjs/common';
import {
  type ConversationSummary,
  ErrorCode,
  LIMITS,
  type NotificationLevel,
  type Page,
} from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { DomainEvents } from '../events/domain-events.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { MessagesRepository } from '../storage/messages.repository.js';
import { unreadCount } from '../storage/domain-rules.js';
import type { ConversationListItem, UserRecord } from '../storage/storage.types.js';
import { UsersRepository } from '../storage/users.repository.js';
import { ConversationAccess } from './conversation-access.js';
import { toConversationSummary } from './conversation.mapper.js';
import { blockedWith, LiveAudience } from './live-audience.js';

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
    private readonly audience: LiveAudience,
  ) {}

  /**
   * Opens (finds or creates) the direct conversation between the caller and another person. Idempotent, also
   * under concurrency (the repository guarantees one conversation per pair). Consent (docs/privacy.md): when the
   * two share no accepted conversation, a new conversation is a MESSAGE REQUEST for the other person (their
   * membership pending). Someone who declined earlier is asked again (their membership comes back pending); a
   * caller who declined earlier comes back as an accepted member. A new or changed conversation is announced to
   * its members with `conversation:updated`.
   * @returns the summary as the caller sees it, and whether it was created (201) or already existed (200)
   * @throws AppError CANNOT_MESSAGE_SELF (400), USER_NOT_FOUND (404: unknown, deactivated or deleted account),
   *   CONTACT_UNAVAILABLE (403) when either of the two blocked the other
   */
  async openDirect(
    callerId: string,
    otherUserId: string,
  ): Promise<{ conversation: ConversationSummary; created: boolean }> {
    if (callerId === otherUserId) {
      throw new AppError(ErrorCode.CANNOT_MESSAGE_SELF, 'Pick someone else to talk to.');
    }
    const other = await this.users.findById(otherUserId);
    // A deactivated or deleted account takes no new conversations (existing ones stay readable).
    if (!other || other.deactivatedAt || other.deletedAt) {
      throw new AppError(ErrorCode.USER_NOT_FOUND, 'User not found.');
    }
    await this.access.requireReachable(callerId, [other.id]);
    const contacts = await this.conversations.listContactIds(callerId);
    const isContact = contacts.includes(other.id);
    const result = await this.conversations.findOrCreateDirect(
      callerId,
      other.id,
      callerId,
      isContact ? {} : { pendingUserId: other.id },
    );
    const conversationId = result.conversation.id;
    let changed = result.created;
    if (!result.created) {
      const present = new Set(result.members.map((m) => m.userId));
      if (!present.has(callerId)) {
        changed = (await this.conversations.addMembers(conversationId, [callerId])).length > 0;
      }
      if (!present.has(other.id)) {
        const asked = await this.conversations.addMembers(
          conversationId,
          [other.id],
          isContact ? {} : { pendingIds: [other.id] },
        );
        changed = changed || asked.length > 0;
      }
    }
    if (changed) {
      await this.events.publish('conversation.changed', {
        conversationId,
        formerIds: [],
        systemMessages: [],
      });
      await this.events.publish('contacts.changed', { userIds: [callerId, other.id] });
    }
    const conversation = await this.summaryFor(conversationId, callerId);
    if (!conversation)
      throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
    return { conversation, created: result.created };
  }

  /**
   * Accepts the caller's message request or group invitation: they become contacts of the members (presence,
   * receipts and typing flow both ways from now on). Announced with `conversation:updated` to every member.
   * @returns the conversation as the caller sees it now
   * @throws AppError CONVERSATION_NOT_FOUND (404), MEMBERSHIP_ENDED (403), NO_PENDING_REQUEST (409)
   */
  async accept(conversationId: string, callerId: string): Promise<ConversationSummary> {
    await this.access.requirePending(conversationId, callerId);
    await this.acceptPending(conversationId, callerId);
    return this.get(conversationId, callerId);
  }

  /**
   * Accepts a pending membership the caller holds (no check: ConversationAccess has run), and announces it.
   * Used by `accept` and by a reply, which accepts. Concurrent accepts announce once.
   */
  async acceptPending(conversationId: string, userId: string): Promise<void> {
    const result = await this.conversations.acceptMembership(conversationId, userId);
    if (!result?.accepted) return;
    const members = await this.memberIds(conversationId);
    await this.events.publish('conversation.changed', {
      conversationId,
      formerIds: [],
      systemMessages: [],
    });
    await this.events.publish('contacts.changed', { userIds: members });
  }

  /**
   * Declines the caller's message request or group invitation: their membership is deleted (they never were a
   * member: no history, not listed), the others see them gone from the members. The sender of a request is not
   * told anything else (docs/privacy.md); a later message of theirs asks again.
   * @throws AppError as `accept`
   */
  async decline(conversationId: string, callerId: string): Promise<void> {
    await this.access.requirePending(conversationId, callerId);
    await this.declinePending(conversationId, callerId);
  }

  /** Deletes a pending membership (no check: the caller checked) and announces it. @returns true when deleted */
  async declinePending(conversationId: string, userId: string): Promise<boolean> {
    const declined = await this.conversations.deletePendingMember(conversationId, userId);
    if (declined) {
      await this.events.publish('conversation.changed', {
        conversationId,
        formerIds: [],
        systemMessages: [],
        removedIds: [userId],
      });
    }
    return declined;
  }

  /**
   * Before a message into a direct conversation whose other person declined it earlier (no membership): asks
   * them again, their membership back pending (as a new request) or accepted when they are contacts.
   */
  async askPeerAgain(conversationId: string, senderId: string, peerId: string): Promise<void> {
    const contacts = await this.conversations.listContactIds(senderId);
    const asked = await this.conversations.addMembers(
      conversationId,
      [peerId],
      contacts.includes(peerId) ? {} : { pendingIds: [peerId] },
    );
    if (asked.length === 0) return;
    await this.events.publish('conversation.changed', {
      conversationId,
      formerIds: [],
      systemMessages: [],
    });
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
   * summarised from one read of the conversation, its memberships (former ones too), their users, its newest
   * message and the unread mention counts (five queries whatever their number, plus one for blocks among them);
   * each former member costs one list-item query (usually there is one).
   * @param viewers when given, only these people's views are built (a change to how a few see it: a block), not
   *   every member's (in a large group that is most of the work)
   * @returns the active member ids (the audience of the change's system messages) and the views by user id
   */
  async viewsAfterChange(
    conversationId: string,
    formerIds: readonly string[] = [],
    viewers?: readonly string[],
  ): Promise<{ activeMemberIds: string[]; summaries: Map<string, ConversationSummary> }> {
    const summaries = new Map<string, ConversationSummary>();
    const [conversation, memberships, newest, mentionCounts] = await Promise.all([
      this.conversations.findById(conversationId),
      this.conversations.listMembershipsOf([conversationId]),
      this.messages.listPage(conversationId, { limit: 1 }),
      this.conversations.unreadMentionCounts(conversationId),
    ]);
    const everyone = memberships.get(conversationId) ?? [];
    const members = everyone.filter((m) => m.leftAt === null);
    const activeMemberIds = members.map((m) => m.userId);
    if (!conversation) return { activeMemberIds, summaries };
    const [users, blocks] = await Promise.all([
      this.users.findManyByIds(everyone.map((m) => m.userId)),
      this.audience.blocksAmong(activeMemberIds),
    ]);
    const usersById = new Map<string, UserRecord>(users.map((u) => [u.id, u]));
    const lastMessage = newest.items[newest.items.length - 1] ?? null;
    for (const membership of members) {
      if (viewers && !viewers.includes(membership.userId)) continue;
      const item: ConversationListItem = {
        conversation,
        membership,
        lastMessage,
        unreadCount: unreadCount(conversation.lastSeq, membership),
        unreadMentionCount: mentionCounts.get(membership.userId) ?? 0,
      };
      summaries.set(
        membership.userId,
        toConversationSummary(item, everyone, usersById, blockedWith(membership.userId, blocks)),
      );
    }
    for (const userId of new Set(formerIds)) {
      if (summaries.has(userId)) continue; // re-added concurrently: active again
      const summary = await this.summaryFor(conversationId, userId);
      if (summary) summaries.set(userId, summary);
    }
    return { activeMemberIds, summaries };
  }

  /**
   * Sets the caller's notification level for a conversation (active or former member: it concerns only their own
   * devices), then publishes `member.preferences.changed`, whose fan-out sends the new view to every device of
   * the caller.
   * @returns the conversation as the caller sees it now
   * @throws AppError CONVERSATION_NOT_FOUND (404) when the caller never was a member
   */
  async setNotificationLevel(
    conversationId: string,
    callerId: string,
    level: NotificationLevel,
  ): Promise<ConversationSummary> {
    await this.access.requireRead(conversationId, callerId);
    const member = await this.conversations.setNotificationLevel(conversationId, callerId, level);
    const summary = member ? await this.summaryFor(conversationId, callerId) : null;
    if (!summary) throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
    await this.events.publish('member.preferences.changed', {
      userId: callerId,
      conversation: summary,
    });
    return summary;
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

  /** Summaries of one viewer's items (every item is of the same viewer). */
  private async summarize(items: readonly ConversationListItem[]): Promise<ConversationSummary[]> {
    if (items.length === 0) return [];
    // Former members too: their names stay known to those who can read their messages.
    const membersByConversation = await this.conversations.listMembershipsOf(
      items.map((i) => i.conversation.id),
    );
    const userIds = new Set<string>();
    for (const members of membersByConversation.values())
      for (const m of members) userIds.add(m.userId);
    const viewerId = items[0]?.membership.userId ?? '';
    const [users, blocked] = await Promise.all([
      this.users.findManyByIds([...userIds]),
      this.audience.blockedAmong(
        viewerId,
        [...userIds].filter((id) => id !== viewerId),
      ),
    ]);
    const usersById = new Map<string, UserRecord>(users.map((u) => [u.id, u]));
    return items.map((item) =>
      toConversationSummary(
        item,
        membersByConversation.get(item.conversation.id) ?? [],
        usersById,
        blocked,
      ),
    );
  }
}
