import { Injectable } from '@nestjs/common';
import { type BlockedUser, ErrorCode, LIMITS, type PrivacySettings } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { LiveAudience } from '../conversations/live-audience.js';
import { DomainEvents } from '../events/domain-events.js';
import { BlocksRepository } from '../storage/blocks.repository.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { RecordNotFoundError } from '../storage/storage.errors.js';
import type { UserRecord } from '../storage/storage.types.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toPublicUser } from '../users/user.mapper.js';

/**
 * A person's privacy settings and blocks (docs/privacy.md). What a block or a setting hides is applied where the
 * data flows (ConversationAccess, LiveAudience, the fan-out listener); this service changes them and announces
 * the change as `contacts.changed`, so both sides get a fresh presence snapshot at once.
 */
@Injectable()
export class PrivacyService {
  constructor(
    private readonly users: UsersRepository,
    private readonly blocks: BlocksRepository,
    private readonly conversations: ConversationsRepository,
    private readonly queries: ConversationsService,
    private readonly audience: LiveAudience,
    private readonly events: DomainEvents,
  ) {}

  /** @throws AppError UNAUTHENTICATED when the caller's account is gone */
  async settings(userId: string): Promise<PrivacySettings> {
    return toSettings(await this.requireUser(userId));
  }

  /**
   * Changes the given settings. A last-seen change refreshes the presence snapshots of the person and their
   * contacts (the rule is symmetric: hiding mine hides theirs from me).
   * @returns every setting after the change
   */
  async update(userId: string, changes: Partial<PrivacySettings>): Promise<PrivacySettings> {
    const before = await this.requireUser(userId);
    const user = await this.users.updatePrivacy(userId, {
      ...(changes.lastSeen !== undefined ? { lastSeenVisibility: changes.lastSeen } : {}),
      ...(changes.groupAdd !== undefined ? { groupAddPolicy: changes.groupAdd } : {}),
    });
    if (!user) throw goneUser();
    if (user.lastSeenVisibility !== before.lastSeenVisibility) {
      const contacts = await this.audience.contactsOf(userId);
      await this.events.publish('contacts.changed', { userIds: [userId, ...contacts] });
    }
    return toSettings(user);
  }

  /** The people the caller blocked, newest first (their records as anyone may see them). */
  async listBlocked(userId: string): Promise<BlockedUser[]> {
    const blocks = await this.blocks.listByBlocker(userId);
    if (blocks.length === 0) return [];
    const users = new Map(
      (await this.users.findManyByIds(blocks.map((b) => b.blockedId))).map((u) => [u.id, u]),
    );
    const listed: BlockedUser[] = [];
    for (const block of blocks) {
      const user = users.get(block.blockedId);
      if (user) listed.push({ user: toPublicUser(user), blockedAt: block.createdAt.toISOString() });
    }
    return listed;
  }

  /**
   * Blocks someone (idempotent). A pending message request from them is declined at once (it leaves the caller's
   * list); both get fresh presence snapshots without each other.
   * @throws AppError VALIDATION_FAILED for oneself; USER_NOT_FOUND (404) for an unknown person
   */
  async block(callerId: string, otherId: string): Promise<BlockedUser> {
    if (callerId === otherId) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'You cannot block yourself.', {
        userId: ['must be someone else'],
      });
    }
    const other = await this.users.findById(otherId);
    if (!other) throw new AppError(ErrorCode.USER_NOT_FOUND, 'User not found.');
    let result;
    try {
      result = await this.blocks.block(callerId, other.id);
    } catch (error) {
      if (error instanceof RecordNotFoundError)
        throw new AppError(ErrorCode.USER_NOT_FOUND, 'User not found.');
      throw error;
    }
    const direct = await this.conversations.findDirectBetween(callerId, other.id);
    // Their request to me, if any, goes: a block is the strongest "no".
    const declined = direct ? await this.declinePendingOf(direct.id, callerId) : false;
    if (result.created) {
      await this.events.publish('contacts.changed', { userIds: [callerId, other.id] });
      // A declined request's sender is told nothing (as for a plain decline): then only my own views refresh.
      await this.refreshSharedViews(
        callerId,
        other.id,
        declined ? null : (direct?.id ?? null),
        !declined,
      );
    }
    return { user: toPublicUser(other), blockedAt: result.block.createdAt.toISOString() };
  }

  /**
   * Removes a block (idempotent: unblocking someone not blocked answers the same). Presence snapshots and the views
   * of the conversations the two share refresh.
   */
  async unblock(callerId: string, otherId: string): Promise<void> {
    if (await this.blocks.unblock(callerId, otherId)) {
      // The id as stored (the route may spell it in another case), as the events' audiences compare it.
      const other = (await this.users.findById(otherId))?.id ?? otherId;
      await this.events.publish('contacts.changed', { userIds: [callerId, other] });
      const direct = await this.conversations.findDirectBetween(callerId, other);
      await this.refreshSharedViews(callerId, other, direct?.id ?? null, true);
    }
  }

  /**
   * Sends the people of a block or unblock the conversations they share as each now sees them
   * (`conversation.changed` limited to them: nobody else's view changed), so the other's picture and receipts are
   * masked (or shown again) at once rather than at the next reload: the direct conversation `directId` (null: none,
   * or one to leave alone) and the groups both are active members of, at most LIMITS.GROUPS_IN_COMMON_MAX of them,
   * the most recently active (any others refresh at their next change or reload). Each costs a few queries and
   * builds the views of these people only.
   * @param tellOther false: only `callerId`'s views (the other must not learn of it now: a declined request's sender)
   */
  private async refreshSharedViews(
    callerId: string,
    otherId: string,
    directId: string | null,
    tellOther: boolean,
  ): Promise<void> {
    const groups = await this.conversations.listGroupsInCommon(
      callerId,
      otherId,
      LIMITS.GROUPS_IN_COMMON_MAX,
    );
    const ids = [...(directId ? [directId] : []), ...groups.map((group) => group.id)];
    const viewersOnly = tellOther ? [callerId, otherId] : [callerId];
    for (const conversationId of ids) {
      await this.events.publish('conversation.changed', {
        conversationId,
        formerIds: [],
        systemMessages: [],
        viewersOnly,
      });
    }
  }

  /**
   * Declines `userId`'s pending request in the direct conversation `directId`, if they have one.
   * @returns whether a request was declined
   */
  private async declinePendingOf(directId: string, userId: string): Promise<boolean> {
    const member = await this.conversations.findMember(directId, userId);
    if (!member?.pending || member.leftAt !== null) return false;
    await this.queries.declinePending(directId, userId);
    return true;
  }

  private async requireUser(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(userId);
    if (!user) throw goneUser();
    return user;
  }
}

function toSettings(user: UserRecord): PrivacySettings {
  return { lastSeen: user.lastSeenVisibility, groupAdd: user.groupAddPolicy };
}

function goneUser(): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, 'The account no longer exists.');
}
