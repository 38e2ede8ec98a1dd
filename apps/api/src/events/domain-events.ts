import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type {
  ConversationSummary,
  ErrorPayload,
  Message,
  PresenceState,
  PublicUser,
  ReceiptEvent,
  TypingEvent,
} from '@chat/shared';

/**
 * The domain events of the API process, their names and payloads in one place. Services publish what happened
 * (after it is durably stored); listeners do the side effects: fan-out to sockets (realtime/fan-out.listener.ts),
 * typing stop, presence snapshots, the session-liveness cache. A service never imports another feature to make
 * a side effect happen.
 */
export interface DomainEventMap {
  /**
   * A user message was stored for the first time (a retried send that returned the stored message publishes
   * nothing). Not published for system messages: those travel with `conversation.changed`.
   * `memberIds`: the conversation's active members as the append saw them (the sender included), the audience of
   * the fan-out; read in the same statement as the write, so listeners need not read them again.
   */
  'message.stored': { message: Message; memberIds: readonly string[] };
  /**
   * A message changed (edited, deleted, a reaction added or removed): `message` is its whole view after the change,
   * with the change value that stamped it. Published only when something changed (a retry that changes nothing
   * publishes nothing).
   */
  'message.changed': { message: Message };
  /**
   * A conversation changed for its members (created, renamed, members added/removed/left, roles, picture).
   * `formerIds`: former members whose view changed too (the person just removed or leaving).
   * `systemMessages`: the timeline entries recording the change, in seq order (may be empty).
   */
  'conversation.changed': {
    conversationId: string;
    formerIds: readonly string[];
    systemMessages: readonly Message[];
    /** People who are no longer members at all (a declined request or invitation): told `conversation:removed`. */
    removedIds?: readonly string[];
    /**
     * When set, only these people's views changed (a block between two members changes how each sees the other):
     * only they are sent `conversation:updated`.
     */
    viewersOnly?: readonly string[];
  };
  /** These people may have new contacts (a direct conversation was created, a group created or grown). */
  'contacts.changed': { userIds: readonly string[] };
  /**
   * A member's receipt watermarks rose. `formerMember`: they left the conversation; `pendingMember`: they have not
   * accepted it. In both cases only their own devices hear of it.
   */
  'receipt.advanced': { receipt: ReceiptEvent; formerMember: boolean; pendingMember?: boolean };
  /**
   * Someone's typing state changed in a conversation. `memberIds`: the active members when the caller already
   * has them (a stored message carries them); otherwise the listener reads them.
   */
  'typing.changed': { event: TypingEvent; memberIds?: readonly string[] };
  /** A person's presence changed (online, or offline with the last-seen time just stored). */
  'presence.changed': { state: PresenceState };
  /**
   * A member changed their own settings of a conversation (the notification level): only they hear of it, on
   * every device. `conversation`: the conversation as they see it now.
   */
  'member.preferences.changed': { userId: string; conversation: ConversationSummary };
  /** A person's public profile changed (display name or picture). */
  'user.updated': { user: PublicUser };
  /** A session ended before its expiry (signed out, or revoked for refresh-token reuse). */
  'session.revoked': { sessionId: string; reason: ErrorPayload };
}

/** Name of a domain event. */
export type DomainEventName = keyof DomainEventMap;

/**
 * Publishes domain events through @nestjs/event-emitter (EventEmitter2). `publish` resolves once every listener
 * has finished, so a caller that answers after publishing (the message ack, a REST response) answers after the
 * side effects were attempted; it never rejects: a failing listener is logged (by OnDomainEvent's wrapper) and
 * clients catch up by resync.
 */
@Injectable()
export class DomainEvents {
  private readonly logger = new Logger(DomainEvents.name);

  constructor(private readonly emitter: EventEmitter2) {}

  /** Runs every listener of `name` with `payload`; never throws. */
  async publish<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): Promise<void> {
    try {
      await this.emitter.emitAsync(name, payload);
    } catch (error) {
      // Listeners catch their own errors (OnDomainEvent); this covers a listener registered another way.
      this.logger.error(
        { err: error, event: name },
        'a domain event listener failed; clients catch up by resync',
      );
    }
  }
}

/** Logs a listener's failure: which event, which listener (never the payload, which may hold message text). */
const listenerLogger = new Logger('DomainEvents');

/**
 * Marks a provider method as a listener of one domain event, typed by DomainEventMap. A failure (a throw or a
 * rejected promise) is caught and logged with the event and listener names, so one failing listener neither stops
 * the others nor the publisher; clients catch up by resync. Listeners are registered when the application
 * bootstraps.
 */
export function OnDomainEvent<K extends DomainEventName>(
  name: K,
): <T extends (payload: DomainEventMap[K]) => unknown>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<T>,
) => void {
  return (target, key, descriptor) => {
    const original = descriptor.value;
    if (typeof original !== 'function') throw new Error(`@OnDomainEvent('${name}') needs a method`);
    const listener = `${target.constructor.name}.${String(key)}`;
    const report = (error: unknown) =>
      listenerLogger.error(
        { err: error, event: name, listener },
        'a domain event listener failed; clients catch up by resync',
      );
    const guarded = function (this: unknown, payload: DomainEventMap[K]): unknown {
      try {
        const result = original.call(this, payload);
        return result instanceof Promise ? result.catch(report) : result;
      } catch (error) {
        report(error);
        return undefined;
      }
    };
    descriptor.value = guarded as typeof original;
    // suppressErrors stays on as a backstop (e.g. a test that replaces the method on the instance).
    OnEvent(name, { suppressErrors: true })(target, key, descriptor);
  };
}
