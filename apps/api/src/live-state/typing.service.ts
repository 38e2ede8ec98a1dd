import { Injectable } from '@nestjs/common';
import { LIMITS, type TypingEvent } from '@chat/shared';
import { ConversationAccess } from '../conversations/conversation-access.js';
import { type DomainEventMap, DomainEvents, OnDomainEvent } from '../events/domain-events.js';

/**
 * Shortest gap between two forwarded `typing: true` of one person in one conversation, in milliseconds. Clients
 * renew at most every LIMITS.TYPING_THROTTLE_MS; half of that tolerates timer jitter and drops floods.
 */
export const TYPING_MIN_INTERVAL_MS = LIMITS.TYPING_THROTTLE_MS / 2;

/** Above this many remembered typing states, stale ones (older than the TTL) are swept on the next update. */
const SWEEP_ABOVE = 1_000;

interface TypingState {
  userId: string;
  conversationId: string;
  /** When the last `typing: true` was forwarded (ms since the epoch). */
  at: number;
}

/**
 * Typing indicators: ephemeral (never stored), throttled per (person, conversation) on the server too, and
 * self-expiring on the receiving side after LIMITS.TYPING_TTL_MS (`expiresInMs`). Only a member who accepted the
 * conversation may type in it (a pending request shares nothing). Each change is published as `typing.changed`;
 * the fan-out listener tells the OTHER active members, except anyone with a block either way.
 *
 * State is per process, like presence: with several instances a person's "stop" may reach another instance than
 * their "start"; receivers still expire the indicator on their own, which is why every event carries a TTL.
 */
@Injectable()
export class TypingService {
  /** Who is typing where, keyed `userId:conversationId`; only `typing: true` states are kept. */
  private readonly typing = new Map<string, TypingState>();

  constructor(
    private readonly access: ConversationAccess,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Applies a client's `typing:update`. A renewal sooner than TYPING_MIN_INTERVAL_MS after the last forwarded one,
   * and a stop for someone not typing, are dropped without touching storage (floods cost nothing).
   * @throws AppError CONVERSATION_NOT_FOUND (404) for non-members, MEMBERSHIP_ENDED (403) for former members,
   *   REQUEST_PENDING (403) for a member who has not accepted the conversation
   */
  async update(userId: string, input: { conversationId: string; typing: boolean }): Promise<void> {
    const key = `${userId}:${input.conversationId}`;
    const now = Date.now();
    const previous = this.typing.get(key);
    if (!input.typing) {
      if (!previous) return;
      this.typing.delete(key);
      await this.fanOut(previous, false);
      return;
    }
    if (previous && now - previous.at < TYPING_MIN_INTERVAL_MS) return;
    if (this.typing.size > SWEEP_ABOVE) this.sweep(now);
    // Taken before the membership check, so a burst arriving together is throttled too; undone if refused.
    const state: TypingState = { userId, conversationId: input.conversationId, at: now };
    this.typing.set(key, state);
    try {
      await this.access.requireAccepted(input.conversationId, userId);
    } catch (error) {
      if (this.typing.get(key) === state) {
        if (previous) this.typing.set(key, previous);
        else this.typing.delete(key);
      }
      throw error;
    }
    await this.fanOut(state, true);
  }

  /**
   * A stored message from this person stops their typing there (tells the others at once, not after the TTL).
   * Listener of `message.stored`; hands on the members the event carries (those the append saw).
   */
  @OnDomainEvent('message.stored')
  async stopOnSend({ message, memberIds }: DomainEventMap['message.stored']): Promise<void> {
    const key = `${message.senderId}:${message.conversationId}`;
    const state = this.typing.get(key);
    if (!state) return;
    this.typing.delete(key);
    await this.emit(state, false, memberIds);
  }

  /** The person's last socket closed: stop all their typing indicators. Never throws (errors are logged by caller). */
  async stopAll(userId: string): Promise<void> {
    const states = [...this.typing.values()].filter((s) => s.userId === userId);
    for (const state of states) {
      this.typing.delete(`${state.userId}:${state.conversationId}`);
      await this.fanOut(state, false);
    }
  }

  private fanOut(state: TypingState, typing: boolean): Promise<void> {
    return this.emit(state, typing);
  }

  private emit(state: TypingState, typing: boolean, memberIds?: readonly string[]): Promise<void> {
    const event: TypingEvent = {
      conversationId: state.conversationId,
      userId: state.userId,
      typing,
      expiresInMs: LIMITS.TYPING_TTL_MS,
    };
    return this.events.publish('typing.changed', memberIds ? { event, memberIds } : { event });
  }

  private sweep(now: number): void {
    for (const [key, state] of this.typing) {
      if (now - state.at > LIMITS.TYPING_TTL_MS) this.typing.delete(key);
    }
  }
}
