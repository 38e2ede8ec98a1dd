import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type ConversationSummary,
  describeSystemEvent,
  ErrorCode,
  LIMITS,
  type MemberRole,
  type Message,
  type SystemEvent,
  systemEventUserIds,
} from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { DomainEvents } from '../events/domain-events.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { MessagesRepository } from '../storage/messages.repository.js';
import { MemberLimitError } from '../storage/storage.errors.js';
import type { UserRecord } from '../storage/storage.types.js';
import { UsersRepository } from '../storage/users.repository.js';
import { ConversationAccess } from './conversation-access.js';
import { toMessage } from './conversation.mapper.js';
import { ConversationsService } from './conversations.service.js';

/** Name used in a system message's fallback text for a person whose record is gone. */
const UNKNOWN_PERSON = 'Someone';

/**
 * Group conversations: create, rename, add and remove members, leave, promote and demote. Every change of an
 * existing group runs holding the group's change lock (ConversationsRepository.withChangeLock, held by the database
 * for every API process), so changes of one group never interleave and its timeline's order is the order of the
 * changes, and in the same order:
 * 1. access check through ConversationAccess (requireAdmin / requireGroupMember);
 * 2. the membership change in the repository, which is the authority (its atomic answer decides races: of two
 *    concurrent adds or removals of one person exactly one gets the record, the other gets ALREADY_MEMBER or
 *    NOT_A_MEMBER);
 * 3. one system message per event (kind 'system', own seq, server-made clientMessageId), so history and resync
 *    carry the timeline;
 * 4. the `conversation.changed` domain event (with the former members the change concerns and the system
 *    messages), from which the fan-out listener sends `conversation:updated` to every active member and to those
 *    former members (the removed or leaving person gets their 'left' view), then `message:new` for the system
 *    messages to the active members only (read afresh, so a removed person's sockets get nothing more).
 * Admin continuity: after a leave, removal or demotion `ensureAdmin` promotes the longest-standing member when
 * no admin is left (recorded as `admin_granted` with actorId null); a group left empty is archived.
 */
@Injectable()
export class GroupsService {
  constructor(
    private readonly access: ConversationAccess,
    private readonly queries: ConversationsService,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly users: UsersRepository,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Creates a group with the caller as its first admin.
   * @param input title already trimmed (1..100), memberIds 1..255 distinct ids (DTO-checked)
   * @returns the group as the caller sees it
   * Each member is added or only invited by their "who can add me to groups" setting (see `invitees`).
   * @throws AppError VALIDATION_FAILED when memberIds holds the caller; USER_NOT_FOUND (404) when an id is not a
   *   user (details.memberIds lists them); MEMBER_LIMIT_EXCEEDED (400) above LIMITS.GROUP_MEMBERS_MAX;
   *   CONTACT_UNAVAILABLE (403) when a block stands between the caller and any of them (nobody is added)
   */
  async create(
    callerId: string,
    input: { title: string; memberIds: readonly string[] },
  ): Promise<ConversationSummary> {
    const title = this.checkTitle(input.title);
    const memberIds = [...new Set(input.memberIds)];
    if (memberIds.includes(callerId)) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'List the other members only.', {
        memberIds: ['must not contain yourself: the creator is a member already'],
      });
    }
    if (memberIds.length + 1 > LIMITS.GROUP_MEMBERS_MAX) {
      throw new AppError(
        ErrorCode.MEMBER_LIMIT_EXCEEDED,
        `A group has at most ${LIMITS.GROUP_MEMBERS_MAX} members.`,
      );
    }
    const users = await this.requireUsers(memberIds, 'memberIds');
    await this.access.requireReachable(callerId, memberIds, 'memberIds');
    const pendingIds = await this.invitees(callerId, users);
    const { conversation } = await this.conversations.createGroup({
      title,
      createdBy: callerId,
      memberIds,
      pendingIds,
    });
    const created = await this.record(conversation.id, callerId, {
      type: 'group_created',
      actorId: callerId,
      title,
      memberIds,
    });
    await this.events.publish('contacts.changed', { userIds: [callerId, ...memberIds] });
    return this.fanOut(conversation.id, callerId, [created], []);
  }

  /**
   * Renames a group (admins). Renaming to the current title changes nothing and records nothing.
   * @throws AppError as ConversationAccess.requireAdmin
   */
  async rename(
    callerId: string,
    conversationId: string,
    rawTitle: string,
  ): Promise<ConversationSummary> {
    return this.conversations.withChangeLock(conversationId, async () => {
      const title = this.checkTitle(rawTitle);
      const { conversation } = await this.access.requireAdmin(conversationId, callerId);
      if (conversation.title === title) return this.queries.get(conversationId, callerId);
      const updated = await this.conversations.updateGroup(conversationId, { title });
      if (!updated) throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
      const renamed = await this.record(conversationId, callerId, {
        type: 'group_renamed',
        actorId: callerId,
        title,
      });
      return this.fanOut(conversationId, callerId, [renamed], []);
    });
  }

  /**
   * Adds people (admins). Former members come back active and, like new members, see the whole history. Each is
   * added or only invited by their "who can add me to groups" setting (see `invitees`); CONTACT_UNAVAILABLE (403)
   * when a block stands between the caller and any of them.
   * @param userIds 1..255 distinct ids (DTO-checked)
   * @throws AppError as requireAdmin; USER_NOT_FOUND (404) for ids that are not users; ALREADY_MEMBER (409) when
   *   any of them is an active member (details.userIds lists them; nobody is added); MEMBER_LIMIT_EXCEEDED (400)
   *   when the group would pass LIMITS.GROUP_MEMBERS_MAX
   */
  async addMembers(
    callerId: string,
    conversationId: string,
    userIds: readonly string[],
  ): Promise<ConversationSummary> {
    return this.conversations.withChangeLock(conversationId, async () => {
      await this.access.requireAdmin(conversationId, callerId);
      const wanted = [...new Set(userIds)];
      const users = await this.requireUsers(wanted, 'userIds');
      await this.access.requireReachable(callerId, wanted, 'userIds');
      const active = new Set(
        (await this.conversations.listMembers(conversationId)).map((m) => m.userId),
      );
      const already = wanted.filter((id) => active.has(id));
      if (already.length > 0) {
        throw new AppError(ErrorCode.ALREADY_MEMBER, 'Already a member.', {
          userIds: already.map((id) => `${id} is already a member`),
        });
      }
      // The limit is decided by the storage in the add's own atomic step (maxActive), so it holds even against
      // an add that would not take the change lock.
      let added;
      try {
        added = await this.conversations.addMembers(conversationId, wanted, {
          maxActive: LIMITS.GROUP_MEMBERS_MAX,
          pendingIds: await this.invitees(callerId, users),
        });
      } catch (error) {
        if (!(error instanceof MemberLimitError)) throw error;
        throw new AppError(
          ErrorCode.MEMBER_LIMIT_EXCEEDED,
          `A group has at most ${LIMITS.GROUP_MEMBERS_MAX} members.`,
        );
      }
      // A concurrent request added them first: it records the event, this one reports the conflict.
      if (added.length === 0) throw new AppError(ErrorCode.ALREADY_MEMBER, 'Already a member.');
      const addedIds = new Set(added.map((m) => m.userId));
      const event = await this.record(conversationId, callerId, {
        type: 'members_added',
        actorId: callerId,
        userIds: wanted.filter((id) => addedIds.has(id)),
      });
      await this.events.publish('contacts.changed', {
        userIds: await this.queries.memberIds(conversationId),
      });
      return this.fanOut(conversationId, callerId, [event], []);
    });
  }

  /**
   * Removes a member (admins; an admin may remove another admin). Removing yourself is leaving (see `leave`),
   * for admins and members alike. The removed person keeps read access to the history up to now.
   * @throws AppError as requireAdmin; NOT_A_MEMBER (404) when the user is not an active member
   */
  async removeMember(
    callerId: string,
    conversationId: string,
    userId: string,
  ): Promise<ConversationSummary> {
    if (userId === callerId) return this.leave(callerId, conversationId);
    return this.conversations.withChangeLock(conversationId, async () => {
      await this.access.requireAdmin(conversationId, callerId);
      const removed = await this.conversations.removeMember(conversationId, userId);
      if (!removed) throw notAMember();
      const events = [
        await this.record(conversationId, callerId, {
          type: 'member_removed',
          actorId: callerId,
          userId,
        }),
      ];
      events.push(...(await this.afterDeparture(conversationId, callerId)));
      return this.fanOut(conversationId, callerId, events, [userId]);
    });
  }

  /**
   * The caller leaves a group (any active member). When they were the last admin the longest-standing member
   * becomes admin; when nobody is left the group is archived.
   * @returns the group as the caller now sees it (status 'left')
   * @throws AppError CONVERSATION_NOT_FOUND, MEMBERSHIP_ENDED (already left), NOT_A_GROUP (direct conversations
   *   cannot be left)
   */
  async leave(callerId: string, conversationId: string): Promise<ConversationSummary> {
    return this.conversations.withChangeLock(conversationId, async () => {
      await this.access.requireGroupMember(conversationId, callerId);
      const left = await this.conversations.removeMember(conversationId, callerId);
      // A concurrent leave of the same person won: for this request they are no longer a member.
      if (!left) {
        throw new AppError(
          ErrorCode.MEMBERSHIP_ENDED,
          'You are no longer a member of this conversation.',
        );
      }
      const events = [
        await this.record(conversationId, callerId, { type: 'member_left', actorId: callerId }),
      ];
      events.push(...(await this.afterDeparture(conversationId, callerId)));
      return this.fanOut(conversationId, callerId, events, [callerId]);
    });
  }

  /**
   * Promotes or demotes a member (admins). Setting the role a member already has changes nothing. An admin may
   * step down only while another admin remains (otherwise the automatic promotion would pick the longest-standing
   * member, often themselves).
   * @throws AppError as requireAdmin; NOT_A_MEMBER (404) when the user is not an active member;
   *   VALIDATION_FAILED when the last admin demotes themselves
   */
  async setRole(
    callerId: string,
    conversationId: string,
    userId: string,
    role: MemberRole,
  ): Promise<ConversationSummary> {
    return this.conversations.withChangeLock(conversationId, async () => {
      await this.access.requireAdmin(conversationId, callerId);
      const members = await this.conversations.listMembers(conversationId);
      const target = members.find((m) => m.userId === userId);
      if (!target) throw notAMember();
      if (target.role === role) return this.queries.get(conversationId, callerId);
      if (
        role === 'member' &&
        userId === callerId &&
        !members.some((m) => m.role === 'admin' && m.userId !== callerId)
      ) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'A group needs an admin.', {
          role: ['the last admin cannot step down: make someone else an admin first, or leave'],
        });
      }
      const updated = await this.conversations.setRole(conversationId, userId, role);
      if (!updated) throw notAMember();
      const events = [
        await this.record(
          conversationId,
          callerId,
          role === 'admin'
            ? { type: 'admin_granted', actorId: callerId, userId }
            : { type: 'admin_revoked', actorId: callerId, userId },
        ),
      ];
      if (role === 'member') events.push(...(await this.afterDeparture(conversationId, callerId)));
      return this.fanOut(conversationId, callerId, events, []);
    });
  }

  /**
   * Runs `task` holding this group's change lock (the lock every change of GroupsService takes), for group changes
   * made elsewhere (the group picture): their check, storage change, system message and fan-out are never
   * interleaved with another change of the same group.
   * @returns what `task` returns; its rejection is passed on
   */
  serialized<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    return this.conversations.withChangeLock(conversationId, task);
  }

  /**
   * Stores one system message (kind 'system', a server-made clientMessageId, `body` = the plain-text fallback
   * composed with the names stored now). Public so other group features (the group picture) record their events
   * the same way; publish with `fanOut`.
   * @param senderId the person whose action it records (for an automatic promotion: whoever triggered it)
   */
  async record(conversationId: string, senderId: string, event: SystemEvent): Promise<Message> {
    const ids = [...new Set(systemEventUserIds(event))];
    const users = ids.length > 0 ? await this.users.findManyByIds(ids) : [];
    const names = new Map(users.map((u) => [u.id, u.displayName]));
    const body = describeSystemEvent(event, (id) =>
      id === null ? UNKNOWN_PERSON : (names.get(id) ?? UNKNOWN_PERSON),
    );
    const { message } = await this.messages.append({
      conversationId,
      senderId,
      clientMessageId: randomUUID(),
      kind: 'system',
      body,
      system: event,
    });
    return toMessage(message);
  }

  /**
   * Publishes a change as `conversation.changed` (the fan-out listener sends `conversation:updated` to every active
   * member and to `formerIds`, each as they see it, then `message:new` for each system message to the active
   * members), after the change and its system messages are stored.
   * @returns the conversation as `callerId` sees it now
   * @throws AppError CONVERSATION_NOT_FOUND when the caller never was a member (cannot happen after a check)
   */
  async fanOut(
    conversationId: string,
    callerId: string,
    systemMessages: readonly Message[],
    formerIds: readonly string[],
  ): Promise<ConversationSummary> {
    await this.events.publish('conversation.changed', {
      conversationId,
      formerIds,
      systemMessages,
    });
    return this.queries.get(conversationId, callerId);
  }

  /** After someone left, was removed or demoted: keep an admin, archive an empty group. */
  private async afterDeparture(conversationId: string, triggeredBy: string): Promise<Message[]> {
    const recorded: Message[] = [];
    const promoted = await this.conversations.ensureAdmin(conversationId);
    if (promoted) {
      recorded.push(
        await this.record(conversationId, triggeredBy, {
          type: 'admin_granted',
          actorId: null,
          userId: promoted.userId,
        }),
      );
    }
    const remaining = await this.conversations.listMembers(conversationId);
    if (remaining.length === 0) await this.conversations.archiveIfEmpty(conversationId);
    return recorded;
  }

  /** Defence in depth behind the DTO: trimmed, 1..100 characters. */
  private checkTitle(raw: string): string {
    const title = raw.trim();
    if (title.length < LIMITS.GROUP_TITLE_MIN || title.length > LIMITS.GROUP_TITLE_MAX) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'The group name is empty or too long.', {
        title: [
          `must be ${LIMITS.GROUP_TITLE_MIN}..${LIMITS.GROUP_TITLE_MAX} characters after trimming`,
        ],
      });
    }
    return title;
  }

  /**
   * Who of `people` the caller may only INVITE (their membership pending until they accept), by each person's
   * "who can add me to groups" setting: `everyone` adds directly, `contacts` directly when the caller is a
   * contact (shares an accepted conversation), `nobody` never. One query (the caller's contacts) when needed.
   */
  private async invitees(callerId: string, people: readonly UserRecord[]): Promise<string[]> {
    if (people.every((u) => u.groupAddPolicy === 'everyone')) return [];
    const contacts = new Set(await this.conversations.listContactIds(callerId));
    return people
      .filter(
        (u) =>
          u.groupAddPolicy === 'nobody' || (u.groupAddPolicy === 'contacts' && !contacts.has(u.id)),
      )
      .map((u) => u.id);
  }

  /**
   * @returns the users' records
   * @throws AppError USER_NOT_FOUND naming the ids that are not users (or are deactivated or deleted accounts, which
   *   cannot be added to groups), under `field`
   */
  private async requireUsers(ids: readonly string[], field: string): Promise<UserRecord[]> {
    const users = (await this.users.findManyByIds(ids)).filter(
      (u) => !u.deactivatedAt && !u.deletedAt,
    );
    const found = new Set(users.map((u) => u.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new AppError(ErrorCode.USER_NOT_FOUND, 'User not found.', {
        [field]: missing.map((id) => `${id} is not a user`),
      });
    }
    return users;
  }
}

function notAMember(): AppError {
  return new AppError(ErrorCode.NOT_A_MEMBER, 'Not a member of this conversation.');
}
