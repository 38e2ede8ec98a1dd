import { LIMITS, type TypingPayload } from '@chat/shared';

/** Stop "typing" this long after the last keystroke (the receivers' TTL would clear it later anyway). */
export const TYPING_IDLE_MS = LIMITS.TYPING_THROTTLE_MS * 2;

/** Where typing state goes: the live socket while connected. */
export interface TypingLink {
  connected(): boolean;
  /** Emits `typing:update` (only called while connected). */
  emit(payload: TypingPayload): void;
}

/**
 * The signed-in person's typing indicator, per conversation: `typing:update` true at most once per
 * LIMITS.TYPING_THROTTLE_MS while they type, false when the text is cleared or after TYPING_IDLE_MS without
 * keystrokes. Nothing is sent while disconnected; typing state is per connection on the server, so a disconnect
 * starts afresh (`reset`).
 */
export class TypingEmitter {
  /** Per conversation: when `typing: true` was last emitted (ms since the epoch), and the idle timer. */
  private readonly state = new Map<
    string,
    { sentAt: number; idle: ReturnType<typeof setTimeout> }
  >();

  constructor(private readonly link: TypingLink) {}

  /** The composer's text changed: `typing` is true while there is text. */
  typing(conversationId: string, typing: boolean): void {
    if (!typing) return this.stop(conversationId);
    if (!this.link.connected()) return;
    const now = Date.now();
    const current = this.state.get(conversationId);
    if (current) clearTimeout(current.idle);
    const renew = !current || now - current.sentAt >= LIMITS.TYPING_THROTTLE_MS;
    if (renew) this.link.emit({ conversationId, typing: true });
    this.state.set(conversationId, {
      sentAt: renew ? now : (current?.sentAt ?? now),
      idle: setTimeout(() => this.stop(conversationId), TYPING_IDLE_MS),
    });
  }

  /**
   * Ends the indicator in one conversation. @param tell false when the server ends it by itself (a message was
   * sent: the server stops the sender's typing when it stores the message), so only local state is forgotten.
   */
  stop(conversationId: string, tell = true): void {
    const current = this.state.get(conversationId);
    if (!current) return;
    clearTimeout(current.idle);
    this.state.delete(conversationId);
    if (tell && this.link.connected()) this.link.emit({ conversationId, typing: false });
  }

  /** Forgets every indicator without telling anyone (the connection is gone, and its typing state with it). */
  reset(): void {
    for (const { idle } of this.state.values()) clearTimeout(idle);
    this.state.clear();
  }
}
