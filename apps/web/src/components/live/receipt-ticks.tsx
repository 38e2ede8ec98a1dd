import type { ConversationSummary } from '@chat/shared';

/** Where one of the person's own messages stands. */
export type ReceiptState = 'pending' | 'failed' | 'sent' | 'delivered' | 'read';

/**
 * The other members whose receipts count: those who accepted the conversation. A pending member (a message request's
 * recipient, an invitee) shares no receipts, and their watermarks read 0 in everyone's view, so counting them would
 * turn every earlier message back to "sent" the moment someone is invited.
 */
function receiptSharers(conversation: ConversationSummary, selfId: string) {
  return conversation.members.filter((m) => m.user.id !== selfId && !m.pending);
}

/**
 * The receipt state of an own stored message from the other members' watermarks: read when every other active
 * member who accepted the conversation has a readSeq that reached it, delivered when every one's deliveredSeq did,
 * else sent. A conversation without such members (everyone left, or the only other person has not accepted a
 * request) stays at sent.
 */
export function receiptState(
  conversation: ConversationSummary,
  selfId: string,
  seq: number,
): ReceiptState {
  const others = receiptSharers(conversation, selfId);
  if (others.length === 0) return 'sent';
  if (others.every((m) => m.readSeq >= seq)) return 'read';
  if (others.every((m) => m.deliveredSeq >= seq)) return 'delivered';
  return 'sent';
}

/** How many other members (of those who accepted the conversation) have read up to `seq` (groups: "Seen by N"). */
export function seenByCount(
  conversation: ConversationSummary,
  selfId: string,
  seq: number,
): number {
  return receiptSharers(conversation, selfId).filter((m) => m.readSeq >= seq).length;
}

const LABELS: Record<ReceiptState, string> = {
  pending: 'Sending…',
  failed: 'Not sent',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
};

/** Clock (pending), one tick (sent), two ticks (delivered), two blue ticks (read); the label is for screen readers. */
export function ReceiptTicks({ state }: { state: ReceiptState }) {
  return (
    <span
      className={`receipt-ticks ${state}`}
      data-testid="message-status"
      data-receipt={state}
      title={LABELS[state]}
    >
      <span className="visually-hidden">{LABELS[state]}</span>
      {state === 'pending' ? (
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path
            d="M8 4.5V8l2.5 1.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
            strokeLinecap="round"
          />
        </svg>
      ) : state === 'failed' ? (
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="8" cy="8" r="6.5" fill="currentColor" />
          <path d="M8 4.5v4M8 10.8v.2" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
      ) : state === 'sent' ? (
        <svg viewBox="0 0 16 16" width="16" height="14" aria-hidden="true">
          <path
            d="m3 8.5 3 3 7-7"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.6"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
      ) : (
        <svg viewBox="0 0 20 16" width="20" height="14" aria-hidden="true">
          <path
            d="m1.5 8.5 3 3 7-7M8 11.5l7-7"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.6"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
      )}
    </span>
  );
}
