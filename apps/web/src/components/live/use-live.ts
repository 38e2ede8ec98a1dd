'use client';

import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { ConversationSummary } from '@chat/shared';
import { useChat } from '@/components/providers/chat-provider';
import type { PresenceStoreState } from '@/stores/presence-store';

/** Selects from the presence and typing store. */
export function usePresence<T>(selector: (state: PresenceStoreState) => T): T {
  return useStore(useChat().presence, selector);
}

/** Re-renders every `ms` so relative texts ("last seen 5 minutes ago") stay true without new data. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * "last seen just now" (< 1 min), "last seen 5 minutes ago", "last seen 3 hours ago" (< 12 h), then "last seen
 * yesterday at 14:05" or "last seen 12 Nov at 14:05". Null when unknown. Relative parts use Intl.RelativeTimeFormat.
 */
export function lastSeenText(iso: string | null, now: number): string | null {
  if (!iso) return null;
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return null;
  const diff = Math.max(0, now - then);
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  if (diff < MINUTE) return 'last seen just now';
  if (diff < HOUR) return `last seen ${rtf.format(-Math.floor(diff / MINUTE), 'minute')}`;
  if (diff < 12 * HOUR) return `last seen ${rtf.format(-Math.floor(diff / HOUR), 'hour')}`;
  const date = new Date(then);
  const time = date.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (date.toDateString() === new Date(now).toDateString()) return `last seen today at ${time}`;
  if (date.toDateString() === yesterday.toDateString()) return `last seen yesterday at ${time}`;
  return `last seen ${date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} at ${time}`;
}

/** Names of the people typing in a conversation right now (never the signed-in person). */
export function useTypingNames(conversation: ConversationSummary, selfId: string): string[] {
  const typing = usePresence((s) => s.typing[conversation.id]);
  if (!typing) return [];
  return conversation.members
    .filter((m) => m.user.id !== selfId && typing[m.user.id] !== undefined)
    .map((m) => m.user.displayName);
}

/** "Ana is typing…", "Ana and Ben are typing…", "Ana, Ben and 2 others are typing…"; null when nobody is. */
export function typingText(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  const others = names.length - 2;
  return `${names[0]}, ${names[1]} and ${others} ${others === 1 ? 'other' : 'others'} are typing…`;
}
