import { Injectable } from '@nestjs/common';
import { ErrorCode, LIMITS, type Page, type PublicUser, type SelfUser } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { DomainEvents } from '../events/domain-events.js';
import { InstanceAdmins } from '../instance/instance-admins.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toPublicUser, toSelfUser } from './user.mapper.js';

/** Profiles and the people directory. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly events: DomainEvents,
    private readonly admins: InstanceAdmins,
  ) {}

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
