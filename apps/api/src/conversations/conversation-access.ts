import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { isId } from '../common/ids.js';
import { BlocksRepository } from '../storage/blocks.repository.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { directPeerOf } from '../storage/domain-rules.js';
import type { ConversationRecord, MemberRecord } from '../storage/storage.types.js';

/** What a reader may see: the membership, and `untilSeq` (undefined: everything; else the last seq readable). */
export interface ReadAccess {
  member: MemberRecord;
  untilSeq: number | undefined;
}

/** What a send needs to know after the checks (see requireSend). */
export interface SendAccess {
  conversation: ConversationRecord;
  /** The sender's active membership (possibly pending: sending then accepts). */
  member: MemberRecord;
  /** For a direct conversation, the other person of the pair (whatever their membership); else null. */
  peerId: string | null;
  /** Whether that other person is an active member (false after they declined a request). */
  peerActive: boolean;
}

/**
 * The one place that answers "may this person read / write / administer this conversation". Every REST route
 * and socket event that touches a conversation asks here first, then acts (immich's `requireAccess` idea):
 * - read: active or former member (a former member reads the history up to their departure);
 * - write: active member (send, typing, upload, leave, member lists);
 * - administer: active admin of a group (rename, members, roles, picture; deleting others' messages).
 * Bulk variants answer for a list of conversations at once (one query for active memberships).
 *
 * - consent and blocks: a pending member (message request, group invitation) reads but shares nothing live
 *   (requireAccepted); nobody reaches someone they have a block with, in either direction (requireReachable,
 *   requireSend).
 *
 * A conversation that does not exist and one the person never belonged to get the same answer
 * (CONVERSATION_NOT_FOUND), so ids of other people's conversations reveal nothing. A block is answered with
 * CONTACT_UNAVAILABLE whichever side made it (docs/privacy.md).
 */
@Injectable()
export class ConversationAccess {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly blocks: BlocksRepository,
  ) {}

  /**
   * The caller may reach `otherIds` (open a direct conversation, add them to a group): no block between the
   * caller and any of them, in either direction. One query.
   * @throws AppError CONTACT_UNAVAILABLE (403) naming the unreachable ids in details[field]
   */
  async requireReachable(
    callerId: string,
    otherIds: readonly string[],
    field = 'userId',
  ): Promise<void> {
    const found = await this.blocks.findInvolving(callerId, otherIds);
    if (found.length === 0) return;
    const unreachable = new Set(
      found.map((b) => (b.blockerId === callerId ? b.blockedId : b.blockerId)),
    );
    throw new AppError(ErrorCode.CONTACT_UNAVAILABLE, 'This person cannot be reached.', {
      [field]: [...unreachable].map((id) => `${id} cannot be reached`),
    });
  }

  /**
   * Send access: an active membership (pending allowed: replying accepts), and for a direct conversation no
   * block between the pair. Two reads in parallel (the active members, the conversation) plus one for blocks in
   * a direct conversation; the append re-checks the membership atomically.
   * @throws AppError CONVERSATION_NOT_FOUND (404), MEMBERSHIP_ENDED (403) as requireWrite; CONTACT_UNAVAILABLE
   *   (403) when either of a direct pair blocked the other
   */
  async requireSend(conversationId: string, senderId: string): Promise<SendAccess> {
    if (!isId(conversationId)) throw notFound();
    const [members, conversation] = await Promise.all([
      this.conversations.listMembers(conversationId),
      this.conversations.findById(conversationId),
    ]);
    const member = members.find((m) => m.userId === senderId);
    // Not active: former member (read-only) or never one; requireWrite tells which.
    if (!member || !conversation) {
      await this.requireWrite(conversationId, senderId);
      throw notFound();
    }
    const peerId = conversation.type === 'direct' ? directPeer(conversation, senderId) : null;
    const peerActive = peerId !== null && members.some((m) => m.userId === peerId);
    if (peerId !== null) {
      const found = await this.blocks.findInvolving(senderId, [peerId]);
      if (found.length > 0) {
        throw new AppError(ErrorCode.CONTACT_UNAVAILABLE, 'This person cannot be reached.');
      }
    }
    return { conversation, member, peerId, peerActive };
  }

  /**
   * An active, ACCEPTED membership: what sharing live state (typing) in a conversation needs.
   * @throws AppError as requireWrite; REQUEST_PENDING (403) while the caller has not accepted
   */
  async requireAccepted(conversationId: string, userId: string): Promise<MemberRecord> {
    const member = await this.requireWrite(conversationId, userId);
    if (member.pending) {
      throw new AppError(
        ErrorCode.REQUEST_PENDING,
        'Accept the request first (replying accepts it).',
      );
    }
    return member;
  }

  /**
   * An active, PENDING membership: what accepting or declining needs.
   * @throws AppError as requireWrite; NO_PENDING_REQUEST (409) when the caller already accepted
   */
  async requirePending(conversationId: string, userId: string): Promise<MemberRecord> {
    const member = await this.requireWrite(conversationId, userId);
    if (!member.pending) {
      throw new AppError(ErrorCode.NO_PENDING_REQUEST, 'There is nothing to accept or decline.');
    }
    return member;
  }

  /**
   * Read access (history, receipts, attachment downloads, the conversation itself).
   * @returns the membership and `untilSeq`: undefined for an active member, else the last seq they may read
   * @throws AppError CONVERSATION_NOT_FOUND (404) when the user never was a member
   */
  async requireRead(conversationId: string, userId: string): Promise<ReadAccess> {
    const member = await this.findMembership(conversationId, userId);
    if (member.leftAt === null) return { member, untilSeq: undefined };
    return { member, untilSeq: member.historyUntilSeq ?? 0 };
  }

  /**
   * Write access: the ACTIVE membership (send, typing, uploads, acting on the conversation).
   * @throws AppError CONVERSATION_NOT_FOUND (404) as requireRead; MEMBERSHIP_ENDED (403) when they left or were
   *   removed (the conversation is read-only for them)
   */
  async requireWrite(conversationId: string, userId: string): Promise<MemberRecord> {
    const member = await this.findMembership(conversationId, userId);
    if (member.leftAt !== null) {
      throw new AppError(
        ErrorCode.MEMBERSHIP_ENDED,
        'You are no longer a member of this conversation.',
      );
    }
    return member;
  }

  /**
   * An active member of a group (leaving is for any member, but only of groups).
   * @returns the conversation and the caller's membership
   * @throws AppError as requireWrite; NOT_A_GROUP (400) for a direct conversation
   */
  async requireGroupMember(
    conversationId: string,
    userId: string,
  ): Promise<{ conversation: ConversationRecord; member: MemberRecord }> {
    const member = await this.requireWrite(conversationId, userId);
    const conversation = await this.conversations.findById(conversationId);
    if (!conversation) throw notFound();
    if (conversation.type !== 'group') {
      throw new AppError(ErrorCode.NOT_A_GROUP, 'Only group conversations allow that.');
    }
    return { conversation, member };
  }

  /**
   * Administer: an active admin of a group (rename, add/remove members, roles, picture).
   * @returns the conversation and the caller's membership
   * @throws AppError as requireGroupMember; ADMIN_REQUIRED (403) for a member who is not an admin
   */
  async requireAdmin(
    conversationId: string,
    userId: string,
  ): Promise<{ conversation: ConversationRecord; member: MemberRecord }> {
    const access = await this.requireGroupMember(conversationId, userId);
    if (access.member.role !== 'admin') {
      throw new AppError(ErrorCode.ADMIN_REQUIRED, 'Only group admins can do that.');
    }
    return access;
  }

  /**
   * May this active member delete a message someone else sent? Only a group admin may (moderation); in a direct
   * conversation nobody deletes the other person's messages.
   * @param member the caller's ACTIVE membership (from requireWrite)
   * @throws AppError ADMIN_REQUIRED (403) for a group member who is not an admin; NOT_MESSAGE_AUTHOR (403) in a
   *   direct conversation; CONVERSATION_NOT_FOUND when the conversation is gone
   */
  async requireModerator(member: MemberRecord): Promise<void> {
    const conversation = await this.conversations.findById(member.conversationId);
    if (!conversation) throw notFound();
    if (conversation.type !== 'group') {
      throw new AppError(ErrorCode.NOT_MESSAGE_AUTHOR, 'Only its author can delete this message.');
    }
    if (member.role !== 'admin') {
      throw new AppError(
        ErrorCode.ADMIN_REQUIRED,
        "Only group admins can delete other people's messages.",
      );
    }
  }

  /**
   * Bulk write check: which of `conversationIds` the user is an ACTIVE member of. One query whatever the count.
   * @returns the ids the user may write to (a subset of the input; malformed ids are left out)
   */
  async writableOf(conversationIds: readonly string[], userId: string): Promise<Set<string>> {
    const ids = [...new Set(conversationIds.filter(isId))];
    if (ids.length === 0) return new Set();
    const members = await this.conversations.listMembersOf(ids);
    const writable = new Set<string>();
    for (const [conversationId, list] of members) {
      if (list.some((m) => m.userId === userId)) writable.add(conversationId);
    }
    return writable;
  }

  /**
   * Bulk read check: which of `conversationIds` the user may read, and up to where. Active memberships come
   * from one query; each remaining id costs one membership lookup (former memberships are few).
   * @returns conversation id -> `untilSeq` (undefined: everything) for the readable ones only
   */
  async readableOf(
    conversationIds: readonly string[],
    userId: string,
  ): Promise<Map<string, number | undefined>> {
    const ids = [...new Set(conversationIds.filter(isId))];
    const readable = new Map<string, number | undefined>();
    const writable = await this.writableOf(ids, userId);
    for (const id of writable) readable.set(id, undefined);
    const rest = ids.filter((id) => !writable.has(id));
    const former = await Promise.all(rest.map((id) => this.conversations.findMember(id, userId)));
    for (const member of former) {
      if (!member) continue;
      // Active here but not in the bulk read: re-added in between, so it reads everything.
      const untilSeq = member.leftAt === null ? undefined : (member.historyUntilSeq ?? 0);
      readable.set(member.conversationId, untilSeq);
    }
    return readable;
  }

  /** Active or former membership. @throws AppError CONVERSATION_NOT_FOUND when never a member */
  private async findMembership(conversationId: string, userId: string): Promise<MemberRecord> {
    const member = isId(conversationId)
      ? await this.conversations.findMember(conversationId, userId)
      : null;
    if (!member) throw notFound();
    return member;
  }
}

/** The other person of a direct conversation, from its pair key (`min:max` of the two ids, lower-cased). */
export function directPeer(conversation: ConversationRecord, userId: string): string | null {
  return conversation.directKey ? directPeerOf(conversation.directKey, userId) : null;
}

function notFound(): AppError {
  return new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
}
