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
    createdAt: m.createdAt.toISOString(),
    replyTo: null,
    forwarded: false,
    reactions: [],
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
    changeSeq: 0,
  };
}

/**
 * A list item plus its members (and their user records) -> the wire summary. Members whose user record is
 * missing are left out rather than failing the whole page.
 */
export function toConversationSummary(
  item: ConversationListItem,
  members: readonly MemberRecord[],
  usersById: ReadonlyMap<string, UserRecord>,
): ConversationSummary {
  const c = item.conversation;
  const left = item.membership.leftAt !== null && item.membership.leftAt !== undefined;
  const wireMembers: ConversationMember[] = [];
  // A former member no longer sees who is in the group.
  for (const m of left ? [] : members) {
    const user = usersById.get(m.userId);
    if (!user) continue;
    wireMembers.push({
      user: toPublicUser(user),
      role: m.role,
      joinedAt: m.joinedAt.toISOString(),
      deliveredSeq: m.deliveredSeq,
      readSeq: m.readSeq,
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
    changeSeq: 0,
    lastMessage: item.lastMessage ? toMessage(item.lastMessage) : null,
    // Likewise its activity time stops at the departure (docs/storage.md), as the list's order does.
    lastActivityAt: (left
      ? (item.membership.leftAt ?? c.lastActivityAt)
      : c.lastActivityAt
    ).toISOString(),
    unreadCount: item.unreadCount,
    createdAt: c.createdAt.toISOString(),
  };
}
