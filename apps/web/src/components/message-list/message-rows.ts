import type { Message } from '@chat/shared';
import { dayKey, dayLabel } from '@/lib/format';
import type { PendingMessage, Thread } from '@/stores/messages-store';

/** One row of the message list: a day separator, a stored message, a system note or an own pending message. */
export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; message: Message; own: boolean; firstOfRun: boolean }
  | { kind: 'system'; key: string; message: Message }
  | { kind: 'pending'; key: string; pending: PendingMessage };

/**
 * Rows for the list: a day separator before the first message of each local calendar day, then messages
 * by seq, then own pending messages. A message's key is `senderId:clientMessageId`, which its pending form
 * shares, so the acked message replaces the pending row in place instead of remounting.
 */
export function buildRows(thread: Thread, selfId: string, now: number): Row[] {
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
  for (const message of thread.messages) {
    const dayBefore = lastDay;
    pushDay(message.createdAt);
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
