import type { ConversationSummary, PublicUser } from '@chat/shared';

/** Up to two upper-case initials from a display name ("Ada Lovelace" -> "AL", "ada" -> "AD"). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  if (words.length === 1) return Array.from(words[0]!).slice(0, 2).join('').toUpperCase();
  return (Array.from(words[0]!)[0]! + Array.from(words[words.length - 1]!)[0]!).toUpperCase();
}

/**
 * A stable avatar hue (0..359) for an id: FNV-1a 32-bit hash of the string, modulo 360. The same person
 * gets the same colour on every device. (FNV-1a: Fowler, Noll, Vo; constants from the reference description.)
 */
export function hueFromId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 360;
}

/** For a direct conversation, the member who is not `selfId` (null if the data is inconsistent). */
export function otherMember(conversation: ConversationSummary, selfId: string): PublicUser | null {
  return conversation.members.find((m) => m.user.id !== selfId)?.user ?? null;
}

/** What to call a conversation: its title for groups, the other person's display name for direct ones. */
export function conversationTitle(conversation: ConversationSummary, selfId: string): string {
  if (conversation.type === 'group') return conversation.title ?? 'Group';
  return otherMember(conversation, selfId)?.displayName ?? conversation.title ?? 'Conversation';
}

/** The id whose colour and initials represent a conversation in the list. */
export function conversationAvatarId(conversation: ConversationSummary, selfId: string): string {
  return conversation.type === 'direct'
    ? (otherMember(conversation, selfId)?.id ?? conversation.id)
    : conversation.id;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Short relative time for the conversation list: "now" (< 1 min), "5 min", "3 h", then "Yesterday",
 * a weekday within the last week, else a short date. `now` is injectable for tests.
 */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const diff = Math.max(0, now - then);
  if (diff < MINUTE) return 'now';
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)} min`;
  const startOfToday = new Date(now).setHours(0, 0, 0, 0);
  if (then >= startOfToday) return `${Math.floor(diff / HOUR)} h`;
  if (then >= startOfToday - DAY) return 'Yesterday';
  if (then >= startOfToday - 6 * DAY)
    return new Date(then).toLocaleDateString(undefined, { weekday: 'short' });
  return new Date(then).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

/** A local calendar-day key ("2026-11-21") for grouping messages under day separators. */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The day separator text: "Today", "Yesterday", or a full date such as "Friday, 20 November 2026". */
export function dayLabel(iso: string, now: number = Date.now()): string {
  const key = dayKey(iso);
  if (key === dayKey(new Date(now).toISOString())) return 'Today';
  if (key === dayKey(new Date(now - DAY).toISOString())) return 'Yesterday';
  const d = new Date(iso);
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  return d.toLocaleDateString(undefined, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  });
}

/** Time of day for a message bubble ("14:05" or "2:05 PM" by locale). */
export function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
}

/** Full date and time for a tooltip ("Friday, 20 November 2026 at 14:05" by locale). */
export function fullDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
}
