import type { Ack, ReceiptEvent } from '@chat/shared';
import type { ChatSocket } from './socket';
import type { ConversationsStore } from '@/stores/conversations-store';

/** Receipts wait this long for more messages before going out, so a burst costs one `receipt:update` (ms). */
export const RECEIPT_DEBOUNCE_MS = 400;
/** How long a receipt may wait for its ack before it is tried again on the next flush (ms). */
const RECEIPT_ACK_TIMEOUT_MS = 10_000;

interface Wanted {
  delivered: number;
  read: number;
}

export interface ReceiptSenderDeps {
  /** The socket when connected, else null (receipts then wait for the next flush on connect). */
  socket: () => ChatSocket | null;
  selfId: () => string | null;
  conversations: ConversationsStore;
}

/**
 * Collects the watermarks this device wants to report (delivered, read) per conversation and sends them as
 * debounced `receipt:update` events, only when they are above what the server already has for this person (their
 * own member entry in the conversation summary). Acks and `receipt:update` events raise the local marks, which
 * also clears the unread badge. Nothing is lost while offline: `flush()` on connect sends what is still above.
 */
export class ReceiptSender {
  private readonly wanted = new Map<string, Wanted>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: ReceiptSenderDeps) {}

  /** A device of this person received every message up to `seq`. */
  delivered(conversationId: string, seq: number): void {
    this.want(conversationId, { delivered: seq, read: 0 });
  }

  /** This person read every message up to `seq` (reading implies delivery). */
  read(conversationId: string, seq: number): void {
    this.want(conversationId, { delivered: seq, read: seq });
  }

  /** Sends now whatever is above the server's marks (on connect, and after the debounce). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.deps.socket();
    const selfId = this.deps.selfId();
    if (!socket || !selfId) return;
    for (const [conversationId, wanted] of this.wanted) {
      if (this.inFlight.has(conversationId)) continue;
      const known = this.serverMarks(conversationId, selfId);
      if (!known) continue; // not in the list yet: kept until the summary arrives and a later flush
      const payload = {
        conversationId,
        ...(wanted.delivered > known.delivered ? { deliveredSeq: wanted.delivered } : {}),
        ...(wanted.read > known.read ? { readSeq: wanted.read } : {}),
      };
      if (payload.deliveredSeq === undefined && payload.readSeq === undefined) {
        this.wanted.delete(conversationId);
        continue;
      }
      this.inFlight.add(conversationId);
      socket
        .timeout(RECEIPT_ACK_TIMEOUT_MS)
        .emit('receipt:update', payload, (error: Error | null, ack?: Ack<ReceiptEvent>) => {
          this.inFlight.delete(conversationId);
          const me = this.deps.selfId();
          if (error || !ack || !me) return; // stays wanted: the next flush (or connect) tries again
          if (ack.ok) {
            this.deps.conversations.getState().raiseMarks(ack.data, me);
            this.schedule(); // anything wanted meanwhile
          } else {
            this.wanted.delete(conversationId); // not a member (any more): nothing to report
          }
        });
    }
  }

  /** Forgets everything (sign-out). */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wanted.clear();
    this.inFlight.clear();
  }

  private want(conversationId: string, marks: Wanted): void {
    const current = this.wanted.get(conversationId) ?? { delivered: 0, read: 0 };
    this.wanted.set(conversationId, {
      delivered: Math.max(current.delivered, marks.delivered),
      read: Math.max(current.read, marks.read),
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.wanted.size === 0) return;
    this.timer = setTimeout(() => this.flush(), RECEIPT_DEBOUNCE_MS);
  }

  private serverMarks(conversationId: string, selfId: string): Wanted | null {
    const conversation = this.deps.conversations.getState().byId[conversationId];
    if (!conversation) return null;
    const me = conversation.members.find((m) => m.user.id === selfId);
    // A former member has no member list: report against zero (the server caps and ignores what is not higher).
    return me ? { delivered: me.deliveredSeq, read: me.readSeq } : { delivered: 0, read: 0 };
  }
}
