import { LIMITS, type ConversationSummary } from '@chat/shared';
import { otherMember } from './format';

/**
 * Absolute URL of a file path the API gave (`/api/avatars/...`, `/api/attachments/...`). The browser loads it
 * with the httpOnly media cookie the API sets at sign-in and refresh (an `<img>` cannot send a Bearer token).
 * @param size for avatars: the small rendition (LIMITS.AVATAR_SMALL_SIZE px) when the shown size fits it
 */
export function mediaUrl(apiBase: string, path: string, size?: number): string {
  const small =
    size !== undefined && size <= LIMITS.AVATAR_SMALL_SIZE && path.startsWith('/api/avatars/');
  return `${apiBase}${path}${small ? `?size=${LIMITS.AVATAR_SMALL_SIZE}` : ''}`;
}

/** The picture of a conversation: the group's, or the other person's in a direct one; null for initials. */
export function conversationAvatarUrl(
  conversation: ConversationSummary,
  selfId: string,
): string | null {
  if (conversation.type === 'group') return conversation.avatarUrl;
  return otherMember(conversation, selfId)?.avatarUrl ?? null;
}

/** A byte count for people: "930 B", "14.2 KB", "3.1 MB" (powers of 1024, one decimal below 10). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
