import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  LIMITS,
  type Page,
  type PublicUser,
  type SelfUser,
  type UserProfile,
} from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { DomainEvents } from '../events/domain-events.js';
import { InstanceAdmins } from '../instance/instance-admins.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toPublicUser, toSelfUser } from './user.mapper.js';

/** Profiles and the people directory. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly conversations: ConversationsRepository,
    private readonly events: DomainEvents,
    private readonly admins: InstanceAdmins,
  ) {}

  /**
   * Another person's profile as the caller sees it: what the directory shows of them, and the groups both are
   * ACTIVE members of (most recent activity first, at most LIMITS.GROUPS_IN_COMMON_MAX; a group the caller left
   * is not "in common"). Anyone signed in may look anyone up, as the directory allows; presence is not included
   * (it reaches contacts only, over the socket). Asking for oneself gives one's own profile and no groups.
   * @throws AppError USER_NOT_FOUND (404) when no such user exists
   */
  async getProfile(callerId: string, userId: string): Promise<UserProfile> {
    const [user, groups] = await Promise.all([
      this.users.findById(userId),
      this.conversations.listGroupsInCommon(callerId, userId, LIMITS.GROUPS_IN_COMMON_MAX),
    ]);
    if (!user) throw new AppError(ErrorCode.USER_NOT_FOUND, 'User not found.');
    return {
      user: toPublicUser(user),
      groupsInCommon: groups.map((g) => ({
        id: g.id,
        title: g.title ?? '',
        avatarUrl: g.avatarUrl ?? null,
      })),
    };
  }

  /** @throws AppError UNAUTHENTICATED when the token's user no longer exists */
  async getSelf(userId: string): Promise<SelfUser> {
    const user = await this.users.findById(userId);
    if (!user) throw goneUser();
    return toSelfUser(user, await this.admins.isAdmin(user));
  }

  /**
   * Renames the caller and publishes `user.updated`, which reaches everyone who shares a conversation with them
   * (and their own other tabs) as `user:updated`, as a new picture does.
   * @param displayName already trimmed and validated. @throws AppError UNAUTHENTICATED for a vanished user
   */
  async updateProfile(userId: string, displayName: string): Promise<SelfUser> {
    const user = await this.users.updateProfile(userId, { displayName });
    if (!user) throw goneUser();
    await this.events.publish('user.updated', { user: toPublicUser(user) });
    return toSelfUser(user, await this.admins.isAdmin(user));
  }

  /**
   * Directory search by username or display-name word prefix, case-insensitive, never listing the caller.
   * @param query.q non-empty (the DTO refuses an empty one: the directory is searched, never listed whole)
   * @param limit 1..LIMITS.USER_SEARCH_PAGE_MAX, default LIMITS.USER_SEARCH_PAGE_DEFAULT
   */
  async search(
    callerId: string,
    query: { q: string; cursor?: string; limit?: number },
  ): Promise<Page<PublicUser>> {
    const page = await this.users.search({
      query: query.q,
      excludeUserId: callerId,
      cursor: query.cursor ?? null,
      limit: query.limit ?? LIMITS.USER_SEARCH_PAGE_DEFAULT,
    });
    return { items: page.items.map(toPublicUser), nextCursor: page.nextCursor };
  }
}

function goneUser(): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, 'The account no longer exists.');
}
