import type { Message } from '@chat/shared';
import { dayKey, dayLabel } from '@/lib/format';
import type { PendingMessage, Thread } from '@/stores/messages-store';

/** One row of the message list: a day separator, a stored message, a system note or an own pending message. */
export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; message: Message; own: boolean; firstOfRun: boolean }
  | { kind: 'system'; key: string; message: Message }
  | { kind: 'pending'; key: string; pending: PendingMessage }
  | { kind: 'unread'; key: 'unread' };

/**
 * Rows for the list: a day separator before the first message of each local calendar day, then messages
 * by seq, then own pending messages. A message's key is `senderId:clientMessageId`, which its pending form
 * shares, so the acked message replaces the pending row in place instead of remounting.
 * With `unreadAfter` (the reader's read watermark when they opened the conversation) a "New messages" row goes
 * right before the first message from someone else above it; none when there is no such message, or while the
 * loaded history starts above it and older pages remain (the first unread message is not loaded yet).
 */
export function buildRows(
  thread: Thread,
  selfId: string,
  now: number,
  unreadAfter: number | null = null,
): Row[] {
  const rows: Row[] = [];
  let lastDay: string | null = null;
  const pushDay = (iso: string) => {
    const key = dayKey(iso);
    if (key !== lastDay) {
      rows.push({ kind: 'day', key: `day:${key}`, label: dayLabel(iso, now) });
      lastDay = key;
    }
  };
  // Consecutive messages from one sender form a run: only its first shows the sender's name and avatar in groups.
  let runSender: string | null = null;
  const oldest = thread.messages[0]?.seq;
  if (
    unreadAfter !== null &&
    oldest !== undefined &&
    oldest > unreadAfter + 1 &&
    thread.hasMoreBefore
  )
    unreadAfter = null;
  for (const message of thread.messages) {
    const dayBefore = lastDay;
    pushDay(message.createdAt);
    if (unreadAfter !== null && message.seq > unreadAfter && message.senderId !== selfId) {
      rows.push({ kind: 'unread', key: 'unread' });
      unreadAfter = null;
      runSender = null;
    }
    const key = `${message.senderId}:${message.clientMessageId}`;
    if (message.kind === 'system') {
      rows.push({ kind: 'system', key, message });
      runSender = null;
      continue;
    }
    const firstOfRun = runSender !== message.senderId || dayBefore !== lastDay;
    runSender = message.senderId;
    rows.push({ kind: 'message', key, message, own: message.senderId === selfId, firstOfRun });
  }
  for (const pending of thread.pending) {
    pushDay(pending.createdAt);
    rows.push({ kind: 'pending', key: `${selfId}:${pending.clientMessageId}`, pending });
  }
  return rows;
}
