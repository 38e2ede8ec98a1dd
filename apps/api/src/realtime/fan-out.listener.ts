import { Injectable } from '@nestjs/common';
import { ConversationsService } from '../conversations/conversations.service.js';
import { type DomainEventMap, OnDomainEvent } from '../events/domain-events.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { RealtimePublisher } from './realtime.publisher.js';

/**
 * Turns domain events into socket events for the people they concern: the only place that decides who hears
 * what. Audiences are read at each event (active members now; a stored message carries the members its append read), so someone who left stops hearing a conversation
 * at once. It speaks to the RealtimePublisher port only: running several API processes means giving that port a
 * cross-process implementation (the Socket.IO Redis adapter behind the same `toUsers`), or replacing this one
 * listener; services publish domain events and never change.
 *
 * A listener that throws is logged and does not fail what was published (the message is stored, the change
 * made); clients catch up by resync (docs/protocol.md, "Resync").
 */
@Injectable()
export class RealtimeFanOut {
  constructor(
    private readonly realtime: RealtimePublisher,
    private readonly queries: ConversationsService,
    private readonly conversations: ConversationsRepository,
  ) {}

  /**
   * `message:new` to every active member of the conversation (the sender's other tabs and devices included), as
   * the append that stored it saw them (the event carries them: the send stays one storage statement).
   */
  @OnDomainEvent('message.stored')
  messageStored({ message, memberIds }: DomainEventMap['message.stored']): void {
    this.realtime.toUsers(memberIds, 'message:new', message);
  }

  /**
   * `message:updated` to every device of every ACTIVE member, read now (a former member's view of changes ends at
   * their departure; they catch up on nothing after it).
   */
  @OnDomainEvent('message.changed')
  async messageChanged({ message }: DomainEventMap['message.changed']): Promise<void> {
    const audience = await this.queries.memberIds(message.conversationId);
    this.realtime.toUsers(audience, 'message:updated', message);
  }

  /**
   * `conversation:updated` to every active member and to the former members concerned, each with the conversation
   * as they see it; then `message:new` for each system message to the active members only.
   */
  @OnDomainEvent('conversation.changed')
  async conversationChanged(event: DomainEventMap['conversation.changed']): Promise<void> {
    const { activeMemberIds, summaries } = await this.queries.viewsAfterChange(
      event.conversationId,
      event.formerIds,
    );
    for (const [userId, summary] of summaries) {
      this.realtime.toUsers([userId], 'conversation:updated', summary);
    }
    for (const message of event.systemMessages) {
      this.realtime.toUsers(activeMemberIds, 'message:new', message);
    }
  }

  /** `receipt:update` to every active member, or only to a former member's own devices. */
  @OnDomainEvent('receipt.advanced')
  async receiptAdvanced({
    receipt,
    formerMember,
  }: DomainEventMap['receipt.advanced']): Promise<void> {
    const audience = formerMember
      ? [receipt.userId]
      : await this.queries.memberIds(receipt.conversationId);
    this.realtime.toUsers(audience, 'receipt:update', receipt);
  }

  /** `user:updated` to the person's own devices and to everyone who shares a conversation with them. */
  @OnDomainEvent('user.updated')
  async userUpdated({ user }: DomainEventMap['user.updated']): Promise<void> {
    const contacts = await this.conversations.listContactIds(user.id);
    this.realtime.toUsers([user.id, ...contacts], 'user:updated', user);
  }

  /** Cuts the session's sockets: `session:expired` with the reason, then a server-side disconnect. */
  @OnDomainEvent('session.revoked')
  sessionRevoked({ sessionId, reason }: DomainEventMap['session.revoked']): void {
    this.realtime.endSession(sessionId, reason);
  }
}
