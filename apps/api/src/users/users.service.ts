import { Injectable } from '@nestjs/common';
import { ErrorCode, LIMITS, type Page, type PublicUser, type SelfUser } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { RealtimePublisher } from '../realtime/realtime.publisher.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toPublicUser, toSelfUser } from './user.mapper.js';

/** Profiles and the people directory. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly conversations: ConversationsRepository,
    private readonly realtime: RealtimePublisher,
  ) {}

  /** @throws AppError UNAUTHENTICATED when the token's user no longer exists */
  async getSelf(userId: string): Promise<SelfUser> {
    const user = await this.users.findById(userId);
    if (!user) throw goneUser();
    return toSelfUser(user);
  }

  /**
   * Renames the caller and tells everyone who shares a conversation with them (and their own other tabs) as
   * `user:updated`, as a new picture is.
   * @param displayName already trimmed and validated. @throws AppError UNAUTHENTICATED for a vanished user
   */
  async updateProfile(userId: string, displayName: string): Promise<SelfUser> {
    const user = await this.users.updateProfile(userId, { displayName });
    if (!user) throw goneUser();
    const contacts = await this.conversations.listContactIds(userId);
    this.realtime.toUsers([userId, ...contacts], 'user:updated', toPublicUser(user));
    return toSelfUser(user);
  }

  /**
   * Directory search by username or display-name word prefix, case-insensitive, never listing the caller.
   * @param limit 1..LIMITS.USER_SEARCH_PAGE_MAX, default LIMITS.USER_SEARCH_PAGE_DEFAULT
   */
  async search(
    callerId: string,
    query: { q?: string; cursor?: string; limit?: number },
  ): Promise<Page<PublicUser>> {
    const page = await this.users.search({
      query: query.q ?? '',
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
