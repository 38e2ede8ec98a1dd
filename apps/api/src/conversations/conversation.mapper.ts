import {
  LIMITS,
  type ConversationMember,
  type ConversationSummary,
  type Message,
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
    createdAt: c.createdAt.toISOString(),
  };
}
