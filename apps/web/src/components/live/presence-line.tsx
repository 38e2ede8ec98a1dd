'use client';

import type { ConversationSummary } from '@chat/shared';
import { lastSeenText, useNow, usePresence } from './use-live';

/**
 * The header's presence line: for a direct conversation "online" / "last seen 5 minutes ago" (falling back to
 * `fallback`, e.g. the username, when unknown); for a group "N online" (nothing when nobody else is).
 */
export function PresenceLine({
  conversation,
  selfId,
  fallback,
}: {
  conversation: ConversationSummary;
  selfId: string;
  fallback: string;
}) {
  const now = useNow(30_000);
  const byUserId = usePresence((s) => s.byUserId);
  let text: string;
  if (conversation.type === 'direct') {
    const other = conversation.members.find((m) => m.user.id !== selfId);
    const state = other ? byUserId[other.user.id] : undefined;
    text = state?.online ? 'online' : (lastSeenText(state?.lastSeenAt ?? null, now) ?? fallback);
  } else {
    const online = conversation.members.filter(
      (m) => m.user.id !== selfId && byUserId[m.user.id]?.online,
    ).length;
    if (online === 0) return null;
    text = `${online} online`;
  }
  return (
    <p
      className={`pane-subtitle presence-line${text === 'online' || conversation.type === 'group' ? ' online' : ''}`}
      data-testid="presence-line"
    >
      {text}
    </p>
  );
}
