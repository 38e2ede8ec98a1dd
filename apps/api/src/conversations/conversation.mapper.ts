import {
  LIMITS,
  type ConversationMember,
  type ConversationSummary,
  type Message,
  type PublicUser,
} from '@chat/shared';
import type {
  ConversationListItem,
  MemberRecord,
  MessageRecord,
  UserRecord,
} from '../storage/storage.types.js';
import { toAttachment } from '../attachments/attachment.mapper.js';
import { toPublicUser } from '../users/user.mapper.js';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The quote of a replied-to body (ReplyQuote.snippet): line breaks and runs of white space made one space, cut at
 * LIMITS.REPLY_SNIPPET_MAX characters on a grapheme boundary (never inside an emoji or a combined letter), with
 * an ellipsis when cut.
 */
export function replySnippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat.length <= LIMITS.REPLY_SNIPPET_MAX) return flat;
  let out = '';
  for (const { segment } of graphemes.segment(flat)) {
    if (out.length + segment.length > LIMITS.REPLY_SNIPPET_MAX) break;
    out += segment;
  }
  return `${out.trimEnd()}…`;
}

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
    replyTo: m.replyTo
      ? {
          messageId: m.replyTo.id,
          seq: m.replyTo.seq,
          senderId: m.replyTo.senderId,
          snippet: m.replyTo.deleted ? '' : replySnippet(m.replyTo.body),
          deleted: m.replyTo.deleted,
        }
      : null,
    forwarded: m.forwarded,
    reactions: m.reactions.map((r) => ({
      emoji: r.emoji,
      count: r.userIds.length,
      userIds: [...r.userIds],
    })),
    editedAt: m.editedAt ? m.editedAt.toISOString() : null,
    deletedAt: m.deletedAt ? m.deletedAt.toISOString() : null,
    deletedBy: m.deletedAt ? m.deletedBy : null,
    changeSeq: m.changeSeq,
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
 * @param blocked the members who have a block with the viewer (either direction): their receipts read 0 and their
 *   picture null in this view. Any other pending member's receipts read 0 too (docs/privacy.md).
 */
export function toConversationSummary(
  item: ConversationListItem,
  memberships: readonly MemberRecord[],
  usersById: ReadonlyMap<string, UserRecord>,
  blocked: ReadonlySet<string> = new Set(),
): ConversationSummary {
  const c = item.conversation;
  const viewerId = item.membership.userId;
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
    formerMembers,
    // A former member's view ends at their departure: no hint of what came after.
    lastSeq: left ? Math.min(c.lastSeq, item.membership.historyUntilSeq ?? c.lastSeq) : c.lastSeq,
    // Like lastSeq: a former member's view of the change log ends at their departure.
    changeSeq: left
      ? Math.min(c.changeSeq, item.membership.historyUntilChangeSeq ?? c.changeSeq)
      : c.changeSeq,
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
