import { Injectable } from '@nestjs/common';
import { ConversationsService } from '../conversations/conversations.service.js';
import { LiveAudience, lastSeenVisible } from '../conversations/live-audience.js';
import { type DomainEventMap, OnDomainEvent } from '../events/domain-events.js';
import { UsersRepository } from '../storage/users.repository.js';
import { RealtimePublisher } from './realtime.publisher.js';

/**
 * Turns domain events into socket events for the people they concern: the only place that decides who hears
 * what. Audiences are read at each event (active members now; a stored message carries the members its append read), so someone who left stops hearing a conversation
 * at once. It speaks to the RealtimePublisher port only: running several API processes means giving that port a
 * cross-process implementation (the Socket.IO Redis adapter behind the same `toUsers`), or replacing this one
 * listener; services publish domain events and never change.
 *
 * Consent and blocks (docs/privacy.md) are applied here through LiveAudience: presence, typing, receipts and
 * profile changes go only where the rules allow; messages go to every active member (a block does not split a
 * group's conversation).
 *
 * A listener that throws is logged and does not fail what was published (the message is stored, the change
 * made); clients catch up by resync (docs/protocol.md, "Resync").
 */
@Injectable()
export class RealtimeFanOut {
  constructor(
    private readonly realtime: RealtimePublisher,
    private readonly queries: ConversationsService,
    private readonly audience: LiveAudience,
    private readonly users: UsersRepository,
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
   * `conversation:updated` to every active member and to the former members concerned (only to `viewersOnly` when
   * the event names them), each with the conversation as they see it; then `message:new` for each system message
   * to the active members only.
   */
  @OnDomainEvent('conversation.changed')
  async conversationChanged(event: DomainEventMap['conversation.changed']): Promise<void> {
    const { activeMemberIds, summaries } = await this.queries.viewsAfterChange(
      event.conversationId,
      event.formerIds,
      event.viewersOnly,
    );
    for (const [userId, summary] of summaries) {
      this.realtime.toUsers([userId], 'conversation:updated', summary);
    }
    for (const userId of event.removedIds ?? []) {
      if (summaries.has(userId)) continue; // back in already (asked again concurrently)
      this.realtime.toUsers([userId], 'conversation:removed', {
        conversationId: event.conversationId,
      });
    }
    for (const message of event.systemMessages) {
      this.realtime.toUsers(activeMemberIds, 'message:new', message);
    }
  }

  /**
   * `receipt:update` to every active member except those with a block either way with the reader; only to the
   * reader's own devices for a former member or one who has not accepted the conversation.
   */
  @OnDomainEvent('receipt.advanced')
  async receiptAdvanced({
    receipt,
    formerMember,
    pendingMember,
  }: DomainEventMap['receipt.advanced']): Promise<void> {
    if (formerMember || pendingMember) {
      this.realtime.toUsers([receipt.userId], 'receipt:update', receipt);
      return;
    }
    const members = await this.queries.memberIds(receipt.conversationId);
    const audience = await this.audience.withoutBlocked(receipt.userId, members);
    this.realtime.toUsers(audience, 'receipt:update', receipt);
  }

  /**
   * `typing:update` to the OTHER active members (the sender's own tabs do not need it), except those with a block
   * either way with the typist.
   */
  @OnDomainEvent('typing.changed')
  async typingChanged({ event, memberIds }: DomainEventMap['typing.changed']): Promise<void> {
    const members = memberIds ?? (await this.queries.memberIds(event.conversationId));
    const others = members.filter((id) => id !== event.userId);
    const audience = await this.audience.withoutBlocked(event.userId, others);
    this.realtime.toUsers(audience, 'typing:update', event);
  }

  /**
   * `presence:update` to the person's contacts (LiveAudience.contactsOf: an accepted conversation in common, no
   * block either way). The last-seen time goes only to contacts who may see it (neither side chose "nobody");
   * the others get the same update with `lastSeenAt` null.
   */
  @OnDomainEvent('presence.changed')
  async presenceChanged({ state }: DomainEventMap['presence.changed']): Promise<void> {
    const contacts = await this.audience.contactRecordsOf(state.userId);
    if (contacts.length === 0) return;
    if (state.lastSeenAt === null) {
      this.realtime.toUsers(
        contacts.map((c) => c.id),
        'presence:update',
        state,
      );
      return;
    }
    const subject = await this.users.findById(state.userId);
    const shown: string[] = [];
    const hidden: string[] = [];
    for (const contact of contacts) {
      (subject && lastSeenVisible(subject, contact) ? shown : hidden).push(contact.id);
    }
    this.realtime.toUsers(shown, 'presence:update', state);
    this.realtime.toUsers(hidden, 'presence:update', { ...state, lastSeenAt: null });
  }

  /** `conversation:updated` (with the new notification level) to every device of that member only. */
  @OnDomainEvent('member.preferences.changed')
  memberPreferencesChanged({
    userId,
    conversation,
  }: DomainEventMap['member.preferences.changed']): void {
    this.realtime.toUsers([userId], 'conversation:updated', conversation);
  }

  /** `user:updated` to the person's own devices and to their contacts (no block either way). */
  @OnDomainEvent('user.updated')
  async userUpdated({ user }: DomainEventMap['user.updated']): Promise<void> {
    const contacts = await this.audience.contactsOf(user.id);
    this.realtime.toUsers([user.id, ...contacts], 'user:updated', user);
  }

  /** Cuts the session's sockets: `session:expired` with the reason, then a server-side disconnect. */
  @OnDomainEvent('session.revoked')
  sessionRevoked({ sessionId, reason }: DomainEventMap['session.revoked']): void {
    this.realtime.endSession(sessionId, reason);
  }
}
