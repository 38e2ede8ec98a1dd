import type { ConversationMember, ConversationSummary, Message } from '@chat/shared';
import type {
  ConversationListItem,
  MemberRecord,
  MessageRecord,
  UserRecord,
} from '../storage/storage.types.js';
import { toAttachment } from '../attachments/attachment.mapper.js';
import { toPublicUser } from '../users/user.mapper.js';

/** Domain message -> wire message. */
export function toMessage(m: MessageRecord): Message {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    senderId: m.senderId,
    clientMessageId: m.clientMessageId,
    kind: m.kind,
    body: m.body,
    system: m.system ?? null,
    attachments: (m.attachments ?? []).map(toAttachment),
    mentions: m.mentions ?? [],
    mentionsAll: m.mentionsAll ?? false,
    createdAt: m.createdAt.toISOString(),
  };
}

/**
 * A list item plus its members (and their user records) -> the wire summary. Members whose user record is
 * missing are left out rather than failing the whole page.
 * @param blocked the members who have a block with the viewer (either direction): their receipts read 0 and their
 *   picture null in this view. Any other pending member's receipts read 0 too (docs/privacy.md).
 */
export function toConversationSummary(
  item: ConversationListItem,
  members: readonly MemberRecord[],
  usersById: ReadonlyMap<string, UserRecord>,
  blocked: ReadonlySet<string> = new Set(),
): ConversationSummary {
  const c = item.conversation;
  const viewerId = item.membership.userId;
  const left = item.membership.leftAt !== null && item.membership.leftAt !== undefined;
  const wireMembers: ConversationMember[] = [];
  // A former member no longer sees who is in the group.
  for (const m of left ? [] : members) {
    const user = usersById.get(m.userId);
    if (!user) continue;
    const isBlocked = blocked.has(m.userId);
    const hideReceipts = m.userId !== viewerId && (m.pending || isBlocked);
    const publicUser = toPublicUser(user);
    wireMembers.push({
      user: isBlocked ? { ...publicUser, avatarUrl: null } : publicUser,
      role: m.role,
      joinedAt: m.joinedAt.toISOString(),
      deliveredSeq: hideReceipts ? 0 : m.deliveredSeq,
      readSeq: hideReceipts ? 0 : m.readSeq,
      pending: m.pending,
    });
  }
  return {
    id: c.id,
    type: c.type,
    title: c.title,
    avatarUrl: c.avatarUrl ?? null,
    status: left ? 'left' : 'active',
    members: wireMembers,
    // A former member's view ends at their departure: no hint of what came after.
    lastSeq: left ? Math.min(c.lastSeq, item.membership.historyUntilSeq ?? c.lastSeq) : c.lastSeq,
    lastMessage: item.lastMessage ? toMessage(item.lastMessage) : null,
    // Likewise its activity time stops at the departure (docs/storage.md), as the list's order does.
    lastActivityAt: (left
      ? (item.membership.leftAt ?? c.lastActivityAt)
      : c.lastActivityAt
    ).toISOString(),
    unreadCount: item.unreadCount,
    pending: !left && item.membership.pending,
    unreadMentionCount: item.unreadMentionCount,
    notificationLevel: item.membership.notificationLevel ?? 'all',
    createdAt: c.createdAt.toISOString(),
  };
}
