import { Injectable } from '@nestjs/common';
import { ErrorCode, LIMITS } from '@chat/shared';
import { AvatarsService } from '../attachments/avatars.service.js';
import { PasswordService } from '../auth/password.service.js';
import { AppError } from '../common/app-error.js';
import { GroupsService } from '../conversations/groups.service.js';
import { DomainEvents } from '../events/domain-events.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { SessionsRepository } from '../storage/sessions.repository.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toPublicUser } from '../users/user.mapper.js';

/**
 * Deleting one's own account (docs/admin.md, "Deleting an account"). The choice made: messages are KEPT, shown
 * as from "Deleted account" (the conversation history of the others stays whole, as Slack and Mattermost do); the
 * profile is wiped. In order, each step safe to repeat if a later one fails:
 * 1. every session is revoked (`session.revoked`: sockets cut, access tokens refused at once);
 * 2. the person leaves every group they are still in (the timeline says so, another member becomes admin, an
 *    empty group is archived), so no group lists them as a member any more;
 * 3. the picture files are deleted;
 * 4. the user record becomes a tombstone (UsersRepository.markDeleted: placeholder username, so the username is
 *    free to register again; "Deleted account"; no password; no picture); `user:updated` tells the people who
 *    shared a conversation with them.
 * Direct conversations keep their two members (the other person keeps the history, and sees "Deleted account").
 * Files they sent stay with their messages; unsent uploads go with the regular unsent sweep.
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly conversations: ConversationsRepository,
    private readonly groups: GroupsService,
    private readonly avatars: AvatarsService,
    private readonly passwords: PasswordService,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Deletes the caller's account after checking the password again.
   * @throws AppError INVALID_CREDENTIALS (the password is wrong; 401, but the session stays valid);
   *   UNAUTHENTICATED when the account is already gone
   */
  async delete(userId: string, password: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || user.deletedAt) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'The account no longer exists.');
    }
    if (!(await this.passwords.verify(password, user.passwordHash))) {
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'The password is wrong.');
    }
    const now = new Date();
    for (const sessionId of await this.sessions.revokeAllForUser(userId, now)) {
      await this.events.publish('session.revoked', {
        sessionId,
        reason: { code: ErrorCode.SESSION_REVOKED, message: 'This account was deleted.' },
      });
    }
    await this.leaveGroups(userId);
    if (user.avatarUrl) await this.avatars.removeUserAvatar(userId);
    const tombstone = await this.users.markDeleted(userId, now);
    if (tombstone) await this.events.publish('user.updated', { user: toPublicUser(tombstone) });
  }

  /** Leaves every group the person is an active member of (GroupsService.leave: timeline, admin, archive). */
  private async leaveGroups(userId: string): Promise<void> {
    const groupIds: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.conversations.listForUser(userId, {
        cursor,
        limit: LIMITS.CONVERSATION_PAGE_MAX,
      });
      for (const item of page.items) {
        if (item.conversation.type === 'group' && item.membership.leftAt === null) {
          groupIds.push(item.conversation.id);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of groupIds) {
      await this.groups.leave(userId, id).catch((error: unknown) => {
        // Left meanwhile (another tab, a removal): nothing to do.
        if (error instanceof AppError && error.code === ErrorCode.MEMBERSHIP_ENDED) return;
        throw error;
      });
    }
  }
}
