import type { ConversationMember, ConversationSummary, Message, PublicUser } from '@chat/shared';
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
  };
}

/**
 * A list item plus every membership of its conversation, active and former (ConversationsRepository
 * .listMembershipsOf), and their user records -> the wire summary as the item's member sees it:
 * - an active viewer gets the active members, and everyone who left as `formerMembers` (names only);
 * - a viewer who left gets no member list (they no longer see who is in the group), and as `formerMembers`
 *   everyone who had joined by their departure, so the history they keep still names its people. Someone who
 *   left and was re-added after the viewer's departure counts from the new join (an accepted gap: their older
 *   messages then read as from a former member to that viewer).
 * People whose user record is missing are left out rather than failing the whole page.
 */
export function toConversationSummary(
  item: ConversationListItem,
  memberships: readonly MemberRecord[],
  usersById: ReadonlyMap<string, UserRecord>,
): ConversationSummary {
  const c = item.conversation;
  const viewerLeftAt = item.membership.leftAt ?? null;
  const left = viewerLeftAt !== null;
  const members = memberships.filter((m) => m.leftAt === null || m.leftAt === undefined);
  const formerMembers: PublicUser[] = [];
  for (const m of memberships) {
    if (m.userId === item.membership.userId) continue;
    const named = left
      ? m.joinedAt.getTime() <= viewerLeftAt.getTime()
      : m.leftAt !== null && m.leftAt !== undefined;
    const user = named ? usersById.get(m.userId) : undefined;
    if (user) formerMembers.push(toPublicUser(user));
  }
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
    formerMembers,
    // A former member's view ends at their departure: no hint of what came after.
    lastSeq: left ? Math.min(c.lastSeq, item.membership.historyUntilSeq ?? c.lastSeq) : c.lastSeq,
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
