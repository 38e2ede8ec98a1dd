'use client';

import { useEffect, useState } from 'react';
import type { PublicUser } from '@chat/shared';
import { useChat } from '@/components/providers/chat-provider';
import { conversationPeople } from '@/lib/people';
import type { Thread } from '@/stores/messages-store';

/** Past this many at once (a catch-up after a reconnect) a count is read instead of every message. */
const MAX_READ_OUT = 3;

function newestSeq(thread: Thread | undefined): number | null {
  if (!thread || thread.status !== 'ready') return null;
  return thread.messages[thread.messages.length - 1]?.seq ?? 0;
}

/**
 * A visually hidden live region that announces only NEW messages from others in the open conversation ("Ana:
 * hello"), never the rows the virtualised list mounts while the reader scrolls through history (which an
 * `aria-live` on the list itself would read out). "New" means a seq above the newest one when the thread first
 * became ready here; older pages only add lower seqs. Own messages and system notes are not announced.
 */
export function NewMessageAnnouncer({
  conversationId,
  selfId,
}: {
  conversationId: string;
  selfId: string;
}) {
  const { messages, conversations } = useChat();
  const [text, setText] = useState('');
  useEffect(() => {
    let seen = newestSeq(messages.getState().threads[conversationId]);
    // The messages the region reads out now: a deletion of one of them empties it (deleted text leaves the page).
    let announced = new Set<string>();
    return messages.subscribe((state) => {
      const thread = state.threads[conversationId];
      if (announced.size > 0 && thread?.messages.some((m) => m.deletedAt && announced.has(m.id))) {
        announced = new Set();
        setText('');
      }
      const newest = newestSeq(thread);
      if (!thread || newest === null) return;
      if (seen === null || newest <= seen) {
        seen = Math.max(seen ?? 0, newest);
        return;
      }
      const after = seen;
      seen = newest;
      const fresh = thread.messages.filter(
        (m) => m.seq > after && m.senderId !== selfId && m.kind !== 'system',
      );
      if (fresh.length === 0) return;
      announced = new Set(fresh.map((m) => m.id));
      const current = conversations.getState().byId[conversationId];
      const people = current ? conversationPeople(current) : new Map<string, PublicUser>();
      const name = (id: string) => people.get(id)?.displayName ?? 'Someone';
      setText(
        fresh.length > MAX_READ_OUT
          ? `${fresh.length} new messages`
          : fresh
              .map((m) => `${name(m.senderId)}: ${m.body !== '' ? m.body : 'sent a file'}`)
              .join('. '),
      );
    });
  }, [messages, conversations, conversationId, selfId]);
  return (
    <div
      className="visually-hidden"
      aria-live="polite"
      aria-atomic="true"
      data-testid="new-message-announcer"
    >
      {text}
    </div>
  );
}
